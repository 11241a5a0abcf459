"""Finding input files: a stable, recursive order that stays inside the given folder.

The walk never opens anything but folders: FIFOs, sockets and device files are
skipped with a note (opening a FIFO would block until some writer appears), and
symlink loops, dangling links, folders that cannot be listed and names the
system refuses (too long) are problems, never exceptions that stop the walk.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from .problems import Problem, ProblemHandler

__all__ = ["iter_files", "special_kind"]


_OUTSIDE = "symlink to a place outside the folder; skipped (follow_symlinks=True / --follow-symlinks)"
_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def special_kind(mode: int) -> str:
    """What a ``st_mode`` that is neither a regular file nor a folder is, for a message."""
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def _reason(exc: BaseException) -> str:
    """A short reason for a failed ``stat``/``resolve``/``scandir``.

    Python 3.11's ``Path.resolve()`` raises ``RuntimeError("Symlink loop …")``,
    3.13 raises ``OSError(ELOOP)``: both are a loop here.
    """
    if isinstance(exc, RuntimeError) or getattr(exc, "errno", None) == errno.ELOOP:
        return "symlink loop"
    if isinstance(exc, FileNotFoundError):
        return "dangling symlink or vanished meanwhile"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc)


def _inside(target: Path, root: Path) -> bool:
    return target == root or root in target.parents


def iter_files(
    path: str | os.PathLike[str],
    follow_symlinks: bool = False,
    *,
    on_problem: ProblemHandler | None = None,
) -> Iterator[Path]:
    """Regular files under ``path`` (or ``path`` itself), in sorted order, depth first.

    Hidden files and folders (``.git``, ``.DS_Store``…) are skipped. Symlinks,
    to files or folders, are followed only while they stay inside ``path``,
    unless ``follow_symlinks`` (which still visits each real folder once, so a
    link cycle cannot loop); a link skipped for leading outside is a note to
    ``on_problem``. Symlink loops (``a → b → a``) and dangling links are
    warnings; FIFOs, sockets and devices are notes (never opened); folders that
    cannot be listed are errors; all are skipped. A missing ``path`` raises
    ``FileNotFoundError``: that is a wrong argument, not a bad file.
    """
    def report(where: Path | str, reason: str, severity: str) -> None:
        if on_problem is not None:
            on_problem(Problem(str(where), None, reason, severity))  # type: ignore[arg-type]

    root = Path(path)
    try:
        root_mode = root.stat().st_mode
    except FileNotFoundError:
        raise FileNotFoundError(2, "no such file or folder", str(root)) from None
    except (OSError, RuntimeError) as exc:  # the argument itself is a symlink loop, or unreadable
        report(root, f"cannot read: {_reason(exc)}; skipped", "error")
        return
    if stat.S_ISREG(root_mode):
        yield root
        return
    if not stat.S_ISDIR(root_mode):
        report(root, f"{special_kind(root_mode)}, not a file; skipped", "note")
        return
    real_root = root.resolve()
    visited: set[Path] = set()

    def listing(folder: Path) -> Iterator[os.DirEntry[str]]:
        try:
            real = folder.resolve()
            if real in visited or not (follow_symlinks or _inside(real, real_root)):
                return iter(())
            visited.add(real)
            with os.scandir(folder) as it:
                entries = sorted((e for e in it if not e.name.startswith(".")), key=lambda e: e.name)
        except (OSError, RuntimeError) as exc:
            report(folder, f"cannot list folder: {_reason(exc)}", "error")
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
                report(entry_path, _OUTSIDE, "note")
                continue
            # is_dir()/is_file() follow links (vetted above) and need no stat call for
            # plain entries; only what is neither is looked at closely. Nothing is opened.
            if entry.is_dir():
                stack.append(listing(entry_path))
                continue
            if entry.is_file():
                yield entry_path
                continue
            mode = entry.stat().st_mode
        except (OSError, RuntimeError) as exc:
            # A link loop or dangling link, or an entry that vanished meanwhile.
            if isinstance(exc, FileNotFoundError) and not entry.is_symlink():
                continue  # deleted between listing and looking: nothing was lost
            report(entry_path, f"{_reason(exc)}; skipped", "warning")
            continue
        report(entry_path, f"{special_kind(mode)}, not a file; skipped", "note")
