"""Merging segments into the fast segment writer: per-document data at once, postings streamed.

Whoosh merges small segments at a commit (``MERGE_SMALL``) through
``SegmentWriter.add_reader``: it copies every document's stored fields and
lengths, then feeds every posting of the merged segments, one by one, through
its matchers (a terms-table look-up per term) into the writer's pool. With
:mod:`.segment_writer`'s in-memory :class:`~.term_pool.TermPool` as that pool, a
merge held every posting of the merged segments in memory (about 130 bytes each:
a gigabyte for all of adl), and it ran at about 2,200 documents a second, as
slow as indexing them afresh.

Here ``add_reader`` copies the per-document data (as Whoosh does, with each
field's length column looked up once instead of once per document) and only
records the segment (:class:`MergedSegment`). When the writer writes its
postings, :func:`merged_terms` reads each field's terms of every recorded
segment in order from its terms table, decodes each term's posting blocks
directly, renumbers them, and yields them beside the pool's own, a term at a
time: memory holds one stretch of terms, not the merge. The segment written is
byte for byte the one Whoosh's merge writes (``tests/test_merging.py``).
"""

from __future__ import annotations

import contextlib
import heapq
import io
import pickle
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import accumulate
from struct import Struct
from typing import Any

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermInfo
from whoosh.reading import SegmentReader

from .doc_writer import stored_fields_writer
from .term_pool import Postings, TermPool

__all__ = ["MergedSegment", "copy_documents", "merged_field_names", "merged_terms", "opened"]

_INT = Struct("!i")
_FIELD_KEY = Struct("!H")
_TERMINFO_SIZE = W3TermInfo._struct.size
_EXTENT = Struct("!qi")  # after the term info's fixed part: the postings' offset and length


@dataclass(slots=True)
class MergedSegment:
    """A segment merged into a writer: its documents got the writer's numbers
    ``base``, ``base + 1``, … in order, skipping the deleted ones (``docmap``
    maps old numbers to new where the segment had deletions)."""

    segment: Any
    base: int
    docmap: dict[int, int] | None


def copy_documents(writer: Any, reader: Any) -> MergedSegment:
    """Whoosh's ``SegmentWriter.write_per_doc`` for a segment reader: every live
    document's stored fields, field lengths and column values, under the writer's
    next document numbers. Returns what the postings need to follow them."""
    schema = writer.schema
    fieldnames = set(schema.names()) | {f for f in reader.indexed_field_names() if f in schema}
    base = writer.docnum
    docmap: dict[int, int] | None = {} if reader.has_deletions() else None
    pdw = writer.perdocwriter
    perdoc = reader._perdoc
    lengths = {name: perdoc.doc_field_length_reader(name) for name in fieldnames}
    cols = {}
    for fieldname in fieldnames:
        coltype = schema[fieldname].column_type
        if coltype and reader.has_column(fieldname):
            creader = reader.column_reader(fieldname, coltype)
            if hasattr(creader, "raw_column"):  # a TranslatingColumnReader
                creader = creader.raw_column()
            cols[fieldname] = creader
    finish_doc = stored_fields_writer(pdw)  # stored fields pickled as the fast writer pickles them
    for docnum, stored in reader.iter_docs():
        if docmap is not None:
            docmap[docnum] = writer.docnum
        pdw.start_doc(writer.docnum)
        # The same set expression as Whoosh's, so the fields go in the same order.
        for fieldname in fieldnames | {s for s in stored if s in schema}:
            fieldobj = schema[fieldname]
            get = lengths.get(fieldname)
            length = get(docnum) if get is not None else reader.doc_field_length(docnum, fieldname)
            pdw.add_field(fieldname, fieldobj, stored.get(fieldname), length)
            if fieldname in cols:
                cv = cols[fieldname][docnum]
                pdw.add_column_value(fieldname, fieldobj.column_type, cv)
        finish_doc()
        writer.docnum += 1
    return MergedSegment(reader.segment(), base, docmap)


@contextlib.contextmanager
def opened(writer: Any, merged: list[MergedSegment]) -> Iterator[list[Any]]:
    """A reader of each of the ``merged`` segments (their files stay until the commit
    ends), opened once for the whole write and closed after it."""
    readers: list[Any] = []
    try:
        for m in merged:
            readers.append(SegmentReader(writer.storage, writer.schema, m.segment))
        yield readers
    finally:
        for reader in readers:
            reader.close()


def merged_field_names(schema: Any, readers: list[Any]) -> set[str]:
    """The schema's fields that any of the merged segments' ``readers`` has terms in."""
    return {f for reader in readers for f in reader._terms.indexed_field_names() if f in schema}


def _field_items(reader: Any, fieldname: str) -> Iterator[tuple[bytes, bytes]]:
    """``(term bytes, term info bytes)`` of one field of a segment, in term order."""
    terms = reader._terms
    number = terms._fieldmap.get(fieldname)
    if number is None:
        return
    prefix = _FIELD_KEY.pack(number)
    for key, value in terms._tindex.items_from(prefix):
        if key[:2] != prefix:
            return
        yield key[2:], value


def _numbered(items: Iterator[tuple[bytes, bytes]], k: int) -> Iterator[tuple[bytes, int, Any]]:
    """``items`` as heap entries of stream ``k``."""
    for tbytes, info in items:
        yield tbytes, k, info


def _decode_postings(raw: bytes, fixedsize: int | None) -> Postings:
    """A term's posting blocks (``W3PostingsWriter``'s layout) as document numbers,
    weights and values: what Whoosh's matcher gives posting by posting."""
    if raw[:4] != WHOOSH3_HEADER_MAGIC:
        raise ValueError(f"bad postings block tag {raw[:4]!r}")
    docs: list[int] = []
    weights: list[float] = []
    values: list[Any] = []
    buf = io.BytesIO(raw)
    position = 4
    while True:
        (length,) = _INT.unpack_from(raw, position)
        last = length < 0
        start = position + 4
        end = start + abs(length)
        buf.seek(start)
        n, _, _, compression, _, _ = pickle.load(buf)
        data = raw[buf.tell() : end]
        if compression:
            data = zlib.decompress(data)
        ids, ws, vs = pickle.loads(data)
        docs.extend(accumulate(ids))
        if ws is None:
            weights.extend([1.0] * n)
        elif isinstance(ws, float):
            weights.extend([ws] * n)
        else:
            weights.extend(ws)
        if fixedsize is None or fixedsize < 0:
            if len(vs) != n:
                raise ValueError("a block's values do not match its postings")
            values.extend(vs)
        elif fixedsize == 0:
            values.extend([None] * n)
        else:
            values.extend(vs[i : i + fixedsize] for i in range(0, len(vs), fixedsize))
        if last:
            return docs, weights, values
        position = end


def _read_postings(reader: Any, info: bytes, fixedsize: int | None) -> Postings:
    """A term's postings in a segment, from its term info's bytes."""
    if info[0]:  # flags: postings inlined in the term info (not written by this codec's settings)
        ids, weights, values = W3TermInfo.from_bytes(info).inlined_postings()
        return list(ids), list(weights), list(values)
    offset, length = _EXTENT.unpack_from(info, _TERMINFO_SIZE)
    return _decode_postings(reader._terms._postfile.get(offset, length), fixedsize)


def _renumbered(postings: Postings, m: MergedSegment) -> Postings:
    docs, weights, values = postings
    if m.docmap is None:
        base = m.base
        return [base + d for d in docs], weights, values
    docmap = m.docmap
    keep = [i for i, d in enumerate(docs) if d in docmap]
    if len(keep) == len(docs):
        return [docmap[d] for d in docs], weights, values
    return [docmap[docs[i]] for i in keep], [weights[i] for i in keep], [values[i] for i in keep]


def merged_terms(
    schema: Any, fieldname: str, pool: TermPool, merged: list[MergedSegment], readers: list[Any]
) -> Iterator[tuple[bytes, Postings]]:
    """The field's terms in byte order with all their postings: the pool's and every
    merged segment's (read through ``readers``, see :func:`opened`; renumbered, deleted
    documents left out), in document order. A term whose postings all were deleted is
    left out, as Whoosh's merge leaves it."""
    fixedsize = schema[fieldname].format.fixed_value_size()
    streams: list[Iterator[tuple[bytes, int, Any]]] = [
        ((t, 0, p) for t, p in sorted(pool.fields.get(fieldname, {}).items()))
    ]
    streams += (_numbered(_field_items(reader, fieldname), k) for k, reader in enumerate(readers, 1))
    current: bytes | None = None
    parts: list[tuple[int, Any]] = []
    for tbytes, k, item in heapq.merge(*streams, key=lambda e: (e[0], e[1])):
        if tbytes != current:
            if current is not None:
                joined = _join(parts, readers, merged, fixedsize)
                if joined is not None:
                    yield current, joined
            current, parts = tbytes, []
        parts.append((k, item))
    if current is not None:
        joined = _join(parts, readers, merged, fixedsize)
        if joined is not None:
            yield current, joined


def _join(
    parts: list[tuple[int, Any]], readers: list[Any], merged: list[MergedSegment], fixedsize: Any
) -> Postings | None:
    """One term's postings from the pool (``k == 0``) and the merged segments, in that order."""
    docs: list[int] = []
    weights: list[float] = []
    values: list[Any] = []
    for k, item in parts:
        if k == 0:
            postings: Postings = item
        else:
            postings = _renumbered(_read_postings(readers[k - 1], item, fixedsize), merged[k - 1])
        docs.extend(postings[0])
        weights.extend(postings[1])
        values.extend(postings[2])
    if not docs:
        return None
    return docs, weights, values
