"""Exact phrases from word positions: ``body`` lemmas and ``stops`` stop words.

Every word of a paragraph has one position, and its lemma is indexed at that
position in ``body`` (a content word) or ``stops`` (a stop word); compound parts
sit on a lane of their own far above (``PART_LANE``), so they never line up
with their neighbours. A phrase matches a paragraph where its words' readings
occur at consecutive positions. The rarest word is read in full (or only for
the paragraphs other filters admit); the others only for the paragraphs still
in the running.

Reading positions is the costly part, so a query may read at most
:data:`PHRASE_WORK_CAP` postings (one paragraph's positions of one term) across
all its phrases (:class:`PhraseBudget`). A phrase whose next step could exceed
what is left (``"der die"``: nearly every paragraph has both) is not checked
word for word; :func:`phrase_docs` returns ``None`` and the search says so.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from whoosh.reading import IndexReader

from ..analysis.whoosh_analyzer import PART_LANE
from ..index.schema import BODY
from .term_infos import TermInfos
from .term_scoring import ReadPostings, locate

__all__ = ["PHRASE_WORK_CAP", "PhraseBudget", "PhraseWord", "phrase_cost", "phrase_docs"]

PHRASE_WORK_CAP = 30_000
# Below this share of a term's postings, skipping to each wanted passage beats reading them in order.
_SKIP_SHARE = 2


@dataclass(slots=True)
class PhraseBudget:
    """Postings a query's phrases may still read (``read`` counts those read)."""

    left: int = field(default_factory=lambda: PHRASE_WORK_CAP)
    read: int = 0

    def fits(self, cost: int) -> bool:
        """Whether a step reading at most ``cost`` postings stays within the budget."""
        return cost <= self.left

    def spend(self, n: int) -> None:
        """Count ``n`` postings read."""
        self.read += n
        self.left -= n


@dataclass(frozen=True, slots=True)
class PhraseWord:
    """One word of a phrase: the field it is indexed in, its readings, its offset in the phrase."""

    field: str
    readings: tuple[str, ...]
    offset: int


def _positions(
    reader: IndexReader,
    word: PhraseWord,
    wanted: set[int] | None,
    budget: PhraseBudget,
    infos: TermInfos | None = None,
    scored: ReadPostings | None = None,
) -> dict[int, set[int]]:
    """Word positions by (global) document, for the ``wanted`` documents or all
    (``infos``: the index's kept term lookups; ``scored``: a ``body`` term's postings as
    the search's scorer reads them, see :meth:`.term_scoring.TermScorer.read_body`)."""
    infos = infos if infos is not None else TermInfos()
    out: dict[int, set[int]] = {}
    read = 0
    for segment, base in reader.leaf_readers():
        local: list[int] | None = None
        end = base + segment.doc_count_all()
        if wanted is not None:
            local = sorted(d - base for d in wanted if base <= d < end)
            if not local:
                continue
        for text in word.readings:
            postings = scored(text) if scored is not None and word.field == BODY else None
            if postings is not None:
                read += _positions_read(out, segment, base, end, postings, local, infos, text)
                continue
            m = infos.segment_postings(segment, word.field, text)
            if m is None:
                continue
            df = infos.segment_doc_frequency(segment, word.field, text)
            if local is None or len(local) * _SKIP_SHARE >= df:
                keep = None if local is None else set(local)
                while m.is_active():
                    if keep is None or m.id() in keep:
                        _add(out, base + m.id(), m.value_as("positions"))
                    read += 1
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
                    read += 1
    budget.spend(read)
    return out


def _positions_read(
    out: dict[int, set[int]],
    segment: IndexReader,
    base: int,
    end: int,
    postings: tuple[np.ndarray, list[Any]],
    local: list[int] | None,
    infos: TermInfos,
    text: str,
) -> int:
    """:func:`_positions`'s walk of one term in one segment, on postings the scorer has read:
    the same documents (deleted ones left out), positions and count of postings read."""
    ids, values = postings
    lo, hi = (int(i) for i in np.searchsorted(ids, [base, end]))
    if lo == hi:
        return 0
    deleted = segment.deleted_docs_set
    decode = segment.schema[BODY].format.decoder("positions")
    if local is None or len(local) * _SKIP_SHARE >= infos.segment_doc_frequency(segment, BODY, text):
        keep = None if local is None else set(local)
        read = 0
        for i, d in enumerate((ids[lo:hi] - base).tolist(), lo):
            if d in deleted:
                continue
            if keep is None or d in keep:
                _add(out, base + d, decode(values[i]))
            read += 1
        return read
    found, where = locate(ids[lo:hi], np.array(local, dtype=np.int64) + base)
    read = 0
    for d, i in zip(found, (i + lo for i in where), strict=True):
        if d - base not in deleted:
            _add(out, d, decode(values[i]))
            read += 1
    return read


def _add(out: dict[int, set[int]], docnum: int, positions: Iterable[int]) -> None:
    found = out.setdefault(docnum, set())
    found.update(p for p in positions if p < PART_LANE)


def phrase_docs(
    reader: IndexReader,
    words: list[PhraseWord],
    within: set[int] | None = None,
    budget: PhraseBudget | None = None,
    infos: TermInfos | None = None,
    scored: ReadPostings | None = None,
) -> set[int] | None:
    """The documents (of ``within``, if given) in which ``words`` occur at their
    offsets from one another; ``None`` when checking would exceed ``budget``
    (``infos``: the index's kept term lookups, see :mod:`.term_infos`; ``scored``: the
    ``body`` postings of the search's scorer, which then reads each term once)."""
    if not words:
        return set()
    budget = budget if budget is not None else PhraseBudget()
    infos = infos if infos is not None else TermInfos()
    rarities: dict[PhraseWord, int] = {}

    def rarity(w: PhraseWord) -> int:
        found = rarities.get(w)
        if found is None:
            found = rarities[w] = sum(infos.doc_frequency(reader, w.field, t) for t in w.readings)
        return found

    ordered = sorted(words, key=rarity)
    anchor = ordered[0]

    def cost(w: PhraseWord, docs: int | None) -> int:
        # Postings a step may read: in order when dense, one per wanted passage otherwise.
        return rarity(w) if docs is None else min(rarity(w), _SKIP_SHARE * docs * len(w.readings))

    first_cost = cost(anchor, None if within is None else len(within))
    if not budget.fits(first_cost):
        return None
    # For each document, the positions where the phrase could start.
    starts = {
        doc: {p - anchor.offset for p in found}
        for doc, found in _positions(reader, anchor, within, budget, infos, scored).items()
        if found
    }
    for word in ordered[1:]:
        if not starts:
            break
        if not budget.fits(cost(word, len(starts))):
            return None
        found = _positions(reader, word, set(starts), budget, infos, scored)
        starts = {
            doc: kept
            for doc, possible in starts.items()
            if (kept := possible & {p - word.offset for p in found.get(doc, ())})
        }
    return set(starts)


def phrase_cost(reader: IndexReader, words: list[PhraseWord], infos: TermInfos | None = None) -> int:
    """The postings of a phrase's rarest word (the order phrases are best checked in)."""
    infos = infos if infos is not None else TermInfos()
    return min((sum(infos.doc_frequency(reader, w.field, t) for t in w.readings) for w in words), default=0)
