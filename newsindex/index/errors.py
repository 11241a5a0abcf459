"""Errors raised by the index layer (re-exported from ``newsindex``)."""

from __future__ import annotations

__all__ = [
    "IndexExistsError",
    "IndexFormatError",
    "IndexLockedError",
    "IndexNotFoundError",
    "IndexReplacedError",
    "IndexWriteError",
    "NewsIndexError",
]


class NewsIndexError(Exception):
    """Base class of newsindex's index errors."""


class IndexExistsError(NewsIndexError):
    """``NewsIndex.create`` found an index where it should make a new one."""


class IndexNotFoundError(NewsIndexError):
    """``NewsIndex.open`` found no newsindex index at the path."""


class IndexFormatError(IndexNotFoundError):
    """The index at the path was written by a newsindex with another index format: rebuild it.

    A kind of :class:`IndexNotFoundError` (there is no index this version can read),
    so code that catches that one keeps working.
    """


class IndexLockedError(NewsIndexError):
    """Another writer (process or thread) held the index's write lock past the timeout.

    ``holders`` are the ids of the processes holding the lock when they could be
    found (Linux: from ``/proc/locks``), else empty; the message names them.
    """

    def __init__(self, message: str, *, holders: tuple[int, ...] = ()) -> None:
        super().__init__(message)
        self.holders = holders


class IndexWriteError(NewsIndexError):
    """The operating system refused a write to the index (disk full, permission denied …).

    Nothing of the batch being written was committed: the index keeps its last
    committed state, the write lock is released and the files the failed commit
    had started are removed. ``path`` is the index folder, ``reason`` a short
    phrase ("disk full"), ``errno`` the operating system's error number.
    """

    def __init__(
        self, message: str, *, path: str | None = None, reason: str = "", errno: int | None = None
    ) -> None:
        super().__init__(message)
        self.path = path
        self.reason = reason
        self.errno = errno


class IndexReplacedError(IndexWriteError):
    """Another process replaced the index (``--overwrite``) while this one was writing it.

    Nothing more is written: the new index may use another analysis, and
    this writer's decisions were made on the old one.
    """
