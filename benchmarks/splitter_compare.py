"""The compound splitter beside other ways of splitting, on the same gold labels.

``python -m benchmarks.splitter_compare [--hanta] [--never-split FILE]``

* ``newsindex``: the analysis chain as the index uses it (:mod:`benchmarks.splitter_eval`);
* ``--never-split FILE``: the chain with every word of FILE (one a line, lowercase word
  forms, ``#`` comments) as a "never split" override, e.g. the list of words that
  jWordSplitter treats as atomic (``languagetool-dict.txt``, from Morphy, CC BY-SA 4.0):
  a lexicon of words *not* to split, the resource issue 14's precision target calls for;
* ``--hanta``: HanTa's morphological analysis (``analyze(word, taglevel=3)``, LGPL; not a
  dependency: ``pip install HanTa`` first), its content morphemes as parts.

Two figures each: **exact** precision/recall as in ``splitter_eval`` (parts equal the gold
parts, in order, folded) and **segmentation** precision/recall, where a part also counts
when it differs from the gold part only in its ending (HanTa gives stems, ``such`` for
``suchen``, ``straf`` for ``Strafe``; the chain may give ``krank`` for ``Kranke``): is the
word cut in the same places into the same morphemes?
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from .splitter_eval import DEFAULT_TSV, Label, load_labels, predict

__all__ = ["main", "scores"]

Parts = tuple[str, ...]
# HanTa's tags of morphemes that are no content part (suffixes, linking elements).
_HANTA_NOT_PARTS = ("SUF", "PREF", "PRE", "INFL", "FUGE", "LINK", "PART")


def _fold(text: str) -> str:
    from newsindex.analysis.folding import fold

    return fold(text)


def _same_morpheme(a: str, b: str) -> bool:
    """``such`` = ``suchen``, ``krank`` = ``kranke``: equal up to the last letter of the shorter."""
    n = min(len(a), len(b))
    keep = max(2, n - 1)
    return n >= 2 and (a.startswith(b[:keep]) or b.startswith(a[:keep]))


def scores(labels: Sequence[Label], predicted: dict[str, Parts]) -> dict[str, float]:
    """Exact and segmentation precision/recall of ``predicted`` (word → folded parts)."""
    split = exact = segment = 0
    compounds = sum(1 for label in labels if label.parts)
    for label in labels:
        parts = predicted[label.word]
        gold = tuple(_fold(p) for p in label.parts)
        if not parts:
            continue
        split += 1
        if parts == gold:
            exact += 1
        if gold and len(parts) == len(gold) and all(map(_same_morpheme, parts, gold)):
            segment += 1
    return {
        "split": split,
        "exact_precision": exact / split if split else 0.0,
        "exact_recall": exact / compounds,
        "segment_precision": segment / split if split else 0.0,
        "segment_recall": segment / compounds,
    }


def _chain_predictions(labels: Sequence[Label], overrides: str | None = None) -> dict[str, Parts]:
    if overrides is None:
        return {w: p for w, (p, _) in predict(label.word for label in labels).items()}
    import newsindex.analysis as analysis

    original = analysis.AnalysisConfig

    def with_overrides(**kwargs: object) -> object:
        return original(overrides=overrides, **kwargs)  # type: ignore[arg-type]

    analysis.AnalysisConfig = with_overrides  # type: ignore[assignment,misc]
    try:
        return {w: p for w, (p, _) in predict(label.word for label in labels).items()}
    finally:
        analysis.AnalysisConfig = original  # type: ignore[misc]


def _never_split_file(words_file: Path) -> str:
    """An overrides TSV making every alphabetic word of ``words_file`` "never split"."""
    with (
        tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False, encoding="utf-8") as out,
        words_file.open(encoding="utf-8") as f,
    ):
        for line in f:
            word = line.strip()
            if word and not word.startswith("#") and word.isalpha():
                out.write(f"{word}\t-\n")
    return out.name


def _hanta_predictions(labels: Sequence[Label]) -> dict[str, Parts]:
    from HanTa import HanoverTagger  # type: ignore[import-not-found]

    tagger = HanoverTagger.HanoverTagger("morphmodel_ger.pgz")
    analyse: Callable[[str], list[tuple[str, str]]] = lambda w: tagger.analyze(w, taglevel=3)[1]  # noqa: E731
    out: dict[str, Parts] = {}
    for label in labels:
        parts: list[str] = []
        for piece in (p for p in label.word.split("-") if p):
            parts.extend(_fold(m) for m, tag in analyse(piece) if not tag.startswith(_HANTA_NOT_PARTS))
        out[label.word] = tuple(parts) if len(parts) > 1 else ()
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point: one Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tsv", type=Path, default=DEFAULT_TSV, help="gold labels")
    parser.add_argument("--never-split", type=Path, help="word list to use as never-split overrides")
    parser.add_argument("--hanta", action="store_true", help="also score HanTa (pip install HanTa)")
    args = parser.parse_args(argv)
    labels = load_labels(args.tsv)
    rows = {"newsindex": _chain_predictions(labels)}
    if args.never_split is not None:
        rows[f"newsindex + never split {args.never_split.name}"] = _chain_predictions(
            labels, _never_split_file(args.never_split)
        )
    if args.hanta:
        rows["HanTa"] = _hanta_predictions(labels)
    print(f"{len(labels)} labelled words, {sum(1 for label in labels if label.parts)} compounds\n")
    print("| splitter | words split | exact P / R | segmentation P / R |")
    print("| --- | ---: | ---: | ---: |")
    for name, predicted in rows.items():
        s = scores(labels, predicted)
        print(
            f"| {name} | {s['split']} | {s['exact_precision']:.3f} / {s['exact_recall']:.3f} "
            f"| {s['segment_precision']:.3f} / {s['segment_recall']:.3f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
