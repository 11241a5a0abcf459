"""Query-time ranking grids: build one newsindex per passages file, then evaluate many option sets.

Ranking knobs (BM25 ``k1``/``b``, boosts) act at search time, so a grid need not rebuild
the index: each point reopens the same on-disk index with other ``SearchOptions``.

    python -m benchmarks.tune --grid bm25              # k1 x b on questions and known item
    python -m benchmarks.tune --set k1=0.9,b=0.4 --set title_boost=1.0

Indexes are kept in ``benchmarks/out/tune/`` (keyed by the analysis config and the
passages file), so a second run only searches. Results are printed as one Markdown
table per query set; ``--json`` writes the raw figures.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import itertools
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .corpora import OUT_DIR
from .relevance import Query, load_passages, load_queries, score_ranking
from .systems import NewsIndexSystem, Passage

__all__ = ["evaluate_options", "main"]

SETS = OUT_DIR / "relevance" / "distractors-30000"
# Short names for SearchOptions fields on the command line.
ALIASES = {"k1": "bm25_k1", "b": "bm25_b"}
GRIDS: dict[str, list[dict[str, Any]]] = {
    "bm25": [
        {"bm25_k1": k1, "bm25_b": b}
        for k1, b in itertools.product((0.6, 0.9, 1.2, 1.5), (0.3, 0.5, 0.75, 0.9))
    ],
}


def _parse_set(text: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in filter(None, text.split(",")):
        key, _, value = item.partition("=")
        key = ALIASES.get(key.strip(), key.strip())
        v: Any = value.strip()
        if v in ("true", "false"):
            v = v == "true"
        else:
            with contextlib.suppress(ValueError):
                v = float(v)
        out[key] = v
    return out


def _index_for(passages_file: Path, analysis: dict[str, Any]) -> tuple[NewsIndexSystem, Path]:
    """A NewsIndexSystem over ``passages_file`` whose on-disk index is built once and kept."""
    from newsindex.analysis.lemmatizers import RULES_VERSION
    from newsindex.index.layout import FORMAT_VERSION

    # The format and rules versions are in the key: an index built by older code is not reused.
    versions = [FORMAT_VERSION, RULES_VERSION]
    key = hashlib.sha1(
        json.dumps(
            [str(passages_file), passages_file.stat().st_mtime, analysis, *versions], sort_keys=True
        ).encode()
    ).hexdigest()[:12]
    folder = OUT_DIR / "tune" / key
    system = NewsIndexSystem(create_kwargs={"analysis": analysis} if analysis else {})
    passages: list[Passage] = load_passages(passages_file)
    ids_file = folder / "paragraph_ids.json"
    if (folder / "ix").is_dir() and ids_file.is_file():
        system._paragraph_ids = json.loads(ids_file.read_text(encoding="utf-8"))
        return system, folder
    folder.mkdir(parents=True, exist_ok=True)
    system.on_disk = True
    t0 = time.perf_counter()
    system.build(passages)
    print(f"[tune] built {passages_file.name} in {time.perf_counter() - t0:.0f} s", flush=True)
    built = system._tmp
    system._index.close()
    system._index = None
    assert built is not None
    (built / "ix").rename(folder / "ix")
    system._tmp = None
    ids_file.write_text(json.dumps(system._paragraph_ids), encoding="utf-8")
    return system, folder


def _reopen(system: NewsIndexSystem, folder: Path, options: dict[str, Any]) -> NewsIndexSystem:
    from newsindex import NewsIndex, SearchOptions

    if system._index is not None:
        system._index.close()
    system._index = NewsIndex.open(folder / "ix", search_options=SearchOptions(**options))
    system.on_disk = False
    return system


def evaluate_options(system: NewsIndexSystem, queries: Sequence[Query]) -> dict[str, float]:
    """MRR@10, nDCG@10, Hit@1, Hit@10 and p50/p95 ms per query (top 10) of ``system`` on ``queries``."""
    scores = []
    times: list[float] = []
    for q in queries:
        t0 = time.perf_counter()
        ranking = system.search(q.text, 10)
        times.append((time.perf_counter() - t0) * 1000)
        scores.append(score_ranking(ranking, q.relevant))
    times.sort()
    n = max(1, len(scores))
    return {
        "MRR@10": sum(s.rr for s in scores) / n,
        "nDCG@10": sum(s.ndcg10 for s in scores) / n,
        "Hit@1": sum(s.hit1 for s in scores) / n,
        "Hit@10": sum(s.hit10 for s in scores) / n,
        "p50": times[len(times) // 2] if times else 0.0,
        "p95": times[int(len(times) * 0.95)] if times else 0.0,
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--grid", choices=sorted(GRIDS), action="append", default=[])
    ap.add_argument("--set", action="append", default=[], help="SearchOptions as k=v,k=v (repeatable)")
    ap.add_argument("--analysis", default="", help="AnalysisConfig fields as k=v,k=v")
    ap.add_argument("--sets", type=Path, default=SETS, help="folder made by benchmarks.make_relevance_sets")
    ap.add_argument("--only", choices=("questions", "known_item"), action="append")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)

    variants: list[dict[str, Any]] = [{}]
    for g in args.grid:
        variants += GRIDS[g]
    variants += [_parse_set(s) for s in args.set]
    analysis = _parse_set(args.analysis)
    runs = {
        "questions": (args.sets / "passages_title.jsonl", args.sets / "questions.jsonl"),
        "known_item": (args.sets / "passages_notitle.jsonl", args.sets / "known_item.jsonl"),
    }
    raw: dict[str, list[dict[str, Any]]] = {}
    for name, (passages_file, queries_file) in runs.items():
        if args.only and name not in args.only:
            continue
        queries = load_queries(queries_file)
        system, folder = _index_for(passages_file, analysis)
        rows = []
        for options in variants:
            _reopen(system, folder, options)
            metrics = evaluate_options(system, queries)
            rows.append({"options": options, **metrics})
            print(f"[tune] {name} {options or 'defaults'}: MRR@10 {metrics['MRR@10']:.3f}", flush=True)
        system.close()
        raw[name] = rows
        print(f"\n### {name} ({len(queries)} queries; analysis {analysis or 'default'})\n")
        print("| options | MRR@10 | nDCG@10 | Hit@1 | Hit@10 | p50 ms | p95 ms |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        for r in rows:
            opts = ", ".join(f"{k}={v}" for k, v in r["options"].items()) or "defaults"
            print(
                f"| {opts} | {r['MRR@10']:.3f} | {r['nDCG@10']:.3f} | {r['Hit@1']:.3f} | "
                f"{r['Hit@10']:.3f} | {r['p50']:.1f} | {r['p95']:.1f} |"
            )
    if args.json:
        args.json.write_text(json.dumps(raw, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
