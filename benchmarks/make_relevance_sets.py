"""Build the relevance sets from Wikinews (+ adl paragraphs as distractors) into ``benchmarks/out/``.

Sets (all JSONL; the passages hold corpus text, hence ``out/`` is gitignored):

* ``passages_notitle.jsonl`` — every Wikinews paragraph (``wn-<id>#<i>``) plus
  ``--distractors`` adl paragraphs, all with an EMPTY title;
* ``passages_title.jsonl``   — the same passages with their article titles
  (for the title-boost ablation and the question set);
* ``known_item.jsonl``       — query = a Wikinews title, relevant = all paragraphs
  of that article (articles without a title are skipped);
* ``questions.jsonl``        — the hand-written questions of
  ``benchmarks/questions_wikinews.jsonl``, ``relevant_article`` expanded to its
  paragraph ids.

CLI::

    python -m benchmarks.make_relevance_sets [--distractors 10000|all] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from .corpora import BENCH_DIR, OUT_DIR, iter_articles, sample_paragraphs

__all__ = ["QUESTIONS_FILE", "RelevanceSets", "make_sets"]

QUESTIONS_FILE = BENCH_DIR / "questions_wikinews.jsonl"
QUICK_DISTRACTORS = 10_000


@dataclass(frozen=True, slots=True)
class RelevanceSets:
    """Paths of one generated benchmark."""

    folder: Path
    passages_notitle: Path
    passages_title: Path
    known_item: Path
    questions: Path
    meta: dict[str, Any]


def _write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> int:
    n = 0
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
    return n


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def make_sets(
    distractors: int | None = QUICK_DISTRACTORS, out: Path | None = None, seed: int = 13
) -> RelevanceSets:
    """Write the sets for ``distractors`` adl paragraphs (``None`` = all 109,777) and return their paths."""
    label = "all" if distractors is None else str(distractors)
    folder = (out or OUT_DIR / "relevance") / f"distractors-{label}"
    folder.mkdir(parents=True, exist_ok=True)

    wiki = list(iter_articles("wikinews"))
    by_article: dict[str, list[str]] = {a.id: [f"{a.id}#{i}" for i in range(len(a.paragraphs))] for a in wiki}
    passages: list[dict[str, str | None]] = [
        {"id": f"{a.id}#{i}", "title": a.title, "text": text, "published": _iso(a.published)}
        for a in wiki
        for i, text in enumerate(a.paragraphs)
    ]
    adl = sample_paragraphs("adl", distractors, seed=seed) if distractors != 0 else []
    passages += [{"id": p.id, "title": p.title, "text": p.text, "published": _iso(p.published)} for p in adl]

    sets = RelevanceSets(
        folder=folder,
        passages_notitle=folder / "passages_notitle.jsonl",
        passages_title=folder / "passages_title.jsonl",
        known_item=folder / "known_item.jsonl",
        questions=folder / "questions.jsonl",
        meta={},
    )
    _write_jsonl(sets.passages_title, passages)
    _write_jsonl(sets.passages_notitle, ({**p, "title": ""} for p in passages))
    n_known = _write_jsonl(
        sets.known_item,
        (
            {"id": a.id, "text": a.title, "relevant": by_article[a.id]}
            for a in wiki
            if a.title and a.paragraphs
        ),
    )
    questions = []
    if QUESTIONS_FILE.exists():
        for line in QUESTIONS_FILE.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            q = json.loads(line)
            rel = by_article.get(q["relevant_article"])
            if not rel:
                raise ValueError(f"question {q['id']}: unknown article {q['relevant_article']!r}")
            questions.append({"id": q["id"], "text": q["text"], "relevant": rel})
    _write_jsonl(sets.questions, questions)
    meta = {
        "wikinews_articles": len(wiki),
        "wikinews_passages": sum(len(v) for v in by_article.values()),
        "distractor_passages": len(adl),
        "passages": len(passages),
        "known_item_queries": n_known,
        "questions": len(questions),
        "seed": seed,
    }
    (folder / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return replace(sets, meta=meta)


def _distractors(value: str) -> int | None:
    return None if value == "all" else int(value)


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--distractors", type=_distractors, default=QUICK_DISTRACTORS, help="a number or 'all'")
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args(argv)
    sets = make_sets(args.distractors, args.out, args.seed)
    print(f"wrote {sets.folder}: {json.dumps(sets.meta)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
