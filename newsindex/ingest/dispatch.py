"""Reading files and folders: choosing each file's format, decoding it, handing it to its reader.

See the package docstring (:mod:`newsindex.ingest`) for the formats, limits and
problem reporting; the formats themselves are data in :mod:`.formats`.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

from ..article import Article
from .csvfile import CsvOptions
from .decoding import (
    MAX_TEXT_BYTES,
    BinaryFileError,
    NotAFileError,
    UnpackLimitError,
    decode,
    legacy_head,
    open_binary,
    read_bytes,
    repair_problems,
    sniff,
)
from .formats import INPUT_FORMATS, InputFormat, detect_format, format_name
from .problems import IngestError, Problem, ProblemHandler, log_problem
from .walk import iter_files

__all__ = ["read", "read_all", "read_file"]

_STREAM_HEAD = 64 * 1024  # what a streamed file's encoding is judged on


def read_file(
    path: str | os.PathLike[str],
    *,
    format: str | None = None,  # noqa: A002 - the user-facing name
    strict: bool = False,
    on_problem: ProblemHandler | None = None,
    csv_options: CsvOptions | None = None,
) -> Iterator[Article]:
    """Articles from one file; problems go to ``on_problem`` (see the module docstring).

    ``format`` overrides the file-name detection (an unknown name raises
    ``ValueError`` at once). ``csv_options`` configures the CSV reader.
    """
    fmt = format_name(format) if format is not None else None
    return _read_file(Path(path), fmt, strict, on_problem or log_problem, csv_options)


def _read_file(
    file: Path, fmt: str | None, strict: bool, report: ProblemHandler, csv_options: CsvOptions | None
) -> Iterator[Article]:
    def fail(problem: Problem) -> None:
        if strict and problem.severity == "error":
            raise IngestError(problem)
        report(problem)

    explicit = fmt is not None
    fmt = fmt or detect_format(file)
    if fmt is None:
        report(Problem(str(file), None, "not a known article file type; skipped", "note"))
        return
    spec = INPUT_FORMATS[fmt]
    if spec.streams(file):
        streamed = yield from _stream(file, spec, fail, strict, csv_options)
        if streamed:
            return
    # Whole-file reads: a file of a one-article format is capped at one article's size.
    limit = spec.size_cap
    try:
        decoded = decode(read_bytes(file, limit))
    except BinaryFileError as exc:
        fail(Problem(str(file), None, f"{exc}; skipped", "warning"))
        return
    except NotAFileError as exc:  # a FIFO or device named as if it held articles
        report(Problem(str(file), None, f"{exc.strerror}; skipped", "note"))
        return
    except OSError as exc:
        reason = exc.strerror if exc.strerror else str(exc)
        fail(Problem(str(file), None, f"cannot read: {reason}; skipped", "error"))
        return
    except UnpackLimitError as exc:  # a gzip bomb: the reason says so
        fail(Problem(str(file), None, f"{exc}; skipped", "error"))
        return
    except ValueError as exc:  # over the size limit
        what = "a file read whole" if limit == MAX_TEXT_BYTES else "one article"
        fail(Problem(str(file), None, f"{exc} (the limit for {what}); skipped", "error"))
        return
    repaired = repair_problems(str(file), None, decoded.replaced, decoded.legacy_lines, decoded.nul)
    for problem in repaired:
        fail(problem)
    if not (decoded.replaced or decoded.legacy_lines) and decoded.encoding not in ("utf-8", "ascii"):
        report(Problem(str(file), None, f"decoded as {decoded.encoding}", "note"))
    text = decoded.text
    if not text.strip():
        report(Problem(str(file), None, "empty file; skipped", "note"))
        return
    if not explicit and spec.refine is not None:
        fmt = spec.refine(text) or fmt
    options: dict[str, Any] = {"strict": strict}
    if csv_options is not None:
        options["csv_options"] = csv_options
    try:
        yield from INPUT_FORMATS[fmt].reader(file, text, fail, **options)
    except IngestError:
        raise
    except Exception as exc:  # a reader bug or hostile input must not stop the walk
        fail(Problem(str(file), None, f"could not parse as {fmt}: {type(exc).__name__}: {exc}", "error"))


def _stream(
    file: Path, spec: InputFormat, fail: ProblemHandler, strict: bool, csv_options: CsvOptions | None
) -> Generator[Article, None, bool]:
    """Stream a file a record at a time; returns ``False`` when it must be read whole instead
    (UTF-16/32, or a legacy encoding for formats that judge it on the whole file)."""
    try:
        with open_binary(file) as fh:
            head = fh.read(_STREAM_HEAD)
        encoding = sniff(head)
    except BinaryFileError as exc:
        fail(Problem(str(file), None, f"{exc}; skipped", "warning"))
        return True
    except NotAFileError as exc:  # a FIFO or device named as if it held articles
        fail(Problem(str(file), None, f"{exc.strerror}; skipped", "note"))
        return True
    except (EOFError, zlib.error) as exc:  # neither is an OSError
        fail(Problem(str(file), None, f"cannot read: damaged gzip file: {exc}; skipped", "error"))
        return True
    except UnpackLimitError as exc:
        fail(Problem(str(file), None, f"{exc}; skipped", "error"))
        return True
    except OSError as exc:
        reason = exc.strerror if exc.strerror else str(exc)
        fail(Problem(str(file), None, f"cannot read: {reason}; skipped", "error"))
        return True
    if encoding not in (None, "utf-8") or (spec.legacy_read_whole and encoding is None and legacy_head(head)):
        return False
    assert spec.stream is not None
    options: dict[str, Any] = {} if csv_options is None else {"csv_options": csv_options}
    try:
        yield from spec.stream(file, fail, strict=strict, **options)
    except IngestError:
        raise
    except UnpackLimitError as exc:
        fail(Problem(str(file), None, f"{exc}; the rest skipped", "error"))
    except OSError as exc:  # a damaged gzip stream, found part-way
        reason = exc.strerror if exc.strerror else str(exc)
        fail(Problem(str(file), None, f"cannot read further: {reason}", "error"))
    except Exception as exc:  # a reader bug or hostile input must not stop the walk
        reason = f"could not parse as {spec.name}: {type(exc).__name__}: {exc}"
        fail(Problem(str(file), None, reason, "error"))
    return True


def read(
    path: str | os.PathLike[str],
    *,
    format: str | None = None,  # noqa: A002 - the user-facing name
    strict: bool = False,
    on_problem: ProblemHandler | None = None,
    follow_symlinks: bool = False,
    csv_options: CsvOptions | None = None,
) -> Iterator[Article]:
    """Articles from a file or a folder (recursively, in the stable order of :func:`iter_files`).

    With ``format`` every file is read as that format; without it each file by
    its name, and files of other types are skipped with a note. A missing
    ``path`` raises ``FileNotFoundError``; everything else is a :class:`Problem`.
    """
    fmt = format_name(format) if format is not None else None
    report = on_problem or log_problem

    def folder_problem(problem: Problem) -> None:
        if strict and problem.severity == "error":
            raise IngestError(problem)
        report(problem)

    for file in iter_files(path, follow_symlinks=follow_symlinks, on_problem=folder_problem):
        yield from _read_file(file, fmt, strict, report, csv_options)


def read_all(path: str | os.PathLike[str], **kwargs: Any) -> tuple[list[Article], list[Problem]]:
    """All articles and all problems under ``path`` (convenience for small inputs and tests).

    Takes the keyword arguments of :func:`read` except ``on_problem``.
    """
    problems: list[Problem] = []
    articles = list(read(path, on_problem=problems.append, **kwargs))
    return articles, problems
