"""simplemma's German dictionary as a memory-mapped hash table, built once per user.

simplemma ships its dictionaries lzma-compressed and front-coded; decoding the
German one (1.1 M word forms) into a dict takes about 1.7 s in every new process,
more than the rest of a one-off search. This module decodes it once, writes the
same word → lemma pairs into a file laid out for lookups in place, and later
processes map that file (a few milliseconds; the pages are shared by every
process, including the index writer's workers).

File layout (little-endian; ``n`` entries, ``m`` distinct lemmas, and a
power of two ``b`` of buckets)::

    header   magic, format, n, m, b, byte sizes, identity digest
    buckets  uint32[b + 1] entries of bucket crc32(key) mod b are buckets[i] .. buckets[i + 1] - 1
    key_off  uint32[n + 1] offsets of each key in ``keys``
    val_idx  uint32[n]     each entry's lemma number
    val_off  uint32[m + 1] offsets of each lemma in ``vals``
    keys     UTF-8 bytes
    vals     UTF-8 bytes
    crc32    of everything before it

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
import tempfile
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

__all__ = [
    "FORMAT",
    "LemmaTable",
    "build_table",
    "cache_dir",
    "german_table",
    "open_table",
    "simplemma_rules",
    "table_path",
]

log = logging.getLogger(__name__)

FORMAT = 1
_MAGIC = b"NXLEMMA\0"
# magic, format, n, m, slots, keys bytes, vals bytes, identity digest (16 bytes)
_HEADER = struct.Struct("<8sIQQQQQ16s")
_U32 = 4

# Gives the dictionary to build from: UTF-8 word → UTF-8 lemma.
Source = Callable[[], Mapping[bytes, bytes]]


class LemmaTable(Mapping[str, str]):
    """A read-only word → lemma mapping over a table built by :func:`build_table`.

    ``buffer`` is the whole file (a ``mmap`` or ``bytes``); it is validated first
    and :class:`ValueError` raised when it is not a complete table for ``identity``.
    """

    def __init__(self, buffer: Any, identity: str = "") -> None:
        n, buckets, sizes = _validate(buffer, identity)
        offsets = [_HEADER.size]
        for size in sizes:
            offsets.append(offsets[-1] + size)
        view = memoryview(buffer)
        arrays = [view[offsets[k] : offsets[k + 1]].cast("I") for k in range(4)]
        self._buckets, self._key_off, self._val_idx, self._val_off = arrays
        # Slices of the buffer itself are bytes (a memoryview's would be views).
        self._buffer = buffer
        self._keys_at = offsets[4]
        self._vals_at = offsets[5]
        self._mask: int = buckets - 1
        self._n: int = n

    def get(self, key: str, default: Any = None) -> Any:
        """The lemma of ``key`` as written, or ``default``."""
        try:
            raw = key.encode()
        except UnicodeEncodeError:  # lone surrogates: never a dictionary word
            return default
        bucket = zlib.crc32(raw) & self._mask
        key_off, buf, at = self._key_off, self._buffer, self._keys_at
        for entry in range(self._buckets[bucket], self._buckets[bucket + 1]):
            if buf[at + key_off[entry] : at + key_off[entry + 1]] == raw:
                v = self._val_idx[entry]
                vat = self._vals_at
                return buf[vat + self._val_off[v] : vat + self._val_off[v + 1]].decode()
        return default

    def __getitem__(self, key: str) -> str:
        value: str | None = self.get(key)
        if value is None:
            raise KeyError(key)
        return value

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None

    def __iter__(self) -> Iterator[str]:
        key_off, buf, at = self._key_off, self._buffer, self._keys_at
        for entry in range(self._n):
            yield buf[at + key_off[entry] : at + key_off[entry + 1]].decode()

    def __len__(self) -> int:
        return self._n


def _validate(buffer: Any, identity: str) -> tuple[int, int, tuple[int, ...]]:
    """(entries, buckets, section sizes) of a whole, uncorrupted table for ``identity``,
    else :class:`ValueError`. Every view is released on the way out, so a refused
    ``mmap`` can be closed."""
    with memoryview(buffer) as view:
        if len(view) < _HEADER.size + _U32:
            raise ValueError("lemma table: too short")
        magic, fmt, n, m, buckets, keys_len, vals_len, digest = _HEADER.unpack_from(view, 0)
        if magic != _MAGIC or fmt != FORMAT:
            raise ValueError("lemma table: not a lemma table of this format")
        if digest != _digest(identity):
            raise ValueError("lemma table: built from another dictionary")
        if buckets == 0 or buckets & (buckets - 1):
            raise ValueError("lemma table: bad bucket count")
        sizes = ((buckets + 1) * _U32, (n + 1) * _U32, n * _U32, (m + 1) * _U32, keys_len, vals_len)
        if len(view) != _HEADER.size + sum(sizes) + _U32:
            raise ValueError("lemma table: truncated or oversized")
        body = len(view) - _U32
        (stored_crc,) = struct.unpack_from("<I", view, body)
        with view[:body] as content:
            if zlib.crc32(content) != stored_crc:
                raise ValueError("lemma table: checksum mismatch")
    return n, buckets, sizes


def _digest(identity: str) -> bytes:
    return hashlib.blake2b(identity.encode(), digest_size=16).digest()


def build_table(items: Iterable[tuple[str, str]], identity: str = "") -> bytes:
    """The table file's bytes for ``items`` (word, lemma); later duplicates of a word win."""
    return _build({k.encode(): v.encode() for k, v in items}, identity)


def _build(pairs: Mapping[bytes, bytes], identity: str) -> bytes:
    import numpy as np

    keys = list(pairs)
    n = len(keys)
    buckets = 1 << max(4, (2 * n).bit_length())  # about 2 buckets per word: short runs
    hashes = np.fromiter(map(zlib.crc32, keys), dtype=np.uint32, count=n) & np.uint32(buckets - 1)
    order = np.argsort(hashes, kind="stable")
    starts = np.searchsorted(hashes[order], np.arange(buckets + 1)).astype("<u4")
    ordered = [keys[i] for i in order.tolist()]
    key_off = np.zeros(n + 1, dtype="<u4")
    np.cumsum(np.fromiter(map(len, ordered), dtype=np.uint32, count=n), out=key_off[1:])
    values = [pairs[k] for k in ordered]
    lemmas = list(dict.fromkeys(values))  # each lemma once (a third of the entries)
    numbers = {lemma: number for number, lemma in enumerate(lemmas)}
    val_idx = np.array([numbers[v] for v in values], dtype="<u4")
    val_off = np.zeros(len(lemmas) + 1, dtype="<u4")
    np.cumsum(np.fromiter(map(len, lemmas), dtype=np.uint32, count=len(lemmas)), out=val_off[1:])
    key_bytes, val_bytes = b"".join(ordered), b"".join(lemmas)
    if len(key_bytes) >= 1 << 32 or len(val_bytes) >= 1 << 32:  # pragma: no cover - 100x German
        raise ValueError("lemma table: dictionary too large for 32-bit offsets")
    header = _HEADER.pack(
        _MAGIC, FORMAT, n, len(lemmas), buckets, len(key_bytes), len(val_bytes), _digest(identity)
    )
    body = b"".join([header, starts.tobytes(), key_off.tobytes(), val_idx.tobytes(),
                     val_off.tobytes(), key_bytes, val_bytes])
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
