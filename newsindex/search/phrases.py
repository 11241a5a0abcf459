"""Exact phrases from word positions: ``body`` lemmas and ``stops`` stop words.

Every word of a paragraph has one position, and its lemma is indexed at that
position in ``body`` (a content word) or ``stops`` (a stop word); compound parts
sit on a lane of their own far above (``PART_LANE``), so they never line up
with their neighbours. A phrase matches a paragraph where its words' readings
occur at consecutive positions. The rarest word is read in full; the others
only for the paragraphs still in the running.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from whoosh.reading import IndexReader, TermNotFound

from ..analysis.whoosh_analyzer import PART_LANE

__all__ = ["PhraseWord", "phrase_docs"]


@dataclass(frozen=True, slots=True)
class PhraseWord:
    """One word of a phrase: the field it is indexed in, its readings, its offset in the phrase."""

    field: str
    readings: tuple[str, ...]
    offset: int


def _positions(reader: IndexReader, word: PhraseWord, wanted: set[int] | None) -> dict[int, set[int]]:
    """Word positions by (global) document, for the ``wanted`` documents or all."""
    out: dict[int, set[int]] = {}
    for segment, base in reader.leaf_readers():
        local: list[int] | None = None
        if wanted is not None:
            end = base + segment.doc_count_all()
            local = sorted(d - base for d in wanted if base <= d < end)
            if not local:
                continue
        for text in word.readings:
            if (word.field, text) not in segment:
                continue
            try:
                m = segment.postings(word.field, text)
            except TermNotFound:
                continue
            if local is None:
                while m.is_active():
                    _add(out, base + m.id(), m.value_as("positions"))
                    m.next()
                continue
            for docnum in local:
                if not m.is_active():
                    break
                if m.id() < docnum:
                    m.skip_to(docnum)
                    if not m.is_active():
                        break
                if m.id() == docnum:
                    _add(out, base + docnum, m.value_as("positions"))
    return out


def _add(out: dict[int, set[int]], docnum: int, positions: Iterable[int]) -> None:
    found = out.setdefault(docnum, set())
    found.update(p for p in positions if p < PART_LANE)


def phrase_docs(reader: IndexReader, words: list[PhraseWord]) -> set[int]:
    """The documents in which ``words`` occur at their offsets from one another."""
    if not words:
        return set()

    def rarity(w: PhraseWord) -> int:
        return sum(reader.doc_frequency(w.field, t) for t in w.readings)

    ordered = sorted(words, key=rarity)
    anchor = ordered[0]
    # For each document, the positions where the phrase could start.
    starts = {
        doc: {p - anchor.offset for p in found}
        for doc, found in _positions(reader, anchor, None).items()
        if found
    }
    for word in ordered[1:]:
        if not starts:
            break
        found = _positions(reader, word, set(starts))
        starts = {
            doc: kept
            for doc, possible in starts.items()
            if (kept := possible & {p - word.offset for p in found.get(doc, ())})
        }
    return set(starts)
