"""CPU per paragraph by build stage (issue 17): analysis, field postings, whole build.

Measures CPU time (``time.process_time``; children through ``os.times``) on a sample
of a corpus, each stage in this one process except the build, which forks its
writer workers like a user's build does:

* ``analyze``: ``AnalysisChain.analyze`` of every paragraph and title, cold chain;
* ``fields``: the schema's analyzers turned into postings (``_word_values``) on a
  warm chain (the writer's share of the per-document work);
* ``build``: ``NewsIndex.create(...).add(...)`` with ``--workers`` processes; CPU of
  this process and of its (reaped) worker processes.

``python -m benchmarks.speed_stages --limit 8000 [--profile stage]`` (pyinstrument).
Run under ``flock /work/bench.lock`` on a shared machine.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from .corpora import group_articles, sample_paragraphs, to_newsindex_articles

__all__ = ["main"]


def _cpu() -> tuple[float, float]:
    t = os.times()
    return time.process_time(), t.children_user + t.children_system


def main(argv: list[str] | None = None) -> int:
    """Print ms of CPU per paragraph for each stage."""
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--corpus", default="adl")
    p.add_argument("--limit", type=int, default=8000)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--stages", default="analyze,fields,build")
    p.add_argument("--profile", default="", help="stage to profile with pyinstrument")
    args = p.parse_args(argv)
    paragraphs = sample_paragraphs(args.corpus, args.limit)
    articles = to_newsindex_articles(group_articles(paragraphs))
    texts = [t for a in articles for t in (*a.paragraphs, a.title)]
    n = len(paragraphs)
    from newsindex.analysis.chain import AnalysisChain
    from newsindex.analysis.config import AnalysisConfig
    from newsindex.index.schema import build_schema
    from newsindex.index.segment_writer import _word_values

    config = AnalysisConfig()
    chain = AnalysisChain(config)
    chain.load()
    chain.analyze("Ein erster Satz.")
    profiler: Any = None

    def start(stage: str) -> None:
        nonlocal profiler
        if args.profile == stage:
            from pyinstrument import Profiler

            profiler = Profiler()
            profiler.start()

    def stop() -> None:
        nonlocal profiler
        if profiler is not None:
            profiler.stop()
            print(profiler.output_text(unicode=False, color=False, show_all=False))
            profiler = None

    stages = args.stages.split(",")
    if "analyze" in stages:
        start("analyze")
        c0, _ = _cpu()
        for t in texts:
            chain.analyze(t)
        c1, _ = _cpu()
        stop()
        print(f"analyze (cold chain): {(c1 - c0) * 1000 / n:.3f} ms/par")
        c0, _ = _cpu()
        chain2 = AnalysisChain(config)
        chain2.load()
        chain2.prime(texts)
        c1, _ = _cpu()
        print(f"prime (cold chain):   {(c1 - c0) * 1000 / n:.3f} ms/par")
    if "fields" in stages:
        import newsindex.analysis.chain as chain_module

        chain_module._chains[config.resolved()] = chain
        schema = build_schema(config)
        chain.prime(texts)
        fields = [(f, schema[f]) for f in ("body", "stops", "title", "stems") if f in schema]
        start("fields")
        c0, _ = _cpu()
        for a in articles:
            for para in a.paragraphs:
                for name, f in fields:
                    _word_values(f, a.title if name == "title" else para)
        c1, _ = _cpu()
        stop()
        print(f"fields (primed chain): {(c1 - c0) * 1000 / n:.3f} ms/par")
    if "build" in stages:
        from newsindex import NewsIndex

        folder = Path(tempfile.mkdtemp(prefix="speed-stages-"))
        try:
            start("build")
            w0 = time.perf_counter()
            c0, k0 = _cpu()
            with NewsIndex.create(folder / "ix", workers=args.workers) as ix:
                ix.add(articles)
            c1, k1 = _cpu()
            wall = time.perf_counter() - w0
            stop()
            print(
                f"build workers={args.workers}: {n / wall:.0f} par/s, "
                f"main {(c1 - c0) * 1000 / n:.3f} ms/par, workers {(k1 - k0) * 1000 / n:.3f} ms/par, "
                f"total {(c1 - c0 + k1 - k0) * 1000 / n:.3f} ms/par"
            )
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
