"""Segment files read in place from a memory map, never copied into the process.

Whoosh maps a compound segment file (``CompoundStorage``) and hands each
sub-file out as ``BufferFile(memoryview_of_the_map)``; ``BufferFile`` wraps that
view in a ``BytesIO``, and ``BytesIO`` copies any buffer that is not ``bytes``.
So every reader that opens a segment (a searcher at its first search and after
every commit, one per thread; a writer's merge or article look-up) holds a
private copy of the segment's terms, postings and columns: the whole index, in
every searching process and thread.

Here the storage opens a compound file as a :class:`MappedCompoundFile`, and
Whoosh's compound storage, told not to map (``supports_mmap`` is off), asks it
for its sub-files through ``subset``: each is a :class:`MappedSubFile` over a
slice of one shared read-only map, read through a :class:`MappedView` that
keeps only a position. Pages come from the kernel's page cache, shared by all
threads and processes and dropped under memory pressure; nothing is copied
except the bytes a read returns. Every sub-file has its own position, so
threads reading their own readers never share one.
"""

from __future__ import annotations

import contextlib
import mmap
import sys
from collections.abc import Iterator
from typing import Any, BinaryIO, cast

from whoosh.filedb.structfile import BufferFile, StructFile

__all__ = ["MappedCompoundFile", "MappedSubFile", "MappedView", "map_compound"]

_PEEK = 512  # the most MappedView.peek returns


class MappedView:
    """A read-only binary file over a memoryview: reads slice it, nothing else is kept.

    The methods ``BytesIO`` offers a reader (``read``, ``readinto``, ``readline``,
    ``seek``, ``tell``, iteration), which is all Whoosh and ``pickle.load`` use.
    """

    __slots__ = ("_len", "_pos", "_view", "closed")

    def __init__(self, view: memoryview) -> None:
        self._view = view
        self._pos = 0
        self._len = len(view)
        self.closed = False

    def read(self, size: int | None = -1) -> bytes:
        """Up to ``size`` bytes from the position (all that is left when ``size`` is negative)."""
        pos = self._pos
        if size is None or size < 0:
            end = self._len
        else:
            end = pos + size
            if end > self._len:
                end = self._len
        if end <= pos:
            return b""
        self._pos = end
        return self._view[pos:end].tobytes()

    def peek(self, size: int = 1) -> bytes:
        """Bytes from the position on (at most ``size``, at least one unless at the end), not consumed.

        ``pickle.load`` reads ahead through it, one call instead of one per opcode:
        Whoosh unpickles a header at every postings block.
        """
        pos = self._pos
        # pickle asks for 128 KiB; a block header is ~100 bytes, and more is read when needed.
        return self._view[pos : pos + max(1, min(size, _PEEK))].tobytes() if pos < self._len else b""

    def readinto(self, buffer: Any) -> int:
        """Fill ``buffer`` from the position; the number of bytes read."""
        target = memoryview(buffer).cast("B")
        pos = self._pos
        n = max(0, min(len(target), self._len - pos))
        target[:n] = self._view[pos : pos + n]
        self._pos = pos + n
        return n

    def readline(self, size: int | None = -1) -> bytes:
        """Up to and including the next newline (or ``size`` bytes, or the end)."""
        pos = self._pos
        limit = self._len if size is None or size < 0 else min(pos + size, self._len)
        end = limit
        # Search in chunks: a line in these binary files is rare, so avoid one big copy.
        step = 4096
        start = pos
        while start < limit:
            chunk = self._view[start : min(start + step, limit)].tobytes()
            found = chunk.find(b"\n")
            if found >= 0:
                end = start + found + 1
                break
            start += step
        self._pos = max(pos, end)
        return self._view[pos:end].tobytes() if end > pos else b""

    def __iter__(self) -> Iterator[bytes]:
        while line := self.readline():
            yield line

    def seek(self, offset: int, whence: int = 0) -> int:
        """Move the position (``whence`` 0: from the start, 1: from here, 2: from the end)."""
        if whence == 0:
            pos = offset
        elif whence == 1:
            pos = self._pos + offset
        elif whence == 2:
            pos = self._len + offset
        else:
            raise ValueError(f"invalid whence ({whence})")
        if pos < 0:
            raise ValueError(f"negative seek position {pos}")
        self._pos = pos
        return pos

    def tell(self) -> int:
        """The position."""
        return self._pos

    def readable(self) -> bool:
        """Always: this is a reader."""
        return True

    def seekable(self) -> bool:
        """Always."""
        return True

    def writable(self) -> bool:
        """Never: segment files are immutable."""
        return False

    def write(self, data: Any) -> int:
        """Refused: segment files are immutable."""
        raise OSError("a mapped segment file is read-only")

    def flush(self) -> None:
        """Nothing to flush."""

    def close(self) -> None:
        """Forget the view (the sub-file releases it)."""
        self.closed = True


class MappedSubFile(BufferFile):  # type: ignore[misc]  # Whoosh is Any to mypy
    """Whoosh's ``BufferFile`` over a slice of a map, without its ``BytesIO`` copy."""

    def __init__(self, view: memoryview, name: str | None = None) -> None:
        # Not BufferFile.__init__: it would copy the view into a BytesIO.
        self._buf = view
        self._name = name
        reader = MappedView(view)
        self.file = cast(BinaryIO, reader)
        self.onclose = None
        self.is_real = False
        self.is_closed = False
        # The reader's own methods, not StructFile's that call them: one Python call
        # per read, as BytesIO's (C) reads cost behind StructFile's.
        self.read = reader.read
        self.seek = reader.seek
        self.tell = reader.tell

    def subset(self, position: int, length: int, name: str | None = None) -> MappedSubFile:
        """A part of this file, still in place (``BufferFile.subset`` copies it)."""
        view = self._buf
        if view is None:
            raise ValueError("the file is closed")
        return MappedSubFile(view[position : position + length], name=name or self._name)


class MappedCompoundFile(StructFile):  # type: ignore[misc]  # Whoosh is Any to mypy
    """A compound segment file read from a map: its directory, then its sub-files.

    Whoosh's ``CompoundStorage`` (given ``use_mmap=False``) reads the directory
    through this file and then asks ``subset(offset, length)`` for each sub-file.
    It holds no open file: the map keeps its own descriptor, one per segment.
    """

    def __init__(self, map_: mmap.mmap, name: str | None = None) -> None:
        view = memoryview(map_)
        super().__init__(cast(BinaryIO, MappedView(view)), name=name)
        self._map: mmap.mmap | None = map_
        self._view: memoryview | None = view

    def subset(self, offset: int, length: int, name: str | None = None) -> StructFile:
        """The sub-file at ``offset``, read in place."""
        view = self._view
        if view is None:
            raise ValueError(f"{self._name}: the compound file is closed")
        if offset < 0 or length < 0 or offset + length > len(view):
            raise ValueError(f"{self._name}: sub-file {name!r} ({offset}+{length}) lies beyond its end")
        return MappedSubFile(view[offset : offset + length], name=name or self._name)

    def close(self) -> None:
        """Let the map go (now, or when the last sub-file still open is closed or dropped)."""
        if self.is_closed:
            return
        super().close()
        view, self._view = self._view, None
        map_, self._map = self._map, None
        if view is not None:
            view.release()  # the sub-files' slices keep their own hold on the map
        if map_ is not None:
            with contextlib.suppress(BufferError):  # a sub-file is still open
                map_.close()


def map_compound(fileobj: BinaryIO, name: str) -> StructFile:
    """``fileobj`` (a compound segment file, opened for reading) as a :class:`MappedCompoundFile`.

    ``fileobj`` is closed once mapped. A plain ``StructFile`` over it when the
    file cannot be mapped (an empty file, no address space left, a file system
    without maps): its sub-files are then read with ``seek`` and ``read``, still
    without a copy.
    """
    try:
        size = fileobj.seek(0, 2)
        fileobj.seek(0)
        if 0 < size < sys.maxsize:
            map_ = mmap.mmap(fileobj.fileno(), 0, access=mmap.ACCESS_READ)
            fileobj.close()  # the map holds a descriptor of its own
            return MappedCompoundFile(map_, name=name)
    except (OSError, ValueError):
        fileobj.seek(0)
    return StructFile(fileobj, name=name)
