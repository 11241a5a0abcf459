"""Dictionary-validated German compound splitting.

A noun is split head-first: the longest suffix that is a known word becomes the
head (German compounds are head-final), the rest is the modifier, with a
linking element (-s-, -es-, -n-, -en-, -e-, -er-) removed when that makes it a
known word; modifiers are split again recursively, heads are not (so
``Auslandsgeheimdienst`` → ``Ausland`` + ``Geheimdienst``). Every part must be
a known word in simplemma's German dictionary (1.1 M word forms), and heads that
are really derivational suffixes (``-schaft``, ``-ion``, ``-heit``) are refused,
which keeps ``Partnerschaft`` and ``Sanktionen`` whole.

Chosen over HanTa (better segmentation, but ~1.2k words/s and LGPL) because it
runs at tens of thousands of new words per second and results are cached per
word type; see the README for the measured comparison.
"""

from __future__ import annotations

from dataclasses import dataclass

from .folding import fold
from .lexicon import Lexicon
from .stopwords import GERMAN_STOP_WORDS

__all__ = ["MAX_SPLIT_CHARS", "CompoundSplitter", "Split"]

MIN_WORD = 8
# Longer words are not split: German's longest real compounds stay under it
# (Rindfleischetikettierungsüberwachungsaufgabenübertragungsgesetz has 63
# letters), and a pasted run of letters must not cost a lookup per position.
MAX_SPLIT_CHARS = 64
MIN_MODIFIER = 3
MIN_HEAD = 4
# Three-letter heads that are common and safe (Sicherheitsrat, Bauamt).
SHORT_HEADS = frozenset(
    {"rat", "amt", "tag", "bau", "weg", "zug", "see", "ort", "tor", "rad", "bus", "eis", "öl"}
)
# Heads that are derivational suffixes or too ambiguous to be compound heads.
BAD_HEADS = frozenset({
    "schaft", "schaften", "heit", "heiten", "keit", "keiten", "ion", "ionen", "tion", "tionen",
    "ation", "ationen", "ismus", "ismen", "ist", "isten", "istin", "ität", "itäten", "ung", "ungen",
    "nis", "nisse", "ling", "linge", "tum", "tümer", "chen", "lein", "erin", "innen", "ende", "enden",
    "ente", "enten", "ent", "ant", "anten", "ieren", "ierung", "ierungen", "tät", "täten", "ler",
    "lern", "ner", "nern", "lich", "liche", "lichen", "isch", "ische", "ischen", "igen", "iger",
    "haft", "hafte", "sam", "bar", "bare", "los", "lose", "ster", "stern", "erei",
    "ier", "iere", "anz", "enz", "age", "agen", "ade", "aden", "eur", "eure", "euren",
    "ose", "osen", "ik", "iken", "ie", "ien", "ür", "ine", "inen", "ale", "alen",
    "nen", "rin", "ten", "sten", "ere", "eren", "elle", "ellen", "ette", "etten", "ern",
    # country names: Österreich, Frankreich are not kinds of "Reich"
    "reich",
})
# Linking elements between modifier and head: the bare modifier first ("Eisen-bahn",
# not "Eis-en-bahn"), then the longer links.
LINKS = ("", "es", "en", "er", "s", "n", "e")


@dataclass(frozen=True, slots=True)
class Split:
    """A compound split: ``parts`` are lemmas (dictionary casing); ``lemma`` is the
    whole word's lemma built as modifier surface + head lemma."""

    parts: tuple[str, ...]
    lemma: str


def _resembles(stem: str, lemma: str) -> bool:
    """A modifier's lemma must be a form of it ("drogen" → "Droge", "häuser" → "Haus"),
    not an unrelated word the dictionary maps it to ("öster" → "ösen")."""
    a, b = fold(stem), fold(lemma)
    shared = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        shared += 1
    return shared >= min(len(a), len(b)) - 1


class CompoundSplitter:
    """Split German compound nouns into known parts; results cached per word."""

    def __init__(self, lexicon: Lexicon) -> None:
        self._lex = lexicon
        self._cache: dict[str, Split | None] = {}

    def split(self, word: str) -> Split | None:
        """Split ``word`` (as written) or return ``None`` if it is not a compound."""
        if not MIN_WORD <= len(word) <= MAX_SPLIT_CHARS or not word.isalpha() or not word[:1].isupper():
            return None
        cached = self._cache.get(word, False)
        if cached is not False:
            return cached  # type: ignore[return-value]
        result = self._split(word, depth=0)
        if len(self._cache) > 500_000:
            self._cache.clear()
        self._cache[word] = result
        return result

    def _split(self, word: str, depth: int) -> Split | None:
        lower = word.lower()
        n = len(lower)
        known_lemma = self._lex.lookup(word)
        # Longest head first: "Auslandsgeheimdienst" → "geheimdienst", not "dienst".
        for i in range(MIN_MODIFIER, n - 2):
            head = lower[i:]
            if len(head) < MIN_HEAD and head not in SHORT_HEADS:
                break
            if head in BAD_HEADS:
                continue
            head_lemma = self._noun_lemma(head)
            if head_lemma is None:
                continue
            # A known word must inflect like its head: "Regierungen" is not "Regie" + "Rungen".
            if known_lemma is not None and not known_lemma.lower().endswith(head_lemma.lower()):
                continue
            modifier = self._modifier(lower[:i])
            if modifier is None:
                continue
            _surface, mod_lemma = modifier
            whole = word[:i] + head_lemma.lower()
            parts = (*self._inner(mod_lemma, depth), *self._inner(head_lemma, depth))
            return Split(parts=parts, lemma=whole[:1].upper() + whole[1:])
        return None

    def _inner(self, lemma: str, depth: int) -> tuple[str, ...]:
        """Split a part again, conservatively: only noun + noun with parts of >= 5
        letters, since short inner parts are usually lexicalised (Flugzeug, Bahnhof)."""
        if depth >= 3 or len(lemma) < 10 or not lemma[:1].isupper():
            return (lemma,)
        inner = self._split(lemma, depth + 1)
        if inner is None or any(len(p) < 5 or not p[:1].isupper() for p in inner.parts):
            return (lemma,)
        return inner.parts

    def _noun_lemma(self, lower: str) -> str | None:
        return self._lex.lookup(lower[:1].upper() + lower[1:])

    def _modifier(self, lower: str) -> tuple[str, str] | None:
        """Strip a linking element so the modifier is a known word: (surface, lemma)."""
        for link in LINKS:
            if link and not lower.endswith(link):
                continue
            stem = lower[: len(lower) - len(link)] if link else lower
            if len(stem) < MIN_MODIFIER or stem in GERMAN_STOP_WORDS:
                continue
            lemma = self._lex.lookup(stem[:1].upper() + stem[1:]) or self._lex.lookup(stem)
            if lemma is None and not link and len(stem) >= 4:
                # "Schul-buch", "Sprach-kurs": modifiers that dropped their final -e.
                lemma = self._lex.lookup(stem[:1].upper() + stem[1:] + "e")
            if (
                lemma is not None
                and len(lemma) >= MIN_MODIFIER
                and lemma.lower() not in GERMAN_STOP_WORDS
                and _resembles(stem, lemma)
            ):
                return stem, lemma
        return None
