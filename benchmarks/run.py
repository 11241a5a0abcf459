"""Run the whole benchmark suite and write the results as Markdown.

    python -m benchmarks.run --quick   # ~11 min, 2 busy cores: 5,000 paragraphs, 50 queries, 10k distractors
    python -m benchmarks.run           # full: whole adl corpus, all queries, all 109,777 distractors

Full runs write ``benchmarks/RESULTS.md``; quick runs write
``benchmarks/out/RESULTS-quick.md`` (so a quick run never overwrites the
committed full results). Raw figures go to ``benchmarks/out/results-<mode>.json``.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict
from pathlib import Path
from typing import Any

from . import relevance as rel
from .corpora import OUT_DIR
from .make_relevance_sets import QUICK_DISTRACTORS, make_sets
from .report import RESULTS_FILE, environment, write_results
from .speed import add_speed_args, format_speed, options_from_args, run_speed
from .systems import default_systems

__all__ = ["main", "relevance_section", "speed_section"]

QUICK_KNOWN_ITEM_SAMPLE = 400


def _sample(queries: list[rel.Query], n: int | None, seed: int = 13) -> list[rel.Query]:
    if n is None or n >= len(queries):
        return queries
    return sorted(random.Random(seed).sample(queries, n), key=lambda q: q.id)


def _missed(results: Sequence[rel.EvalResult]) -> str:
    lines = []
    for r in results:
        if r.skipped:
            continue
        ids = ", ".join(f["id"] for f in r.failures) or "none"
        lines.append(f"- {r.system}: {ids}")
    return "\n".join(lines)


def _relevance_job(
    passages: Path, query_sets: dict[str, Sequence[rel.Query]], ablations: bool
) -> dict[str, list[rel.EvalResult]]:
    """Build every system on one passages file and evaluate the query sets (runs in a worker process)."""
    return rel.run_systems(default_systems(ablations=ablations), rel.load_passages(passages), query_sets)


def relevance_section(
    *,
    distractors: int | None,
    known_sample: int | None,
    ablations: bool,
    titled_known_item: bool,
    jobs: int = 2,
) -> tuple[str, dict[str, Any]]:
    """Build the sets, evaluate every system, return (markdown, raw results)."""
    t0 = time.perf_counter()
    sets = make_sets(distractors)
    meta = sets.meta
    print(f"[relevance] sets: {json.dumps(meta)}", flush=True)
    known = _sample(rel.load_queries(sets.known_item), known_sample)
    questions = rel.load_queries(sets.questions)
    titled_sets: dict[str, Sequence[rel.Query]] = {"questions": questions}
    if titled_known_item:
        titled_sets["known-item, titles indexed"] = known
    jobs_args = [
        (sets.passages_notitle, {"known-item": known}, ablations),
        (sets.passages_title, titled_sets, ablations),
    ]
    print(f"[relevance] evaluating (titles not indexed / indexed) with {jobs} process(es) ...", flush=True)
    if jobs > 1:
        with ProcessPoolExecutor(max_workers=min(jobs, len(jobs_args))) as pool:
            notitle, titled = pool.map(_relevance_job, *zip(*jobs_args, strict=True))
    else:
        notitle, titled = (_relevance_job(*a) for a in jobs_args)

    md = [
        f"Passages: all {meta['wikinews_passages']:,} paragraphs of {meta['wikinews_articles']} German "
        f"Wikinews articles (CC BY 2.5, Wikinews contributors) plus {meta['distractor_passages']:,} "
        "distractor paragraphs from the private adl news crawl. A passage is relevant when it belongs to "
        "the target article. Metrics are defined in `benchmarks/relevance.py` (Hit@k = a relevant passage "
        "in the top k; R@k = share of the article's passages in the top k; `art.` = after collapsing "
        "passages to articles).\n",
        f"### Known item: query = article title, titles not indexed ({len(known)} queries)\n",
        rel.format_table(notitle["known-item"]),
        f"\n### Questions: {len(questions)} hand-written questions (`questions_wikinews.jsonl`), "
        "titles indexed\n",
        rel.format_table(titled["questions"]),
        "\nQuestions without a relevant passage in the top 10:\n",
        _missed(titled["questions"]),
    ]
    if titled_known_item:
        md += [
            "\n### Known item with titles indexed (sanity check for title boosting)\n",
            rel.format_table(titled["known-item, titles indexed"]),
        ]
    md.append(f"\n(relevance runs took {time.perf_counter() - t0:.0f} s)")
    raw = {
        "meta": meta,
        "known_item_queries": len(known),
        "results": {
            name: [asdict(r) for r in rows]
            for name, rows in {**notitle, **{k: v for k, v in titled.items()}}.items()
        },
    }
    (OUT_DIR / "relevance_failures.json").write_text(
        json.dumps(
            {k: [{r["system"]: r["failures"]} for r in v] for k, v in raw["results"].items()}, indent=1
        ),
        encoding="utf-8",
    )
    return "\n".join(md) + "\n", raw


def speed_section(args: argparse.Namespace) -> tuple[str, dict[str, Any]]:
    """Run the speed benchmark; return (markdown, raw results)."""
    opts = options_from_args(args)
    results = run_speed(opts)
    o = results["options"]
    build = next((b for b in results["build"].values() if "paragraphs" in b), {})
    n = build.get("paragraphs", o["limit"])
    indexed = f"{n:,}" if isinstance(n, int) else "all"
    intro = (
        f"Corpus `{o['corpus']}`, {indexed} paragraphs indexed, {o['n_queries'] or 'all'} queries from "
        f"`queries_de.jsonl`; repeats: analysis {o['analyze_repeats']}, build {o['build_repeats']}, "
        f"queries {o['query_repeats']}, cold start {o['cold_repeats']}. "
        "Cells are median (min–max) over the repeats; a ratio is newsindex / whoosh-de (plain Whoosh with "
        '`LanguageAnalyzer("de")`, same fields and queries). Words = `\\w+` runs of the input text. '
        "Peak RSS is the measuring process's `VmHWM` (it also holds the corpus sample: see 'RSS before'); "
        "for newsindex's indexing worker processes the largest `ru_maxrss` among them is shown.\n"
    )
    return intro + "\n" + format_speed(results), results


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small samples, few repeats (~11 min)")
    ap.add_argument("--skip-speed", action="store_true")
    ap.add_argument("--skip-relevance", action="store_true")
    ap.add_argument("--ablations", action="store_true", help="also evaluate newsindex configuration variants")
    ap.add_argument("--distractors", help="adl distractor paragraphs: a number or 'all'")
    ap.add_argument("--known-item-sample", type=int, help="evaluate a seeded sample of known-item queries")
    ap.add_argument("--output", type=Path, help="Markdown file to write")
    ap.add_argument(
        "--jobs", type=int, default=2, help="processes for the relevance runs (1: sequential; default 2)"
    )
    add_speed_args(ap)
    args = ap.parse_args(argv)
    mode = "quick" if args.quick else "full"
    t0 = time.perf_counter()
    env = environment()
    sections: list[tuple[str, str]] = []
    raw: dict[str, Any] = {"environment": env, "mode": mode}
    if not args.skip_relevance:
        if args.distractors:
            distractors = None if args.distractors == "all" else int(args.distractors)
        else:
            distractors = QUICK_DISTRACTORS if args.quick else None
        sample = args.known_item_sample or (QUICK_KNOWN_ITEM_SAMPLE if args.quick else None)
        md, raw["relevance"] = relevance_section(
            distractors=distractors,
            known_sample=sample,
            ablations=args.ablations,
            titled_known_item=args.ablations or not args.quick,
            jobs=args.jobs,
        )
        sections.append(("Relevance", md))
    if not args.skip_speed:
        md, raw["speed"] = speed_section(args)
        sections.append(("Speed and memory", md))
    raw["seconds_total"] = time.perf_counter() - t0
    sections.append(("Run", f"Total wall time {raw['seconds_total']:.0f} s.\n"))
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    (OUT_DIR / f"results-{mode}.json").write_text(json.dumps(raw, indent=1, default=str), encoding="utf-8")
    output = args.output or (OUT_DIR / "RESULTS-quick.md" if args.quick else RESULTS_FILE)
    path = write_results(sections, env, mode=mode, path=output)
    print(f"wrote {path} ({raw['seconds_total']:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
