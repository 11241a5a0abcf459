"""``newsindex search``, ``stats`` and ``shell``: reading an index."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from newsindex import parse_date_bound

from ..paths import history_file, resolve_index
from .app import EXIT_NO_RESULTS, SAMPLE_QUERIES, DebugOpt, IndexOpt, app
from .errors import CliError, guard
from .output import from_argv, is_plain, stdout_console, write_json

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import Console

    from newsindex import NewsIndex

__all__ = [
    "AuthorOpt",
    "SinceOpt",
    "SourceOpt",
    "UntilOpt",
    "filter_args",
    "open_index",
    "parse_date_option",
    "sample_searches",
    "search_cmd",
    "shell_cmd",
    "stats_cmd",
]

# The filters `search` and `export` share.
SourceOpt = Annotated[list[str] | None, typer.Option("--source", "-s", help="Only this source (repeatable).")]
AuthorOpt = Annotated[str | None, typer.Option("--author", "-a", help="Only articles by this author.")]
SinceOpt = Annotated[str | None, typer.Option(help="From this date: 2025, 2025-10 or 2025-10-28.")]
UntilOpt = Annotated[str | None, typer.Option(help="Up to this date (inclusive).")]


def open_index(path: Path) -> NewsIndex:
    """Open the index at ``path`` (signed with this user's key) for reading."""
    from newsindex import NewsIndex

    return NewsIndex.open(path)


def parse_date_option(value: str | None, *, end: bool, option: str) -> date | None:
    """``--since``/``--until`` as a date (``end``: the last day meant), or a usage error."""
    if value is None:
        return None
    bound = parse_date_bound(value, end=end)
    if bound is None:
        shown = from_argv(value)
        raise CliError(f"{option}: {shown!r} is not a date (use 2025, 2025-10, 2025-10-28 or 28.10.2025)")
    return bound


def filter_args(
    source: list[str] | None, author: str | None, since: str | None, until: str | None
) -> dict[str, Any]:
    """The filter options as keywords of ``NewsIndex.search``/``export`` (bad dates: usage errors)."""
    return {
        "source": [from_argv(s) for s in source] if source else None,
        "author": from_argv(author) if author else None,
        "since": parse_date_option(since, end=False, option="--since"),
        "until": parse_date_option(until, end=True, option="--until"),
    }


@app.command("search")
def search_cmd(
    query: Annotated[
        list[str] | None,
        typer.Argument(
            help="The query (several words are joined); filters alone, or none, list articles newest first.",
            metavar="[QUERY]",
            show_default=False,
        ),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=1000, help="Passages to show.")] = 10,
    source: SourceOpt = None,
    author: AuthorOpt = None,
    sort: Annotated[
        str | None, typer.Option("--sort", help="relevance, newest or oldest (browsing: newest).")
    ] = None,
    offset: Annotated[int, typer.Option("--offset", min=0, help="Skip this many hits (paging).")] = 0,
    page: Annotated[
        int | None, typer.Option("--page", min=1, help="Page N of --limit hits (same as --offset).")
    ] = None,
    facets: Annotated[
        str | None,
        typer.Option("--facets", help="Count matches by source, author, year, month (comma list)."),
    ] = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    per_article: Annotated[
        int, typer.Option("--per-article", min=0, help="Passages per article at most (0: no cap).")
    ] = 3,
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON (see docs).")] = False,
    index: IndexOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Search: ranked passages with highlighted snippets, title, source and date.

    Filters alone (source:X, --author A, --since D), or no query at all, list the
    matching articles newest first. Exit code 1 when nothing matches (a "did you
    mean" suggestion is shown if there is one).
    """
    where = resolve_index(index)
    with guard(debug, where):
        text = from_argv(" ".join(query or ())).strip()
        filters = filter_args(source, author, since, until)
        if page is not None and offset:
            raise CliError("--page and --offset say the same thing: give one of them")
        from newsindex import SearchRequest  # loads Whoosh: only when a search runs

        try:
            request = SearchRequest(
                text,
                limit=limit,
                max_per_article=per_article or None,
                sort=sort,
                offset=(page - 1) * limit if page is not None else offset,
                facets=facets,
                **filters,
            )
        except ValueError as e:
            raise CliError(from_argv(str(e))) from None
        with open_index(where) as ix:
            results = ix.search(request)
        if as_json:
            write_json(results.to_dict())
        else:
            from ..render import facets_renderable, results_renderable

            console = stdout_console()
            console.print(results_renderable(results, plain=is_plain(console)))
            if results.facets:
                console.print(facets_renderable(results.facets, plain=is_plain(console)))
        if not results.hits:
            raise typer.Exit(EXIT_NO_RESULTS)


@app.command("stats")
def stats_cmd(
    index: IndexOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the statistics as JSON.")] = False,
    debug: DebugOpt = False,
) -> None:
    """What is in the index: articles, paragraphs, sources, dates, analysis, size on disk."""
    where = resolve_index(index)
    with guard(debug, where), open_index(where) as ix:
        stats = ix.stats()
        if as_json:
            write_json(stats)
            return
        from ..render import stats_renderable

        console = stdout_console()
        console.print(stats_renderable(stats, plain=is_plain(console)))


@app.command("shell")
def shell_cmd(
    index: IndexOpt = None,
    page_size: Annotated[int, typer.Option("--page-size", min=1, max=100, help="Hits per page.")] = 5,
    debug: DebugOpt = False,
) -> None:
    """The search prompt: history, completion, paging, :open N, :filter, :help.

    Reads queries line by line, without colours, when stdin is not a terminal:
    echo Krieg | newsindex shell
    """
    where = resolve_index(index)
    with guard(debug, where), open_index(where) as ix:
        from ..shell import run_shell

        run_shell(ix, page_size=page_size, history_path=history_file())


def sample_searches(ix: NewsIndex, console: Console) -> None:
    """Three sample searches (``newsindex demo`` without a terminal)."""
    from rich.rule import Rule

    from ..render import results_renderable

    for q in SAMPLE_QUERIES:
        console.print(Rule(f"newsindex search {q!r}", style="dim"))
        console.print(results_renderable(ix.search(q, limit=3), max_chars=200, plain=is_plain(console)))
