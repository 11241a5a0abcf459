"""Files in, articles out: ``read(path)`` walks files and folders and yields :class:`Article`.

Formats, chosen by file name or by ``format=``:

============  ===========================================  ==================
format        files                                        module
============  ===========================================  ==================
``seed``      ``.txt`` starting with `` date YYYY-MM-DD``   :mod:`.seedformat`
``jsonl``     ``.jsonl``, ``.ndjson``, ``.json``             :mod:`.jsonl`
``text``      other ``.txt``                               :mod:`.plaintext`
``markdown``  ``.md``, ``.markdown``                       :mod:`.plaintext`
``html``      ``.html``, ``.htm``                          :mod:`.html`
``csv``       ``.csv``                                     :mod:`.csvfile`
============  ===========================================  ==================

Any of them may be gzipped (``name.jsonl.gz``); files with other names are
skipped with a note. Bytes are decoded by :mod:`.decoding` (UTF-8 with or
without BOM, UTF-16 by BOM, legacy encodings detected, binaries skipped), and
every reader's paragraphs go through :func:`.paragraphs.clean_paragraphs`.

Limits, so that no file can exhaust memory or time: a file of a one-article
format (``.txt``, ``.md``, ``.html``, also gzipped) larger than
:data:`MAX_ARTICLE_BYTES` (16 MiB) is skipped without being read; JSON Lines
and CSV files are streamed one line at a time (a JSON line longer than 16 MiB
is skipped without being held); CSV files in a legacy encoding and ``.json``
files, read whole, may be up to :data:`MAX_TEXT_BYTES` (512 MiB). A ``.gz``
unpacks to at most :func:`~.decoding.gzip_limit` (100 times its size, at least
512 MiB). ``Article.extra`` keeps at most 64 keys and 64 KiB (:mod:`.extra`).
Only regular files are opened: FIFOs, sockets and devices are notes, symlink
loops warnings (:mod:`.walk`). Title, source, author and URL are cut at
1,000 characters (they are stored with every paragraph), an ``id`` longer than
256 characters is replaced by a derived one, and paragraphs are split at 1,500
characters. NUL and other control characters are removed from all text.

Problems (binary or undecodable files, malformed lines, unreadable dates,
empty files, skipped symlinks) are :class:`Problem` records passed to ``on_problem``; with no
handler they go to the ``newsindex.ingest`` logger (errors and warnings at
their level, notes at INFO), so a library user sees errors and warnings on
stderr without configuring anything. Problems never stop the walk, unless
``strict=True``, which raises :class:`IngestError` at the first *error*
(warnings and notes are still only reported).
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any, Protocol

from ..article import Article
from .csvfile import GNAD10K, LABEL_TEXT, CsvOptions, read_csv, stream_csv
from .decoding import (
    MAX_ARTICLE_BYTES,
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
from .html import read_html
from .jsonl import read_jsonl, stream_jsonl
from .plaintext import read_markdown, read_plaintext
from .problems import IngestError, Problem, ProblemHandler, Severity, log_problem
from .seedformat import is_seed_text, read_seed
from .walk import iter_files

__all__ = [
    "FORMATS",
    "GNAD10K",
    "LABEL_TEXT",
    "MAX_ARTICLE_BYTES",
    "MAX_TEXT_BYTES",
    "CsvOptions",
    "IngestError",
    "Problem",
    "ProblemHandler",
    "Reader",
    "Severity",
    "detect_format",
    "iter_files",
    "read",
    "read_all",
    "read_file",
]


class Reader(Protocol):
    """A format reader: decoded file text in, articles out.

    Problems go to ``on_problem`` (which raises :class:`IngestError` for errors
    in strict mode); ``strict`` is passed for readers that check it themselves.
    """

    def __call__(
        self, path: Path, text: str, on_problem: ProblemHandler, *, strict: bool = ..., **options: Any
    ) -> Iterator[Article]: ...


FORMATS: dict[str, Reader] = {
    "seed": read_seed,
    "jsonl": read_jsonl,
    "text": read_plaintext,
    "markdown": read_markdown,
    "html": read_html,
    "csv": read_csv,
}
_STREAM_HEAD = 64 * 1024  # what a streamed file's encoding is judged on
# Formats whose files hold many articles: read whole (up to MAX_TEXT_BYTES) when not streamed.
_MANY_ARTICLES = frozenset({"csv", "jsonl"})
# Other names users type for the same formats (``--format md``).
_FORMAT_ALIASES = {"txt": "text", "md": "markdown", "ndjson": "jsonl", "json": "jsonl", "htm": "html"}
_SUFFIXES = {
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".html": "html", ".htm": "html",
    ".csv": "csv", ".md": "markdown", ".markdown": "markdown", ".txt": "text",
}


def detect_format(path: str | os.PathLike[str]) -> str | None:
    """The format name for a file name, ignoring a ``.gz`` suffix; ``None`` if unknown.

    ``.txt`` gives ``"text"``: whether it is the seed format depends on the
    content, which :func:`read_file` checks.
    """
    name = Path(path).name.lower().removesuffix(".gz")
    return _SUFFIXES.get(os.path.splitext(name)[1])


def _format_name(fmt: str) -> str:
    name = _FORMAT_ALIASES.get(fmt.lower(), fmt.lower())
    if name not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return name


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
    fmt = _format_name(format) if format is not None else None
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
    if fmt == "csv" or (fmt == "jsonl" and not file.name.lower().removesuffix(".gz").endswith(".json")):
        streamed = yield from _stream(file, fmt, fail, strict, csv_options)
        if streamed:
            return
    # Whole-file reads: a file of a one-article format is capped at one article's size.
    limit = MAX_TEXT_BYTES if fmt in _MANY_ARTICLES else MAX_ARTICLE_BYTES
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
    if fmt == "text" and not explicit and is_seed_text(text):
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


def _stream(
    file: Path, fmt: str, fail: ProblemHandler, strict: bool, csv_options: CsvOptions | None
) -> Generator[Article, None, bool]:
    """Stream a JSON Lines or CSV file; returns ``False`` when it must be read whole instead
    (UTF-16/32, or a CSV in a legacy encoding, which is detected on the whole file)."""
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
    if encoding not in (None, "utf-8") or (fmt == "csv" and encoding is None and legacy_head(head)):
        return False
    stream = stream_jsonl if fmt == "jsonl" else stream_csv
    options: dict[str, Any] = {} if csv_options is None else {"csv_options": csv_options}
    try:
        yield from stream(file, fail, strict=strict, **options)
    except IngestError:
        raise
    except UnpackLimitError as exc:
        fail(Problem(str(file), None, f"{exc}; the rest skipped", "error"))
    except OSError as exc:  # a damaged gzip stream, found part-way
        reason = exc.strerror if exc.strerror else str(exc)
        fail(Problem(str(file), None, f"cannot read further: {reason}", "error"))
    except Exception as exc:  # a reader bug or hostile input must not stop the walk
        fail(Problem(str(file), None, f"could not parse as {fmt}: {type(exc).__name__}: {exc}", "error"))
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
    fmt = _format_name(format) if format is not None else None
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
