"""``newsindex get`` and ``newsindex delete``: one article out, articles removed by id.

:func:`delete_articles` takes any iterable of ids, so a ``--query`` option can
feed it the ids of the articles a search matches.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any

import typer

from newsindex import markup_safe

from ..paths import resolve_index
from .app import EXIT_NO_RESULTS, EXIT_OK, EXIT_USAGE, DebugOpt, IndexOpt, app
from .commands_search import open_index
from .errors import CliError, guard
from .output import echo, error_line, from_argv, is_plain, stdout_console, write_json

if TYPE_CHECKING:  # pragma: no cover
    from newsindex import NewsIndex

__all__ = ["DeleteOutcome", "delete_articles", "delete_cmd", "get_cmd"]


@app.command("get")
def get_cmd(
    article_id: Annotated[
        str, typer.Argument(help="The article's id (as search shows it).", metavar="ARTICLE_ID")
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the article as JSON (one object: id, title, …, paragraphs).")
    ] = False,
    index: IndexOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Show one whole article: title, source, date, author, URL and every paragraph (¶ 1, ¶ 2, …).

    Exit code 1 when the index has no article with that id.
    """
    where = resolve_index(index)
    with guard(debug, where):
        wanted = from_argv(article_id)
        with open_index(where) as ix:
            article = ix.article(wanted)
        if article is None:
            raise CliError(f"no article {wanted!r} in the index at {where}", EXIT_NO_RESULTS)
        if as_json:
            write_json(article.to_dict(include_origin=False))
            return
        from ..render import article_renderable

        console = stdout_console()
        console.print(article_renderable(article, plain=is_plain(console)))


@dataclass(slots=True)
class DeleteOutcome:
    """What :func:`delete_articles` did: ``(id, title)`` of each deleted article, ids not found."""

    deleted: list[tuple[str, str]] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    declined: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: ``{"deleted": [{"id", "title"}…], "unknown": [ids], "declined": bool}``."""
        return {
            "deleted": [{"id": i, "title": t} for i, t in self.deleted],
            "unknown": list(self.unknown),
            "declined": self.declined,
        }

    @property
    def exit_code(self) -> int:
        """0 when at least one article went, else 1."""
        return EXIT_OK if self.deleted else EXIT_NO_RESULTS


def _confirm(found: list[tuple[str, str]], interactive: bool) -> bool:
    """Ask on the terminal; without one, deleting several needs ``--yes``."""
    if not interactive:
        raise CliError(
            f"deleting {len(found):,} articles needs --yes (there is no terminal to ask on)", EXIT_USAGE
        )
    for article_id, title in found[:20]:
        echo(f"  {article_id}  {title or '(untitled)'}", err=True)
    if len(found) > 20:
        echo(f"  … and {len(found) - 20:,} more", err=True)
    what = "this article" if len(found) == 1 else f"these {len(found):,} articles"
    return typer.confirm(f"Delete {what}?", default=False, err=True)


def delete_articles(
    ix: NewsIndex, article_ids: Iterable[str], *, yes: bool = False, interactive: bool | None = None
) -> DeleteOutcome:
    """Delete the articles with these ids (each id once, in order); unknown ids are collected.

    Without ``yes`` it asks before deleting more than one article, and before
    deleting any on a terminal (``interactive``, default: stdin and stderr are
    terminals); with no terminal to ask on, more than one needs ``yes``.
    """
    if interactive is None:
        interactive = sys.stdin.isatty() and sys.stderr.isatty()
    outcome = DeleteOutcome()
    found: list[tuple[str, str]] = []
    for article_id in dict.fromkeys(article_ids):
        article = ix.article(article_id)
        if article is None:
            outcome.unknown.append(article_id)
        else:
            found.append((article.id, article.title))
    if found and not yes and (len(found) > 1 or interactive) and not _confirm(found, interactive):
        outcome.declined = True
        return outcome
    for article_id, title in found:
        if ix.delete(article_id):
            outcome.deleted.append((article_id, title))
        else:  # deleted by another writer since we looked
            outcome.unknown.append(article_id)
    return outcome


@app.command("delete")
def delete_cmd(
    article_ids: Annotated[
        list[str],
        typer.Argument(help="Ids of the articles to delete.", metavar="ARTICLE_ID...", show_default=False),
    ],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask before deleting.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print what was deleted as JSON.")] = False,
    index: IndexOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Delete articles by id and print each one deleted (id and title).

    Asks first when deleting more than one article, or on a terminal, unless
    --yes. Ids not in the index are reported. Exit code 1 when nothing was deleted.
    """
    where = resolve_index(index)
    with guard(debug, where):
        with open_index(where) as ix:
            outcome = delete_articles(ix, [from_argv(a) for a in article_ids], yes=yes)
        _report(outcome, as_json)
    raise typer.Exit(outcome.exit_code)


def _report(outcome: DeleteOutcome, as_json: bool) -> None:
    if as_json:
        write_json(outcome.to_dict())
        return
    for article_id in outcome.unknown:
        error_line(f"no article {article_id!r} in the index")
    if outcome.declined:
        error_line("nothing deleted")
        return
    console = stdout_console()
    for article_id, title in outcome.deleted:
        console.print(f"deleted [bold]{markup_safe(article_id)}[/]  {markup_safe(title or '(untitled)')}")
    if not outcome.deleted and not outcome.unknown:
        error_line("no article ids given")
