"""Reading a segment's postings and field lengths as Whoosh stores them, in bulk.

Shared by the numpy scorer (:mod:`.term_scoring`) and the title terms' Whoosh
matcher (:mod:`.title_terms`), so both read the same numbers.
"""

from __future__ import annotations

from itertools import accumulate
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher
from whoosh.reading import IndexReader
from whoosh.util.numeric import byte_to_length

__all__ = ["decode_lengths", "lengths_at", "read_postings"]

# Whoosh stores a field's length per document as one byte; this decodes them all.
_LENGTH_OF_BYTE = np.array([0.0] + [float(byte_to_length(b)) for b in range(1, 256)], dtype=np.float64)


def decode_lengths(segment_reader: IndexReader, fieldname: str) -> np.ndarray:
    """Every document's length of ``fieldname`` in the segment, as BM25 reads it."""
    count = segment_reader.doc_count_all()
    codes = _length_codes(segment_reader, fieldname, count)
    if codes is None:
        return np.ones(count, dtype=np.float64)  # Whoosh's default length when a field has none
    lengths: np.ndarray = _LENGTH_OF_BYTE[codes]
    return lengths


def lengths_at(segment_reader: IndexReader, fieldname: str, docnums: np.ndarray) -> np.ndarray:
    """The lengths of ``fieldname`` of some of the segment's documents, as BM25 reads them
    (:func:`decode_lengths` of those only: no array of the whole segment's)."""
    codes = _length_codes(segment_reader, fieldname, segment_reader.doc_count_all())
    if codes is None:
        return np.ones(docnums.size, dtype=np.float64)
    lengths: np.ndarray = _LENGTH_OF_BYTE[codes[docnums]]
    return lengths


def _length_codes(segment_reader: IndexReader, fieldname: str, count: int) -> np.ndarray | None:
    """The segment's one-byte length codes of ``fieldname`` (``count`` of them), or ``None``."""
    perdoc = getattr(segment_reader, "_perdoc", None)
    column = perdoc._cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN) if perdoc is not None else None
    if column is None:
        return None
    raw: bytes | None = None
    try:  # one read of the one-byte-per-document column
        raw = column._dbfile.get(column._basepos, column._count * column._fixedlen)
    except AttributeError:
        raw = None
    codes = np.frombuffer(raw, dtype=np.uint8) if raw is not None else np.array(column.load(), dtype=np.uint8)
    if codes.size < count:  # Whoosh leaves trailing default (0) lengths unwritten
        codes = np.concatenate([codes, np.zeros(count - codes.size, dtype=np.uint8)])
    return codes[:count]


def read_postings(matcher: Any, values: list[Any] | None = None) -> tuple[list[int], list[float]]:
    """Document numbers and weights of a term's whole posting list; with ``values``, each
    posting's encoded value (what ``matcher.value()`` returns) is appended to it as well."""
    ids: list[int] = []
    weights: list[float] = []
    if type(matcher) is W3LeafMatcher and not matcher._byteids and (
        values is None or matcher._fixedsize is None or matcher._fixedsize < 0
    ):
        # Whoosh's block layout: (delta-coded ids, weights or None/one float, values);
        # values of a variable size (positions, characters) are stored as they are.
        m = matcher
        while True:
            if m._data is None:
                m._read_data()
            deltas, ws = m._data[0], m._data[1]
            ids.extend(accumulate(deltas))
            n = m._blocklength
            if ws is None:
                weights.extend([1.0] * n)
            elif isinstance(ws, float):
                weights.extend([ws] * n)
            else:
                weights.extend(ws)
            if values is not None:
                values.extend(m._data[2])
            if m._lastblock:
                break
            m._goto(m._nextoffset)
        return ids, weights
    m = matcher  # any other matcher, through Whoosh's public interface
    while m.is_active():
        ids.append(m.id())
        weights.append(m.weight())
        if values is not None:
            values.append(m.value())
        m.next()
    return ids, weights
