"""Per segment, the term dictionary lookups searches have made, kept across searches.

A query's terms are looked up in every segment (22 on the adl index): to build the
query (document frequencies), for their idf, to read their postings and again for
the highlights. A prefix such as ``Bundes*`` is 64 terms, most of them absent from
most segments: 1,400 lookups, each an MD5 hash and a bucket scan in Whoosh's on-disk
hash table (about 17 µs), a third of the query. Segment files never change, so a
term's entry (or its absence) in a segment stays true for as long as the segment
exists: the answers are kept by segment id, like :class:`.term_scoring.FieldLengths`,
and dropped with the segment (``keep_only``) or, past :data:`MAX_ENTRIES`, all at once.
Nothing here depends on the weighting (``bm25_k1``, ``bm25_b``): scores are computed
per search from these entries.
"""

from __future__ import annotations

import threading
from typing import Any

from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import IndexReader, MultiReader, SegmentReader, TermNotFound

from ..index.segments import segment_ids, segment_of

__all__ = ["MAX_ENTRIES", "TermInfos", "leaf_segment_id", "plain_counts"]

#: Entries kept (over all segments) before the cache starts again empty: a few
#: thousand queries' terms, some tens of megabytes at most.
MAX_ENTRIES = 100_000

_ABSENT = object()


def plain_counts(reader: IndexReader) -> bool:
    """Whether ``reader``'s document frequencies are its segments' own (a sharded search's
    reader answers with the collection's: :class:`newsindex.distributed.statistics.GlobalReader`)."""
    return type(reader) in (MultiReader, SegmentReader)


def leaf_segment_id(leaf: IndexReader) -> str | None:
    """The id of the segment a leaf reader reads (``None``: not a segment's reader)."""
    segment = segment_of(leaf)
    return segment.segment_id() if segment is not None else None


def _reader_postings(leaf: IndexReader, fieldname: str, btext: bytes) -> Any | None:
    """``leaf.postings`` of a reader that is not a segment's, ``None`` for an absent term."""
    if (fieldname, btext) not in leaf:
        return None
    try:
        return leaf.postings(fieldname, btext)
    except TermNotFound:
        return None


class TermInfos:
    """The term infos (or absence) of terms in segments, keyed by segment id."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self._infos: dict[str, dict[tuple[str, bytes], Any]] = {}
        self._size = 0
        self._lock = threading.Lock()
        self.lookups = 0  # lookups made in the segments' tables (tests count them)

    def __len__(self) -> int:
        return self._size

    def info(
        self, leaf: IndexReader, fieldname: str, btext: bytes, segment_id: str | None = None
    ) -> Any | None:
        """The segment's term info of ``btext`` in ``fieldname`` (``None``: absent).

        Raises ``LookupError`` for a reader that is not a segment's (an empty index's).
        """
        terms = getattr(leaf, "_terms", None)  # a segment reader's terms table
        if terms is None or not hasattr(terms, "term_info"):
            raise LookupError("not a segment reader")
        if segment_id is None:
            segment_id = leaf_segment_id(leaf)
        if segment_id is None:
            raise LookupError("not a segment reader")
        key = (fieldname, btext)
        per = self._infos.get(segment_id)
        found = per.get(key) if per is not None else None
        if found is None:
            self.lookups += 1
            try:
                found = terms.term_info(fieldname, btext)
            except TermNotFound:
                found = _ABSENT
            self._remember(segment_id, key, found)
        return None if found is _ABSENT else found

    def matcher(
        self, leaf: IndexReader, fieldname: str, btext: bytes, fmt: Any, segment_id: str | None = None
    ) -> Any | None:
        """The postings of ``btext`` in ``fieldname`` of the segment (``None``: absent), as
        the segment's terms table makes them (deleted documents included)."""
        try:
            info = self.info(leaf, fieldname, btext, segment_id)
        except LookupError:  # any other reader (an empty index's)
            return _reader_postings(leaf, fieldname, btext)
        if info is None:
            return None
        return self.postings(leaf, info, fieldname, btext, fmt)

    @staticmethod
    def postings(leaf: IndexReader, info: Any, fieldname: str, btext: bytes, fmt: Any) -> Any:
        """The postings of a term of the segment whose :meth:`info` is ``info``."""
        terms = leaf._terms
        return terms._codec.postings_reader(terms._postfile, info, fmt, term=(fieldname, btext), scorer=None)

    def segment_postings(self, leaf: IndexReader, fieldname: str, text: str | bytes) -> Any | None:
        """``leaf.postings(fieldname, text)`` of a segment's reader (deleted documents left
        out), or ``None`` where Whoosh would raise ``TermNotFound``."""
        if fieldname not in leaf.schema:
            return None
        field = leaf.schema[fieldname]
        btext = field.to_bytes(text)
        try:
            info = self.info(leaf, fieldname, btext)
        except LookupError:  # any other reader
            return _reader_postings(leaf, fieldname, btext)
        if info is None:
            return None
        matcher = self.postings(leaf, info, fieldname, btext, field.format)
        if deleted := leaf.deleted_docs_set:  # as SegmentReader.postings does
            matcher = FilterMatcher(matcher, deleted, exclude=True)
        return matcher

    def segment_doc_frequency(self, leaf: IndexReader, fieldname: str, text: str | bytes) -> int:
        """``leaf.doc_frequency(fieldname, text)`` of a segment's reader."""
        if fieldname not in leaf.schema:
            return int(leaf.doc_frequency(fieldname, text))
        btext = leaf.schema[fieldname].to_bytes(text)
        try:
            info = self.info(leaf, fieldname, btext)
        except LookupError:
            return int(leaf.doc_frequency(fieldname, btext))
        return 0 if info is None else int(info.doc_frequency())

    def doc_frequency(self, reader: IndexReader, fieldname: str, text: str | bytes) -> int:
        """``reader.doc_frequency(fieldname, text)``, from the kept lookups."""
        if fieldname not in reader.schema or not plain_counts(reader):
            return int(reader.doc_frequency(fieldname, text))  # (Whoosh's own answer or error)
        btext = reader.schema[fieldname].to_bytes(text)
        total = 0
        for leaf, _offset in reader.leaf_readers():
            try:
                info = self.info(leaf, fieldname, btext)
            except LookupError:
                total += leaf.doc_frequency(fieldname, btext)
                continue
            if info is not None:
                total += info.doc_frequency()
        return total

    def _remember(self, segment_id: str, key: tuple[str, bytes], info: Any) -> None:
        with self._lock:
            if self._size >= self.max_entries:
                self._infos.clear()
                self._size = 0
            per = self._infos.setdefault(segment_id, {})
            if key not in per:
                per[key] = info
                self._size += 1

    def keep_only(self, reader: IndexReader) -> None:
        """Drop the entries of segments that ``reader`` (the latest commit) no longer has."""
        live = segment_ids(reader)
        with self._lock:
            for key in [k for k in self._infos if k not in live]:
                self._size -= len(self._infos.pop(key))
