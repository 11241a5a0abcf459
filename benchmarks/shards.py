"""Sharded build and search on Dask vs one index (issue 16).

Builds the corpus once as one index (the usual build: up to 2 writer processes)
and once per shard count on a local Dask cluster of 2 single-threaded worker
processes (one task per shard), then times every query of ``queries_de.jsonl``
(top 10, after one warm-up pass) on the single index, on the sharded indexes
read in-process, and on the largest one served by one actor per shard.

    python -m benchmarks.shards                      # adl, 2 and 4 shards
    python -m benchmarks.shards --corpus wikinews --shards 2

Run it alone (``flock /work/bench.lock …`` on a shared machine): it uses both cores.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .corpora import OUT_DIR, corpus_path
from .speed import load_queries
from .stats import percentile


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _latency(ix: Any, queries: list[str]) -> dict[str, float]:
    for q in queries:  # warm-up: file caches, vocabularies, field lengths
        ix.search(q)
    times = []
    for q in queries:
        t0 = time.perf_counter()
        ix.search(q)
        times.append((time.perf_counter() - t0) * 1000)
    return {"p50_ms": percentile(times, 50), "p95_ms": percentile(times, 95), "max_ms": max(times)}


def run(corpus: str, shard_counts: Sequence[int], n_queries: int | None, workdir: Path) -> dict[str, Any]:
    """Build and time everything; returns the figures."""
    from distributed import Client, LocalCluster

    from newsindex import NewsIndex
    from newsindex.distributed import build

    source = corpus_path(corpus)
    queries = [q["text"] for q in load_queries(n=n_queries)]
    out: dict[str, Any] = {"corpus": corpus, "queries": len(queries), "builds": {}, "search": {}}
    single_dir = workdir / "single"
    t0 = time.perf_counter()
    with NewsIndex.create(single_dir, workers=2) as ix:
        summary = ix.add_path(source)
        fingerprint = ix.analysis.fingerprint
    seconds = time.perf_counter() - t0
    out["paragraphs"] = summary.paragraphs
    out["analysis_fingerprint"] = fingerprint
    out["builds"]["1 index"] = {"seconds": seconds, "bytes": _size(single_dir)}
    print(f"1 index: {summary.paragraphs:,} paragraphs in {seconds:.1f} s", file=sys.stderr)
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    with cluster, Client(cluster) as client:
        for n in shard_counts:
            where = workdir / f"shards-{n}"
            t0 = time.perf_counter()
            built = build([source], where, n, client)
            seconds = time.perf_counter() - t0
            out["builds"][f"{n} shards"] = {
                "seconds": seconds,
                "bytes": _size(where),
                "shard_paragraphs": [b["paragraphs"] for b in built],
                "shard_bytes": [_size(where / f"shard-{b['shard']:03d}") for b in built],
            }
            print(f"{n} shards: {seconds:.1f} s", file=sys.stderr)
        with NewsIndex.open(single_dir) as ix:
            out["search"]["1 index"] = _latency(ix, queries)
        for n in shard_counts:
            with NewsIndex.open(workdir / f"shards-{n}") as ix:
                out["search"][f"{n} shards, in-process"] = _latency(ix, queries)
        biggest = max(shard_counts)
        with NewsIndex.open(workdir / f"shards-{biggest}") as ix:
            ix.serve(client)  # type: ignore[attr-defined]
            out["search"][f"{biggest} shards, actors"] = _latency(ix, queries)
    out["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def format_results(res: dict[str, Any]) -> str:
    """Markdown tables of the figures."""
    lines = [
        f"corpus {res['corpus']}: {res['paragraphs']:,} paragraphs; {res['queries']} queries (top 10)",
        "",
        "| build | seconds | paragraphs/s | size MB | per shard (paragraphs) |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    for name, b in res["builds"].items():
        per = ", ".join(f"{p:,}" for p in b.get("shard_paragraphs", [])) or "—"
        lines.append(
            f"| {name} | {b['seconds']:.1f} | {res['paragraphs'] / b['seconds']:,.0f} | "
            f"{b['bytes'] / 1e6:.0f} | {per} |"
        )
    lines += ["", "| search | p50 ms | p95 ms | max ms |", "| --- | ---: | ---: | ---: |"]
    for name, s in res["search"].items():
        lines.append(f"| {name} | {s['p50_ms']:.1f} | {s['p95_ms']:.1f} | {s['max_ms']:.0f} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default="adl")
    ap.add_argument("--shards", type=int, nargs="+", default=[2, 4])
    ap.add_argument("--queries", type=int, default=None, help="only the first N queries")
    ap.add_argument("--keep", type=Path, default=None, help="build here and keep the indexes")
    args = ap.parse_args(argv)
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="newsindex-shards-"))
    try:
        res = run(args.corpus, args.shards, args.queries, workdir)
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)
    OUT_DIR.mkdir(exist_ok=True)
    (OUT_DIR / "shards.json").write_text(json.dumps(res, indent=2) + "\n", encoding="utf-8")
    print(format_results(res))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
