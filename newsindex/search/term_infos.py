"""Per segment, the term dictionary lookups searches have made, kept across searches.

A query's terms are looked up in every segment (22 on the adl index), and a prefix
such as ``Bundes*`` is 64 terms, most of them absent from most segments: that is
1,400 lookups, each an MD5 hash and a bucket scan in Whoosh's on-disk hash table
(about 17 µs), a third of the query. Segment files never change, so a term's
entry (or its absence) in a segment stays true for as long as the segment
exists; the answers are kept by segment id, like :class:`.term_scoring.FieldLengths`,
and dropped with the segment (``keep_only``) or, past :data:`MAX_ENTRIES`, all at once.
"""

from __future__ import annotations

import threading
from typing import Any

from whoosh.reading import IndexReader, TermNotFound

from ..index.segments import segment_ids, segment_of

__all__ = ["MAX_ENTRIES", "TermInfos"]

#: Entries kept (over all segments) before the cache starts again empty: a few
#: thousand queries' terms, some tens of megabytes at most.
MAX_ENTRIES = 100_000

_ABSENT = object()


class TermInfos:
    """The term infos (or absence) of terms in segments, keyed by segment id."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self._infos: dict[str, dict[tuple[str, bytes], Any]] = {}
        self._size = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return self._size

    def matcher(self, segment_reader: IndexReader, fieldname: str, btext: bytes, fmt: Any) -> Any | None:
        """The postings of ``btext`` in ``fieldname`` of the segment (``None``: absent),
        as the segment's own ``matcher`` would make them."""
        terms = getattr(segment_reader, "_terms", None)  # a segment reader's terms table
        codec = getattr(terms, "_codec", None)
        segment = segment_of(segment_reader)
        if terms is None or codec is None or segment is None:  # any other reader
            return _uncached(segment_reader, fieldname, btext)
        per = self._infos.get(segment.segment_id())
        key = (fieldname, btext)
        info = per.get(key) if per is not None else None
        if info is None:
            try:
                info = terms.term_info(fieldname, btext)
            except TermNotFound:
                info = _ABSENT
            self._remember(segment.segment_id(), key, info)
        if info is _ABSENT:
            return None
        return codec.postings_reader(terms._postfile, info, fmt, term=key, scorer=None)

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


def _uncached(segment_reader: IndexReader, fieldname: str, btext: bytes) -> Any | None:
    if (fieldname, btext) not in segment_reader:  # any other reader (an empty index's)
        return None
    try:
        return segment_reader.postings(fieldname, btext)
    except TermNotFound:
        return None
