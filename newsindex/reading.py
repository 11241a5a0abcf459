"""Reading several paths with per-file progress (what ``NewsIndex.add_path(on_file=…)`` uses).

The files are listed once up front (the same walk :func:`newsindex.ingest.read`
makes), so a progress display knows the total before the first article; then
the articles are read in that order and each file counts as done once the
reader has moved past it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from .article import Article
    from .ingest import Problem

__all__ = ["FileProgress", "PathsArg", "as_paths", "read_paths"]

PathsArg = str | os.PathLike[str] | Iterable[str | os.PathLike[str]]


@dataclass(slots=True)
class FileProgress:
    """How far reading has got: one object, updated as articles are read.

    ``files_total`` is the number of files listed, ``files_done`` those finished,
    ``articles`` and ``paragraphs`` what was read so far and ``path`` the file
    just finished (``None`` before the first).
    """

    files_total: int = 0
    files_done: int = 0
    articles: int = 0
    paragraphs: int = 0
    path: Path | None = None


def as_paths(paths: PathsArg) -> list[Path]:
    """One path or several, as a list of paths (a string is one path, not its characters)."""
    if isinstance(paths, str | os.PathLike):
        return [Path(paths)]
    return [Path(p) for p in paths]


def read_paths(
    paths: list[Path],
    *,
    format: str | None = None,  # noqa: A002 - the user-facing name
    strict: bool = False,
    follow_symlinks: bool = False,
    on_problem: Callable[[Problem], None],
    on_file: Callable[[FileProgress], None] | None = None,
    csv_columns: Mapping[str, str | int] | None = None,
) -> Iterator[Article]:
    """The articles of every path in turn; ``on_file`` is called once before the first
    file (``files_done == 0``, ``files_total`` known) and after each file.
    ``csv_columns`` names CSV columns (see ``NewsIndex.add_path``); a bad one raises ``ValueError``."""
    from .ingest import csv_options_from_columns, iter_files, read  # parsers load on first use

    csv_options = csv_options_from_columns(csv_columns) if csv_columns else None

    if on_file is None:
        for path in paths:
            yield from read(
                path, format=format, strict=strict, on_problem=on_problem, follow_symlinks=follow_symlinks,
                csv_options=csv_options,
            )
        return
    listed = [list(iter_files(p, follow_symlinks=follow_symlinks)) for p in paths]
    state = FileProgress(files_total=sum(len(files) for files in listed))
    on_file(state)

    def finish(upto: int, files: list[Path], first: int) -> None:
        # Files before ``upto`` are done, those that gave no article included.
        while state.files_done < upto:
            state.path = files[state.files_done - first]
            state.files_done += 1
            on_file(state)

    first = 0
    for path, files in zip(paths, listed, strict=True):
        position = {str(f): first + i for i, f in enumerate(files)}
        for article in read(
            path, format=format, strict=strict, on_problem=on_problem, follow_symlinks=follow_symlinks,
            csv_options=csv_options,
        ):
            at = position.get(str(article.origin_path))
            if at is not None:
                finish(at, files, first)
            state.articles += 1
            state.paragraphs += len(article.paragraphs)
            yield article
        finish(first + len(files), files, first)
        first += len(files)
