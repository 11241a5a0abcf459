"""Photo credits in captions: ``Foto: IMAGO / ZUMA Press Wire`` and where they end.

Picture galleries end each caption with a credit; in run-on galleries the next
slide follows on the same line (``Foto: imago/Xinhua In den vergangenen Wochen``).
A credit is read as a sequence of known agency names joined by ``/``, ``;`` or
``,``; after an unknown name the credit ends where a sentence begins (a
capitalised function word, or a capitalised word followed by a lowercase one)
or at the end of the line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["CaptionPiece", "split_credits"]

AGENCIES = (
    "imago images", "imago", "zuma press wire", "zuma press", "zuma wire", "zuma", "zoonar",
    "anadolu agency", "anadolu", "xinhua", "apaimages", "apa", "sna", "bestimage", "abacapress",
    "agencia efe", "efe", "dpa", "picture alliance", "picture-alliance", "afp", "reuters", "ap",
    "getty images", "getty", "epa", "sputnik", "tass", "itar-tass", "ria novosti", "funke foto services",
    "shutterstock", "istock", "keystone", "ddp", "photothek", "sven simon", "eibner", "newscom",
    "sipa", "sipa press", "hans lucas", "ukrinform", "nurphoto", "pond5", "mago", "snapshot",
    "united archives", "panthermedia", "mis", "future image", "xinhua news agency", "middle east images",
)
_AGENCY = re.compile(
    r"(?:" + "|".join(sorted((re.escape(a) for a in AGENCIES), key=len, reverse=True)) + r")(?![\w-])",
    re.IGNORECASE,
)
_CREDIT_START = re.compile(r"(?:^|\s)(?:Foto|Fotos|Bild|Bildquelle|Quelle)\s*:\s*")
_SEPARATOR = re.compile(r"\s*[/;,&]\s*")
_WORD = re.compile(r"\S+")
# Words that open German sentences and are never part of an agency name.
_OPENERS = frozenset({
    "der", "die", "das", "den", "dem", "ein", "eine", "einer", "in", "im", "am", "an", "auf", "aus", "mit",
    "nach", "bei", "von", "vor", "seit", "für", "zum", "zur", "doch", "aber", "und", "auch", "so", "es",
    "er", "sie", "wir", "dieser", "diese", "dieses", "als", "wie", "wenn", "laut", "trotz", "während",
})
_SENTENCE_START = re.compile(r"[„\"]?[A-ZÄÖÜ][\w’'-]*\s+[a-zäöüß]")


@dataclass(frozen=True, slots=True)
class CaptionPiece:
    """Text before a credit, and the credit (``None`` for trailing text without one)."""

    text: str
    credit: str | None


def _credit_end(line: str, start: int) -> int:
    """Index just after the credit that begins at ``start``."""
    pos = start
    matched_any = False
    while True:
        m = _AGENCY.match(line, pos)
        if not m:
            break
        matched_any = True
        pos = m.end()
        sep = _SEPARATOR.match(line, pos)
        if not sep:
            break
        nxt = sep.end()
        if _AGENCY.match(line, nxt) is None and _SENTENCE_START.match(line, nxt):
            break
        pos = nxt
        if _AGENCY.match(line, pos) is None:
            matched_any = False  # an unknown name follows a separator: read it structurally
            break
    if matched_any:
        return pos
    # Unknown agency: up to the next sentence start (after at least one word): a
    # capitalised function word ("Die", "In") or a capitalised word before a lowercase one.
    first_space = line.find(" ", pos)
    if first_space < 0:
        return len(line)
    for word in _WORD.finditer(line, first_space + 1):
        if word.group()[:1].isupper() and word.group().lower() in _OPENERS:
            return word.start() - 1
        if _SENTENCE_START.match(line, word.start()):
            return word.start() - 1
    return len(line)


def split_credits(line: str) -> list[CaptionPiece]:
    """Split a caption line at its photo credits.

    >>> [(p.text, p.credit) for p in split_credits("Text eins. Foto: imago/Xinhua Text zwei.")]
    [('Text eins.', 'imago/Xinhua'), ('Text zwei.', None)]
    """
    pieces: list[CaptionPiece] = []
    pos = 0
    while True:
        m = _CREDIT_START.search(line, pos)
        if not m:
            break
        end = _credit_end(line, m.end())
        credit = line[m.end() : end].strip(" ;,/")
        pieces.append(CaptionPiece(line[pos : m.start()].strip(), credit or None))
        pos = end
    rest = line[pos:].strip()
    if rest or not pieces:
        pieces.append(CaptionPiece(rest, None))
    return pieces
