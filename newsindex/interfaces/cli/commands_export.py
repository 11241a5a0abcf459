"""``newsindex export``: every match of a query, streamed as JSON Lines or CSV.

With ``--articles`` each matching article is written once, whole, in the shape
``newsindex index`` reads back (JSON Lines: ``id``, ``title``, ``source``,
``date``, ``author``, ``url``, ``paragraphs``; CSV: a header ``id,title,source,
date,author,url,text`` with paragraphs separated by blank lines), so an export
re-indexed gives the same articles. Without it each matching passage is a line
(the fields of a search hit, ``Hit.to_dict()``).
"""

from __future__ import annotations

import csv
import json
import os
import sys
from collections.abc import Iterable, Iterator
from datetime import datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TextIO, cast

import typer

from newsindex import utf8_safe

from ..paths import resolve_index
from .app import EXIT_NO_RESULTS, DebugOpt, IndexOpt, app
from .commands_search import AuthorOpt, SinceOpt, SourceOpt, UntilOpt, filter_args, open_index
from .errors import CliError, guard
from .output import _JSON_UNSAFE, echo, from_argv

if TYPE_CHECKING:  # pragma: no cover
    from newsindex import Article, Hit

__all__ = ["ARTICLE_COLUMNS", "PASSAGE_COLUMNS", "export_cmd", "export_rows"]

ARTICLE_COLUMNS = ("id", "title", "source", "date", "author", "url", "text")
PASSAGE_COLUMNS = (
    "article_id", "paragraph", "rank", "score", "title", "source", "date", "author", "url", "text",
)


def _date(value: Any) -> str:
    """ISO 8601; a publication without a time of day stays a date."""
    if isinstance(value, datetime) and value.time() == time() and value.tzinfo is None:
        return value.date().isoformat()
    return value.isoformat() if value is not None else ""


def _article_record(article: Article) -> dict[str, Any]:
    return {
        "id": article.id,
        "title": article.title,
        "source": article.source,
        "date": _date(article.published) or None,
        "author": article.author,
        "url": article.url,
        "paragraphs": list(article.paragraphs),
    }


def _passage_record(hit: Hit) -> dict[str, Any]:
    d = hit.to_dict()
    d["date"] = _date(hit.published) or None
    return d


def export_rows(items: Iterable[Article] | Iterable[Hit], *, articles: bool) -> Iterator[dict[str, Any]]:
    """The records written for each exported article or passage (JSON Lines keys)."""
    for item in items:
        yield _article_record(cast("Article", item)) if articles else _passage_record(cast("Hit", item))


def _write_jsonl(rows: Iterable[dict[str, Any]], out: TextIO) -> int:
    n = 0
    for row in rows:
        text = utf8_safe(json.dumps(row, ensure_ascii=False))
        out.write(_JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n")
        n += 1
    return n


def _write_csv(rows: Iterable[dict[str, Any]], out: TextIO, *, articles: bool) -> int:
    columns = ARTICLE_COLUMNS if articles else PASSAGE_COLUMNS
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    n = 0
    for row in rows:
        if articles:
            row = {**row, "text": "\n\n".join(row["paragraphs"])}
        writer.writerow([utf8_safe("" if row.get(c) is None else str(row[c])) for c in columns])
        n += 1
    return n


@app.command("export")
def export_cmd(
    query: Annotated[
        list[str] | None,
        typer.Argument(help="The query; filters alone, or none, export whole articles' paragraphs.",
                       metavar="[QUERY]", show_default=False),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="jsonl or csv.")] = "jsonl",
    articles: Annotated[
        bool, typer.Option("--articles", help="Whole articles, each once (re-indexable).")
    ] = False,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file (default: stdout).")
    ] = None,
    source: SourceOpt = None,
    author: AuthorOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    sort: Annotated[str | None, typer.Option("--sort", help="relevance, newest or oldest.")] = None,
    index: IndexOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Export every match (not only the top 10), streamed, as JSON Lines or CSV.

    newsindex export source:DerWesten.de --articles -o derwesten.jsonl
    re-indexes with: newsindex index derwesten.jsonl. Exit code 1 when nothing matches.
    """
    where = resolve_index(index)
    with guard(debug, where):
        if fmt not in ("jsonl", "csv"):
            raise CliError(f"--format: {from_argv(fmt)!r} is not jsonl or csv")
        text = from_argv(" ".join(query or ())).strip()
        filters = filter_args(source, author, since, until)
        with open_index(where) as ix:
            try:
                items = ix.export(text, sort=sort, articles=articles, **filters)
            except ValueError as e:
                raise CliError(from_argv(str(e))) from None
            rows = export_rows(items, articles=articles)
            out: TextIO
            try:
                with open(output, "w", encoding="utf-8", newline="") if output else _stdout() as out:
                    csv_out = fmt == "csv"
                    n = _write_csv(rows, out, articles=articles) if csv_out else _write_jsonl(rows, out)
            except BrokenPipeError:  # `newsindex export … | head`: the reader has all it wanted
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
                return
        if output is not None:
            unit = "article" if articles else "passage"
            echo(f"exported {n:,} {unit}{'' if n == 1 else 's'} to {output}", err=True)
        if n == 0:
            raise typer.Exit(EXIT_NO_RESULTS)


class _stdout:  # used like open()
    """Standard output as a context manager that does not close it."""

    def __enter__(self) -> TextIO:
        return sys.stdout

    def __exit__(self, *exc: object) -> None:
        sys.stdout.flush()
