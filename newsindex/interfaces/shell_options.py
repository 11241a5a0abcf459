"""The prompt's result options: ``:sort``, ``:size`` and ``:facets`` (see :mod:`.shell`).

Each takes the shell and the command's argument, changes the shell's state and
shows the current query again; a bad value raises ``ValueError`` (the prompt
shows it as one line).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from rich.console import Console
from rich.text import Text

from newsindex import FACETS, SORTS

from . import render

if TYPE_CHECKING:  # pragma: no cover
    from newsindex import Results


class Shell(Protocol):
    """What these commands use of :class:`~newsindex.interfaces.shell.Shell` (which imports this module)."""

    console: Console
    plain: bool
    query: str | None
    results: Results | None
    page_size: int
    sort: str | None
    facets: tuple[str, ...]

    def search(self, query: str, *, remind_filters: bool = True) -> None:
        """Search ``query`` and show the first page."""

__all__ = ["HELP", "MAX_PAGE_SIZE", "NAMES", "Shell", "cmd_facets", "cmd_size", "cmd_sort", "show_facets"]

MAX_PAGE_SIZE = 100
NAMES = (":sort", ":size", ":facets")
HELP = {
    ":sort ORDER": "relevance, newest or oldest (a query of filters alone lists articles newest first)",
    ":size N": "hits per page",
    ":facets a,b": "count every match by source, author, year, month (:facets off)",
}


def _again(shell: Shell) -> None:
    if shell.query is not None:
        shell.search(shell.query, remind_filters=False)


def cmd_sort(shell: Shell, arg: str) -> None:
    """``:sort relevance|newest|oldest``; without an argument shows the order."""
    if not arg:
        shell.console.print(Text(f"sort: {shell.sort or 'relevance (browsing: newest)'}", style="dim"))
        return
    if arg.strip().lower() not in SORTS:
        raise ValueError(f":sort takes {', '.join(SORTS)}, not {arg!r}")
    shell.sort = arg.strip().lower()
    _again(shell)


def cmd_size(shell: Shell, arg: str) -> None:
    """``:size N``: hits per page (1–100)."""
    try:
        size = int(arg)
    except ValueError:
        raise ValueError(f":size takes a number of hits per page (1–{MAX_PAGE_SIZE}), not {arg!r}") from None
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise ValueError(f":size takes a number of hits per page (1–{MAX_PAGE_SIZE}), not {size}")
    shell.page_size = size
    _again(shell)


def cmd_facets(shell: Shell, arg: str) -> None:
    """``:facets source,year``: count every match by these (``:facets off`` stops)."""
    words = [w.strip().lower() for w in arg.replace(",", " ").split() if w.strip()]
    if words in ([], ["off"]):
        shell.facets = ()
        shell.console.print(Text("facets off", style="dim"))
        return
    unknown = [w for w in words if w not in FACETS]
    if unknown:
        raise ValueError(f":facets takes {', '.join(FACETS)}, not {unknown[0]!r}")
    shell.facets = tuple(dict.fromkeys(words))
    _again(shell)


def show_facets(shell: Shell) -> None:
    """The facet tables of the current results, when facets are on."""
    results = shell.results
    if results is not None and results.facets:
        shell.console.print(render.facets_renderable(results.facets, plain=shell.plain))
