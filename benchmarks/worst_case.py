"""Hostile queries: the worst cases of every query path, timed on an index of adl.

``python -m benchmarks.worst_case`` builds the adl index once into
``benchmarks/out/worst_case_adl`` (reused afterwards; ``--rebuild`` forces it),
then runs each generated query ``--repeats`` times in this process after one
warm-up search, and prints the slowest run of each with the notes the search
gave. Target (issue 12, finding 6): no query over 1 s.

The queries are generated, not read from the corpus: runs of letters, unknown
words that share a first letter with many index terms, stop-word phrases,
maximal prefix/typo expansions, long compounds. No corpus text is printed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from .corpora import OUT_DIR

INDEX_DIR = OUT_DIR / "worst_case_adl"
TARGET_MS = 1_000.0

# Generated unknown words: a fixed seed-free alphabet walk keeps the run deterministic.
_CONSONANTS = "bcdfghklmnprstvwz"
_VOWELS = "aeiou"


def _nonsense(i: int, first: str = "S", length: int = 9) -> str:
    """A pronounceable word the index does not have (deterministic in ``i``)."""
    out = [first]
    n = i
    while len(out) < length:
        pool = _VOWELS if len(out) % 2 else _CONSONANTS
        out.append(pool[n % len(pool)])
        n = n // len(pool) + 7 * len(out)
    return "".join(out)


def hostile_queries() -> Iterator[tuple[str, str]]:
    """(name, query) for every worst case constructed so far."""
    # The four cases.
    yield "issue: S + 1998 k", "S" + "k" * 1_998
    yield "issue: 64 unknown S-words", " ".join(_nonsense(i) for i in range(64))
    yield "issue: 2000-char compound", "Bundes" + "regierungs" * 199 + "rat"[:4]
    stop_pairs = ["der die", "und das", "in den", "von dem", "mit einer", "auf dem", "es ist", "an der"]
    yield "issue: 32 stop-word phrases", " ".join(f'"{stop_pairs[i % len(stop_pairs)]}"' for i in range(32))
    # Suggestions: one long unknown word per first letter, and mixed lengths.
    yield "suggest: 64 x 31-letter unknown", " ".join(_nonsense(i, "K", 31) for i in range(64))
    yield "suggest: 8 x 250-letter unknown", " ".join("A" + "b" * 248 + str(i)[:0] + "c" for i in range(8))
    yield "suggest: +required unknown", " ".join("+" + _nonsense(i, "M", 12) for i in range(64))
    yield "suggest: 1 unknown 30 letters", "Sonnenblumenkernbrotaufstrichx"
    # Typo expansion: 8 maximal ~2 words (longer words scan more).
    yield (
        "typo: 8 x word~2",
        " ".join(
            f"{w}~2"
            for w in [
                "Sbbbbbbb",
                "Regierung",
                "Bundes",
                "Sicherheit",
                "Koalition",
                "Präsident",
                "Ministerin",
                "Wahlen",
            ]
        ),
    )
    yield "typo: 8 x 250-letter~2", " ".join("S" + "e" * 249 + "~2 " for _ in range(8))
    yield "typo: 8 x 1-letter prefix~2", " ".join(f"{c}aaa~2" for c in "sabkmpdv")
    # Prefix expansion.
    yield "prefix: 8 x 2-letter*", " ".join(f"{p}*" for p in ["ge", "be", "ve", "ab", "an", "ei", "st", "sc"])
    # Compounds: several long words (each is analysed for splitting).
    yield "compound: 4 x 500 chars", " ".join("Staats" + "sicherheits" * 45 + "dienst" for _ in range(4))
    yield (
        "compound: 64 x 31 chars",
        " ".join("Landes" + "gesundheits" + "ministerium" + _nonsense(i, "x", 3) for i in range(64)),
    )
    # Phrases.
    yield "phrase: 1 stop-word phrase", '"der die das"'
    yield "phrase: 64-word stop phrase", '"' + " ".join(["und", "der", "die", "in"] * 16) + '"'
    yield "phrase: 16 common-word phrases", " ".join(['"in Deutschland"', '"der Regierung"'] * 8)
    yield "phrase: stop + content", '"die Regierung" "der Bundestag" "in Berlin" "und die"'
    # Stop words only, title clauses, exclusions, many common words.
    yield "stops: 64 stop words", " ".join(["der", "die", "und", "in", "das", "von", "zu", "mit"] * 8)
    titles = ["der", "Regierung", "die", "Berlin"] * 16
    yield "title: 64 title clauses", " ".join(f"title:{w}" for w in titles)
    common = ["Jahr", "Land", "Zeit", "Menschen", "Prozent", "Regierung", "Deutschland", "Berlin", "Euro"]
    yield "exclude: 63 common words", "Polizei " + " ".join(f"-{w}" for w in common * 7)
    yield "exclude: 63 excluded + 1", "Regierung " + " ".join(f"-{w}" for w in ["der", "die", "und"] * 21)
    yield (
        "common: 64 frequent words",
        " ".join(["Regierung", "Deutschland", "Jahr", "Menschen", "Prozent", "Land", "Zeit", "Berlin"] * 8),
    )
    yield (
        "mixed: everything",
        (
            '"der die" '
            + "Sk"
            + "k" * 300
            + " "
            + " ".join(f"{c}aaaaa~2" for c in "sabk")
            + " "
            + " ".join(f"{p}*" for p in ["ge", "be", "ve", "ab"])
            + " title:die +Regierung -und"
        ),
    )


def build(path: Path = INDEX_DIR) -> None:
    """Index all of adl into ``path``."""
    from newsindex import NewsIndex

    from .corpora import group_articles, sample_paragraphs, to_newsindex_articles

    articles = to_newsindex_articles(group_articles(sample_paragraphs("adl")))
    t0 = time.perf_counter()
    index = NewsIndex.create(path, overwrite=True)
    index.add(articles)
    index.close()
    print(f"built {path} in {time.perf_counter() - t0:.0f} s", file=sys.stderr)


def run(path: Path = INDEX_DIR, repeats: int = 3) -> list[dict[str, object]]:
    """Time every hostile query; the slowest of ``repeats`` runs each."""
    from newsindex import NewsIndex

    index = NewsIndex.open(path)
    try:
        # Load the pipeline, field lengths and term lists first: once per process, not per query.
        for warm in ("Regierung", "Regierung~", "Regier*"):
            index.search(warm)
        rows: list[dict[str, object]] = []
        for name, query in hostile_queries():
            worst = 0.0
            res = None
            for _ in range(repeats):
                t0 = time.perf_counter()
                res = index.search(query)
                worst = max(worst, (time.perf_counter() - t0) * 1000)
            assert res is not None
            rows.append(
                {
                    "name": name,
                    "chars": len(query),
                    "ms": round(worst, 1),
                    "hits": len(res),
                    "total": res.total,
                    "notes": list(res.notes),
                    "suggestion": res.suggestion is not None,
                }
            )
            print(f"{worst:8.1f} ms  {name}", file=sys.stderr)
        return rows
    finally:
        index.close()


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: build adl once, run the hostile queries, print a table (or JSON)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", type=Path, default=INDEX_DIR)
    ap.add_argument("--rebuild", action="store_true", help="index adl again")
    ap.add_argument("--build-only", action="store_true")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--json", type=Path, help="also write the rows here")
    args = ap.parse_args(argv)
    if args.rebuild or not any(args.index.glob("*.toc")):
        build(args.index)
    if args.build_only:
        return 0
    rows = run(args.index, args.repeats)
    print("| case | chars | worst ms | hits | notes |\n| --- | ---: | ---: | ---: | --- |")
    for r in rows:
        notes = "; ".join(r["notes"])  # type: ignore[arg-type]
        print(f"| {r['name']} | {r['chars']} | {r['ms']} | {r['hits']} | {notes} |")
    slowest = max(rows, key=lambda r: r["ms"])  # type: ignore[arg-type, return-value]
    print(f"\nslowest: {slowest['name']} {slowest['ms']} ms (target {TARGET_MS:.0f} ms)")
    if args.json:
        args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
