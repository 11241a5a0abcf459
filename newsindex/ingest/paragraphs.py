"""Paragraphs worth ranking: normalised, no empties, no stray words, no duplicates, none too long.

Long paragraphs are split at sentence boundaries by a rule, not by spaCy's
sentencizer: the rule costs no model load while reading files, and it knows the
German abbreviations, initials and ordinals (``z. B.``, ``Dr.``, ``J.``,
``28. Oktober``) after which a full stop does not end a sentence.

Everything here runs once per paragraph of every corpus, so the common case
(already clean text) is kept to a few C-level string operations.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable

__all__ = [
    "MAX_PARAGRAPH_CHARS",
    "clean_paragraphs",
    "normalize_line",
    "normalize_text",
    "split_blocks",
    "split_long",
    "split_sentences",
]

MAX_PARAGRAPH_CHARS = 1_500

# Soft hyphen, zero-width space/joiners, direction marks and embeddings, word
# joiner and invisible operators, BOM. Removed outright: they sit inside words.
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
# C0/C1 control characters that are not whitespace: NUL, BEL, backspace, ESC (which
# would let an article send escape sequences to a terminal), DEL… Removed too.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")
# A sentence end: ., !, ? or … (optionally closed by a quote or bracket), then
# whitespace, then something that can open a sentence.
_SENTENCE_END = re.compile(r"[.!?…][\"“”»«'’)]*\s+(?=[„\"»«‚(\[]?[A-ZÄÖÜ0-9])")
# Words whose full stop is not a sentence end: any single letter (initials,
# "z. B.", "u. a.", "S. 12"), ordinals of one or two digits ("28. Oktober"),
# and common abbreviations. Checked on the few characters before a candidate end.
_ABBREV = re.compile(
    r"(?:\b\w|\b\d{1,2}|\b(?:bzw|ca|Dr|Prof|Nr|Abs|Art|St|Str|Mio|Mrd|Tsd|Jh|Jhd|etc|vgl|ggf|inkl|exkl"
    r"|evtl|bspw|sog|usw|Hr|Fr|Hrsg|geb|gest|ehem|Gebr|Bd|Chr|Mag|Ing|Dipl|Abg|Jan|Feb|Mär|Apr|Jun|Jul"
    r"|Aug|Sep|Sept|Okt|Nov|Dez|Mo|Di|Mi|Do|Sa|So|Std|Min|Sek|Tel|zzgl|insb|allg|bzgl|gem|lt|max|min"
    r"|Mr|Mrs|Ms|Jr|Sr|vs))\.$"
)
# Any whitespace but a single plain space between words (NBSP, tabs, newlines, runs, ends).
_UNCLEAN_SPACE = re.compile(r"[^\S ]|  |^ | $")
_ABBREV_WINDOW = 8  # the longest abbreviation above plus its full stop
_BLANK_LINE = re.compile(r"\n[ \t\r\f\v\u00a0]*\n")


def normalize_text(text: str) -> str:
    """NFC; soft hyphens, zero-width and control characters (NUL, ESC…) removed; runs of
    spaces (incl. NBSP, tabs) made one plain space; line breaks kept, blank lines dropped.

    >>> normalize_text("Ver\\u00adhand\\u00adlung\\u00a0in   Berlin\\n\\n Heute")
    'Verhandlung in Berlin\\nHeute'
    """
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
        if _INVISIBLE.search(text):
            text = _INVISIBLE.sub("", text)
    if _CONTROL.search(text):
        text = _CONTROL.sub("", text)
    if not _UNCLEAN_SPACE.search(text):  # the common case: nothing to fold
        return text
    # str.split() with no argument splits on every Unicode space (NBSP, U+202F,
    # tabs…), which is exactly the set to fold into one plain space.
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


def normalize_line(text: str) -> str:
    """:func:`normalize_text` on one line: titles, names and sources have no line breaks."""
    return normalize_text(text).replace("\n", " ")


def split_blocks(text: str) -> list[str]:
    """Split text into paragraphs at blank lines (lines holding only whitespace count as blank)."""
    return _BLANK_LINE.split(text.replace("\r\n", "\n"))


def split_sentences(text: str) -> list[str]:
    """Split German text into sentences by rule (abbreviation-, initial- and ordinal-aware).

    >>> split_sentences("Am 28. Oktober kam Dr. Maier. Er blieb z. B. zwei Tage.")
    ['Am 28. Oktober kam Dr. Maier.', 'Er blieb z. B. zwei Tage.']
    """
    sentences: list[str] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        stop = m.start() + 1  # just after the punctuation mark
        if text[m.start()] == "." and _ABBREV.search(text, max(start, stop - _ABBREV_WINDOW), stop):
            continue
        piece = text[start : m.end()].strip()
        if piece:
            sentences.append(piece)
        start = m.end()
    rest = text[start:].strip()
    if rest:
        sentences.append(rest)
    return sentences


def split_long(paragraph: str, limit: int = MAX_PARAGRAPH_CHARS) -> list[str]:
    """Split a paragraph longer than ``limit`` at sentence ends into chunks of at most ``limit``.

    Chunks are balanced (a 1,600-character paragraph gives two of about 800, not
    1,500 + 100) so every passage reads well as a search hit. A single sentence
    longer than ``limit`` is cut at a space.
    """
    if len(paragraph) <= limit:
        return [paragraph]
    def balanced(remaining: int) -> float:
        return remaining / math.ceil(remaining / limit)

    remaining = len(paragraph)
    target = balanced(remaining)
    chunks: list[str] = []
    current = ""

    def flush() -> None:
        nonlocal current, remaining, target
        chunks.append(current)
        remaining = max(remaining - len(current) - 1, 1)
        target = balanced(remaining)  # re-balance what is left
        current = ""

    for sentence in split_sentences(paragraph):
        if len(sentence) > limit:  # one endless "sentence": cut at spaces
            if current:
                flush()
            *pieces, sentence = _hard_cut(sentence, limit)
            for piece in pieces:
                current = piece
                flush()
        if not sentence:
            continue
        # Close the chunk when the sentence would overflow it, or when most of the
        # sentence would land beyond the balanced target size.
        if current and (
            len(current) + 1 + len(sentence) > limit or len(current) + (1 + len(sentence)) / 2 > target
        ):
            flush()
        current = f"{current} {sentence}" if current else sentence
    if current:
        chunks.append(current)
    return chunks


def _hard_cut(text: str, limit: int) -> list[str]:
    """Cut ``text`` into pieces of at most ``limit`` characters, at a space where one is near.

    Works with offsets into ``text``, so a 50 MB run without sentence ends costs
    one pass (slicing the rest off after every piece was quadratic: half an hour).
    """
    pieces: list[str] = []
    start, n = 0, len(text)
    while start < n:
        while start < n and text[start] == " ":
            start += 1
        if n - start <= limit:
            pieces.append(text[start:].strip())
            break
        cut = text.rfind(" ", start, start + limit)
        cut = cut if cut > start + limit // 2 else start + limit
        piece = text[start:cut].strip()
        if piece:
            pieces.append(piece)
        start = cut
    return pieces or [""]


def _is_stray(paragraph: str) -> bool:
    """One word on its own (normalised text has single spaces and newlines only)."""
    return " " not in paragraph and "\n" not in paragraph


def clean_paragraphs(paragraphs: Iterable[str], limit: int = MAX_PARAGRAPH_CHARS) -> list[str]:
    """Normalise, drop empties, merge stray one-word lines, split long ones, drop exact repeats.

    A stray word ending a sentence (``Ende.``) joins the paragraph before it; any
    other (a one-word heading such as ``Hintergrund``, ``Anzeige``) joins the one
    after it. Either way it stays on its own line inside that paragraph. A
    paragraph repeated word for word within the article is kept once.
    """
    cleaned = [p for p in map(normalize_text, paragraphs) if p]
    merged: list[str] = []
    pending = ""
    for p in cleaned:
        if _is_stray(p):
            if p[-1] in ".!?…" and merged and not pending:
                merged[-1] = f"{merged[-1]}\n{p}"
            else:
                pending = f"{pending}\n{p}" if pending else p
            continue
        merged.append(f"{pending}\n{p}" if pending else p)
        pending = ""
    if pending:
        if merged:
            merged[-1] = f"{merged[-1]}\n{pending}"
        else:
            merged.append(pending)
    out: list[str] = []
    seen: set[str] = set()
    for p in merged:
        for chunk in split_long(p, limit) if len(p) > limit else (p,):
            if chunk not in seen:
                seen.add(chunk)
                out.append(chunk)
    return out
