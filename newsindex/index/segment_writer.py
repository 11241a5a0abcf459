"""A faster postings path for Whoosh's segment writer, writing the very same bytes.

Whoosh collects every posting of a segment as a tuple ``(field, term, docnum,
weight, value)`` in a sorting pool, sorts them all at commit, and then feeds
them one by one through ``FieldWriter.add_postings`` and
``W3PostingsWriter.add_posting``: three Python calls, a tuple and a tuple
comparison per posting. That was about two thirds of the writer's time.

Within one segment writer documents get increasing numbers, so every term's
postings already arrive in document order: :class:`TermPool` (:mod:`.term_pool`)
files them under their field and term as they come (no per-posting tuple, no global sort),
and :func:`write_postings` hands each term's postings to Whoosh's W3 postings
writer a whole block at a time: the block's ids, weights and values are set
as arrays, and Whoosh's own ``_write_block`` / ``finish_term`` pickle,
compress and index them. The segment files are byte for byte those Whoosh's
writer makes (``tests/test_segment_writer.py`` checks that, and that Whoosh's
reader reads every posting back), so the format, the reader, the signature and
the crash handling are untouched.

A plain segment writer also gets a leaner ``add_document`` (:mod:`.doc_writer`):
text fields' postings in one pass over the analyzer's tokens, a field's postings
repeated while its value repeats (an article's title, source, period and id on each of
its paragraphs), lengths and stored values straight to Whoosh's per-document writer.

:func:`install` switches a writer over; ``NEWSINDEX_FAST_POSTINGS=0`` in the
environment turns it off (Whoosh's own path, for comparison).
"""

from __future__ import annotations

import os
from array import array
from collections.abc import Callable, Sequence
from itertools import pairwise
from typing import Any

from whoosh.multiproc import MpWriter
from whoosh.reading import SegmentReader
from whoosh.writing import SegmentWriter

from .block_codec import distinct, write_terms
from .doc_writer import _word_values, fast_add_document
from .merging import MergedSegment, copy_documents, merged_field_names, merged_terms, opened
from .schema import BODY
from .term_pool import Postings, TermPool
from .vocabulary import SegmentVocabulary, write_vocabulary

__all__ = ["ENV_SWITCH", "TermPool", "enabled", "install", "write_postings"]

_ = _word_values  # re-exported: tests and benchmarks measure it here

ENV_SWITCH = "NEWSINDEX_FAST_POSTINGS"

_Postings = Postings


def enabled() -> bool:
    """The fast postings path is on (the default; ``NEWSINDEX_FAST_POSTINGS=0`` turns it off)."""
    return os.environ.get(ENV_SWITCH, "1").strip().lower() not in {"0", "false", "no", "off"}


def _in_order(postings: _Postings) -> _Postings:
    """The postings sorted as Whoosh's pool sorts them, if they are not already in document order."""
    docs = postings[0]
    if len(docs) < 2 or all(a < b for a, b in pairwise(docs)):
        return postings
    rows = sorted(zip(*postings, strict=True))
    return [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]


def _length_table(lengths: Any, fieldname: str, doc_count: int) -> list[int]:
    """Every document's length in ``fieldname`` (0: none), as ``FieldWriter.add_postings`` reads it."""
    if not lengths:
        return [0] * doc_count
    reader = getattr(lengths, "doc_field_length_reader", None)
    if reader is not None:
        get: Callable[[int], int | None] = reader(fieldname)
    else:

        def get(docnum: int) -> int | None:
            return lengths.doc_field_length(docnum, fieldname)  # type: ignore[no-any-return]

    return [get(d) or 0 for d in range(doc_count)]


def _fill_block(
    writer: Any, docs: list[int], weights: list[float], values: list[bytes | None], lengths: list[int]
) -> None:
    """Put one block's postings in ``writer`` as ``add_posting`` one by one would have."""
    if len(docs) == 1:  # most terms of a segment occur once: no lists to build
        weight, value, length = weights[0], values[0], lengths[docs[0]]
        writer._ids = array("I", docs)
        writer._weights = array("f", weights)
        writer._values = [value] if value else []
        writer._maxweight = weight if weight > 0 else 0
        writer._minlength = length or None
        writer._maxlength = length or 0
        return
    writer._ids = array("I", docs)
    writer._weights = array("f", weights)
    writer._values = [v for v in values if v]
    top = max(weights)
    writer._maxweight = top if top > 0 else 0  # add_posting: first weight above the running max (from 0)
    known = [n for n in (lengths[d] for d in docs) if n]
    writer._minlength = min(known) if known else None
    writer._maxlength = max(known) if known else 0


def write_postings(
    fieldwriter: Any,
    schema: Any,
    lengths: Any,
    pool: TermPool,
    doc_count: int,
    merged: Sequence[MergedSegment] = (),
    writer: Any = None,
) -> SegmentVocabulary:
    """Write ``pool``'s postings through ``fieldwriter`` (a W3 field writer), a block at a time.

    The same calls ``FieldWriter.add_postings`` makes, except that a term's
    postings go into the postings writer as whole blocks instead of one
    ``add_posting`` each; the block boundaries are the same (``blocklimit``).
    With ``merged`` segments (see :mod:`.merging`), their postings are read and
    written a stretch of terms at a time beside the pool's.
    Returns the ``body`` field's vocabulary (its terms in order, with their document
    frequencies): what :meth:`SegmentVocabulary.from_reader` would read back.
    """
    if merged:
        return _write_merged(fieldwriter, schema, lengths, pool, doc_count, list(merged), writer)
    vocabulary = SegmentVocabulary([], array("I"))
    for fieldname, terms in pool.sorted_fields():
        if fieldname == BODY:
            vocabulary = SegmentVocabulary(
                [tbytes.decode("utf-8") for tbytes, _ in terms], array("I", [len(p[0]) for _, p in terms])
            )
        fieldwriter.start_field(fieldname, schema[fieldname])
        table = _length_table(lengths, fieldname, doc_count) if terms else []
        ordered = terms if pool.ordered else [(tbytes, _in_order(postings)) for tbytes, postings in terms]
        size = schema[fieldname].format.fixed_value_size() if fieldname in pool.shared else 0
        if size is None or size < 0:  # values pickled as a tuple: no object twice (see distinct)
            for _, (_, _, values) in ordered:
                if len(values) > 1:
                    unique = distinct(values)
                    if unique is not values:
                        values[:] = unique
        _write_terms(fieldwriter, ordered, table)
        fieldwriter.finish_field()
    return vocabulary


# Postings of merged segments held at once before they are written (about 130 bytes each).
_MERGE_STRETCH = 200_000


def _write_merged(
    fieldwriter: Any,
    schema: Any,
    lengths: Any,
    pool: TermPool,
    doc_count: int,
    merged: list[MergedSegment],
    writer: Any,
) -> SegmentVocabulary:
    """:func:`write_postings` with merged segments: field by field, term by term."""
    pool.settle()
    with opened(writer, merged) as readers:
        names = {n for n, terms in pool.fields.items() if terms} | merged_field_names(schema, readers)
        body_terms: list[str] = []
        body_counts = array("I")
        for fieldname in sorted(names | pool._spelling):
            started = False
            if fieldname in pool._spelling:
                fieldwriter.start_field(fieldname, schema[fieldname])
                started = True
            table: list[int] = []
            variable = schema[fieldname].format.fixed_value_size()
            variable = variable is None or variable < 0
            stretch: list[tuple[bytes, _Postings]] = []
            held = 0
            for tbytes, postings in merged_terms(schema, fieldname, pool, merged, readers):
                if not started:
                    fieldwriter.start_field(fieldname, schema[fieldname])
                    table = _length_table(lengths, fieldname, doc_count)
                    started = True
                postings = _in_order(postings)
                if variable and len(postings[2]) > 1:
                    postings = (postings[0], postings[1], distinct(postings[2]))
                if fieldname == BODY:
                    body_terms.append(tbytes.decode("utf-8"))
                    body_counts.append(len(postings[0]))
                stretch.append((tbytes, postings))
                held += len(postings[0])
                if held >= _MERGE_STRETCH:
                    _write_terms(fieldwriter, stretch, table)
                    stretch, held = [], 0
            if stretch:
                _write_terms(fieldwriter, stretch, table)
            if started:
                fieldwriter.finish_field()
    return SegmentVocabulary(body_terms, body_counts)


def _write_terms(fieldwriter: Any, terms: list[tuple[bytes, _Postings]], table: list[int]) -> None:
    """Write a started field's ``terms`` (in byte order, each in document order)."""
    if write_terms(fieldwriter, terms, table):  # the same bytes, without Whoosh's per-term objects
        return
    postwriter = fieldwriter._postwriter
    limit = postwriter._blocklimit
    for tbytes, (docs, weights, values) in terms:
        fieldwriter.start_term(tbytes)
        n = len(docs)
        for start in range(0, n, limit):
            end = min(start + limit, n)
            _fill_block(postwriter, docs[start:end], weights[start:end], values[start:end], table)
            if end < n:
                postwriter._write_block()
        fieldwriter.finish_term()  # writes the last block (or inlines a short list) and the term info


def install(writer: Any) -> bool:
    """Switch a fresh Whoosh ``SegmentWriter`` (or a worker's) to :class:`TermPool` and
    :func:`write_postings`.

    Does nothing (returns ``False``) when switched off, for other writer types or
    codecs, or once the writer's pool holds postings.
    """
    if not enabled() or not isinstance(writer, SegmentWriter) or isinstance(writer.pool, TermPool):
        return False
    if isinstance(writer, MpWriter) and not writer.multisegment:
        return False  # it merges its workers' pool files, which a TermPool does not make
    fieldwriter = writer.fieldwriter
    if type(fieldwriter).__name__ != "W3FieldWriter" or writer.docbase != 0:
        return False
    if writer.pool.current or writer.pool.runs:
        return False
    writer.pool.cleanup()
    pool = writer.pool = TermPool()
    written: dict[str, SegmentVocabulary] = {}
    merged: list[MergedSegment] = []
    whoosh_add_reader = writer.add_reader

    def add_reader(reader: Any) -> None:
        # SegmentWriter.add_reader, the postings left in the segment until they are written.
        if type(reader) is not SegmentReader or any(f.vector for f in writer.schema):
            whoosh_add_reader(reader)
            return
        writer._check_state()
        merged.append(copy_documents(writer, reader))
        writer._added = True

    def flush_segment() -> None:
        # SegmentWriter._flush_segment with write_postings in place of add_postings.
        writer.perdocwriter.close()
        pdr = writer.per_document_reader() if writer.codec.length_stats else None
        try:
            doc_count = writer.docnum  # document numbers run from docbase, which is 0
            written["vocabulary"] = write_postings(
                writer.fieldwriter, writer.schema, pdr, pool, doc_count, merged, writer
            )
            writer.fieldwriter.close()
        finally:
            if pdr:
                pdr.close()

    finalize_segment = writer._finalize_segment

    def finalize_and_write_vocabulary() -> Any:
        segment = finalize_segment()
        # The typo/prefix sidecar from what was just written: in a worker, in parallel with
        # the other workers, instead of by the committing process reading every new
        # segment's terms back while the workers wait (see vocabulary). After Whoosh
        # assembles the compound segment file, which would swallow it.
        vocabulary = written.pop("vocabulary", None)
        if vocabulary is not None:
            write_vocabulary(writer.storage, writer.newsegment, vocabulary)
        return segment

    writer.add_reader = add_reader
    writer._flush_segment = flush_segment
    writer._finalize_segment = finalize_and_write_vocabulary
    plain = type(writer) is SegmentWriter  # an MpWriter's add_document feeds its workers instead
    if plain and not any(f.separate_spelling() or f.vector for f in writer.schema):
        writer.add_document = fast_add_document(writer)
    return True
