"""Finding input files: a stable, recursive order that stays inside the given folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from .problems import Problem, ProblemHandler

__all__ = ["iter_files"]


_OUTSIDE = "symlink to a place outside the folder; skipped (follow_symlinks=True / --follow-symlinks)"


def _inside(target: Path, root: Path) -> bool:
    return target == root or root in target.parents


def iter_files(
    path: str | os.PathLike[str],
    follow_symlinks: bool = False,
    *,
    on_problem: ProblemHandler | None = None,
) -> Iterator[Path]:
    """Files under ``path`` (or ``path`` itself), in sorted order, depth first.

    Hidden files and folders (``.git``, ``.DS_Store``…) are skipped. Symlinks,
    to files or folders, are followed only while they stay inside ``path``,
    unless ``follow_symlinks`` (which still visits each real folder once, so a
    link cycle cannot loop); a link skipped for leading outside is a note to
    ``on_problem``. Folders that cannot be listed are reported to
    ``on_problem`` (as errors) and skipped. A missing ``path`` raises ``FileNotFoundError``:
    that is a wrong argument, not a bad file.
    """
    root = Path(path)
    if root.is_file():
        yield root
        return
    if not root.is_dir():
        raise FileNotFoundError(2, "no such file or folder", str(root))
    real_root = root.resolve()
    visited: set[Path] = set()

    def listing(folder: Path) -> Iterator[os.DirEntry[str]]:
        real = folder.resolve()
        if real in visited or not (follow_symlinks or _inside(real, real_root)):
            return iter(())
        visited.add(real)
        try:
            with os.scandir(folder) as it:
                entries = sorted((e for e in it if not e.name.startswith(".")), key=lambda e: e.name)
        except OSError as exc:
            if on_problem is not None:
                on_problem(Problem(str(folder), None, f"cannot list folder: {exc.strerror or exc}", "error"))
            return iter(())
        return iter(entries)

    # An explicit stack rather than recursion: folder depth is not bounded by Python's.
    stack = [listing(root)]
    while stack:
        entry = next(stack[-1], None)
        if entry is None:
            stack.pop()
            continue
        entry_path = Path(entry.path)
        try:
            if entry.is_symlink() and not follow_symlinks and not _inside(entry_path.resolve(), real_root):
                if on_problem is not None:
                    on_problem(Problem(str(entry_path), None, _OUTSIDE, "note"))
                continue
            if entry.is_dir():  # follows links, which were vetted above
                stack.append(listing(entry_path))
            elif entry.is_file():
                yield entry_path
        except OSError:  # a dangling link, or a file that vanished meanwhile
            continue
