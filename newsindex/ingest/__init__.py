"""Files in, articles out: ``read(path)`` walks files and folders and yields :class:`Article`.

Formats, chosen by file name or by ``format=``:

==========  ===========================================  =====================
format      files                                        module
==========  ===========================================  =====================
``seed``    ``.txt`` starting with `` date YYYY-MM-DD``   :mod:`.seedformat`
``jsonl``   ``.jsonl``, ``.ndjson`` (``.gz`` too)          :mod:`.jsonl`
``text``    other ``.txt``; ``markdown``: ``.md``          :mod:`.plaintext`
``html``    ``.html``, ``.htm``                            :mod:`.html`
``csv``     ``.csv``                                       :mod:`.csvfile`
==========  ===========================================  =====================

Problems (undecodable or binary files, malformed lines, unreadable dates) are
reported as :class:`Problem` records to ``on_problem`` (default: the
``newsindex.ingest`` logger) and never stop the walk, unless ``strict=True``,
which raises :class:`IngestError` at the first error.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ..article import Article
from .csvfile import GNAD10K, CsvOptions, read_csv
from .decoding import BinaryFileError, decode, read_bytes
from .html import read_html
from .jsonl import read_jsonl
from .plaintext import read_plaintext
from .problems import IngestError, Problem, ProblemHandler, log_problem
from .seedformat import is_seed_text, read_seed
from .walk import iter_files

__all__ = [
    "FORMATS",
    "GNAD10K",
    "CsvOptions",
    "IngestError",
    "Problem",
    "detect_format",
    "iter_files",
    "read",
    "read_all",
    "read_file",
]

Reader = Callable[..., Iterator[Article]]
FORMATS: dict[str, Reader] = {
    "seed": read_seed,
    "jsonl": read_jsonl,
    "text": read_plaintext,
    "markdown": read_plaintext,
    "html": read_html,
    "csv": read_csv,
}
_SUFFIXES = {
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".html": "html", ".htm": "html",
    ".csv": "csv", ".md": "markdown", ".markdown": "markdown", ".txt": "text",
}
MAX_FILE_BYTES = 512 * 1024 * 1024


def detect_format(path: str | os.PathLike[str]) -> str | None:
    """The format name for a file name (``.txt`` is ``"text"``; the seed check needs the content)."""
    name = Path(path).name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    return _SUFFIXES.get(Path(name).suffix)


def read_file(
    path: str | os.PathLike[str],
    *,
    format: str | None = None,  # noqa: A002 - the user-facing name
    strict: bool = False,
    on_problem: ProblemHandler | None = None,
    csv_options: CsvOptions | None = None,
) -> Iterator[Article]:
    """Articles from one file. Problems go to ``on_problem`` (strict: raised)."""
    file = Path(path)
    report = on_problem or log_problem

    def fail(problem: Problem) -> None:
        if strict and problem.severity == "error":
            raise IngestError(problem)
        report(problem)

    fmt = format or detect_format(file)
    if fmt is None:
        report(Problem(str(file), None, "unknown file type; skipped", "note"))
        return
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    try:
        if file.stat().st_size > MAX_FILE_BYTES:
            fail(Problem(str(file), None, f"larger than {MAX_FILE_BYTES // 2**20} MiB; skipped", "error"))
            return
        text, encoding = decode(read_bytes(file))
    except BinaryFileError as exc:
        fail(Problem(str(file), None, f"{exc}; skipped", "warning"))
        return
    except (OSError, EOFError) as exc:
        fail(Problem(str(file), None, f"cannot read: {exc}", "error"))
        return
    if encoding != "utf-8":
        report(Problem(str(file), None, f"decoded as {encoding}", "note"))
    if not text.strip():
        report(Problem(str(file), None, "empty file; skipped", "note"))
        return
    if fmt == "text" and format is None and is_seed_text(text):
        fmt = "seed"
    options: dict[str, Any] = {"strict": strict}
    if csv_options is not None:
        options["csv_options"] = csv_options
    try:
        yield from FORMATS[fmt](file, text, fail, **options)
    except IngestError:
        raise
    except Exception as exc:  # a reader bug or hostile input must not stop the walk
        fail(Problem(str(file), None, f"could not parse as {fmt}: {type(exc).__name__}: {exc}", "error"))


def read(
    path: str | os.PathLike[str],
    *,
    format: str | None = None,  # noqa: A002 - the user-facing name
    strict: bool = False,
    on_problem: ProblemHandler | None = None,
    follow_symlinks: bool = False,
    csv_options: CsvOptions | None = None,
) -> Iterator[Article]:
    """Articles from a file or a folder (recursively, in a stable order)."""
    for file in iter_files(path, follow_symlinks=follow_symlinks):
        if format is None and detect_format(file) is None:
            (on_problem or log_problem)(Problem(str(file), None, "unknown file type; skipped", "note"))
            continue
        yield from read_file(
            file, format=format, strict=strict, on_problem=on_problem, csv_options=csv_options
        )


def read_all(path: str | os.PathLike[str], **kwargs: Any) -> tuple[list[Article], list[Problem]]:
    """All articles and all problems under ``path`` (convenience for small inputs)."""
    problems: list[Problem] = []
    articles = list(read(path, on_problem=problems.append, **kwargs))
    return articles, problems
