"""Highlight spans from the index postings: no re-analysis of hits at query time.

The ``body`` field stores each term's character offsets (Whoosh ``chars=True``),
and a term's offsets are those of the surface word that produced it. A match on
``krieg`` therefore marks ``Kriege``; a match on the compound part ``kartell``
marks ``Drogenkartelle``. Stop words are not in ``body`` (phrases find them in
``stops``), so they are never marked.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np
from whoosh.reading import IndexReader, TermNotFound

from ..index.schema import BODY
from .term_scoring import ReadPostings, locate

__all__ = ["BodyReads", "body_postings", "highlight_many", "highlight_spans"]


def body_postings(
    reader: IndexReader, docnums: Iterable[int], terms: Iterable[str], kind: str
) -> Iterator[tuple[int, Any]]:
    """``(docnum, value)`` for each of ``terms`` in ``body`` of each of ``docnums`` that has it;
    ``kind`` is Whoosh's value format (``"positions"``, ``"characters"``).

    Postings can only be skipped forwards, so the documents are visited in order per
    segment: each term's posting list is read once per call, not once per document.
    """
    leaves = reader.leaf_readers()
    bases = [base for _, base in leaves]
    by_leaf: dict[int, list[int]] = {}
    for d in sorted(set(docnums)):
        by_leaf.setdefault(bisect_right(bases, d) - 1, []).append(d)
    terms = list(terms)
    for i, docs in by_leaf.items():
        leaf, base = leaves[i]
        for term in terms:
            try:
                m = leaf.postings(BODY, term)
            except TermNotFound:
                continue
            for d in docs:
                if not m.is_active():
                    break
                local = d - base
                if m.id() < local:
                    m.skip_to(local)
                if m.is_active() and m.id() == local:
                    yield d, m.value_as(kind)


class BodyReads:
    """The ``body`` character values one search has read, per term and document, so the
    proximity bonus and the highlights of the same passages read each posting once.

    ``scored``: the postings the search's scorer has read already (see
    :meth:`.term_scoring.TermScorer.body_values`); a term found there is not read again,
    and a term that is not in a passage costs no lookup in its segment.
    """

    def __init__(self, reader: IndexReader, scored: ReadPostings | None = None) -> None:
        self.reader = reader
        self.scored = scored
        self._read: dict[str, dict[int, Any]] = {}  # term -> document -> value (None: absent)
        self._decode = reader.schema[BODY].format.decoder("characters") if BODY in reader.schema else None

    def characters(self, docnums: Iterable[int], terms: Iterable[str]) -> Iterator[tuple[int, str, Any]]:
        """``(docnum, term, [(position, start, end), …])`` for each of ``terms`` in each of
        ``docnums`` that has it."""
        docs = sorted(set(docnums))
        for term in dict.fromkeys(terms):
            known = self._read.setdefault(term, {})
            missing = [d for d in docs if d not in known]
            if missing:
                known.update(dict.fromkeys(missing))
                decode = self._decode
                read = self.scored(term) if self.scored is not None and decode is not None else None
                if read is None or decode is None:
                    known.update(body_postings(self.reader, missing, [term], "characters"))
                else:  # what body_postings would find, from the scorer's reads
                    ids, values = read
                    found, where = locate(ids, np.array(missing, dtype=np.int64))
                    for d, i in zip(found, where, strict=True):
                        known[d] = decode(values[i])
            for d in docs:
                value = known[d]
                if value is not None:
                    yield d, term, value


def highlight_spans(
    reader: IndexReader, docnum: int, matched: Iterable[tuple[str, bytes | str]]
) -> tuple[tuple[int, int], ...]:
    """Character spans in one passage's text for the query terms it contains."""
    return highlight_many(reader, [docnum], matched)[docnum]


def highlight_many(
    reader: IndexReader,
    docnums: Iterable[int],
    matched: Iterable[tuple[str, bytes | str]],
    reads: BodyReads | None = None,
) -> dict[int, tuple[tuple[int, int], ...]]:
    """Spans for many passages at once: one forward pass per term and segment.

    Postings can only be skipped forwards, so visiting the hits in document
    order reads each term's posting list once per query instead of once per hit.
    ``reads``: the search's postings read so far (by the proximity bonus).
    """
    terms = list(dict.fromkeys(
        t.decode("utf-8") if isinstance(t, bytes) else t for f, t in matched if f == BODY
    ))
    wanted = sorted(set(docnums))
    spans: dict[int, set[tuple[int, int]]] = {d: set() for d in wanted}
    for d, _term, chars in (reads or BodyReads(reader)).characters(wanted, terms):
        spans[d].update((start, end) for _pos, start, end in chars)
    return {d: tuple(sorted(v)) for d, v in spans.items()}
