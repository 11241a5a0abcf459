"""German normalisation of index terms (the rules of Lucene's GermanNormalizationFilter).

``ß`` → ``ss``; ``ä/ö/ü`` → ``a/o/u``; ``ae``/``oe`` → ``a``/``o``; ``ue`` → ``u`` unless it
follows a vowel or ``q`` (``Quelle``, ``Treue`` keep their ``ue``). So ``Präsident``,
``Praesident`` and ``Prasident`` all become ``prasident``.
"""

from __future__ import annotations

__all__ = ["fold"]

_DIRECT = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss", "ẞ": "ss"})
_VOWELS_Q = frozenset("aeiouyq")


def fold(term: str) -> str:
    """Lowercase ``term`` and apply German normalisation."""
    t = term.lower()
    if "e" in t:
        t = _fold_digraphs(t)
    return t.translate(_DIRECT)


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
