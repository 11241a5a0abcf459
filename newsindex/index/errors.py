"""Errors raised by the index layer (re-exported from ``newsindex``)."""

from __future__ import annotations

__all__ = ["IndexExistsError", "IndexLockedError", "IndexNotFoundError", "NewsIndexError"]


class NewsIndexError(Exception):
    """Base class of newsindex's index errors."""


class IndexExistsError(NewsIndexError):
    """``NewsIndex.create`` found an index where it should make a new one."""


class IndexNotFoundError(NewsIndexError):
    """``NewsIndex.open`` found no newsindex index at the path."""


class IndexLockedError(NewsIndexError):
    """Another writer (process or thread) held the index's write lock past the timeout."""
