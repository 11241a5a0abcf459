"""Output of the command line: consoles, one-line messages, JSON, arguments as text."""

from __future__ import annotations

import json
import re
import sys
from typing import TYPE_CHECKING, Any

import typer

from newsindex import terminal_safe, utf8_safe

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import Console

__all__ = [
    "echo",
    "error_line",
    "from_argv",
    "is_plain",
    "stderr_console",
    "stdout_console",
    "write_json",
]


def stdout_console() -> Console:
    """A console on stdout: colours on a terminal, plain unwrapped lines in a pipe."""
    from rich.console import Console

    console = Console(highlight=False)
    if not console.is_terminal:  # pipes: no wrapping, so lines stay greppable
        console = Console(highlight=False, soft_wrap=True, no_color=True)
    return console


def stderr_console() -> Console:
    """A console on stderr, like :func:`stdout_console`."""
    from rich.console import Console

    console = Console(stderr=True, highlight=False)
    if not console.is_terminal:
        console = Console(stderr=True, highlight=False, soft_wrap=True, no_color=True)
    return console


def is_plain(console: Console) -> bool:
    """Whether marks must be written as ``**word**`` (no terminal, or ``NO_COLOR``)."""
    return not console.is_terminal or console.no_color


def error_line(message: str) -> None:
    """``newsindex: error: …`` as one line on stderr."""
    # Messages quote paths, ids and lock holders' command lines: one safe line.
    typer.echo(f"newsindex: error: {terminal_safe(message)}", err=True)


def echo(*lines: str, err: bool = False) -> None:
    """Print ``lines`` that quote data (paths, ids, file names), each kept one safe line."""
    typer.echo("\n".join(terminal_safe(line) for line in lines), err=err)


# JSON leaves C1 controls, bidi controls and line separators raw (ensure_ascii=False):
# written as \uXXXX escapes they mean the same and cannot act on a terminal.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def write_json(data: Any) -> None:
    """One JSON document on stdout, always valid UTF-8 (lone surrogates become U+FFFD)."""
    text = utf8_safe(json.dumps(data, ensure_ascii=False, indent=2))
    text = _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    sys.stdout.write(text + "\n")


def from_argv(text: str) -> str:
    """An argument as text: bytes that were not UTF-8 (surrogate-escaped by Python) become U+FFFD."""
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:  # a surrogate that is no escaped byte
        return utf8_safe(text)
