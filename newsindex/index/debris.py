"""Files a writer that did not finish leaves in an index folder: finding them, removing them,
and removing them at once when a write fails.

Debris: segment files no table of contents references, tables of contents older
than the newest, a table of contents or manifest or signature still being written
(never renamed into place) and the writers' temporary folder. Whatever the current
table of contents references is never debris. Judging needs the write lock: a
writer committing meanwhile would have its new segment called debris.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from whoosh.index import TOC
from whoosh.writing import SegmentWriter

from .layout import INDEX_NAME, MANIFEST, FilePatterns, file_patterns

__all__ = ["CleaningLock", "find_debris", "release_half_made", "remove_debris", "remove_unfinished"]

# Temporary names of files written through a rename (see ``signing.write_atomically``).
_TEMP_PREFIXES = (".manifest-", ".sig-")


def _is_debris(name: str, pats: FilePatterns, keep: set[str], latest: int) -> bool:
    """Whether the file ``name`` is debris, given the segments in use and the newest generation."""
    if name.startswith(_TEMP_PREFIXES) or pats.toc_temp.match(name):
        return True  # a manifest, signature or table of contents never renamed into place
    if m := pats.toc.match(name):
        return int(m.group(1)) < latest  # superseded (Whoosh deletes these after each commit)
    m = pats.segment.match(name)
    return m is not None and m.group(1) not in keep and name != MANIFEST


def find_debris(
    folder: str | os.PathLike[str], referenced: Iterable[str], indexname: str = INDEX_NAME
) -> list[str]:
    """Names in ``folder`` left by writers that did not finish, given the segment ids in use.

    ``referenced`` are the ids (``paragraphs_<id>``) of the segments the current
    table of contents lists. Debris: other segments' files, tables of contents
    older than the newest, a table of contents still being written (``.toc.<time>``),
    the writers' temporary folder (``paragraphs.tmp``) and half-written manifests
    and signatures (``.manifest-*``, ``.sig-*``). Only meaningful while no writer
    runs (hold the lock).
    """
    folder = Path(folder)
    keep = set(referenced)
    pats = file_patterns(indexname)
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    generations = [int(m.group(1)) for n in names if (m := pats.toc.match(n))]
    latest = max(generations, default=-1)
    out: list[str] = []
    for name in names:
        if name == f"{indexname}.tmp" and (folder / name).is_dir():
            out.append(name)
        elif (folder / name).is_dir():
            continue
        elif _is_debris(name, pats, keep, latest):
            out.append(name)
    return out


def remove_debris(
    folder: str | os.PathLike[str], referenced: Iterable[str], indexname: str = INDEX_NAME
) -> list[str]:
    """Delete :func:`find_debris`'s files (caller holds the write lock); returns what went.

    Best effort: a file that cannot be deleted (read-only folder) is left.
    """
    folder = Path(folder)
    removed: list[str] = []
    for name in find_debris(folder, referenced, indexname):
        target = folder / name
        try:
            if target.is_dir():
                shutil.rmtree(target)
            else:
                target.unlink()
        except OSError:
            continue
        removed.append(name)
    return removed


# -- a failed write cleans up before its lock goes -----------------------------------
def _starting_point(writer: SegmentWriter) -> tuple[int, frozenset[str]] | None:
    """The generation a writer's commit will replace and the segments it lists."""
    segments = getattr(writer, "segments", None)
    generation = getattr(writer, "generation", None)
    if segments is None or generation is None:
        return None
    return generation - 1, frozenset(s.segment_id() for s in segments)


def remove_unfinished(
    writer: SegmentWriter, folder: str, started_from: tuple[int, frozenset[str]] | None
) -> list[str]:
    """Delete what an uncommitted ``writer`` left in ``folder`` (it must hold the lock)."""
    if started_from is None:
        return []
    generation, referenced = started_from
    try:
        if TOC._latest_generation(writer.storage, writer.indexname) != generation:
            return []  # committed (Whoosh cleaned up itself), or not ours to judge
        return remove_debris(folder, referenced, writer.indexname)
    except Exception:
        return []


class CleaningLock:
    """A writer's lock that, released after a failed or cancelled write, first removes its files.

    Whoosh leaves an uncommitted segment's files (and a table of contents that
    was never renamed into place) in the folder; removing them needs the lock,
    so it happens just before the lock goes. After a successful commit there is
    nothing to do (Whoosh cleans up itself).
    """

    def __init__(self, inner: Any, writer: SegmentWriter, folder: str) -> None:
        self.inner = inner
        self.writer = writer
        self.folder = folder
        # Now, not at release: a commit appends its new segment to ``writer.segments``.
        self.started_from = _starting_point(writer)

    def __getattr__(self, name: str) -> Any:  # fd, locked, filename …
        return getattr(self.inner, name)

    def acquire(self, blocking: bool = False) -> bool:
        """Take the lock (Whoosh's interface)."""
        return bool(self.inner.acquire(blocking))

    def release(self) -> None:
        """Remove an unfinished write's files, then release the lock."""
        try:
            remove_unfinished(self.writer, self.folder, self.started_from)
        finally:
            self.inner.release()


def release_half_made(exc: BaseException, folder: str | None) -> None:
    """Release the lock of a writer whose constructor failed after taking it.

    Whoosh's ``SegmentWriter.__init__`` takes the lock, then creates files; when
    that fails (read-only folder, full disk) the half-made writer holds the lock
    until the garbage collector finds it, and the next write waits in vain.
    """
    tb = exc.__traceback__
    while tb is not None:
        writer = tb.tb_frame.f_locals.get("self")
        lock = getattr(writer, "writelock", None) if isinstance(writer, SegmentWriter) else None
        if writer is not None and lock is not None:
            if folder is not None:
                remove_unfinished(writer, folder, _starting_point(writer))
            with contextlib.suppress(Exception):
                writer._tempstorage.destroy()
            with contextlib.suppress(Exception):
                lock.release()
            writer.writelock = None
        tb = tb.tb_next
