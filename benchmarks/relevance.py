"""Relevance evaluation: MRR@10, Hit@k, Recall@k and nDCG@10 for any retrieval system.

Inputs are JSONL files: passages ``{"id", "title", "text"}`` and queries
``{"id", "text", "relevant": [passage ids]}``. A system is any object with
``build(passages)`` and ``search(query, k) -> [passage ids]`` (see
:mod:`benchmarks.systems`).

Metric definitions (binary relevance, cut-off 10, averaged over queries):

* ``MRR@10``  — 1/rank of the first relevant passage (0 if none in the top 10);
* ``Hit@k``   — 1 if any relevant passage is in the top k ("success@k";
  in a known-item setting this is what is often called Recall@k);
* ``R@k``     — |relevant ∩ top k| / |relevant| (classic recall; an article with
  n paragraphs caps R@1 at 1/n);
* ``nDCG@10`` — Σ rel_i / log2(i+1) over the top 10, divided by the ideal DCG of
  min(|relevant|, 10) relevant passages;
* ``art.`` columns — the same after mapping passage ids to article ids
  (``<article>#<n>`` → ``<article>``) and dropping repeated articles.

CLI::

    python -m benchmarks.relevance --passages P.jsonl --queries Q.jsonl [--system whoosh-de ...]
"""

from __future__ import annotations

import argparse
import json
import math
import time
import traceback
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .systems import Passage, System, SystemUnavailable, default_systems

__all__ = [
    "EvalResult",
    "K",
    "Query",
    "QueryScore",
    "evaluate",
    "format_table",
    "load_passages",
    "load_queries",
    "run_systems",
    "score_ranking",
]

K = 10


@dataclass(frozen=True, slots=True)
class Query:
    """One evaluation query and its relevant passage ids."""

    id: str
    text: str
    relevant: frozenset[str]


@dataclass(frozen=True, slots=True)
class QueryScore:
    """Per-query metric values."""

    rr: float
    hit1: float
    hit10: float
    r1: float
    r10: float
    ndcg10: float
    art_rr: float
    art_hit10: float


@dataclass
class EvalResult:
    """Averaged metrics of one system on one query set, plus per-query detail."""

    system: str
    queries: int
    metrics: dict[str, float]
    build_s: float
    query_ms: float
    failures: list[dict[str, Any]] = field(default_factory=list)
    skipped: str | None = None


def _read_jsonl(path: str | Path) -> Iterable[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def load_passages(path: str | Path) -> list[Passage]:
    """Read passages JSONL (``id``, ``title``, ``text``, ``published`` where known)."""
    return [Passage(d["id"], d.get("title") or "", d["text"], d.get("published")) for d in _read_jsonl(path)]


def load_queries(path: str | Path) -> list[Query]:
    """Read queries JSONL (``id``, ``text``, ``relevant``); queries without relevant ids are dropped."""
    out = []
    for d in _read_jsonl(path):
        rel = frozenset(d.get("relevant") or ())
        if rel:
            out.append(Query(str(d["id"]), d["text"], rel))
    return out


def _article(pid: str) -> str:
    return pid.rsplit("#", 1)[0]


def _dedupe(ids: Sequence[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for i in ids:
        if i not in seen:
            seen.add(i)
            out.append(i)
    return out


def score_ranking(ranking: Sequence[str], relevant: frozenset[str], k: int = K) -> QueryScore:
    """All metrics for one ranked list of passage ids (only the first ``k`` count)."""
    top = list(ranking[:k])
    flags = [pid in relevant for pid in top]
    first = next((i for i, f in enumerate(flags) if f), None)
    dcg = sum(1.0 / math.log2(i + 2) for i, f in enumerate(flags) if f)
    idcg = sum(1.0 / math.log2(i + 2) for i in range(min(len(relevant), k)))
    arts = _dedupe([_article(p) for p in top])
    rel_arts = {_article(p) for p in relevant}
    art_first = next((i for i, a in enumerate(arts) if a in rel_arts), None)
    return QueryScore(
        rr=0.0 if first is None else 1.0 / (first + 1),
        hit1=float(bool(flags[:1] and flags[0])),
        hit10=float(first is not None),
        r1=sum(flags[:1]) / len(relevant),
        r10=sum(flags) / len(relevant),
        ndcg10=dcg / idcg if idcg else 0.0,
        art_rr=0.0 if art_first is None else 1.0 / (art_first + 1),
        art_hit10=float(art_first is not None),
    )


METRIC_COLUMNS = {
    "MRR@10": "rr",
    "Hit@1": "hit1",
    "Hit@10": "hit10",
    "R@1": "r1",
    "R@10": "r10",
    "nDCG@10": "ndcg10",
    "art. MRR@10": "art_rr",
    "art. Hit@10": "art_hit10",
}


def evaluate(system: System, queries: Sequence[Query], *, k: int = K, max_failures: int = 50) -> EvalResult:
    """Search every query on an already built ``system`` and average the metrics."""
    scores: list[QueryScore] = []
    failures: list[dict[str, Any]] = []
    t0 = time.perf_counter()
    for q in queries:
        ranking = system.search(q.text, k)
        s = score_ranking(ranking, q.relevant, k)
        scores.append(s)
        if s.hit10 == 0.0 and len(failures) < max_failures:
            failures.append({"id": q.id, "query": q.text, "top3": list(ranking[:3])})
    elapsed = time.perf_counter() - t0
    n = max(len(scores), 1)
    metrics = {col: sum(getattr(s, attr) for s in scores) / n for col, attr in METRIC_COLUMNS.items()}
    return EvalResult(system.name, len(scores), metrics, 0.0, 1000 * elapsed / n, failures)


def _failed(
    out: dict[str, list[EvalResult]],
    system: str,
    query_sets: dict[str, Sequence[Query]],
    step: str,
    exc: Exception,
) -> None:
    where = traceback.extract_tb(exc.__traceback__)[-1]
    msg = f"{step} failed: {type(exc).__name__}: {exc} ({Path(where.filename).name}:{where.lineno})"
    print(f"  {system}: {msg}")
    for name, qs in query_sets.items():
        out[name].append(EvalResult(system, len(qs), {}, 0.0, 0.0, skipped=msg))


def run_systems(
    systems: Sequence[System], passages: list[Passage], query_sets: dict[str, Sequence[Query]]
) -> dict[str, list[EvalResult]]:
    """Build each system once on ``passages`` and evaluate every query set; ``{set name: results}``."""
    out: dict[str, list[EvalResult]] = {name: [] for name in query_sets}
    for system in systems:
        t0 = time.perf_counter()
        try:
            system.build(passages)
        except SystemUnavailable as exc:
            print(f"  skip {system.name}: {exc}")
            for name, qs in query_sets.items():
                out[name].append(EvalResult(system.name, len(qs), {}, 0.0, 0.0, skipped=f"skipped: {exc}"))
            continue
        except Exception as exc:  # one broken variant must not end the whole run
            _failed(out, system.name, query_sets, "build", exc)
            system.close()
            continue
        build_s = time.perf_counter() - t0
        try:
            for name, qs in query_sets.items():
                try:
                    res = evaluate(system, qs)
                except Exception as exc:
                    _failed(out, system.name, {name: qs}, "search", exc)
                    continue
                res.build_s = build_s
                out[name].append(res)
        finally:
            system.close()
    return out


def format_table(results: Sequence[EvalResult]) -> str:
    """A Markdown table of averaged metrics, one row per system."""
    cols = list(METRIC_COLUMNS)
    lines = [
        "| system | " + " | ".join(cols) + " | queries | build s | ms/query |",
        "| --- | " + " | ".join("---:" for _ in cols) + " | ---: | ---: | ---: |",
    ]
    for r in results:
        if r.skipped:
            dashes = " | ".join("–" for _ in cols)
            lines.append(f"| {r.system} | {dashes} | {r.skipped} | | |")
            continue
        vals = " | ".join(f"{r.metrics[c]:.3f}" for c in cols)
        lines.append(f"| {r.system} | {vals} | {r.queries} | {r.build_s:.1f} | {r.query_ms:.1f} |")
    return "\n".join(lines)


def _pick_systems(names: Sequence[str] | None, ablations: bool) -> list[System]:
    systems = default_systems(ablations=ablations)
    if not names:
        return systems
    by_name = {s.name: s for s in systems}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise SystemExit(f"unknown system(s) {unknown}; choose from {sorted(by_name)}")
    return [by_name[n] for n in names]


def main(argv: Sequence[str] | None = None) -> int:
    """CLI: evaluate systems on one passages file and one or more query files."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--passages", required=True, type=Path)
    ap.add_argument("--queries", required=True, type=Path, nargs="+")
    ap.add_argument("--system", action="append", help="system name (repeatable); default: all")
    ap.add_argument("--ablations", action="store_true", help="also run the newsindex ablation variants")
    ap.add_argument("--failures", type=int, default=10, help="per-query failures to print per system")
    args = ap.parse_args(argv)
    passages = load_passages(args.passages)
    query_sets = {p.stem: load_queries(p) for p in args.queries}
    sizes = ", ".join(f"{k}: {len(v)} queries" for k, v in query_sets.items())
    print(f"{len(passages):,} passages; {sizes}")
    results = run_systems(_pick_systems(args.system, args.ablations), passages, query_sets)
    for name, rows in results.items():
        print(f"\n## {name}\n\n{format_table(rows)}")
        for r in rows:
            for f in r.failures[: args.failures]:
                print(f"  miss [{r.system}] {f['id']}: {f['query']!r} -> {f['top3']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
