"""A faster postings path for Whoosh's segment writer, writing the very same bytes.

Whoosh collects every posting of a segment as a tuple ``(field, term, docnum,
weight, value)`` in a sorting pool, sorts them all at commit, and then feeds
them one by one through ``FieldWriter.add_postings`` and
``W3PostingsWriter.add_posting``: three Python calls, a tuple and a tuple
comparison per posting. That was about two thirds of the writer's time.

Within one segment writer documents get increasing numbers, so every term's
postings already arrive in document order: :class:`TermPool` files them under
their ``(field, term)`` as they come (no per-posting tuple, no global sort),
and :func:`write_postings` hands each term's postings to Whoosh's W3 postings
writer a whole block at a time: the block's ids, weights and values are set
as arrays, and Whoosh's own ``_write_block`` / ``finish_term`` pickle,
compress and index them. The segment files are byte for byte those Whoosh's
writer makes (``tests/test_segment_writer.py`` checks that, and that Whoosh's
reader reads every posting back), so the format, the reader, the signature and
the crash handling are untouched.

A plain segment writer also gets a leaner ``add_document`` (:func:`_fast_add_document`):
text fields' postings in one pass over the analyzer's tokens, and a field's postings
reused while its value repeats (an article's title, source, period and id on each of its
paragraphs).

:func:`install` switches a writer over; ``NEWSINDEX_FAST_POSTINGS=0`` in the
environment turns it off (Whoosh's own path, for comparison).
"""

from __future__ import annotations

import os
from array import array
from collections.abc import Callable
from functools import partial
from itertools import pairwise
from typing import Any

from whoosh.fields import FieldType
from whoosh.formats import Characters, Frequency, Positions
from whoosh.multiproc import MpWriter
from whoosh.system import pack_uint
from whoosh.writing import SegmentWriter

from ..analysis.whoosh_analyzer import GermanAnalyzer
from .block_codec import encode_characters, encode_positions, write_terms
from .schema import BODY
from .vocabulary import SegmentVocabulary, write_vocabulary

__all__ = ["ENV_SWITCH", "TermPool", "enabled", "install", "write_postings"]

ENV_SWITCH = "NEWSINDEX_FAST_POSTINGS"

# One term's postings: document numbers, weights, encoded values (each in document order).
_Postings = tuple[list[int], list[float], list[bytes | None]]


def enabled() -> bool:
    """The fast postings path is on (the default; ``NEWSINDEX_FAST_POSTINGS=0`` turns it off)."""
    return os.environ.get(ENV_SWITCH, "1").strip().lower() not in {"0", "false", "no", "off"}


class TermPool:
    """Stands in for Whoosh's ``PostingPool`` in a segment writer: postings grouped by term.

    Implements what a segment writer (and a multi-segment worker) asks of its
    pool: ``add``, ``fieldnames``, ``iter_postings``, ``cleanup``. Everything
    stays in memory, which at a batch's size (``DEFAULT_BATCH`` paragraphs) is
    less than Whoosh's pool holds before it spills: a posting costs three list
    slots here instead of a five-item tuple.
    """

    def __init__(self) -> None:
        self.terms: dict[tuple[str, bytes], _Postings] = {}
        self.fieldnames: set[str] = set()
        self.runs: list[str] = []  # Whoosh's pool API; never any files here
        self._spelling: set[str] = set()  # fields that got only spelling items (docnum -1)
        # Every term's postings are in increasing document order (so need no sort at commit):
        # cleared by ``add`` when one is not. ``_fast_add_document`` keeps it by construction
        # (increasing document numbers, one posting per term and document).
        self.ordered = True

    def add(self, item: tuple[str, bytes, int, float, bytes | None]) -> None:
        """File one posting ``(fieldname, term bytes, docnum, weight, value bytes)``."""
        fieldname, tbytes, docnum, weight, value = item
        if docnum == -1:  # a spelling word, which Whoosh's field writer skips too
            self._spelling.add(fieldname)
            self.fieldnames.add(fieldname)
            return
        postings = self.terms.get((fieldname, tbytes))
        if postings is None:
            self.fieldnames.add(fieldname)
            self.terms[(fieldname, tbytes)] = ([docnum], [weight], [value])
            return
        if postings[0][-1] >= docnum:
            self.ordered = False
        postings[0].append(docnum)
        postings[1].append(weight)
        postings[2].append(value)

    def iter_postings(self) -> Any:
        """Whoosh's sorted ``(field, term, docnum, weight, value)`` stream (for callers that want it)."""
        for (fieldname, tbytes), (docs, weights, values) in sorted(self.terms.items()):
            for posting in sorted(zip(docs, weights, values, strict=True)):
                yield (fieldname, tbytes, *posting)

    def save(self) -> None:
        """Nothing to save: the pool never spills to disk."""

    def cleanup(self) -> None:
        """Drop the postings."""
        self.terms = {}

    def sorted_fields(self) -> list[tuple[str, list[tuple[bytes, _Postings]]]]:
        """Fields in name order, each with its terms in byte order (Whoosh's order)."""
        fields: dict[str, list[tuple[bytes, _Postings]]] = {name: [] for name in self._spelling}
        for (fieldname, tbytes), postings in self.terms.items():
            fields.setdefault(fieldname, []).append((tbytes, postings))
        out = []
        for fieldname in sorted(fields):
            terms = fields[fieldname]
            terms.sort(key=lambda t: t[0])
            out.append((fieldname, terms))
        return out


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
    fieldwriter: Any, schema: Any, lengths: Any, pool: TermPool, doc_count: int
) -> SegmentVocabulary:
    """Write ``pool``'s postings through ``fieldwriter`` (a W3 field writer), a block at a time.

    The same calls ``FieldWriter.add_postings`` makes, except that a term's
    postings go into the postings writer as whole blocks instead of one
    ``add_posting`` each; the block boundaries are the same (``blocklimit``).
    Returns the ``body`` field's vocabulary (its terms in order, with their document
    frequencies): what :meth:`SegmentVocabulary.from_reader` would read back.
    """
    vocabulary = SegmentVocabulary([], array("I"))
    for fieldname, terms in pool.sorted_fields():
        if fieldname == BODY:
            vocabulary = SegmentVocabulary(
                [tbytes.decode("utf-8") for tbytes, _ in terms], array("I", [len(p[0]) for _, p in terms])
            )
        fieldwriter.start_field(fieldname, schema[fieldname])
        table = _length_table(lengths, fieldname, doc_count) if terms else []
        ordered = terms if pool.ordered else [(tbytes, _in_order(postings)) for tbytes, postings in terms]
        if write_terms(fieldwriter, ordered, table):  # the same bytes, without Whoosh's per-term objects
            fieldwriter.finish_field()
            continue
        postwriter = fieldwriter._postwriter
        limit = postwriter._blocklimit
        for tbytes, (docs, weights, values) in ordered:
            fieldwriter.start_term(tbytes)
            n = len(docs)
            for start in range(0, n, limit):
                end = min(start + limit, n)
                _fill_block(postwriter, docs[start:end], weights[start:end], values[start:end], table)
                if end < n:
                    postwriter._write_block()
            fieldwriter.finish_term()  # writes the last block (or inlines a short list) and the term info
        fieldwriter.finish_field()
    return vocabulary


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

    def flush_segment() -> None:
        # SegmentWriter._flush_segment with write_postings in place of add_postings.
        writer.perdocwriter.close()
        pdr = writer.per_document_reader() if writer.codec.length_stats else None
        try:
            doc_count = writer.docnum  # document numbers run from docbase, which is 0
            written["vocabulary"] = write_postings(writer.fieldwriter, writer.schema, pdr, pool, doc_count)
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

    writer._flush_segment = flush_segment
    writer._finalize_segment = finalize_and_write_vocabulary
    plain = type(writer) is SegmentWriter  # an MpWriter's add_document feeds its workers instead
    if plain and not any(f.separate_spelling() or f.vector for f in writer.schema):
        writer.add_document = _fast_add_document(writer)
    return True


# -- documents: the postings of a document's fields ------------------------------------------
def _word_values(field: Any, value: str) -> list[tuple[bytes, int, float, bytes]]:
    """``list(field.index(value))`` for text fields, in one pass over the analyzer's tokens.

    Whoosh's ``Format.word_values`` for its ``Characters``, ``Positions`` and
    ``Frequency`` formats, without the generic layers around them; any other
    format goes through Whoosh. Same terms, order, weights and encoded values.
    """
    fmt = field.format
    kind = type(fmt)
    if kind not in (Characters, Positions, Frequency) or type(field).index is not FieldType.index:
        return list(field.index(value))
    boost = fmt.field_boost
    seen: dict[str, Any] = {}
    weights: dict[str, float] = {}
    analyzer = field.analyzer
    if type(analyzer) is GermanAnalyzer:
        # From the chain's rows straight to the postings: no Whoosh token per term.
        seen, weights = analyzer.index_terms(value, kind is not Frequency, kind is Characters)
        if kind is Frequency:
            return [(w.encode("utf-8"), n, weights[w] * boost, pack_uint(n)) for w, n in seen.items()]
        encode = _encoder(fmt)
        return [(w.encode("utf-8"), len(p), weights[w] * boost, encode(p)) for w, p in seen.items()]
    if kind is Frequency:
        for t in field.analyzer(value, mode="index", boosts=True):
            if t.stopped:
                continue
            text = t.text
            if text in seen:
                seen[text] += 1
                weights[text] += t.boost
            else:
                seen[text] = 1
                weights[text] = 0.0 + t.boost
        return [(w.encode("utf-8"), n, weights[w] * boost, pack_uint(n)) for w, n in seen.items()]
    chars = kind is Characters
    for t in field.analyzer(value, mode="index", positions=True, chars=chars, boosts=True):
        if t.stopped:
            continue
        text = t.text
        entry = (t.pos, t.startchar, t.endchar) if chars else t.pos
        if text in seen:
            seen[text].append(entry)
            weights[text] += t.boost
        else:
            seen[text] = [entry]
            weights[text] = 0.0 + t.boost
    encode = _encoder(fmt)
    return [(w.encode("utf-8"), len(p), weights[w] * boost, encode(p)) for w, p in seen.items()]


def _encoder(fmt: Any) -> Callable[[Any], bytes]:
    """``fmt.encode`` for a ``Characters`` or ``Positions`` format: the same bytes, written out
    (:mod:`.block_codec`) rather than pickled per posting."""
    return partial(encode_characters if type(fmt) is Characters else encode_positions, fmt)


def _fast_add_document(writer: Any) -> Callable[..., None]:
    """Whoosh's ``SegmentWriter.add_document`` (3.x), with :func:`_word_values`, and a field's
    postings reused while its value repeats: the article's title, source, period and id are the
    same for each of its paragraphs."""
    last: dict[str, tuple[Any, list[tuple[bytes, int, float, bytes]]]] = {}

    def add_document(**fields: Any) -> None:
        writer._check_state()
        perdocwriter = writer.perdocwriter
        schema = writer.schema
        docnum = writer.docnum
        pool = writer.pool
        terms, pooled_fields = pool.terms, pool.fieldnames
        docboost = writer._doc_boost(fields)
        fieldnames = sorted([name for name in fields if not name.startswith("_")])
        writer._check_fields(schema, fieldnames)
        perdocwriter.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value = fields.get(fieldname)
                if value is None:
                    continue
                field = schema[fieldname]
                length = 0
                if field.indexed:
                    fieldboost = writer._field_boost(fields, fieldname, docboost)
                    previous = last.get(fieldname)
                    if previous is not None and previous[0] == value and type(previous[0]) is type(value):
                        items = previous[1]
                    elif isinstance(value, str):
                        items = _word_values(field, value)
                        last[fieldname] = (value, items)
                    else:
                        items = list(field.index(value))
                    scorable = field.scorable
                    for tbytes, freq, weight, vbytes in items:
                        weight *= fieldboost
                        if scorable:
                            length += freq
                        # TermPool.add, inline: this runs once per posting
                        postings = terms.get((fieldname, tbytes))
                        if postings is None:
                            terms[(fieldname, tbytes)] = ([docnum], [weight], [vbytes])
                            pooled_fields.add(fieldname)
                        else:
                            postings[0].append(docnum)
                            postings[1].append(weight)
                            postings[2].append(vbytes)
                customval = fields.get(f"_stored_{fieldname}", value)
                sv = customval if field.stored else None
                perdocwriter.add_field(fieldname, field, sv, length)
                column = field.column_type
                if column and customval is not None:
                    perdocwriter.add_column_value(fieldname, column, field.to_column_value(customval))
        except ValueError:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        writer._added = True
        writer.docnum += 1

    return add_document
