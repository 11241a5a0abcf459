"""Looking after an index: checking it, finding who holds its write lock, clearing what a
killed writer left.

The work is done in modules of their own, re-exported here:

* :mod:`.integrity`: :func:`check_index` (``newsindex check``) verifies every
  segment and stored paragraph.
* :mod:`.locking`: :func:`lock_status` says whether a process holds the write
  lock, and which (from the kernel's lock table, which cannot go stale).
* :mod:`.debris`: what a writer that did not finish leaves in the folder.

:func:`unlock_index` (``newsindex unlock``), here, refuses while a live process
holds the lock; otherwise it takes the lock itself and removes the debris: segment
files no table of contents references, half-written tables of contents, the
writer's temporary folder. Whatever the current table of contents references is
never touched.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .debris import find_debris, remove_debris
from .errors import IndexLockedError, IndexNotFoundError
from .integrity import CheckProblem, CheckReport, check_index, check_open_index
from .layout import LOCK_SUFFIX, looks_like_index
from .locking import (
    LockHolder,
    LockStatus,
    describe_holders,
    holding_write_lock,
    lock_file,
    lock_holders,
    lock_status,
)
from .storage import open_index

__all__ = [
    "LOCK_SUFFIX",
    "CheckProblem",
    "CheckReport",
    "LockHolder",
    "LockStatus",
    "UnlockReport",
    "check_index",
    "check_open_index",
    "describe_holders",
    "find_debris",
    "lock_file",
    "lock_holders",
    "lock_status",
    "remove_debris",
    "unlock_index",
]


@dataclass(slots=True)
class UnlockReport:
    """What :func:`unlock_index` found and did."""

    path: str
    lock_file_exists: bool
    removed: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        """One or two sentences for people."""
        lock = (
            "no process holds the write lock; the lock file is harmless"
            if self.lock_file_exists
            else "no process holds the write lock"
        )
        if not self.removed:
            return f"{lock}. Nothing to clean up."
        return (
            f"{lock}. Removed {len(self.removed)} file{'s' if len(self.removed) != 1 else ''} "
            f"left by a writer that did not finish: {', '.join(self.removed)}"
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"path": self.path, "lock_file_exists": self.lock_file_exists, "removed": list(self.removed)}


def unlock_index(path: str | os.PathLike[str]) -> UnlockReport:
    """Clear what a killed writer left at ``path``, if no live process holds the write lock.

    Raises :class:`IndexLockedError` naming the holder when the lock is held (a
    writer is running: stop it first), :class:`IndexNotFoundError` when there is
    no index. The lock *file* stays: it is Whoosh's, and harmless.
    """
    path = Path(path)
    if not path.is_dir() or not looks_like_index(path):
        raise IndexNotFoundError(f"no newsindex index at {path}")
    existed = lock_file(path).exists()
    ix, _ = open_index(path, allow_version_drift=True)  # also verifies the table of contents
    try:
        with holding_write_lock(path) as mine:
            if not mine:
                holders = lock_holders(lock_file(path))
                raise IndexLockedError(
                    f"the index at {path} is being written by {describe_holders(holders)}: "
                    "not unlocking (stop that process first; the lock goes when it exits)",
                    holders=tuple(h.pid for h in holders),
                )
            referenced = {s.segment_id() for s in ix._read_toc().segments}
            removed = remove_debris(path, referenced)
    finally:
        ix.close()
    return UnlockReport(path=str(path), lock_file_exists=existed, removed=removed)
