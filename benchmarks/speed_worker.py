"""One speed measurement in a fresh process: ``python -m benchmarks.speed_worker '<task json>'``.

The parent (:mod:`benchmarks.speed`) starts one process per measurement so that
peak RSS, caches and loaded pipelines belong to one system only. The last stdout
line is ``RESULT <json>``.

Tasks: ``analyze`` (tokens/s of an analysis chain), ``build`` (index a corpus
sample), ``query`` (latency over a query file), ``cold`` (open + one search).
"""

from __future__ import annotations

import json
import os
import re
import resource
import sys
import time
from datetime import datetime
from datetime import time as dtime
from pathlib import Path
from typing import Any

__all__ = ["SINGLE_CORE_ENV", "main", "run_task"]

#: Environment for single-core measurements (BLAS/OpenMP pools off).
SINGLE_CORE_ENV = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "TOKENIZERS_PARALLELISM": "false",
}

_WORD = re.compile(r"\w+")


def _pin_one_core() -> int | None:
    """Restrict this process to one CPU (the last one it may use); returns it, or None."""
    try:
        cpus = sorted(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpus[-1]})
        return cpus[-1]
    except (AttributeError, OSError):
        return None


def _peak_rss_kb() -> int:
    """Peak RSS of this process since its exec (``VmHWM``).

    ``ru_maxrss`` is not used for the process itself: Linux carries the parent's
    peak across fork + exec, so a worker started by a large parent would report
    the parent's figure. Falls back to ``ru_maxrss`` where /proc is missing.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _rss() -> dict[str, int]:
    # Children (newsindex's indexing workers) start from this small process, so
    # RUSAGE_CHILDREN is their largest peak (not their sum).
    return {
        "rss_self_kb": _peak_rss_kb(),
        "rss_children_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    }


def _cpu_s() -> float:
    """CPU seconds of this process and its finished children (the index workers): the work a build
    costs, whatever else the machine runs meanwhile."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _texts(task: dict[str, Any]) -> list[Any]:
    from .corpora import sample_paragraphs

    return sample_paragraphs(task["corpus"], task.get("limit"), seed=task.get("seed", 13))


# -- analyze -------------------------------------------------------------------------
def _analyzer(task: dict[str, Any]) -> Any:
    """A callable text -> number of output tokens, for the system named in the task."""
    system = task["system"]
    if system.startswith("whoosh"):
        from whoosh.analysis import LanguageAnalyzer, StandardAnalyzer

        ana = StandardAnalyzer() if system == "whoosh-standard" else LanguageAnalyzer("de")

        def run_whoosh(text: str) -> int:
            return sum(1 for _ in ana(text))

        return run_whoosh
    from newsindex import analyze

    config = None
    if task.get("analysis"):
        # HOOK: analysis options by AnalysisConfig field name, e.g. {"decompound": False}.
        from newsindex import AnalysisConfig

        config = AnalysisConfig(**task["analysis"])

    def run_newsindex(text: str) -> int:
        return sum(len(tok.terms) for tok in analyze(text, config))

    return run_newsindex


def task_analyze(task: dict[str, Any]) -> dict[str, Any]:
    """Analyse every sampled paragraph once (fresh process: no text cache), single core."""
    core = _pin_one_core()
    paras = _texts(task)
    texts = [p.text for p in paras]
    fn = _analyzer(task)
    fn("Die Bundesregierung beschließt ein Gesetz.")  # load pipelines outside the timing
    words = sum(len(_WORD.findall(t)) for t in texts)
    budget = float(task.get("time_budget_s") or 0)
    t0 = time.perf_counter()
    out_tokens = done = 0
    for t in texts:
        out_tokens += fn(t)
        done += 1
        if budget and done % 50 == 0 and time.perf_counter() - t0 > budget:
            break
    elapsed = time.perf_counter() - t0
    if done < len(texts):
        words = sum(len(_WORD.findall(t)) for t in texts[:done])
    chars = sum(len(t) for t in texts[:done])
    return {
        "paragraphs": done,
        "words": words,
        "chars": chars,
        "out_tokens": out_tokens,
        "seconds": elapsed,
        "words_per_s": words / elapsed if elapsed else 0.0,
        "core": core,
        **_rss(),
    }


# -- build -----------------------------------------------------------------------------
def _dir_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _as_datetime(d: Any) -> datetime | None:
    return datetime.combine(d, dtime.min) if d else None


def task_build(task: dict[str, Any]) -> dict[str, Any]:
    """Index the corpus sample into ``task['index']``; wall time, RSS and size on disk."""
    import shutil

    os.environ.update(task.get("env") or {})  # e.g. NEWSINDEX_FAST_POSTINGS=0 (inherited by workers)
    paras = _texts(task)
    path = Path(task["index"])
    shutil.rmtree(path, ignore_errors=True)
    rss_before = _peak_rss_kb()
    if task["system"].startswith("whoosh"):
        from .baseline import BaselineIndex

        docs = [
            {
                "doc_id": p.id,
                "article_id": p.article_id,
                "paragraph": p.index,
                "title": p.title or None,
                "body": p.text,
                "source": p.source or None,
                "date": _as_datetime(p.published),
            }
            for p in paras
        ]
        analyzer = "standard" if task["system"] == "whoosh-standard" else "de"
        t0, cpu0 = time.perf_counter(), _cpu_s()
        bi = BaselineIndex.create(path, analyzer)
        bi.add(docs, **task.get("create_kwargs", {}))
        bi.close()
        elapsed = time.perf_counter() - t0
        extra: dict[str, Any] = {}
    else:
        from newsindex import NewsIndex, analyze

        from .corpora import group_articles, to_newsindex_articles
        from .systems import newsindex_kwargs

        articles = to_newsindex_articles(group_articles(paras))
        analyze("Warmlauf")  # load the default pipeline outside the timing
        t0, cpu0 = time.perf_counter(), _cpu_s()
        index = NewsIndex.create(path, overwrite=True, **newsindex_kwargs(task.get("create_kwargs", {})))
        summary = index.add(articles)
        index.close()
        elapsed = time.perf_counter() - t0
        extra = {"added": getattr(summary, "added", None), "workers": getattr(index, "workers", None)}
    cpu = _cpu_s() - cpu0
    return {
        "paragraphs": len(paras),
        "seconds": elapsed,
        "cpu_ms_per_paragraph": 1000 * cpu / len(paras) if paras else 0.0,
        "paragraphs_per_s": len(paras) / elapsed if elapsed else 0.0,
        "index_bytes": _dir_bytes(path),
        "rss_before_kb": rss_before,
        **_rss(),
        **extra,
    }


# -- query -----------------------------------------------------------------------------
class _Searcher:
    """Uniform ``run(query, snippets) -> hits`` over both systems."""

    def __init__(self, system: str, path: str) -> None:
        self.system = system
        if system.startswith("whoosh"):
            from .baseline import BaselineIndex

            self.bi = BaselineIndex.open(path, mode="syntax")
        else:
            from newsindex import NewsIndex

            self.ni = NewsIndex.open(path)

    def run(self, q: str, snippets: bool, limit: int = 10) -> int:
        if self.system.startswith("whoosh"):
            return len(self.bi.search(q, limit, snippets=snippets, max_chars=240))
        res = self.ni.search(q, limit=limit)
        n = 0
        for hit in res:
            _ = (hit.article_id, hit.paragraph, hit.score, hit.title)
            if snippets:
                hit.snippet(max_chars=240, format="text")
            n += 1
        return n

    def close(self) -> None:
        if self.system.startswith("whoosh"):
            self.bi.close()
        else:
            self.ni.close()


def task_query(task: dict[str, Any]) -> dict[str, Any]:
    """Per-query latencies (ms) for ``repeats`` runs, with and without snippets, single core."""
    core = _pin_one_core()
    queries = task["queries"]
    t0 = time.perf_counter()
    s = _Searcher(task["system"], task["index"])
    s.run("Regierung", snippets=True)  # first search loads pipelines/searcher
    first_ms = 1000 * (time.perf_counter() - t0)
    hits = [s.run(q, snippets=False) for q in queries]  # warm-up pass
    runs: dict[str, list[list[float]]] = {"plain": [], "snippets": []}
    for _ in range(task.get("repeats", 3)):
        for mode in ("plain", "snippets"):
            lat = []
            for q in queries:
                t = time.perf_counter()
                s.run(q, snippets=mode == "snippets")
                lat.append(1000 * (time.perf_counter() - t))
            runs[mode].append(lat)
    s.close()
    return {
        "queries": len(queries),
        "open_and_first_ms": first_ms,
        "zero_hit_queries": sum(1 for h in hits if h == 0),
        "mean_hits": sum(hits) / max(len(hits), 1),
        "hits": hits,
        "latency_ms": runs,
        "core": core,
        **_rss(),
    }


# -- cold ------------------------------------------------------------------------------
def task_cold(task: dict[str, Any]) -> dict[str, Any]:
    """Import, open and search once (the parent times the whole process)."""
    s = _Searcher(task["system"], task["index"])
    n = s.run(task.get("query", "Krieg"), snippets=True)
    s.close()
    return {"hits": n, **_rss()}


TASKS = {"analyze": task_analyze, "build": task_build, "query": task_query, "cold": task_cold}


def run_task(task: dict[str, Any]) -> dict[str, Any]:
    """Dispatch one task dict (key ``task``)."""
    return TASKS[task["task"]](task)


def main(argv: list[str] | None = None) -> int:
    """CLI: one JSON task argument; prints ``RESULT <json>`` last."""
    args = sys.argv[1:] if argv is None else argv
    result = run_task(json.loads(args[0]))
    sys.stdout.write("RESULT " + json.dumps(result) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
