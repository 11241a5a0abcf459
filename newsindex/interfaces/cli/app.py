"""The ``newsindex`` Typer app, its shared options and the entry point :func:`main`."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from newsindex import __version__

from .errors import EXIT_INTERRUPTED, EXIT_NO_RESULTS, EXIT_OK, EXIT_USAGE
from .output import error_line

__all__ = [
    "EXIT_INTERRUPTED",
    "EXIT_NO_RESULTS",
    "EXIT_OK",
    "EXIT_USAGE",
    "SAMPLE_QUERIES",
    "AnalysisOpt",
    "DebugOpt",
    "IndexOpt",
    "app",
    "main",
    "run",
]

SAMPLE_QUERIES = ("Krieg", "Wer liefert Waffen an Venezuela?", "Kartell")


def _flags_take_no_value() -> None:
    """Help lists ``--json``, not ``--json <bool>``: a flag takes no value.

    Typer's rich help shows every option's type, a flag's ``bool`` too, which
    reads as if ``--json true`` were needed. One place fixes every command's
    flags (``--json``, ``--debug``, ``--help``…) rather than a metavar on each.
    """
    from typer.core import TyperOption

    typed = TyperOption.display_type_rich

    def display_type_rich(self: TyperOption, ctx: Any) -> str | None:
        return None if self.is_flag and self.metavar is None else typed(self, ctx)

    TyperOption.display_type_rich = display_type_rich  # type: ignore[method-assign]


_flags_take_no_value()

app = typer.Typer(
    name="newsindex",
    help="German full-text search over news articles: index files, search them, explore in a prompt.",
    epilog="Index folder: --index, else $NEWSINDEX_INDEX, else the per-user data folder. "
    "Exit codes: 0 ok, 1 no results, 2 usage error, 130 interrupted.",
    rich_markup_mode="rich",
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


# -- shared options ------------------------------------------------------------------
IndexOpt = Annotated[
    Path | None,
    typer.Option(
        "--index",
        "-i",
        help="Index folder (default: $NEWSINDEX_INDEX, else the per-user data folder).",
        show_default=False,
        metavar="DIR",
    ),
]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show tracebacks instead of one-line errors.")]
AnalysisOpt = Annotated[
    str | None,
    typer.Option(
        "--analysis",
        help="Lemmatizer of a NEW index: builtin, auto, de_core_news_sm or a spaCy pipeline path "
        "(default: auto).",
        metavar="NAME",
        show_default=False,
    ),
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"newsindex {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """German full-text search over news articles: index files, search them, explore in a prompt."""


# -- entry point ---------------------------------------------------------------------
def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns (and, as a script, exits with) the exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        args = ["--help"]
    try:
        rv = app(args=args, prog_name="newsindex", standalone_mode=False)
    except typer.TyperException as e:  # usage errors: bad option, missing argument, unknown command
        ctx = getattr(e, "ctx", None)
        hint = f" (see: {ctx.command_path} --help)" if ctx is not None else ""
        error_line(f"{e.format_message()}{hint}")
        return e.exit_code
    except typer.Abort:
        error_line("interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `newsindex search … | head`
        with contextlib.suppress(Exception):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the interpreter's final flush
        return EXIT_OK
    return rv if isinstance(rv, int) else EXIT_OK


def run() -> NoReturn:
    """``python -m newsindex``: run :func:`main` and exit with its code."""
    sys.exit(main())
