"""Errors of the command line: every exception becomes one stderr line and an exit code.

The message for each kind of error comes from :data:`MESSAGES`, looked up along
the exception's class hierarchy (its most specific entry wins: an
``IndexFormatError`` is an ``IndexNotFoundError`` but says that the index must be
rebuilt). ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

import typer

from newsindex import (
    AnalysisMismatchError,
    AnalysisUnavailableError,
    IndexExistsError,
    IndexFormatError,
    IndexLockedError,
    IndexNotFoundError,
    IndexWriteError,
    IngestError,
    NewsIndexError,
    SeedsNotFoundError,
    UntrustedIndexError,
)

from .output import error_line

__all__ = [
    "EXIT_INTERRUPTED",
    "EXIT_NO_RESULTS",
    "EXIT_OK",
    "EXIT_USAGE",
    "MESSAGES",
    "CliError",
    "describe",
    "first_line",
    "guard",
]

EXIT_OK, EXIT_NO_RESULTS, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class CliError(NewsIndexError):
    """A failure to report as one line on stderr, with an exit code."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (its class name when it has none)."""
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


def _untrusted(exc: BaseException, where: str, index_path: Path | None) -> str:
    first = first_line(exc).split(";")[0]
    return f"{first}; if you trust its origin, run `newsindex trust --index {index_path}`"


def _os_error(exc: BaseException, where: str, index_path: Path | None) -> str:
    assert isinstance(exc, OSError)
    return f"{exc.strerror or first_line(exc)}: {exc.filename}" if exc.filename else str(exc)


def _unusable(exc: BaseException, where: str, index_path: Path | None) -> str:
    return f"the index{where} cannot be used here: {first_line(exc)}"


def _own_line(exc: BaseException, where: str, index_path: Path | None) -> str:
    return first_line(exc)


Message = Callable[[BaseException, str, Path | None], str]

# type -> (message from (exception, " at PATH" or "", index path), exit code)
MESSAGES: dict[type[BaseException], tuple[Message, int]] = {
    IndexFormatError: (_own_line, EXIT_USAGE),  # says to rebuild: never "no index"
    IndexNotFoundError: (
        lambda e, w, p: f"no index{w}: build one with `newsindex index PATH` (or try `newsindex demo`)",
        EXIT_USAGE,
    ),
    IndexExistsError: (
        lambda e, w, p: f"an index already exists{w} (use --overwrite to replace it)",
        EXIT_USAGE,
    ),
    AnalysisUnavailableError: (_unusable, EXIT_USAGE),
    AnalysisMismatchError: (_unusable, EXIT_USAGE),
    UntrustedIndexError: (_untrusted, EXIT_USAGE),
    # Lock and write errors name the index and the cause themselves.
    IndexLockedError: (_own_line, EXIT_USAGE),
    IndexWriteError: (_own_line, EXIT_USAGE),
    IngestError: (lambda e, w, p: f"{e} (--strict stops at the first unreadable record)", EXIT_USAGE),
    SeedsNotFoundError: (_own_line, EXIT_USAGE),
    FileNotFoundError: (
        lambda e, w, p: f"no such file or folder: {getattr(e, 'filename', None) or first_line(e)}",
        EXIT_USAGE,
    ),
    PermissionError: (
        lambda e, w, p: f"permission denied: {getattr(e, 'filename', None) or first_line(e)}",
        EXIT_USAGE,
    ),
    OSError: (_os_error, EXIT_USAGE),
}


def describe(exc: BaseException, index_path: Path | None) -> CliError:
    """Map a library or OS error to a one-line message and an exit code (see :data:`MESSAGES`)."""
    if isinstance(exc, CliError):
        return exc
    where = f" at {index_path}" if index_path else ""
    for kind in type(exc).__mro__:
        entry = MESSAGES.get(kind)
        if entry is not None:
            message, code = entry
            return CliError(message(exc, where, index_path), code)
    return CliError(f"{type(exc).__name__}: {first_line(exc)} (run with --debug for the traceback)")


@contextlib.contextmanager
def guard(debug: bool, index_path: Path | None = None) -> Iterator[None]:
    """Turn exceptions into one stderr line and an exit code (or re-raise with ``--debug``)."""
    try:
        yield
    except (typer.Exit, typer.Abort, typer.TyperException):
        raise
    except KeyboardInterrupt:
        if debug:
            raise
        error_line("interrupted")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except Exception as exc:
        if debug:
            raise
        err = describe(exc, index_path)
        error_line(str(err))
        raise typer.Exit(err.code) from None
