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

:func:`lock_status` says whether a process holds the write lock, and which. A
killed writer leaves the *file* but never a held lock (the kernel releases a
``flock`` when the holder's last descriptor closes). The holder is found in the
kernel's own table (``/proc/locks`` on Linux), which cannot go stale the way a pid
file written by newsindex could; elsewhere it is reported as unknown.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..safe_text import terminal_safe
from .layout import INDEX_NAME, LOCK_SUFFIX

__all__ = [
    "IndexLock",
    "LockHolder",
    "LockStatus",
    "describe_holders",
    "holding_write_lock",
    "lock_file",
    "lock_holders",
    "lock_mode",
    "lock_status",
]

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


def lock_file(path: str | os.PathLike[str], indexname: str = INDEX_NAME) -> Path:
    """The file Whoosh locks while it writes the index at ``path``."""
    return Path(path) / f"{indexname}{LOCK_SUFFIX}"


# -- who holds it -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LockHolder:
    """A process holding an index's write lock."""

    pid: int
    command: str | None = None  # its command line, when readable
    this_process: bool = False
    user: str | None = None  # its user, when not this process's

    def describe(self) -> str:
        """``process 1234 (python -m newsindex index news/)`` or ``this process (…)``."""
        if self.this_process:
            return f"this process ({self.pid}: another thread, or another NewsIndex on the same folder)"
        text = f"process {self.pid} ({self.command})" if self.command else f"process {self.pid}"
        return f"{text} of user {self.user}" if self.user else text

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "pid": self.pid,
            "command": self.command,
            "this_process": self.this_process,
            "user": self.user,
        }


@dataclass(frozen=True, slots=True)
class LockStatus:
    """Whether the write lock of an index is held, and by whom (when that can be found)."""

    path: str
    lock_file_exists: bool
    held: bool
    holders: tuple[LockHolder, ...] = ()

    def describe(self) -> str:
        """One sentence for people."""
        if not self.held:
            if self.lock_file_exists:
                return "no process holds the write lock; the lock file is harmless"
            return "no process holds the write lock"
        return f"the write lock is held by {describe_holders(self.holders)}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "lock_file_exists": self.lock_file_exists,
            "held": self.held,
            "holders": [h.to_dict() for h in self.holders],
        }


def describe_holders(holders: Iterable[LockHolder]) -> str:
    """``process 1234 (…)``, several joined with "and", or a phrase for unknown holders."""
    names = [h.describe() for h in holders]
    if not names:
        return "another process or thread (its id could not be found on this system)"
    return " and ".join(names)


def _probe(lock: Path) -> bool:
    """``True`` if some open file description holds an exclusive ``flock`` on ``lock``.

    Takes the lock for an instant when it is free (a writer starting at that moment
    retries, as Whoosh's writers poll). Opens read-only, so it never creates the file.
    Someone who may not open the lock file (only the index's writers may; see
    above) asks the kernel's lock table instead (Linux).
    """
    import fcntl

    try:
        fd = os.open(lock, os.O_RDONLY)
    except FileNotFoundError:
        return False
    except PermissionError:
        return bool(_flock_pids(lock))
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
            return True
        raise
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def _alive(pid: int) -> bool:
    """A running process (zombies, which hold no files, count as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        if not Path("/proc/self").exists():  # no procfs: ask the kernel directly
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return False
            except PermissionError:
                return True
            return True
        return False
    return stat.rpartition(")")[2].split()[:1] != ["Z"]


def _command(pid: int) -> str | None:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    # Another process's words: escaped here, so no exception message carries raw control
    # sequences (the CLI escapes again at the terminal; a library caller may print it as is).
    text = terminal_safe(" ".join(part.decode("utf-8", "replace") for part in raw.split(b"\0") if part))
    return (text[:157] + "…") if len(text) > 160 else (text or None)


def _flock_pids(lock: Path) -> list[int]:
    """Processes the kernel lists as holding a lock on ``lock`` (Linux ``/proc/locks``)."""
    try:
        st = lock.stat()
        table = Path("/proc/locks").read_text()
    except OSError:
        return []
    pids: list[int] = []
    for line in table.splitlines():
        parts = line.split()
        if len(parts) < 6 or "->" in parts[1]:  # "->" marks a process waiting for the lock
            continue
        try:
            pid = int(parts[4])
            major, minor, inode = parts[5].split(":")
            same = (int(major, 16), int(minor, 16), int(inode)) == (
                os.major(st.st_dev),
                os.minor(st.st_dev),
                st.st_ino,
            )
        except ValueError:
            continue
        if same and pid > 0 and pid not in pids:
            pids.append(pid)
    return pids


def _pids_with_open(lock: Path) -> list[int]:
    """Processes with a descriptor open on ``lock`` (Linux; those this user may inspect)."""
    try:
        st = lock.stat()
        entries = list(Path("/proc").iterdir())
    except OSError:
        return []
    target = str(lock.resolve())
    pids: list[int] = []
    for entry in entries:
        if not entry.name.isdigit():
            continue
        try:
            fds = list((entry / "fd").iterdir())
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(fd) != target:
                    continue
                fst = fd.stat()
            except OSError:
                continue
            if (fst.st_dev, fst.st_ino) == (st.st_dev, st.st_ino):
                pids.append(int(entry.name))
                break
    return pids


def lock_holders(lock: Path) -> tuple[LockHolder, ...]:
    """The live processes holding ``lock``, as far as this system tells (empty if unknown).

    ``/proc/locks`` names the process that took the lock; when that one is gone
    while the lock is still held, processes it started inherited the descriptor,
    and they are found by their open files.
    """
    pids = [p for p in _flock_pids(lock) if _alive(p)]
    if not pids:
        pids = [p for p in _pids_with_open(lock) if _alive(p)]
    me = os.getpid()
    return tuple(
        LockHolder(pid=p, command=_command(p), this_process=p == me, user=_other_user(p)) for p in pids
    )


def _other_user(pid: int) -> str | None:
    """The name of the user running ``pid`` when it is not ours (a lock held by a stranger)."""
    try:
        uid = os.stat(f"/proc/{pid}").st_uid
    except OSError:
        return None
    if uid == os.geteuid():
        return None
    try:
        import pwd

        return pwd.getpwuid(uid).pw_name
    except (ImportError, KeyError):
        return str(uid)


def lock_status(path: str | os.PathLike[str]) -> LockStatus:
    """Whether a process holds the write lock of the index at ``path``, and which."""
    lock = lock_file(path)
    exists = lock.exists()
    held = exists and _probe(lock)
    return LockStatus(
        path=str(path), lock_file_exists=exists, held=held, holders=lock_holders(lock) if held else ()
    )


@contextlib.contextmanager
def holding_write_lock(path: Path) -> Iterator[bool]:
    """Hold the index's write lock (without waiting) for the block; yields ``False`` if busy.

    The same lock as the writers' (:class:`IndexLock`): a lock file it creates is
    as closed to readers as theirs.
    """
    lock = IndexLock(lock_file(path))
    if not lock.acquire():
        yield False
        return
    try:
        yield True
    finally:
        lock.release()
