"""Paragraphs worth ranking: normalised, no empties, no stray words, none too long.

Long paragraphs are split at sentence boundaries by a rule (not spaCy's
sentencizer: it would load spaCy while reading files, and the rule knows German
abbreviations and ordinals such as ``z. B.`` and ``28. Oktober``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

__all__ = ["MAX_PARAGRAPH_CHARS", "clean_paragraphs", "normalize_text", "split_long"]

MAX_PARAGRAPH_CHARS = 1_500

_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))
_SPACES = dict.fromkeys(map(ord, "\u00a0\u2007\u202f\u2009\u200a\t\r\f\v"), " ")
_RUNS = re.compile(r" {2,}")
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"“”»«']?\s+(?=[„\"»«(]?[A-ZÄÖÜ0-9])")
_ABBREV = re.compile(
    r"(?:\b(?:z|u|d|s|o|v|bzw|ca|Dr|Prof|Nr|Abs|Art|St|Mio|Mrd|Jh|etc|vgl|ggf|inkl|evtl|bspw|sog|usw|Hr|Fr)|\b\d{1,2})\.$"
)


def normalize_text(text: str) -> str:
    """NFC; soft hyphens and zero-width characters removed; odd spaces made plain."""
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE).translate(_SPACES)
    lines = [_RUNS.sub(" ", line).strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


def split_long(paragraph: str, limit: int = MAX_PARAGRAPH_CHARS) -> list[str]:
    """Split a paragraph longer than ``limit`` at sentence ends into chunks of at most ``limit``."""
    if len(paragraph) <= limit:
        return [paragraph]
    sentences: list[str] = []
    start = 0
    for m in _SENTENCE_END.finditer(paragraph):
        if _ABBREV.search(paragraph[start : m.start()]):
            continue
        sentences.append(paragraph[start : m.start()].strip())
        start = m.end()
    sentences.append(paragraph[start:].strip())
    chunks: list[str] = []
    current = ""
    for sentence in filter(None, sentences):
        while len(sentence) > limit:  # one endless "sentence": cut at a space
            cut = sentence.rfind(" ", 0, limit)
            cut = cut if cut > limit // 2 else limit
            if current:
                chunks.append(current)
                current = ""
            chunks.append(sentence[:cut].strip())
            sentence = sentence[cut:].strip()
        if current and len(current) + 1 + len(sentence) > limit:
            chunks.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}" if current else sentence
    if current:
        chunks.append(current)
    return chunks


def clean_paragraphs(paragraphs: Iterable[str], limit: int = MAX_PARAGRAPH_CHARS) -> list[str]:
    """Normalise, drop empties, merge one-word strays into a neighbour, split long ones."""
    cleaned = [p for p in (normalize_text(p) for p in paragraphs) if p]
    merged: list[str] = []
    pending = ""
    for p in cleaned:
        if len(p.split()) == 1 and p[-1:] not in ".!?":
            pending = f"{pending} {p}".strip()  # a stray word joins the next paragraph
            continue
        merged.append(f"{pending} {p}" if pending else p)
        pending = ""
    if pending:
        if merged:
            merged[-1] = f"{merged[-1]} {pending}"
        else:
            merged.append(pending)
    out: list[str] = []
    for p in merged:
        out.extend(split_long(p, limit))
    return out
