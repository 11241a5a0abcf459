"""Photo credits in captions: ``Foto: IMAGO / ZUMA Press Wire`` and where they end.

Picture galleries end each caption with a credit; in run-on galleries the next
slide follows on the same line (``Foto: imago/Xinhua In den vergangenen Wochen``).
A credit is read as a sequence of known agency names joined by ``/``, ``;``,
``,``, ``&`` or ``|`` (``IMAGO/ABACAPRESS; ZUMA Press; Anadolu Agency``), and
ends after the last one: the next slide starts with its own first word
(``… Anadolu Agency Venezuela ist …``). After an unknown name (a photographer)
the credit ends where a sentence begins — a capitalised function word (``Die``,
``In``) or a capitalised word followed by a lowercase one — within eight words,
else at the end of the line; a longer remainder is text, and the credit is
taken to be the two words of a name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["CaptionPiece", "split_credits"]

AGENCIES = (
    "imago images", "imago", "zuma press wire", "zuma press", "zuma wire", "zuma", "zoonar",
    "anadolu agency", "anadolu", "xinhua", "apaimages", "apa", "sna", "bestimage", "abacapress",
    "agencia efe", "efe", "dpa", "dpa-zentralbild", "picture alliance", "picture-alliance", "afp",
    "reuters", "ap photo", "ap", "kna", "epd", "apa-images", "apa/picturedesk.com", "picturedesk.com",
    "getty images", "getty", "epa", "sputnik", "tass", "itar-tass", "ria novosti", "funke foto services",
    "shutterstock", "istock", "keystone", "ddp", "photothek", "sven simon", "eibner", "newscom",
    "sipa", "sipa press", "hans lucas", "ukrinform", "nurphoto", "pond5", "mago", "snapshot",
    "united archives", "panthermedia", "mis", "future image", "xinhua news agency", "middle east images",
)
_AGENCY = re.compile(
    r"(?:" + "|".join(sorted((re.escape(a) for a in AGENCIES), key=len, reverse=True)) + r")(?![\w-])",
    re.IGNORECASE,
)
# "Quelle:" is deliberately absent: in body text it introduces sources of
# statistics ("Quelle: Destatis"), which must stay in the paragraph.
_CREDIT_START = re.compile(r"(?:^|(?<=\s))(?:Foto|Fotos|Bild|Bildquelle|Fotoquelle|Bildrechte)\s*:\s*")
_SEPARATOR = re.compile(r"\s*[/;,&|]\s*")
_WORD = re.compile(r"\S+")
# Words that open German sentences and are never part of an agency name.
_OPENERS = frozenset({
    "der", "die", "das", "den", "dem", "ein", "eine", "einer", "in", "im", "am", "an", "auf", "aus", "mit",
    "nach", "bei", "von", "vor", "seit", "für", "zum", "zur", "doch", "aber", "und", "auch", "so", "es",
    "er", "sie", "wir", "dieser", "diese", "dieses", "als", "wie", "wenn", "laut", "trotz", "während",
})
_MAX_CREDIT_WORDS = 8
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
    # capitalised function word ("Die", "In") or a capitalised word before a
    # lowercase one. Credits are short, so look at most _MAX_CREDIT_WORDS ahead;
    # past that, a long remainder is text, and the credit is taken as a name
    # ("Vorname Nachname") rather than swallowing the next slide.
    words = list(_WORD.finditer(line, pos))
    for word in words[1:_MAX_CREDIT_WORDS]:
        if word.group()[:1].isupper() and word.group().lower() in _OPENERS:
            return word.start() - 1
        if _SENTENCE_START.match(line, word.start()):
            return word.start() - 1
    if len(words) <= _MAX_CREDIT_WORDS:
        return len(line)
    return words[1].end()


def _text(piece: str) -> str:
    # A slide may start with the separator that ended the previous credit ("dpa, Die …").
    return piece.strip().lstrip(";,/|").strip()


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
        credit = line[m.end() : end].strip(" ;,/|")
        pieces.append(CaptionPiece(_text(line[pos : m.start()]), credit or None))
        pos = end
    rest = _text(line[pos:])
    if rest or not pieces:
        pieces.append(CaptionPiece(rest, None))
    return pieces
