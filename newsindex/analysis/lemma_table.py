"""simplemma's German dictionary as a memory-mapped hash table, built once per user.

simplemma ships its dictionaries lzma-compressed and front-coded; decoding the
German one (1.1 M word forms) into a dict takes about 1.7 s in every new process,
more than the rest of a one-off search. This module decodes it once, writes the
same word → lemma pairs into a file laid out for lookups in place, and later
processes map that file (a few milliseconds; the pages are shared by every
process, including the index writer's workers).

File layout (little-endian; ``n`` entries in ``b`` buckets, a power of two)::

    header   magic, format, n, b, size of records, identity digest
    buckets  uint32[b + 1] the entries of bucket crc32(key) mod b are the records
                           from byte buckets[i] to byte buckets[i + 1]
    records  per entry: key length, key (UTF-8), lemma length, lemma (UTF-8);
             a length is one byte, or 255 and four bytes for longer ones
    crc32    of everything before it

A lookup reads two neighbouring bucket offsets and the bucket's few records, which
lie side by side: about three memory accesses, as with a Python dict.

Guarantees: lookups give exactly simplemma's ``get`` (same keys, same values:
tested against the dictionary on real German text); the file is named after the
simplemma version and checked whole (size, header, checksum) when it is opened, so
a missing, truncated, corrupt or outdated file is rebuilt, never read; it is written
to a temporary file and renamed into place, so a concurrent process sees either no
file or a complete one. Where the cache folder is not writable the table is built
in memory for this process (as slow as before, never an error).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import logging
import mmap
import os
import struct
import sys
import tempfile
import threading
import zlib
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

__all__ = [
    "FORMAT",
    "LemmaTable",
    "build_table",
    "cache_dir",
    "german_lemmas",
    "german_table",
    "lemma_set_path",
    "open_table",
    "simplemma_rules",
    "table_path",
]

log = logging.getLogger(__name__)

FORMAT = 2
_MAGIC = b"NXLEMMA\0"
# magic, format, entries, buckets, records bytes, identity digest (16 bytes)
_HEADER = struct.Struct("<8sIQQQ16s")
_LONG = 255  # a length byte of 255: the length follows in four bytes
_U32 = 4

_crc32 = zlib.crc32  # a global, not an attribute lookup, in the hot path

# Gives the dictionary to build from: UTF-8 word → UTF-8 lemma.
Source = Callable[[], Mapping[bytes, bytes]]


class LemmaTable(Mapping[str, str]):
    """A read-only word → lemma mapping over a table built by :func:`build_table`.

    ``buffer`` is the whole file (a ``mmap`` or ``bytes``); it is validated first
    and :class:`ValueError` raised when it is not a complete table for ``identity``.
    """

    def __init__(self, buffer: Any, identity: str = "") -> None:
        n, buckets = _validate(buffer, identity)
        records_at = _HEADER.size + (buckets + 1) * _U32
        offsets: Any = memoryview(buffer)[_HEADER.size : records_at].cast("I")
        if sys.byteorder != "little":  # pragma: no cover - the file is little-endian everywhere
            offsets = array("I", offsets.tobytes())
            offsets.byteswap()
        self._buckets = offsets
        # Slices of the buffer itself are bytes (a memoryview's would be views).
        self._buffer = buffer
        self._at = records_at
        self._mask: int = buckets - 1
        self._n: int = n

    def get(self, key: str, default: Any = None) -> Any:
        """The lemma of ``key`` as written, or ``default``."""
        # The hot path of the analysis (the compound splitter asks for every suffix
        # of every new word, mostly unique strings): kept to a few operations.
        try:
            raw = key.encode()
        except UnicodeEncodeError:  # lone surrogates: never a dictionary word
            return default
        bucket = _crc32(raw) & self._mask
        buckets = self._buckets
        pos = buckets[bucket]
        end = buckets[bucket + 1]
        if pos == end:
            return default  # an empty bucket: most strings that are no word
        buf, at, size = self._buffer, self._at, len(raw)
        pos += at
        end += at
        while pos < end:
            key_len = buf[pos]  # lengths under 255 are read inline
            key_len, pos = (key_len, pos + 1) if key_len != _LONG else _length(buf, pos)
            lemma_at = pos + key_len
            lemma_len = buf[lemma_at]
            lemma_len, lemma_at = (lemma_len, lemma_at + 1) if lemma_len != _LONG else _length(buf, lemma_at)
            if key_len == size and buf[pos : pos + size] == raw:
                return buf[lemma_at : lemma_at + lemma_len].decode()
            pos = lemma_at + lemma_len
        return default

    def __getitem__(self, key: str) -> str:
        value: str | None = self.get(key)
        if value is None:
            raise KeyError(key)
        return value

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None

    def __iter__(self) -> Iterator[str]:
        buf, pos = self._buffer, self._at
        end = self._at + self._buckets[self._mask + 1]
        while pos < end:
            key_len, pos = _length(buf, pos)
            yield buf[pos : pos + key_len].decode()
            lemma_len, pos = _length(buf, pos + key_len)
            pos += lemma_len

    def __len__(self) -> int:
        return self._n


def _length(buf: Any, pos: int) -> tuple[int, int]:
    """The length stored at ``pos`` and where the bytes it measures begin."""
    length: int = buf[pos]
    if length != _LONG:
        return length, pos + 1
    return int.from_bytes(buf[pos + 1 : pos + 5], "little"), pos + 5


def _validate(buffer: Any, identity: str) -> tuple[int, int]:
    """(entries, buckets) of a whole, uncorrupted table for ``identity``, else
    :class:`ValueError`. Every view is released on the way out, so a refused
    ``mmap`` can be closed."""
    with memoryview(buffer) as view:
        if len(view) < _HEADER.size + _U32:
            raise ValueError("lemma table: too short")
        magic, fmt, n, buckets, records, digest = _HEADER.unpack_from(view, 0)
        if magic != _MAGIC or fmt != FORMAT:
            raise ValueError("lemma table: not a lemma table of this format")
        if digest != _digest(identity):
            raise ValueError("lemma table: built from another dictionary")
        if buckets == 0 or buckets & (buckets - 1):
            raise ValueError("lemma table: bad bucket count")
        if len(view) != _HEADER.size + (buckets + 1) * _U32 + records + _U32:
            raise ValueError("lemma table: truncated or oversized")
        body = len(view) - _U32
        (stored_crc,) = struct.unpack_from("<I", view, body)
        with view[:body] as content:
            if zlib.crc32(content) != stored_crc:
                raise ValueError("lemma table: checksum mismatch")
        (last,) = struct.unpack_from("<I", view, _HEADER.size + buckets * _U32)
        if last != records:
            raise ValueError("lemma table: bucket offsets do not match the records")
    return n, buckets


def _digest(identity: str) -> bytes:
    return hashlib.blake2b(identity.encode(), digest_size=16).digest()


def build_table(items: Iterable[tuple[str, str]], identity: str = "") -> bytes:
    """The table file's bytes for ``items`` (word, lemma); later duplicates of a word win."""
    return _build({k.encode(): v.encode() for k, v in items}, identity)


def _encode_length(length: int) -> bytes:
    return bytes((length,)) if length < _LONG else bytes((_LONG,)) + length.to_bytes(4, "little")


def _build(pairs: Mapping[bytes, bytes], identity: str) -> bytes:
    import numpy as np

    keys = list(pairs)
    n = len(keys)
    buckets = 1 << max(4, (2 * n).bit_length())  # about 2 buckets per word: short runs
    hashes = np.fromiter(map(zlib.crc32, keys), dtype=np.uint32, count=n) & np.uint32(buckets - 1)
    order = np.argsort(hashes, kind="stable")
    first_entry = np.searchsorted(hashes[order], np.arange(buckets + 1))
    ln = _encode_length
    ordered = [keys[i] for i in order.tolist()]
    records = [b"".join((ln(len(k)), k, ln(len(pairs[k])), pairs[k])) for k in ordered]
    entry_at = np.zeros(n + 1, dtype=np.uint64)
    np.cumsum(np.fromiter(map(len, records), dtype=np.uint64, count=n), out=entry_at[1:])
    if entry_at[-1] >= 1 << 32:  # pragma: no cover - a hundred times German's dictionary
        raise ValueError("lemma table: dictionary too large for 32-bit offsets")
    bucket_at = entry_at[first_entry].astype("<u4")
    blob = b"".join(records)
    header = _HEADER.pack(_MAGIC, FORMAT, n, buckets, len(blob), _digest(identity))
    body = b"".join([header, bucket_at.tobytes(), blob])
    return body + struct.pack("<I", zlib.crc32(body))


def cache_dir() -> Path:
    """Where tables live: ``$XDG_CACHE_HOME/newsindex`` (``~/.cache/newsindex``) on Linux."""
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("newsindex", appauthor=False))


def _map(path: Path, identity: str) -> LemmaTable:
    with path.open("rb") as f:
        size = os.fstat(f.fileno()).st_size
        if size == 0:
            raise ValueError("lemma table: empty file")
        mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    try:
        return LemmaTable(mapped, identity)
    except ValueError:
        mapped.close()
        raise


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)  # readers see no file or a whole one, never a part
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def open_table(path: Path, source: Source, identity: str) -> LemmaTable:
    """The table at ``path``, (re)built from ``source()`` when it is missing,
    incomplete, corrupt or of another ``identity``; in memory when ``path`` cannot
    be written."""
    try:
        return _map(path, identity)
    except FileNotFoundError:
        pass
    except (OSError, ValueError) as exc:
        log.info("rebuilding the lemma table %s: %s", path, exc)
    data = _build(source(), identity)
    try:
        _write_atomically(path, data)
        return _map(path, identity)
    except (OSError, ValueError) as exc:
        log.warning("lemma table not cached (%s): %s; using it from memory", path, exc)
        return LemmaTable(data, identity)


def _simplemma_version() -> str:
    return importlib.metadata.version("simplemma")


def table_path(lang: str = "de") -> Path:
    """The cache file for simplemma's ``lang`` dictionary (named after simplemma's version)."""
    return cache_dir() / f"lemmas-{lang}-simplemma-{_simplemma_version()}-f{FORMAT}.bin"


def lemma_set_path(lang: str = "de") -> Path:
    """The cache file of the set of lemmas of simplemma's ``lang`` dictionary."""
    return cache_dir() / f"lemma-set-{lang}-simplemma-{_simplemma_version()}-f{FORMAT}.bin"


def _lemma_set_pairs(table: LemmaTable) -> Mapping[bytes, bytes]:
    """Every lemma of ``table`` (its values), ß written ss, each mapped to the empty string."""
    buf, pos = table._buffer, table._at
    end = table._at + table._buckets[table._mask + 1]
    lemmas: dict[bytes, bytes] = {}
    sharp, ss = "ß".encode(), b"ss"
    while pos < end:
        key_len, pos = _length(buf, pos)
        lemma_len, pos = _length(buf, pos + key_len)
        lemmas[buf[pos : pos + lemma_len].replace(sharp, ss)] = b""
        pos += lemma_len
    return lemmas


def _simplemma_pairs(lang: str) -> Mapping[bytes, bytes]:
    """simplemma's dictionary as it stores it (bytes → bytes), decoded once more.

    Not through simplemma's shared factory, which would keep the decoded dict
    (about 150 MB) for the life of the process.
    """
    try:
        from simplemma.strategies.dictionaries.dictionary_factory import _load_dictionary_from_disk
    except ImportError:  # pragma: no cover - a simplemma without the private loader: public API
        from simplemma.strategies.dictionaries import DefaultDictionaryFactory

        mapping: Mapping[str, str] = DefaultDictionaryFactory(cache_max_size=1).get_dictionary(lang)
        return {k.encode(): v.encode() for k, v in mapping.items()}
    pairs: Mapping[bytes, bytes] = _load_dictionary_from_disk(lang)
    return pairs


_tables: dict[str, LemmaTable] = {}
_tables_lock = threading.Lock()


def german_table() -> LemmaTable:
    """simplemma's German dictionary, loaded once per process from the per-user cache."""
    table = _tables.get("de")
    if table is None:
        with _tables_lock:
            table = _tables.get("de")
            if table is None:
                identity = f"simplemma {_simplemma_version()} de"
                table = open_table(table_path("de"), lambda: _simplemma_pairs("de"), identity)
                _tables["de"] = table
    return table


def german_lemmas() -> LemmaTable:
    """Every lemma of :func:`german_table` (its values, not its keys), ß written ss, as a
    table mapping each to ``""``: a word that is not in it is the lemma of no dictionary
    form, so the compound splitter asks it once instead of probing a dozen plural forms
    of a string that no form can map back to. Built from the mapped dictionary once per
    user (a few seconds) and mapped like it."""
    table = _tables.get("de-lemmas")
    if table is None:
        words = german_table()
        with _tables_lock:
            table = _tables.get("de-lemmas")
            if table is None:
                identity = f"simplemma {_simplemma_version()} de lemmas (ss)"
                table = open_table(lemma_set_path("de"), lambda: _lemma_set_pairs(words), identity)
                _tables["de-lemmas"] = table
    return table


class _TableFactory:
    """A simplemma ``DictionaryFactory`` serving the mapped German table."""

    def get_dictionary(self, lang: str) -> Mapping[str, str]:
        if lang != "de":
            raise ValueError(f"only German is mapped, not {lang!r}")
        return german_table()


def simplemma_rules() -> Callable[[str], str]:
    """``simplemma.lemmatize(word, lang="de")`` reading the mapped table: the same
    strategies and fallback, without decoding simplemma's own copy of the dictionary."""
    from simplemma import Lemmatizer
    from simplemma.strategies import DefaultStrategy

    lemmatizer = Lemmatizer(lemmatization_strategy=DefaultStrategy(dictionary_factory=_TableFactory()))
    return lambda word: lemmatizer.lemmatize(word, "de")
