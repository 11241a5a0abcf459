"""The fast segment writer's ``add_document``: a document's fields to postings, lengths and stored values.

Whoosh's ``SegmentWriter.add_document`` turns each field into postings through
``FieldType.index`` (a Whoosh token per term, the format's generic encoder), files
each posting as a tuple in its pool, and hands every field to the per-document
writer through ``add_field`` / ``add_column_value``. Here, for the same bytes:

* text fields' postings come in one pass over the analyzer's terms (:func:`_word_values`);
* postings go into the :class:`~.term_pool.TermPool` under their field and term;
* a field whose value repeats from the previous document (an article's title,
  source, period and id on each of its paragraphs) costs a comparison: the pool
  records a repeat of the earlier postings (:meth:`~.term_pool.TermPool.repeat`)
  and its field length is known;
* field lengths and stored values go straight to Whoosh 3's per-document writer's
  stored-fields dict and length columns (what ``add_field`` does, without its layers);
* a document's stored fields are pickled with protocol 4, not 2 (as the posting
  blocks are: see :func:`~.block_codec.unframed_pickle`): 1.8 µs instead of 4.7,
  about 12 % less to compress, and about 60 bytes less per paragraph on disk.

``tests/test_segment_writer.py`` and ``tests/test_doc_writer.py`` hold the segment
files to Whoosh's own writer's, byte for byte (Whoosh's pickling of blocks and
stored fields replaced by newsindex's).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3PerDocWriter
from whoosh.columns import CompressedBytesColumn, PickleColumn
from whoosh.fields import FieldType
from whoosh.formats import Characters, Frequency, Positions
from whoosh.system import pack_uint
from whoosh.util.numeric import length_to_byte

from ..analysis.whoosh_analyzer import GermanAnalyzer
from .block_codec import encode_characters, encode_positions, unframed_pickle
from .term_pool import Repeat, TermPool

__all__ = ["fast_add_document", "stored_fields_writer"]

# One posting of a field's value: term bytes, frequency, weight, encoded value.
_Item = tuple[bytes, int, float, Any]


def _word_values(field: Any, value: str) -> list[_Item]:
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
        enc = encode_characters if kind is Characters else encode_positions
        return [(w.encode("utf-8"), len(p), weights[w] * boost, enc(fmt, p)) for w, p in seen.items()]
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
    enc = encode_characters if chars else encode_positions
    return [(w.encode("utf-8"), len(p), weights[w] * boost, enc(fmt, p)) for w, p in seen.items()]


def stored_fields_writer(perdocwriter: Any) -> Callable[[], None]:
    """``perdocwriter.finish_doc`` for Whoosh 3's per-document writer, with the document's
    stored fields pickled by protocol 4 (:func:`~.block_codec.unframed_pickle`) and handed
    to the inner, compressing writer of Whoosh's pickling column; any other writer's own."""
    pickling: Any = getattr(perdocwriter, "_colwriters", {}).get("_stored")
    if (
        type(perdocwriter) is not W3PerDocWriter
        or type(pickling) is not PickleColumn.Writer
        or type(pickling._child) is not CompressedBytesColumn.Writer
    ):
        return perdocwriter.finish_doc  # type: ignore[no-any-return]
    column = pickling._child

    def finish_doc() -> None:
        stored = perdocwriter._storedfields
        if stored:
            column.add(perdocwriter._docnum, unframed_pickle(stored))
            stored.clear()
        perdocwriter._indoc = False

    return finish_doc


class _Last:
    """A field's value in the latest document that had it, its postings and length, and
    the repeat (if any) that its later documents extend."""

    __slots__ = ("boost", "items", "length", "repeat", "value")

    def __init__(self, value: str, items: list[_Item], length: int, boost: float) -> None:
        self.value = value
        self.items = items
        self.length = length
        self.boost = boost
        self.repeat: Repeat | None = None


def fast_add_document(writer: Any) -> Callable[..., None]:
    """Whoosh's ``SegmentWriter.add_document`` (3.x) for ``writer`` (whose pool is a
    :class:`TermPool`): the same segment bytes, less Python per document."""
    pool: TermPool = writer.pool
    last: dict[str, _Last] = {}
    perdocwriter = writer.perdocwriter
    schema = writer.schema
    # Whoosh 3's per-document writer, fed directly (what add_field does); any other through add_field.
    direct = type(perdocwriter) is W3PerDocWriter
    colwriters: dict[str, Any] = perdocwriter._colwriters if direct else {}
    fieldlengths: dict[str, int] = perdocwriter._fieldlengths if direct else {}
    length_columns: dict[str, Any] = {}
    finish_doc = stored_fields_writer(perdocwriter)
    length_bytes: dict[int, int] = {}

    def add_length(fieldname: str, docnum: int, length: int) -> None:
        # W3PerDocWriter.add_field's length half: the length byte in the field's column, and the total.
        lb = length_bytes.get(length)
        if lb is None:
            lb = length_bytes[length] = length_to_byte(length)
        column = length_columns.get(fieldname)
        if column is None:
            name = f"_{fieldname}_len"
            if name not in colwriters:
                perdocwriter.add_column_value(name, LENGTHS_COLUMN, lb)  # creates the column
                fieldlengths[fieldname] += length
                length_columns[fieldname] = colwriters[name]
                return
            column = length_columns[fieldname] = colwriters[name]
        column.add(docnum, lb)
        fieldlengths[fieldname] += length

    def add_document(**fields: Any) -> None:
        writer._check_state()
        docnum = writer.docnum
        docboost = writer._doc_boost(fields)
        fieldnames = sorted([name for name in fields if not name.startswith("_")])
        writer._check_fields(schema, fieldnames)
        perdocwriter.start_doc(docnum)
        stored: dict[str, Any] = perdocwriter._storedfields if direct else {}
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
                    if (
                        previous is not None
                        and previous.value == value
                        and type(previous.value) is type(value)
                        and previous.boost == fieldboost
                    ):
                        repeat = previous.repeat
                        if repeat is not None and repeat.end == docnum:
                            repeat.end = docnum + 1
                        else:
                            if repeat is not None:
                                pool.settle_one(repeat)  # one pending repeat per field, in order
                            previous.repeat = pool.repeat(fieldname, previous.items, fieldboost, docnum)
                        length = previous.length
                    else:
                        if previous is not None and previous.repeat is not None:
                            pool.settle_one(previous.repeat)  # its documents come before this one
                            previous.repeat = None
                        if isinstance(value, str):
                            items = _word_values(field, value)
                        else:
                            items = list(field.index(value))
                        terms = pool.terms_of(fieldname)
                        added = False
                        for tbytes, freq, weight, vbytes in items:
                            length += freq
                            # TermPool.add, inline: this runs once per posting
                            postings = terms.get(tbytes)
                            if postings is None:
                                terms[tbytes] = ([docnum], [weight * fieldboost], [vbytes])
                                added = True
                            else:
                                postings[0].append(docnum)
                                postings[1].append(weight * fieldboost)
                                postings[2].append(vbytes)
                        if added:
                            pool.fieldnames.add(fieldname)
                        if not field.scorable:
                            length = 0
                        if isinstance(value, str):
                            last[fieldname] = _Last(value, items, length, fieldboost)
                customval = fields.get(f"_stored_{fieldname}", value)
                sv = customval if field.stored else None
                if direct:
                    if sv is not None:
                        stored[fieldname] = sv
                    if length:
                        add_length(fieldname, docnum, length)
                else:
                    perdocwriter.add_field(fieldname, field, sv, length)
                column = field.column_type
                if column and customval is not None:
                    perdocwriter.add_column_value(fieldname, column, field.to_column_value(customval))
        except ValueError:
            perdocwriter.cancel_doc()
            raise
        finish_doc()
        writer._added = True
        writer.docnum += 1

    return add_document
