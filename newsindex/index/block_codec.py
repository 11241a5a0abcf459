"""Whoosh 3's posting blocks, term infos and position values, made without Whoosh's objects.

Whoosh writes a term through ``W3FieldWriter.start_term`` / ``finish_term``: a
``W3TermInfo``, a block buffer in the ``W3PostingsWriter``, two pickles per block,
``TermInfo.to_bytes`` and ``OrderedHashWriter.add``, a dozen Python calls per
term. Most terms of a segment have one block of a few postings (Zipf), so that
per-term Python was most of the writer's time. :func:`write_terms` computes the
same bytes directly (the block header, length, info and data pickles, the
compression rule, the term info, the terms-table entry) for a whole field.

:func:`encode_characters` and :func:`encode_positions` are ``Characters.encode``
and ``Positions.encode`` (a count and a protocol-2 pickle of the position deltas)
written out for the common small values instead of pickled per posting.

One thing differs from Whoosh's writer on purpose: a block's data (its document
numbers, weights and values) is pickled with protocol 4 (:func:`unframed_pickle`), not 2
(as are a document's stored fields, in :mod:`.doc_writer`).
Protocol 2 has no bytes opcode: it pickles every posting value as a call of
``_codecs.encode`` on a latin-1 string, which made nearly every block big enough
to be compressed and each value a function call to read. Protocol 4 writes bytes
as they are: on 5,000 adl paragraphs the blocks' data takes half the room on disk
(3.2 MB instead of 6.2), a third of the blocks are compressed instead of all of them,
writing them takes half the time and reading them a quarter. Whoosh's reader
unpickles whatever protocol it finds.

Everything else here must give exactly Whoosh's bytes: ``tests/test_segment_writer.py``
holds it to Whoosh's writer (the oracle), byte for byte, with the oracle's block data
and stored fields pickled by :func:`unframed_pickle` too.
"""

from __future__ import annotations

import zlib
from array import array
from hashlib import md5
from itertools import pairwise
from pickle import dumps
from struct import Struct
from struct import error as struct_error
from typing import Any

from whoosh.codec.whoosh3 import COMPRESSION_MIN_SIZE, WHOOSH3_HEADER_MAGIC, W3TermInfo
from whoosh.filedb.filetables import md5_hash
from whoosh.formats import Characters, Positions
from whoosh.system import pack_uint
from whoosh.util.numeric import length_to_byte

__all__ = [
    "PICKLE_PROTOCOL",
    "distinct",
    "encode_characters",
    "encode_positions",
    "unframed_pickle",
    "write_terms",
]

# One term's postings: document numbers, weights, encoded values (each in document order).
Postings = tuple[list[int], list[float], list[bytes | None]]

_TERMINFO = W3TermInfo._struct  # "!BfIBBfII": flags, weight, df, min/max length byte, max weight, ids
_EXTENT = Struct("!qi")  # pack_long(offset) + pack_int(length), as W3TermInfo.to_bytes appends them
_BLOCK_LENGTH = Struct("!i")
_INT32 = Struct("<i")
_ENTRY_LENGTHS = Struct("!ii")  # filetables' key and value lengths before each entry
_FIELD_ID = Struct("!H")
_FLUSH_AT = 1 << 20  # bytes buffered per file before a write

# Below this many positions a value is written out here; from it on Whoosh's
# encoder (the pickler batches list items by 1000, and memo ids pass 255).
_MAX_WRITTEN_OUT = 250


# -- values: Characters.encode / Positions.encode ------------------------------------------
_INTS: list[bytes] = []  # protocol-2 pickle of each int in 0..65535 (BININT1 / BININT2)


def _ints() -> list[bytes]:
    # Built on first use, not at import: the CLI's start-up does not pay for it.
    if not _INTS:
        _INTS.extend(b"K" + bytes((i,)) for i in range(256))
        _INTS.extend(b"M" + i.to_bytes(2, "little") for i in range(256, 65536))
    return _INTS


# A 3-tuple, then BINPUT of its memo id (the list is memo 0, the k-th tuple memo k).
_TUPLE_PUT = [b"\x87q" + bytes((k,)) for k in range(256)]
_LIST_HEAD = b"\x80\x02]q\x00"  # PROTO 2, EMPTY_LIST, BINPUT 0
_ONE_HEAD = pack_uint(1) + _LIST_HEAD
_CHARACTERS_ENCODE = Characters.encode
_POSITIONS_ENCODE = Positions.encode


def _wide(i: int) -> bytes:
    """The pickle of an int outside 0..65535: BININT (a signed 32-bit int); ``struct.error``
    beyond, where the caller takes Whoosh's encoder."""
    return b"J" + _INT32.pack(i)


def encode_characters(fmt: Any, poslist: list[tuple[int, int, int]]) -> bytes:
    """``Characters.encode(poslist)``'s bytes: the count, then a pickled list of
    ``(position delta, start delta, length)`` tuples."""
    n = len(poslist)
    ints = _INTS or _ints()
    if n == 1:
        pos, start, end = poslist[0]
        d = end - start
        if 0 <= pos < 65536 and 0 <= start < 65536 and 0 <= d < 65536:
            return b"".join((_ONE_HEAD, ints[pos], ints[start], ints[d], b"\x87q\x01a."))
    elif n >= _MAX_WRITTEN_OUT:
        return _CHARACTERS_ENCODE(fmt, poslist)  # type: ignore[no-any-return]
    # Compound parts sit on a position lane at 2**30: their deltas take four bytes.
    parts = [pack_uint(n), _LIST_HEAD, b"(" if n > 1 else b""]
    posbase = charbase = 0
    try:
        for k, (pos, start, end) in enumerate(poslist, 1):
            p, s, d = pos - posbase, start - charbase, end - start
            parts += (
                ints[p] if 0 <= p < 65536 else _wide(p),
                ints[s] if 0 <= s < 65536 else _wide(s),
                ints[d] if 0 <= d < 65536 else _wide(d),
                _TUPLE_PUT[k],
            )
            posbase = pos
            charbase = end
    except struct_error:
        return _CHARACTERS_ENCODE(fmt, poslist)  # type: ignore[no-any-return]
    parts.append(b"e." if n > 1 else b"a.")
    return b"".join(parts)


def encode_positions(fmt: Any, poslist: list[int]) -> bytes:
    """``Positions.encode(poslist)``'s bytes: the count, then a pickled list of position deltas."""
    n = len(poslist)
    ints = _INTS or _ints()
    if n == 1:
        pos = poslist[0]
        if 0 <= pos < 65536:
            return b"".join((_ONE_HEAD, ints[pos], b"a."))
    elif n >= _MAX_WRITTEN_OUT:
        return _POSITIONS_ENCODE(fmt, poslist)  # type: ignore[no-any-return]
    parts = [pack_uint(n), _LIST_HEAD, b"(" if n > 1 else b""]
    base = 0
    try:
        for pos in poslist:
            p = pos - base
            parts.append(ints[p] if 0 <= p < 65536 else _wide(p))
            base = pos
    except struct_error:
        return _POSITIONS_ENCODE(fmt, poslist)  # type: ignore[no-any-return]
    parts.append(b"e." if n > 1 else b"a.")
    return b"".join(parts)


# -- terms: blocks, term infos, terms-table entries ------------------------------------------
PICKLE_PROTOCOL = 4  # explicit, not pickle.DEFAULT_PROTOCOL: the format must not move with Python
_FRAMED = b"\x80\x04\x95"  # PROTO 4, then a FRAME opcode and its 8-byte length
_FRAME_END = len(_FRAMED) + 8


def unframed_pickle(obj: Any) -> bytes:
    """``obj`` pickled with protocol 4, without its first frame (Whoosh pickles its blocks
    and a document's stored fields with protocol 2; it reads any protocol).

    Protocol 4 writes bytes as bytes (protocol 2 writes them as a call of
    ``_codecs.encode`` on a latin-1 string: a block's posting values, a stored date).
    The pickler puts a protocol-4 pickle into frames (a 9-byte header each) so that a
    reader of a stream can fetch it in large pieces; a block or a document's stored
    fields is read whole, and a frame is optional (PEP 3154): the unpickler reads the
    opcodes the same without it. Nine bytes are a fifth of a small block's data."""
    pickled = dumps(obj, PICKLE_PROTOCOL)
    if pickled.startswith(_FRAMED):
        return pickled[:2] + pickled[_FRAME_END:]
    return pickled


def _mini_values(values: list[bytes | None], fixedsize: int | None) -> Any:
    """``W3PostingsWriter._mini_values`` over the block's non-empty values."""
    if fixedsize == 0:
        return None
    kept: list[bytes] = [v for v in values if v]
    if fixedsize is None or fixedsize < 0:
        return tuple(kept)
    return b"".join(kept)


def distinct(values: list[bytes | None]) -> list[bytes | None]:
    """``values`` with no non-empty object twice (a repeated one copied).

    A block's variable-size values are pickled as a tuple, and the pickler memoises
    objects by identity: a value object that occurs twice in a block is written once and
    then referred to. Whoosh's writer encodes every posting's value afresh, so it writes
    each out; postings reused by the fast writer (a field's value repeated from the
    previous document, a paragraph that repeats the one before) share their value
    objects, and go through this before they are written."""
    if len(values) < 2 or len({id(v) for v in values}) == len(values):
        return values
    seen: set[int] = set()
    out = []
    for v in values:
        if not v:
            pass
        elif id(v) in seen:
            v = bytes(memoryview(v))  # a new object with the same bytes
        else:
            seen.add(id(v))
        out.append(v)
    return out


def _block(
    docs: list[int],
    weights: list[float],
    values: list[bytes | None],
    lengths: list[int],
    fixedsize: int | None,
    compression: int,
    last: bool,
) -> tuple[bytes, float, Any, int | None, int]:
    """One block's bytes (length, info pickle, data pickle) as ``W3PostingsWriter._write_block``
    writes them (the data pickled by :func:`unframed_pickle`), and its statistics for the term
    info: the sum of its (single precision) weights, its maximum weight, minimum and maximum
    field length."""
    n = len(docs)
    w32 = array("f", weights)
    if n == 1:
        doc = docs[0]
        ids: tuple[int, ...] = (doc,)
        w = w32[0]
        wmini: Any = None if w == 1.0 else w
        top = weights[0]
        length = lengths[doc]
        minlength: int | None = length or None
        maxlength = length or 0
        wsum = 0 + w  # sum() over the block's array, from 0
    else:
        ids = (docs[0], *[b - a for a, b in pairwise(docs)])
        w = w32[0]
        if all(x == 1.0 for x in w32):
            wmini = None
        elif all(x == w for x in w32):
            wmini = w
        else:
            wmini = tuple(w32)
        top = max(weights)
        known = [m for m in (lengths[d] for d in docs) if m]
        minlength = min(known) if known else None
        maxlength = max(known) if known else 0
        wsum = sum(w32)
    maxweight: Any = top if top > 0 else 0  # add_posting: the first weight above the running max (from 0)
    if fixedsize == 0:
        vmini = None
    elif n == 1:
        value = values[0]
        variable = fixedsize is None or fixedsize < 0
        vmini = ((value,) if value else ()) if variable else (value or b"")
    else:
        vmini = _mini_values(values, fixedsize)
    databytes = unframed_pickle((ids, wmini, vmini))
    comp = compression if len(databytes) >= COMPRESSION_MIN_SIZE else 0
    if comp:
        databytes = zlib.compress(databytes, comp)
    infobytes = dumps((n, docs[-1], maxweight, comp, length_to_byte(minlength), length_to_byte(maxlength)), 2)
    size = len(infobytes) + len(databytes)
    head = _BLOCK_LENGTH.pack(-size if last else size)
    return head + infobytes + databytes, wsum, maxweight, minlength, maxlength


def write_terms(fieldwriter: Any, terms: list[tuple[bytes, Postings]], lengths: list[int]) -> bool:
    """Write a started field's ``terms`` (in byte order, each one's postings in document
    order) to ``fieldwriter``'s postings file and terms table, as ``start_term`` /
    ``add`` / ``finish_term`` per term would.

    Returns ``False`` without writing anything when this writer's settings are not the
    ones reproduced here (inlined postings lists, another hash function); the caller
    then takes Whoosh's path.
    """
    postwriter = fieldwriter._postwriter
    tindex = fieldwriter._tindex
    if postwriter._inlinelimit > 1 or postwriter._byteids or tindex.hashfn is not md5_hash:
        return False
    if not terms:
        return True
    limit = postwriter._blocklimit
    compression = postwriter._compression
    fixedsize = fieldwriter._format.fixed_value_size()
    fieldkey = _FIELD_ID.pack(fieldwriter._fieldid)
    first = fieldkey + terms[0][0]
    if first <= tindex.lastkey:
        raise ValueError(f"Keys must increase: {tindex.lastkey!r}..{first!r}")

    postfile = postwriter._postfile
    tfile = tindex.dbfile
    buckets = tindex.buckets
    positions: list[int] = []
    post_parts: list[bytes] = []
    table_parts: list[bytes] = []
    offset = postfile.tell()
    tpos = tfile.tell()
    buffered = 0
    pack_info = _TERMINFO.pack
    pack_extent = _EXTENT.pack
    pack_lengths = _ENTRY_LENGTHS.pack
    magic = WHOOSH3_HEADER_MAGIC
    for tbytes, (docs, weights, values) in terms:
        n = len(docs)
        if n <= limit:
            block, weight, maxweight, minlength, maxlength = _block(
                docs, weights, values, lengths, fixedsize, compression, True
            )
            size = 4 + len(block)
            post_parts += (magic, block)
        else:
            # W3TermInfo.add_block per block, in its order of operations.
            weight, minlength, maxlength, maxweight = 0, None, 0, 0
            size = 4
            post_parts.append(magic)
            for start in range(0, n, limit):
                end = min(start + limit, n)
                block, bsum, bmax, bmin, bmaxlen = _block(
                    docs[start:end],
                    weights[start:end],
                    values[start:end],
                    lengths,
                    fixedsize,
                    compression,
                    end == n,
                )
                weight += bsum
                minlength = bmin if minlength is None else min(minlength, bmin)  # type: ignore[type-var]
                maxlength = max(maxlength, bmaxlen)
                maxweight = max(maxweight, bmax)
                size += len(block)
                post_parts.append(block)
        info = pack_info(
            0,
            weight,
            n,
            0 if minlength is None else length_to_byte(minlength),
            length_to_byte(maxlength),
            maxweight,
            docs[0],
            docs[-1],
        ) + pack_extent(offset, size)
        offset += size
        key = fieldkey + tbytes
        entry = pack_lengths(len(key), len(info)) + key + info
        table_parts.append(entry)
        positions.append(tpos)
        h = int.from_bytes(md5(key, usedforsecurity=False).digest()[-4:], "big")
        buckets[h & 255].append((h, tpos))
        tpos += len(entry)
        buffered += size + len(entry)
        if buffered >= _FLUSH_AT:
            postfile.write(b"".join(post_parts))
            tfile.write(b"".join(table_parts))
            post_parts.clear()
            table_parts.clear()
            buffered = 0
    postfile.write(b"".join(post_parts))
    tfile.write(b"".join(table_parts))
    tindex.lastkey = fieldkey + terms[-1][0]
    index = tindex.index
    try:
        index.array.extend(array(index.array.typecode, positions))
    except (OverflowError, AttributeError, TypeError):
        index.extend(positions)  # GrowableArray widens its type as Whoosh's add would
    return True
