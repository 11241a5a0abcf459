"""The index's write lock: a ``flock`` that only the index's writers can take.

Whoosh's own lock opens ``paragraphs_WRITELOCK`` with the default mode (0644
under the usual umask) and ``flock``s it. ``flock`` needs no write access, so any
local user who could *read* the file could open it read-only, take the lock and
keep it for ever: every writer then failed with :class:`IndexLockedError`.

Why not ``fcntl``/OFD record locks, whose write locks need a writable
descriptor? Because a reader can still take a *read* lock (``F_RDLCK``) through
a read-only descriptor, and that blocks every writer just the same. What stops
a reader is not being able to open the file at all: the lock file is created
(and, when its owner next writes, narrowed to) mode 0600 — plus the group's or
others' read/write bits only when the index folder is writable by them too,
since those accounts can change the index anyway. The lock itself stays a
``flock`` (released by the kernel when its holder dies, never stale).

The lock file can change under a waiting writer (``--overwrite`` swaps in a new
index folder): after taking the lock, :class:`IndexLock` checks that the file it
holds is still the one at the path, and otherwise tries again.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path

__all__ = ["IndexLock", "lock_mode"]

_BUSY = (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK)


def lock_mode(folder: str | os.PathLike[str]) -> int:
    """The mode for the lock file of the index in ``folder``: 0600, plus the group's
    (others') read and write bits when the folder is writable by its group (others)."""
    mode = 0o600
    try:
        folder_mode = os.stat(folder).st_mode
    except OSError:
        return mode
    if folder_mode & stat.S_IWGRP:
        mode |= 0o060
    if folder_mode & stat.S_IWOTH:
        mode |= 0o006
    return mode


def _set_mode(fd: int, mode: int) -> None:
    """Give a lock file this user owns exactly ``mode``: narrower when an older newsindex
    (or Whoosh) made it readable by everyone, wider than the umask allows for a group's index."""
    st = os.fstat(fd)
    if st.st_uid == os.geteuid() and stat.S_IMODE(st.st_mode) != mode:
        with contextlib.suppress(OSError):
            os.fchmod(fd, mode)


def _same_file(fd: int, path: str) -> bool:
    try:
        now = os.stat(path)
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (held.st_dev, held.st_ino) == (now.st_dev, now.st_ino)


class IndexLock:
    """An exclusive ``flock`` on ``filename``, with Whoosh's lock interface
    (``acquire(blocking)``, ``release()``, ``fd``, ``filename``, ``locked``)."""

    def __init__(self, filename: str | os.PathLike[str]) -> None:
        self.filename = str(filename)
        self.fd: int | None = None
        self.locked = False

    def acquire(self, blocking: bool = False) -> bool:
        """Take the lock; ``False`` when another holds it (and ``blocking`` is false)."""
        import fcntl

        mode = lock_mode(Path(self.filename).parent)
        while True:
            # O_WRONLY: only those allowed to write the lock file may hold it (see the module).
            fd = os.open(self.filename, os.O_CREAT | os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0), mode)
            try:
                _set_mode(fd, mode)
                fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
            except OSError as exc:
                os.close(fd)
                if exc.errno in _BUSY:
                    return False
                raise
            except BaseException:
                os.close(fd)
                raise
            if _same_file(fd, self.filename):
                self.fd, self.locked = fd, True
                return True
            # The file was replaced (or removed) while we waited: that lock guards nothing now.
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def release(self) -> None:
        """Release the lock."""
        import fcntl

        if self.fd is None:
            raise RuntimeError("the lock was not acquired")
        try:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
        finally:
            os.close(self.fd)
            self.fd, self.locked = None, False

    def __del__(self) -> None:
        if getattr(self, "fd", None) is not None:
            with contextlib.suppress(Exception):
                self.release()
