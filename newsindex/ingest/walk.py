"""Finding input files: a stable, recursive order that stays inside the given folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

__all__ = ["iter_files"]


def iter_files(path: str | os.PathLike[str], follow_symlinks: bool = False) -> Iterator[Path]:
    """Files under ``path`` (or ``path`` itself), sorted, hidden files and folders skipped.

    Symlinks that lead outside ``path`` are not followed unless ``follow_symlinks``.
    """
    root = Path(path)
    if root.is_file():
        yield root
        return
    if not root.is_dir():
        raise FileNotFoundError(f"no such file or folder: {root}")
    real_root = root.resolve()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=follow_symlinks):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            file = Path(dirpath) / name
            if not follow_symlinks and file.is_symlink():
                target = file.resolve()
                if real_root not in target.parents:
                    continue
            if file.is_file():
                yield file
