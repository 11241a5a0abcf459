"""Speed and memory: newsindex against plain Whoosh (``LanguageAnalyzer("de")``), same data and queries.

Measured, each in fresh processes (see :mod:`benchmarks.speed_worker`):

a. analysis throughput on one core: input words/s (words = ``\\w+`` runs of the
   input, the same denominator for every system) via ``newsindex.analyze`` (with
   and without decompounding) and Whoosh's analyzers;
b. index build: wall time, paragraphs/s, peak RSS (``ru_maxrss`` of the building
   process; its worker processes separately), index size on disk;
c. query latency over ``queries_de.jsonl``: p50/p95/p99 of top-10, with and
   without snippets, one core;
d. cold start: a new process that imports, opens the index and searches
   ``Krieg`` (API and CLI), plus the bare interpreter as a floor.

Every figure is the median over repeated runs with min–max; ratios are
newsindex / baseline. CLI: ``python -m benchmarks.speed [--quick]``.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from .corpora import BENCH_DIR, OUT_DIR
from .speed_worker import SINGLE_CORE_ENV
from .stats import percentile, spread
from .systems import newsindex_available

__all__ = ["FULL", "QUICK", "SpeedOptions", "format_speed", "load_queries", "run_speed"]

BASELINE = "whoosh-de"
QUERIES_FILE = BENCH_DIR / "queries_de.jsonl"
REPO = BENCH_DIR.parent


@dataclass(frozen=True)
class SpeedOptions:
    """What to measure and how often."""

    corpus: str = "adl"
    limit: int | None = None  # paragraphs indexed (None = whole corpus)
    n_queries: int | None = None  # first N of the query file (None = all)
    analyze_limit: int | None = 20_000  # paragraphs analysed per run
    analyze_budget_s: float = 60.0  # stop a run after this many seconds
    analyze_repeats: int = 3
    build_repeats: int = 3
    query_repeats: int = 5
    cold_repeats: int = 5
    #: name -> analysis options (HOOK: AnalysisConfig field names) or a whoosh analyzer name.
    analysis_systems: dict[str, dict[str, Any]] = field(
        default_factory=lambda: {
            "newsindex": {},
            "newsindex -decompound": {"decompound": False},
            "whoosh-de": {},
            "whoosh-standard": {},
        }
    )
    #: name -> kwargs for NewsIndex.create (or BaselineIndex.add for whoosh-*).
    index_systems: dict[str, dict[str, Any]] = field(
        default_factory=lambda: {"newsindex": {}, "newsindex workers=1": {"workers": 1}, "whoosh-de": {}}
    )
    cli_template: str = "{newsindex} search Krieg --index {index}"
    parts: tuple[str, ...] = ("analysis", "build", "query", "cold")  # what to measure (``--only``)
    out: Path = OUT_DIR / "speed"


QUICK = SpeedOptions(
    limit=5_000,
    n_queries=50,
    analyze_limit=2_000,
    analyze_budget_s=8.0,
    analyze_repeats=2,
    build_repeats=1,
    query_repeats=3,
    cold_repeats=3,
    index_systems={"newsindex": {}, "whoosh-de": {}},
)
FULL = SpeedOptions()
#: Index systems measured only when named in ``--systems`` (``_env``: environment of the build).
EXTRA_INDEX_SYSTEMS: dict[str, dict[str, Any]] = {
    "newsindex whoosh-postings": {"_env": {"NEWSINDEX_FAST_POSTINGS": "0"}},
}
PARTS = ("analysis", "build", "query", "cold")


def load_queries(path: Path = QUERIES_FILE, n: int | None = None) -> list[dict[str, str]]:
    """The benchmark queries (``text``, ``kind``), the first ``n`` when given."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return rows if n is None else rows[:n]


def _spawn(task: dict[str, Any], *, single_core: bool = False, timeout: float = 7200) -> dict[str, Any]:
    """Run one worker task in a new process; the result dict, or ``{"error": ...}``."""
    env = {**os.environ, **(SINGLE_CORE_ENV if single_core else {})}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    cmd = [sys.executable, "-m", "benchmarks.speed_worker", json.dumps(task, default=str)]
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout, cwd=REPO)
    except subprocess.TimeoutExpired:
        return {"error": f"timeout after {timeout:.0f}s"}
    wall = time.perf_counter() - t0
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("RESULT "):
            return {**json.loads(line[7:]), "wall_s": wall}
    tail = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
    return {"error": f"exit {proc.returncode}: {tail}"}


def _is_newsindex(name: str) -> bool:
    return name.startswith("newsindex")


def _skip_reason(name: str) -> str | None:
    return newsindex_available() if _is_newsindex(name) else None


def _log(msg: str) -> None:
    print(f"[speed] {msg}", flush=True)


def measure_analysis(opts: SpeedOptions) -> dict[str, Any]:
    """(a) words/s per analysis system, one fresh single-core process per repeat."""
    out: dict[str, Any] = {}
    for name, options in opts.analysis_systems.items():
        if reason := _skip_reason(name):
            out[name] = {"error": f"skipped: {reason}"}
            continue
        task = {
            "task": "analyze",
            "system": "newsindex" if _is_newsindex(name) else name,
            "analysis": options,
            "corpus": opts.corpus,
            "limit": opts.analyze_limit,
            "time_budget_s": opts.analyze_budget_s,
        }
        runs = _repeat(task, opts.analyze_repeats, single_core=True)
        out[name] = _collect(runs, ["words_per_s", "paragraphs", "words", "out_tokens", "rss_self_kb"])
        _log(f"analysis {name}: {out[name].get('words_per_s', out[name].get('error'))}")
    return out


def _repeat(task: dict[str, Any], repeats: int, *, single_core: bool = False) -> list[dict[str, Any]]:
    """``task`` run ``repeats`` times, each in a fresh process; just the error if one fails."""
    runs = []
    for _ in range(repeats):
        res = _spawn(task, single_core=single_core)
        if "error" in res:
            return [res]
        runs.append(res)
    return runs


def _collect(runs: list[dict[str, Any]], keys: Sequence[str]) -> dict[str, Any]:
    if runs and "error" in runs[0]:
        return {"error": runs[0]["error"]}
    return {k: [r.get(k) for r in runs] for k in keys}


def measure_build(opts: SpeedOptions) -> dict[str, Any]:
    """(b) index build per system; the last build of each is kept for the query runs."""
    out: dict[str, Any] = {}
    for name, kwargs in opts.index_systems.items():
        if reason := _skip_reason(name):
            out[name] = {"error": f"skipped: {reason}"}
            continue
        path = opts.out / "index" / name.replace(" ", "_").replace("=", "")
        kwargs = dict(kwargs)
        task = {
            "task": "build",
            "system": "newsindex" if _is_newsindex(name) else name,
            "env": kwargs.pop("_env", {}),
            "create_kwargs": kwargs,
            "corpus": opts.corpus,
            "limit": opts.limit,
            "index": str(path),
        }
        runs = _repeat(task, opts.build_repeats)
        keys = [
            "seconds",
            "paragraphs_per_s",
            "cpu_ms_per_paragraph",
            "rss_self_kb",
            "rss_children_kb",
            "rss_before_kb",
            "index_bytes",
        ]
        out[name] = {**_collect(runs, keys), "index": str(path)}
        if runs and "error" not in runs[0]:
            out[name]["paragraphs"] = runs[0]["paragraphs"]
            out[name]["workers"] = runs[0].get("workers")
        _log(f"build {name}: {out[name].get('paragraphs_per_s', out[name].get('error'))}")
    return out


def measure_queries(
    opts: SpeedOptions, build: dict[str, Any], queries: list[dict[str, str]]
) -> dict[str, Any]:
    """(c) per-run p50/p95/p99 (ms) with and without snippets, plus p50 per query kind."""
    out: dict[str, Any] = {}
    texts = [q["text"] for q in queries]
    for name, b in build.items():
        if "error" in b:
            out[name] = {"error": b["error"]}
            continue
        task = {
            "task": "query",
            "system": "newsindex" if _is_newsindex(name) else name,
            "index": b["index"],
            "queries": texts,
            "repeats": opts.query_repeats,
        }
        res = _spawn(task, single_core=True)
        if "error" in res:
            out[name] = res
            continue
        entry: dict[str, Any] = {
            k: res[k]
            for k in ("queries", "zero_hit_queries", "mean_hits", "open_and_first_ms", "rss_self_kb")
        }
        for mode, runs in res["latency_ms"].items():
            entry[mode] = {f"p{p}": [percentile(run, p) for run in runs] for p in (50, 95, 99)}
            entry[mode]["mean"] = [sum(run) / len(run) for run in runs]
        by_kind: dict[str, list[float]] = {}
        for i, q in enumerate(queries):
            # the median over runs of this query's latency (with snippets)
            vals = sorted(run[i] for run in res["latency_ms"]["snippets"])
            by_kind.setdefault(q.get("kind", "?"), []).append(vals[len(vals) // 2])
        entry["kind_p50_ms"] = {k: percentile(v, 50) for k, v in by_kind.items()}
        entry["zero_hit_by_kind"] = {}
        for q, h in zip(queries, res["hits"], strict=True):
            if h == 0:
                kind = q.get("kind", "?")
                entry["zero_hit_by_kind"][kind] = entry["zero_hit_by_kind"].get(kind, 0) + 1
        out[name] = entry
        _log(f"queries {name}: p50 {spread(entry['plain']['p50']).fmt(2)} ms")
    return out


def _time_cmd(cmd: list[str], repeats: int, env: dict[str, str]) -> dict[str, Any]:
    secs = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=REPO, timeout=600)
        secs.append(time.perf_counter() - t0)
        if proc.returncode != 0:
            tail = (proc.stderr.strip().splitlines() or [proc.stdout.strip() or "(no output)"])[-1]
            return {"error": f"exit {proc.returncode}: {tail}", "cmd": shlex.join(cmd)}
    return {"seconds": secs, "cmd": shlex.join(cmd)}


def _cli_available() -> str | None:
    exe = Path(sys.executable).parent / "newsindex"
    if not exe.exists() and not shutil.which("newsindex"):
        return "no `newsindex` executable"
    try:
        import importlib

        importlib.import_module("newsindex.interfaces.cli")
    except Exception as exc:
        return f"CLI not importable ({type(exc).__name__}: {exc})"
    return None


def measure_cold(opts: SpeedOptions, build: dict[str, Any]) -> dict[str, Any]:
    """(d) new-process start-up: interpreter floor, API import+open+search, and the CLIs."""
    env = {**os.environ}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    out: dict[str, Any] = {
        "python -c pass": _time_cmd([sys.executable, "-c", "pass"], opts.cold_repeats, env)
    }
    worker = [sys.executable, "-m", "benchmarks.speed_worker"]
    for name in ("newsindex", BASELINE):
        b = build.get(name)
        if not b or "error" in b:
            out[f"{name} API"] = {"error": (b or {}).get("error", "not built")}
            continue
        task = json.dumps({"task": "cold", "system": name, "index": b["index"], "query": "Krieg"})
        out[f"{name} API"] = _time_cmd([*worker, task], opts.cold_repeats, env)
    base = build.get(BASELINE, {})
    if "error" not in base and base:
        cmd = [sys.executable, "-m", "benchmarks.baseline", "search", base["index"], "Krieg"]
        out[f"{BASELINE} CLI"] = _time_cmd(cmd, opts.cold_repeats, env)
    ni = build.get("newsindex", {})
    reason = _cli_available() or (ni.get("error") if ni else "not built")
    if reason:
        out["newsindex CLI"] = {"error": f"skipped: {reason}"}
    else:
        exe = str(Path(sys.executable).parent / "newsindex")
        # HOOK: the CLI's argument layout; override with --cli-template.
        cmd = shlex.split(
            opts.cli_template.format(newsindex=shlex.quote(exe), index=shlex.quote(ni["index"]))
        )
        out["newsindex CLI"] = _time_cmd(cmd, opts.cold_repeats, env)
    for k, v in out.items():
        _log(f"cold {k}: {spread(v['seconds']).fmt(3) if 'seconds' in v else v.get('error')}")
    return out


def run_speed(opts: SpeedOptions) -> dict[str, Any]:
    """All speed measurements; a JSON-ready dict (also written to ``<out>/speed.json``)."""
    opts.out.mkdir(parents=True, exist_ok=True)
    queries = load_queries(n=opts.n_queries)
    t0 = time.perf_counter()
    results: dict[str, Any] = {"options": {k: v for k, v in asdict(opts).items() if k != "out"}}
    parts = set(opts.parts)
    results["analysis"] = measure_analysis(opts) if "analysis" in parts else {}
    results["build"] = measure_build(opts) if "build" in parts else {}
    results["query"] = measure_queries(opts, results["build"], queries) if "query" in parts else {}
    results["cold"] = measure_cold(opts, results["build"]) if "cold" in parts else {}
    results["seconds_total"] = time.perf_counter() - t0
    (opts.out / "speed.json").write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    return results


# -- formatting --------------------------------------------------------------------------
def _ratio(a: list[float] | None, b: list[float] | None) -> str:
    if not a or not b:
        return "–"
    ma, mb = spread(a).median, spread(b).median
    return f"{ma / mb:.2f}×" if mb else "–"


def _row(name: str, entry: dict[str, Any], cols: list[tuple[str, Any]]) -> str:
    if "error" in entry:
        return f"| {name} | " + " | ".join("–" for _ in cols[:-1]) + f" | {entry['error']} |"
    return f"| {name} | " + " | ".join(fn(entry) for _, fn in cols) + " |"


def _table(title: str, entries: dict[str, Any], cols: list[tuple[str, Any]]) -> str:
    head = f"| {title} | " + " | ".join(c for c, _ in cols) + " |"
    sep = "| --- | " + " | ".join("---:" for _ in cols) + " |"
    return "\n".join([head, sep, *(_row(n, e, cols) for n, e in entries.items())])


def format_speed(results: dict[str, Any]) -> str:
    """Markdown tables for :func:`run_speed` results (ratio = newsindex / whoosh-de)."""
    an, bu, qu, co = (results[k] for k in ("analysis", "build", "query", "cold"))
    base_an, base_bu, base_qu = an.get(BASELINE, {}), bu.get(BASELINE, {}), qu.get(BASELINE, {})
    parts = ["### Analysis (one core)\n"]
    parts.append(
        _table(
            "analysis",
            an,
            [
                ("words/s", lambda e: spread(e["words_per_s"]).fmt(0)),
                ("paragraphs", lambda e: f"{e['paragraphs'][0]:,}"),
                ("index terms/word", lambda e: f"{sum(e['out_tokens']) / max(sum(e['words']), 1):.2f}"),
                ("peak RSS MB", lambda e: spread(e["rss_self_kb"]).fmt(0, 1 / 1024)),
                ("ratio vs whoosh-de", lambda e: _ratio(e["words_per_s"], base_an.get("words_per_s"))),
            ],
        )
    )
    parts.append("\n### Index build\n")
    parts.append(
        _table(
            "build",
            bu,
            [
                ("paragraphs", lambda e: f"{e['paragraphs']:,}"),
                ("wall s", lambda e: spread(e["seconds"]).fmt(1)),
                ("paragraphs/s", lambda e: spread(e["paragraphs_per_s"]).fmt(0)),
                ("CPU ms/paragraph", lambda e: spread(e.get("cpu_ms_per_paragraph") or [0.0]).fmt(2)),
                ("RSS before MB", lambda e: spread(e["rss_before_kb"]).fmt(0, 1 / 1024)),
                ("peak RSS MB", lambda e: spread(e["rss_self_kb"]).fmt(0, 1 / 1024)),
                ("workers' peak RSS MB", lambda e: spread(e["rss_children_kb"]).fmt(0, 1 / 1024)),
                ("index MB", lambda e: spread(e["index_bytes"]).fmt(1, 1 / 2**20)),
                ("time ratio", lambda e: _ratio(e["seconds"], base_bu.get("seconds"))),
                ("size ratio", lambda e: _ratio(e["index_bytes"], base_bu.get("index_bytes"))),
            ],
        )
    )
    parts.append("\n### Query latency, top 10, ms (one core)\n")
    cols: list[tuple[str, Any]] = []
    for mode, label in (("plain", "no snippets"), ("snippets", "snippets")):
        for p in ("p50", "p95", "p99"):
            cols.append((f"{p} {label}", lambda e, m=mode, p=p: spread(e[m][p]).fmt(2)))
    cols += [
        (
            "ratio p50/p95 (snippets)",
            lambda e: (
                _ratio(e["snippets"]["p50"], base_qu.get("snippets", {}).get("p50"))
                + " / "
                + _ratio(e["snippets"]["p95"], base_qu.get("snippets", {}).get("p95"))
            ),
        ),
        ("zero-hit queries", lambda e: f"{e['zero_hit_queries']}/{e['queries']}"),
        ("mean hits", lambda e: f"{e['mean_hits']:.1f}"),
    ]
    parts.append(_table("system", qu, cols))
    kinds = sorted({k for e in qu.values() if "error" not in e for k in e["kind_p50_ms"]})
    if kinds:
        parts.append("\np50 latency (ms, with snippets) and zero-hit queries per query kind:\n")
        names = [n for n, e in qu.items() if "error" not in e]
        parts.append("| kind | " + " | ".join(names) + " |")
        parts.append("| --- | " + " | ".join("---:" for _ in names) + " |")
        for k in kinds:
            cells = []
            for n in names:
                p50, empty = qu[n]["kind_p50_ms"].get(k, float("nan")), qu[n]["zero_hit_by_kind"].get(k, 0)
                cells.append(f"{p50:.2f} ({empty} empty)")
            parts.append(f"| {k} | " + " | ".join(cells) + " |")
    parts.append("\n### Cold start (new process, wall s)\n")
    base_cold = co.get(f"{BASELINE} API", {}).get("seconds")
    parts.append(
        _table(
            "command",
            co,
            [
                ("seconds", lambda e: spread(e["seconds"]).fmt(3)),
                ("ratio vs whoosh-de API", lambda e: _ratio(e["seconds"], base_cold)),
                ("command", lambda e: f"`{e['cmd'][:90]}`"),
            ],
        )
    )
    return "\n".join(parts) + "\n"


def options_from_args(args: argparse.Namespace) -> SpeedOptions:
    """Apply CLI overrides to the quick or full preset."""
    opts = QUICK if args.quick else FULL
    overrides: dict[str, Any] = {"corpus": args.corpus}
    for key in ("limit", "n_queries", "build_repeats", "query_repeats", "analyze_repeats", "cold_repeats"):
        value = getattr(args, key, None)
        if value is not None:
            overrides[key] = value
    if args.cli_template:
        overrides["cli_template"] = args.cli_template
    if args.systems:
        keep = {name.strip() for name in args.systems.split(",")}
        overrides["analysis_systems"] = {k: v for k, v in opts.analysis_systems.items() if k in keep}
        systems = {**opts.index_systems, **EXTRA_INDEX_SYSTEMS}
        overrides["index_systems"] = {k: v for k, v in systems.items() if k in keep}
    if getattr(args, "only", None):
        overrides["parts"] = tuple(p.strip() for p in args.only.split(",") if p.strip() in PARTS)
    return replace(opts, **overrides)


def add_speed_args(ap: argparse.ArgumentParser) -> None:
    """The speed options shared by this CLI and :mod:`benchmarks.run`."""
    ap.add_argument("--corpus", default="adl", choices=["adl", "wikinews"])
    ap.add_argument("--limit", type=int, help="paragraphs to index (default: quick 5,000 / full all)")
    ap.add_argument("--n-queries", type=int, help="first N queries of queries_de.jsonl")
    ap.add_argument("--build-repeats", type=int)
    ap.add_argument("--query-repeats", type=int)
    ap.add_argument("--analyze-repeats", type=int)
    ap.add_argument("--cold-repeats", type=int)
    ap.add_argument(
        "--systems",
        help="comma-separated subset, e.g. 'whoosh-de' or 'newsindex,whoosh-de' (names as in the tables)",
    )
    ap.add_argument("--only", help=f"comma-separated subset of {','.join(PARTS)} (default: all)")
    ap.add_argument("--cli-template", help="newsindex CLI cold-start command, with {newsindex} and {index}")


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point: measure and print the tables."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="5,000 paragraphs, 50 queries, few repeats")
    add_speed_args(ap)
    results = run_speed(options_from_args(ap.parse_args(argv)))
    print(format_speed(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
