"""Start-up cost: a one-off search and the prompt's first answer, in fresh processes.

Measured, interleaved round by round so every variant sees the same machine load:

* ``floor``: ``python -c "import spacy; spacy.blank('de')"``, the least any
  spaCy-based query can cost;
* ``import``: ``python -c "import newsindex"``;
* ``search``: ``python -m newsindex search Krieg --json --index SEEDS`` (the
  seed articles, indexed once into a temporary folder);
* ``prompt``: ``newsindex shell`` in a pseudo-terminal; ``Krieg`` is typed as soon
  as the prompt appears. Reported: seconds from the prompt to the first answer
  (``prompt→answer``) and from the start to the prompt (``start→prompt``).

Each variant is run for every code tree given (``--tree before=/path/to/old
--tree after=.``, default: this checkout), with ``PYTHONPATH`` set to the tree.
The lemma table of the per-user cache is built before timing starts (its one-off
build is not start-up cost). Medians of ``--runs`` rounds, with the ratio of
``search`` to the floor of the same run. Other engineers share the machine, so
run it under the benchmark lock::

    flock /work/bench.lock .venv/bin/python -m benchmarks.startup --runs 7 \\
        --tree before=/tmp/newsindex-before --tree after=.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["main", "measure"]

REPO = Path(__file__).resolve().parents[1]
FLOOR = "import spacy; spacy.blank('de')"
BANNER, PROMPT = "Ctrl-D", "›"  # the prompt is "newsindex›" with colour codes inside
ANSWER = "whole article"  # the hint printed under the first page of results


def _env(tree: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(tree)
    env.pop("NEWSINDEX_HISTORY", None)
    return env


def _timed(cmd: Sequence[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    # cwd = the tree: ``python -m`` puts the working folder first on sys.path.
    subprocess.run(cmd, env=env, cwd=env["PYTHONPATH"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def _prompt(tree: Path, index: Path, history: Path) -> tuple[float, float]:
    """(start → prompt, prompt → first answer) of ``newsindex shell`` in a pty."""
    import pexpect

    env = _env(tree)
    env["NEWSINDEX_HISTORY"] = str(history)
    env["COLUMNS"], env["LINES"] = "100", "40"
    t0 = time.perf_counter()
    child = pexpect.spawn(
        sys.executable, ["-m", "newsindex", "shell", "--index", str(index)],
        env=env, cwd=str(tree), encoding="utf-8", timeout=60, dimensions=(40, 100),
    )
    try:
        child.expect(BANNER)
        child.expect(PROMPT)
        shown = time.perf_counter()
        child.sendline("Krieg")
        child.expect(ANSWER)
        answered = time.perf_counter()
        child.expect(PROMPT)
        child.sendline(":quit")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    return shown - t0, answered - shown


def _seed_index(tree: Path, where: Path) -> Path:
    index = where / "seeds-index"
    subprocess.run(
        [sys.executable, "-m", "newsindex", "index", str(REPO / "seeds"), "--index", str(index)],
        env=_env(tree), cwd=tree, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    return index


def measure(trees: dict[str, Path], runs: int, *, prompt: bool = True) -> dict[str, Any]:
    """Median seconds of every variant per tree, and the ratio of search to floor."""
    samples: dict[str, dict[str, list[float]]] = {name: {} for name in trees}
    floor: list[float] = []
    with tempfile.TemporaryDirectory(prefix="newsindex-startup-") as tmp:
        indexes = {name: _seed_index(tree, Path(tmp) / name) for name, tree in trees.items()}
        for name, tree in trees.items():  # warm: the lemma table, the page cache
            _timed([sys.executable, "-m", "newsindex", "search", "Krieg", "--json",
                    "--index", str(indexes[name])], _env(tree))
        for _ in range(runs):
            floor.append(_timed([sys.executable, "-c", FLOOR], _env(REPO)))
            for name, tree in trees.items():
                env, got = _env(tree), samples[name]
                got.setdefault("import", []).append(_timed([sys.executable, "-c", "import newsindex"], env))
                got.setdefault("search", []).append(_timed(
                    [sys.executable, "-m", "newsindex", "search", "Krieg", "--json",
                     "--index", str(indexes[name])], env))
                if prompt:
                    shown, answered = _prompt(tree, indexes[name], Path(tmp) / f"{name}.history")
                    got.setdefault("start→prompt", []).append(shown)
                    got.setdefault("prompt→answer", []).append(answered)
    floor_median = statistics.median(floor)
    out: dict[str, Any] = {"runs": runs, "floor_s": round(floor_median, 3), "trees": {}}
    for name, got in samples.items():
        medians = {k: round(statistics.median(v), 3) for k, v in got.items()}
        medians["search/floor"] = round(medians["search"] / floor_median, 2)
        medians["search_spread"] = [round(min(got["search"]), 3), round(max(got["search"]), 3)]
        out["trees"][name] = medians
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m benchmarks.startup [--runs N] [--tree NAME=PATH ...] [--no-prompt] [--json FILE]``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--tree", action="append", default=[], metavar="NAME=PATH")
    parser.add_argument("--no-prompt", action="store_true", help="skip the pty prompt measurement")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    trees = {}
    for spec in args.tree or [f"this={REPO}"]:
        name, _, path = spec.partition("=")
        trees[name] = Path(path).resolve()
    result = measure(trees, args.runs, prompt=not args.no_prompt)
    text = json.dumps(result, indent=2, ensure_ascii=False)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
