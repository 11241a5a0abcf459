"""Errors raised by the index layer: defined in :mod:`newsindex.errors`, re-exported here."""

from __future__ import annotations

from ..errors import (
    IndexExistsError,
    IndexFormatError,
    IndexLockedError,
    IndexNotFoundError,
    IndexReplacedError,
    IndexWriteError,
    NewsIndexError,
)

__all__ = [
    "IndexExistsError",
    "IndexFormatError",
    "IndexLockedError",
    "IndexNotFoundError",
    "IndexReplacedError",
    "IndexWriteError",
    "NewsIndexError",
]
