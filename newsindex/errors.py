"""Every exception newsindex raises on purpose, under one base: :class:`NewsIndexError`.

``except NewsIndexError`` catches them all. Some also derive from the built-in
they used to be (``RuntimeError``, ``ValueError``, ``FileNotFoundError``), so
code that caught those keeps working.

This module imports nothing from newsindex: the bottom layers (ingest,
analysis, index) raise these, and their old homes re-export them, so
``from newsindex.index.errors import IndexLockedError`` still works.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "AnalysisMismatchError",
    "AnalysisUnavailableError",
    "BinaryFileError",
    "IndexExistsError",
    "IndexFormatError",
    "IndexLockedError",
    "IndexNotFoundError",
    "IndexReplacedError",
    "IndexWriteError",
    "IngestError",
    "InsecureKeyError",
    "NewsIndexError",
    "NotAFileError",
    "OverridesError",
    "RecordError",
    "SeedsNotFoundError",
    "ShardError",
    "UnpackLimitError",
    "UntrustedIndexError",
]


class NewsIndexError(Exception):
    """Base class of every error newsindex raises on purpose."""


# -- the index ---------------------------------------------------------------------
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


class ShardError(NewsIndexError):
    """A sharded index is incomplete or inconsistent (a shard missing, damaged or
    built with another analysis); the message names the shard."""


class UntrustedIndexError(NewsIndexError):
    """The index was not signed with this user's key (or changed since): opening
    it could run code stored in it. Open it with ``trust=True`` if you trust it."""


class InsecureKeyError(NewsIndexError):
    """The signing key file (or its folder) is open to every account: anyone could
    sign an index for you. The message says which ``chmod`` fixes it."""


# -- analysis ------------------------------------------------------------------------
class AnalysisUnavailableError(NewsIndexError, RuntimeError):
    """The analysis an index was built with cannot be reproduced on this machine."""


class AnalysisMismatchError(NewsIndexError, RuntimeError):
    """An index was built with a different analysis than the one requested or available."""


# -- reading files -------------------------------------------------------------------
class IngestError(NewsIndexError):
    """Raised in strict mode for the first problem met; carries it as ``problem``.

    ``problem`` is a :class:`newsindex.ingest.Problem` (typed loosely here so this
    module stays importable below ingest).
    """

    def __init__(self, problem: Any) -> None:
        super().__init__(str(problem))
        self.problem = problem


class BinaryFileError(NewsIndexError, ValueError):
    """The file is not text (NUL bytes, control bytes or no plausible encoding)."""


class RecordError(NewsIndexError, ValueError):
    """A JSON value that is not an article record; the message is the reason."""


class NotAFileError(NewsIndexError, OSError):
    """The path is a FIFO, socket or device: never read (``strerror`` says which)."""


class UnpackLimitError(NewsIndexError, ValueError):
    """A ``.gz`` file unpacks to more than it may (a "gzip bomb"); the message says how much."""


class OverridesError(NewsIndexError, ValueError):
    """The analysis override file cannot be read or has a malformed line (the message says which)."""


# -- the command line and the demo ---------------------------------------------------
class SeedsNotFoundError(NewsIndexError, FileNotFoundError):
    """The example corpus ``seeds/`` is neither in the working folder nor next to the package."""
