"""Normalisation of index terms: German rules plus folding of every other Latin diacritic.

German (the rules of Lucene's GermanNormalizationFilter): ``ß`` → ``ss``;
``ä/ö/ü`` → ``a/o/u``; ``ae``/``oe`` → ``a``/``o``; ``ue`` → ``u`` unless it follows a
vowel or ``q`` (``Quelle``, ``Treue`` keep their ``ue``). So ``Präsident``,
``Praesident`` and ``Prasident`` all become ``prasident``.

Other Latin letters lose their diacritics by Unicode decomposition (``Chávez`` →
``chavez``, ``Karadžić`` → ``karadzic``, ``García`` → ``garcia``); letters that do
not decompose are mapped explicitly (``ø`` → ``o``, ``ł`` → ``l``, ``đ`` → ``d``,
``æ`` → ``ae``, ``œ`` → ``oe``). Non-Latin scripts are left as they are.
"""

from __future__ import annotations

import unicodedata

__all__ = ["fold"]

_DIRECT = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss", "ẞ": "ss"})
# Latin letters without a Unicode decomposition (lowercase: fold lowercases first).
_NO_DECOMPOSITION = str.maketrans({
    "ø": "o", "ł": "l", "đ": "d", "ð": "d", "æ": "ae", "œ": "oe", "þ": "th", "ı": "i",
    "ħ": "h", "ŧ": "t", "ŀ": "l", "ĸ": "k", "ŋ": "n",
})
_VOWELS_Q = frozenset("aeiouyq")


def fold(term: str) -> str:
    """Lowercase ``term``, apply German normalisation and fold other Latin diacritics."""
    t = term.lower()
    if not t.isascii():
        t = t.translate(_DIRECT)
        if not t.isascii():
            t = _fold_latin(t)
    if "ae" in t or "oe" in t or "ue" in t:
        # After the diacritics, so "Michaël" and "Michael" fold alike. (Only an "e"
        # right after a, o or u is ever dropped: without such a pair t stays as it is.)
        t = _fold_digraphs(t)
    return t


def _fold_latin(t: str) -> str:
    # Decompose the whole string (a query may arrive decomposed, "Cha\u0301vez") and
    # drop the marks on Latin letters only: a Cyrillic "й" or Greek "ά" keeps its own.
    t = t.translate(_NO_DECOMPOSITION)
    out: list[str] = []
    latin = False
    for ch in unicodedata.normalize("NFD", t):
        if unicodedata.combining(ch):
            if latin:
                continue
        else:
            latin = ch.isascii() and ch.isalpha()
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


def _fold_digraphs(t: str) -> str:
    # A small state machine, like Lucene's: the letter before decides whether
    # "ue" is a digraph, so a left-to-right scan is needed (no str.replace).
    out: list[str] = []
    prev = ""
    for ch in t:
        if ch == "e" and prev in ("a", "o"):
            prev = ""
            continue
        if ch == "e" and prev == "u" and (len(out) < 2 or out[-2] not in _VOWELS_Q):
            prev = ""
            continue
        out.append(ch)
        prev = ch
    return "".join(out)
