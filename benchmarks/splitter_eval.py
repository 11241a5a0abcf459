"""How well does newsindex split German compounds? Scored against ``compound_labels.tsv``.

``python -m benchmarks.splitter_eval [--tsv PATH] [--show-errors N] [--check-corpus]``

The gold file (``benchmarks/compound_labels.tsv``) has one capitalised word from the
Wikinews corpus per line, labelled by hand (never by what a splitter outputs)::

    word    parts                   kind
    Bundeskartellamt  Bund+Kartell+Amt  compound
    Regensburg        -                 place

``parts`` is the full recursive split into dictionary forms with linking elements removed
(``-`` for anything that is not a compound); ``kind`` is one of ``compound``, ``simple``,
``person``, ``place``, ``organisation``, ``lexicalised``, ``other``. Labelling rules:
derivations (``Partnerschaft``, ``Verfassung``) and prefix/particle words (``Abstimmung``,
``Ausland``, ``Rücktritt``) are ``simple``; names of persons, places and organisations are
never split, even when historically compounds (``Regensburg``, ``Volkswagen``); words whose
parts no longer carry their meaning (``Flugzeug``, ``Augenblick``, ``Frühstück``) are
``lexicalised`` and are not split inside longer compounds either (``Flugzeugträger`` →
``Flugzeug+Träger``); verb stems are given as infinitives (``Wahlkampf`` → ``Wahl+Kampf``,
``Schreibtisch`` → ``schreiben+Tisch``), adjectives in their base form (``Großstadt`` →
``groß+Stadt``); a hyphenated word's pieces are parts (``US-Präsident`` → ``US+Präsident``).

What the splitter produced for a word (``predicted``) is read from the analysis chain the
index uses (:func:`newsindex.analysis.get_chain`), as the part terms it indexes:

* a plain word: the token's ``parts`` (empty when the chain does not split it);
* a hyphenated word: its pieces in order, each replaced by its own ``parts`` when the chain
  splits it and by its lemma otherwise (stop-word pieces dropped). The chain also indexes
  each split piece whole (``SPD-Bundestagsabgeordneter`` → ``bundestagsabgeordneter`` beside
  ``bundestag``, ``abgeordneter``); that extra term is not a part and is left out here.

Gold and predicted parts are compared as the index stores them: folded with
:func:`newsindex.analysis.folding.fold` (lowercase, ä→a, ö→o, ü→u, ß→ss). A second pair
of figures also accepts a part written as the chain indexes the part's word on its own
(gold ``Abgeordnete`` = ``abgeordnet``, the term a search for *Abgeordnete* looks up):
what matters for search is that the part meets its word, not how a label spells it.

Metrics (a word "is split" when ``predicted`` is non-empty):

* **split precision** = #(split and predicted == gold parts, in order) / #split (all kinds);
* **split recall** = #(gold compound and predicted == gold parts, in order) / #gold compounds;
* **false-split rate** of a non-compound kind = #split / #words of that kind;
* looser, beside the exact ones: **set precision/recall** compare parts as sets (order and
  repeats ignored); **coverage** is the fraction of gold compounds for which every gold part
  is among the terms indexed for the word (its lemma and all its parts).

Targets from issue 14: split precision >= 0.97, split recall >= 0.90.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from newsindex.analysis.tokens import Token

__all__ = ["KINDS", "Label", "Outcome", "evaluate", "load_labels", "main", "predict"]

DEFAULT_TSV = Path(__file__).with_name("compound_labels.tsv")
KINDS = ("compound", "simple", "person", "place", "organisation", "lexicalised", "other")
HEADER = ["word", "parts", "kind"]
TARGET_PRECISION = 0.97
TARGET_RECALL = 0.90


@dataclass(frozen=True, slots=True)
class Label:
    """One gold line: the surface ``word``, its gold ``parts`` (empty if not a compound)."""

    word: str
    parts: tuple[str, ...]
    kind: str
    line: int


@dataclass(frozen=True, slots=True)
class Outcome:
    """A label with what the chain produced, all parts folded."""

    label: Label
    gold: tuple[str, ...]
    predicted: tuple[str, ...]
    indexed: frozenset[str]
    # The gold parts as the index stores each part's word on its own (its lemma).
    gold_terms: tuple[str, ...] = ()

    @property
    def split(self) -> bool:
        """The chain split the word."""
        return bool(self.predicted)

    @property
    def exact(self) -> bool:
        """Predicted parts equal the gold parts, in order."""
        return self.split and self.predicted == self.gold

    @property
    def searchable(self) -> bool:
        """Predicted parts equal the gold parts as their own words are indexed, in order:
        a search for each gold part's word meets the part (``Abgeordnete`` is indexed
        as ``abgeordnet`` alone and in ``Kongressabgeordnete``)."""
        return self.split and (self.predicted == self.gold or self.predicted == self.gold_terms)

    @property
    def same_set(self) -> bool:
        """Predicted parts equal the gold parts as sets."""
        return self.split and bool(self.gold) and set(self.predicted) == set(self.gold)

    @property
    def covered(self) -> bool:
        """Every gold part is among the indexed terms."""
        return bool(self.gold) and set(self.gold) <= self.indexed


def load_labels(path: Path) -> list[Label]:
    """Read and validate the gold TSV; raises ``ValueError`` naming the bad line."""
    labels: list[Label] = []
    seen: set[str] = set()
    with path.open(encoding="utf-8", newline="") as f:
        rows = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(rows, None)
        if header != HEADER:
            raise ValueError(f"{path}: header must be {HEADER}, got {header}")
        for line, row in enumerate(rows, start=2):
            if not row:
                continue
            if len(row) != 3:
                raise ValueError(f"{path}:{line}: expected 3 tab-separated fields, got {row}")
            word, parts_field, kind = (x.strip() for x in row)
            if kind not in KINDS:
                raise ValueError(f"{path}:{line}: unknown kind {kind!r}")
            if word in seen:
                raise ValueError(f"{path}:{line}: duplicate word {word!r}")
            seen.add(word)
            parts = () if parts_field == "-" else tuple(parts_field.split("+"))
            if (kind == "compound") != bool(parts) or any(not p for p in parts):
                raise ValueError(f"{path}:{line}: compounds need parts, other kinds '-'")
            if kind == "compound" and len(parts) < 2:
                raise ValueError(f"{path}:{line}: a compound has at least two parts")
            labels.append(Label(word, parts, kind, line))
    return labels


def predict(words: Iterable[str]) -> dict[str, tuple[tuple[str, ...], frozenset[str]]]:
    """For each word: (predicted leaf parts, every term indexed for it), folded."""
    from newsindex.analysis import AnalysisConfig, get_chain
    from newsindex.analysis.folding import fold
    from newsindex.analysis.places import place_of_adjective

    def split_parts(tok: Token) -> tuple[str, ...]:
        # A country adjective's country (pakistanisch → pakistan) is a part of the index
        # but no compound split: not counted here.
        place = place_of_adjective(tok.lemma)
        return () if place is not None and tok.parts == (fold(place),) else tok.parts

    # Stems are a reading of their own (Token.stem), not parts: not needed here.
    chain = get_chain(AnalysisConfig(stems=False))
    out: dict[str, tuple[tuple[str, ...], frozenset[str]]] = {}
    for word in words:
        tokens = chain.analyze(word)
        indexed = frozenset(t for tok in tokens for t in (tok.lemma, *tok.parts))
        if "-" not in word and len(tokens) == 1:
            out[word] = (split_parts(tokens[0]), indexed)
            continue
        leaves: list[str] = []
        for piece in (p for p in re.split(r"-", word) if p):
            for tok in chain.analyze(piece):
                if tok.is_stop:
                    continue
                leaves.extend(split_parts(tok) or (tok.lemma,))
        out[word] = (tuple(leaves), indexed)
    return out


def evaluate(labels: Sequence[Label]) -> list[Outcome]:
    """Run the chain on every labelled word."""
    from newsindex.analysis import AnalysisConfig, get_chain
    from newsindex.analysis.folding import fold

    chain = get_chain(AnalysisConfig(stems=False))

    def term(part: str) -> str:
        tokens = chain.analyze(part)
        return tokens[0].lemma if len(tokens) == 1 else fold(part)

    predicted = predict(label.word for label in labels)
    return [
        Outcome(
            label,
            tuple(fold(p) for p in label.parts),
            *predicted[label.word],
            gold_terms=tuple(term(p) for p in label.parts),
        )
        for label in labels
    ]


def _ratio(num: int, den: int) -> str:
    return f"{num / den:.3f} ({num}/{den})" if den else "n/a (0/0)"


def _halves(outcomes: Sequence[Outcome]) -> list[str]:
    """Precision and recall on the even (development) and odd (held-out) lines of the TSV:
    a rule fitted to the words one looks at moves the first and not the second."""
    out = []
    for name, rest in (("development (even lines)", 0), ("held-out (odd lines)", 1)):
        half = [o for o in outcomes if o.label.line % 2 == rest]
        split = [o for o in half if o.split]
        compounds = [o for o in half if o.label.kind == "compound"]
        out.append(
            f"- {name}: precision {_ratio(sum(o.exact for o in split), len(split))}, "
            f"recall {_ratio(sum(o.exact for o in compounds), len(compounds))}"
        )
    return out


def report(outcomes: Sequence[Outcome], show_errors: int) -> str:
    """The figures and the first ``show_errors`` errors of each sort, as Markdown."""
    compounds = [o for o in outcomes if o.label.kind == "compound"]
    split = [o for o in outcomes if o.split]
    exact = sum(o.exact for o in split)
    lines = [
        f"# Compound splitter vs {len(outcomes)} labelled words",
        "",
        f"- split precision (exact parts, in order): {_ratio(exact, len(split))}"
        f"  (target {TARGET_PRECISION})",
        f"- split recall (exact parts, in order): {_ratio(sum(o.exact for o in compounds), len(compounds))}"
        f"  (target {TARGET_RECALL})",
        f"- split precision / recall, each part compared as its own word is indexed: "
        f"{_ratio(sum(o.searchable for o in split), len(split))} / "
        f"{_ratio(sum(o.searchable for o in compounds), len(compounds))}",
        f"- set precision (parts as a set): {_ratio(sum(o.same_set for o in split), len(split))}",
        f"- set recall (parts as a set): {_ratio(sum(o.same_set for o in compounds), len(compounds))}",
        f"- coverage (every gold part indexed): {_ratio(sum(o.covered for o in compounds), len(compounds))}",
        *_halves(outcomes),
        "",
        "| kind | words | split | exact | false-split rate |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    by_kind: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        by_kind[o.label.kind].append(o)
    for kind in KINDS:
        group = by_kind.get(kind, [])
        if not group:
            continue
        n_split = sum(o.split for o in group)
        if kind == "compound":
            exact_cell, false_cell = str(sum(o.exact for o in group)), "-"
        else:
            exact_cell, false_cell = "-", f"{n_split / len(group):.3f}"
        lines.append(f"| {kind} | {len(group)} | {n_split} | {exact_cell} | {false_cell} |")
    non = [o for o in outcomes if o.label.kind != "compound"]
    lines.append(f"| all non-compounds | {len(non)} | {sum(o.split for o in non)} | - | "
                 f"{sum(o.split for o in non) / max(len(non), 1):.3f} |")
    n_parts = Counter(len(o.gold) for o in compounds)
    lines += ["", "Recall by number of gold parts: " + ", ".join(
        f"{k} parts {_ratio(sum(o.exact for o in compounds if len(o.gold) == k), v)}"
        for k, v in sorted(n_parts.items()))]
    sorts = {
        "false splits (not a compound, split)": [o for o in non if o.split],
        "missed compounds (not split)": [o for o in compounds if not o.split],
        "wrong splits (compound, parts differ)": [o for o in compounds if o.split and not o.exact],
    }
    for title, errs in sorts.items():
        lines += ["", f"## {title}: {len(errs)}"]
        for o in errs[:show_errors]:
            gold = "+".join(o.gold) or "-"
            got = "+".join(o.predicted) or "-"
            lines.append(f"- {o.label.word} ({o.label.kind}): gold {gold}, got {got}")
    return "\n".join(lines)


def check_corpus(labels: Sequence[Label], corpora: Path) -> list[str]:
    """Words of the list that do not occur as tokens in the Wikinews corpus."""
    path = corpora / "wikinews_de_1000" / "articles.jsonl.gz"
    tokens: set[str] = set()
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            article = json.loads(line)
            for text in [article.get("title", ""), *article["paragraphs"]]:
                tokens.update(re.findall(r"\w+(?:-\w+)*", text))
    return [label.word for label in labels if label.word not in tokens]


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tsv", type=Path, default=DEFAULT_TSV, help="gold labels")
    parser.add_argument("--show-errors", type=int, default=20, metavar="N",
                        help="errors listed per sort (default 20)")
    parser.add_argument("--check-corpus", action="store_true",
                        help="also check that every word occurs in the Wikinews corpus")
    args = parser.parse_args(argv)
    labels = load_labels(args.tsv)
    kinds = Counter(label.kind for label in labels)
    print(f"{len(labels)} words: " + ", ".join(f"{k} {kinds[k]}" for k in KINDS if kinds[k]))
    if args.check_corpus:
        from benchmarks.corpora import corpora_dir

        missing = check_corpus(labels, corpora_dir())
        print(f"not in Wikinews: {len(missing)} {missing[:50]}")
        if missing:
            return 1
    print(report(evaluate(labels), args.show_errors))
    return 0


if __name__ == "__main__":
    sys.exit(main())
