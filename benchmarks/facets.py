"""Latency of browsing, date sorting and facets on a built index (issue 15).

Measured in one process on an existing index (by default the adl index that
``python -m benchmarks.speed`` leaves in ``benchmarks/out/speed/index/newsindex``):

* the first search that needs the metadata columns (read once per segment, then
  kept): the cost a new process pays once;
* then, warm, p50/p95 over ``--repeats`` runs of each case: broad queries plain,
  with all four facets and sorted newest first; browses (all articles, a source,
  a month) with facets.

``python -m benchmarks.facets [--index DIR] [--repeats N] [--json OUT]``. Run it
alone (``flock /work/bench.lock python -m benchmarks.facets``): other load on the
machine shows up in the percentiles.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from .corpora import OUT_DIR
from .stats import percentile

__all__ = ["CASES", "run_facets"]

FACETS = ("source", "author", "year", "month")
BROAD = ("Deutschland", "Regierung", "Krieg", "Wer liefert Waffen an die Ukraine?")
CASES: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "query (no facets)": [(q, {}) for q in BROAD],
    "query + 4 facets": [(q, {"facets": FACETS}) for q in BROAD],
    "query sort=newest": [(q, {"sort": "newest"}) for q in BROAD],
    "query sort=newest + 4 facets": [(q, {"sort": "newest", "facets": FACETS}) for q in BROAD],
    "browse all + 4 facets": [("", {"facets": FACETS})],
    "browse source: + 4 facets": [],  # filled with the index's most common source
    "browse date:month + 4 facets": [],  # filled with its busiest month
}


def run_facets(index_dir: Path, repeats: int = 20) -> dict[str, Any]:
    """Measure every case; milliseconds."""
    from newsindex import NewsIndex

    out: dict[str, Any] = {"index": str(index_dir), "repeats": repeats}
    with NewsIndex.open(index_dir) as ix:
        ix.search("Deutschland")  # analysis loaded, the searcher open: not what is measured here
        t0 = time.perf_counter()
        first = ix.search("", facets=FACETS)
        out["first_columns_ms"] = (time.perf_counter() - t0) * 1000
        out["articles"] = first.total
        out["paragraphs"] = ix.stats()["paragraphs"]
        source = next(iter(first.facets["source"]))
        month = max((m for m in first.facets["month"] if m), key=lambda m: first.facets["month"][m])
        cases = dict(CASES)
        cases["browse source: + 4 facets"] = [(f"source:{source}", {"facets": FACETS})]
        cases["browse date:month + 4 facets"] = [(f"date:{month}", {"facets": FACETS})]
        results: dict[str, Any] = {}
        for name, runs in cases.items():
            times: list[float] = []
            totals: list[int] = []
            for query, kwargs in runs:
                ix.search(query, **kwargs)  # warm
                for _ in range(repeats):
                    t = time.perf_counter()
                    r = ix.search(query, **kwargs)
                    times.append((time.perf_counter() - t) * 1000)
                totals.append(r.total)
            results[name] = {
                "p50_ms": round(percentile(times, 50), 2),
                "p95_ms": round(percentile(times, 95), 2),
                "max_ms": round(max(times), 2),
                "totals": totals,
            }
        out["cases"] = results
    return out


def main() -> None:
    """Command line: print (and optionally save) the measurements."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--index", type=Path, default=OUT_DIR / "speed" / "index" / "newsindex")
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    result = run_facets(args.index, args.repeats)
    print(
        f"{result['paragraphs']:,} paragraphs, {result['articles']:,} articles; "
        f"first search with columns {result['first_columns_ms']:.0f} ms"
    )
    for name, r in result["cases"].items():
        print(f"  {name:32s} p50 {r['p50_ms']:7.2f} ms  p95 {r['p95_ms']:7.2f} ms  totals {r['totals']}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
