"""Rich renderables for hits, results, articles, statistics and indexing summaries.

Every function returns something ``rich.console.Console.print`` accepts and never
prints itself. Marked words are styled from the hit's ``highlights`` spans (no
ANSI parsing). With ``plain=True`` (pipes, ``NO_COLOR``) marks are written as
``**word**`` instead, so they survive without any styling, and boxes are dropped.

Every string that came from data (titles, paragraphs, sources, ids, file names,
the query) goes through :func:`~newsindex.terminal_safe` and
into a ``Text`` (never markup), so no article can send an escape sequence to the
terminal or style itself with ``[bold]``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.panel import Panel
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

from newsindex import marked_pieces, snippet_window, terminal_safe

__all__ = [
    "MARK_STYLE",
    "MAX_PROBLEM_ROWS",
    "article_renderable",
    "format_date",
    "format_size",
    "hit_renderable",
    "marked_text",
    "no_results_renderable",
    "results_renderable",
    "snippet_text",
    "stats_renderable",
    "summary_renderable",
    "tokens_table",
]

MARK_STYLE = "bold black on yellow"
# More problems than this are listed as plain lines, not a table: rich lays out a
# table of 100,000 rows (a folder of bad files) for minutes and hundreds of MB.
MAX_PROBLEM_ROWS = 200
PLAIN_MARK = "**"
ELLIPSIS = "…"  # where a snippet is cut, as in the library's own snippets
Spans = Sequence[tuple[int, int]]


def format_date(value: date | datetime | str | None) -> str:
    """``2025-11-01`` for a date or datetime, ``—`` for none."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return terminal_safe(value)


def format_size(n: int | None) -> str:
    """Bytes as ``1.2 MB``; ``—`` for none (in-memory indexes)."""
    if n is None:
        return "—"
    size = float(n)
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.1f} GB"  # pragma: no cover - loop always returns


def marked_text(
    text: str, spans: Spans, start: int = 0, end: int | None = None, *, plain: bool = False
) -> Text:
    """``text[start:end]`` as rich ``Text`` with ``spans`` styled (or ``**starred**`` when plain).

    Each piece is made terminal-safe after slicing, so ``spans`` (offsets into the
    raw text) stay right however long an escape is.
    """
    out = Text()
    for piece, marked in marked_pieces(text, spans, start, end):
        if not marked:
            out.append(_safe_lines(piece))
        elif plain:
            out.append(PLAIN_MARK + _safe_lines(piece) + PLAIN_MARK)
        else:
            out.append(_safe_lines(piece), style=MARK_STYLE)
    return out


def _safe_lines(text: str) -> str:
    return terminal_safe(text, multiline=True)


def snippet_text(text: str, spans: Spans, max_chars: int = 240, *, plain: bool = False) -> Text:
    """The best window of ``text`` around its marks (the library's window), ``…`` where cut."""
    merged, start, end = snippet_window(text, spans, max_chars)
    body = marked_text(text, merged, start, end, plain=plain)
    # Trim like the library's text snippets do, keeping the styles.
    out = Text(ELLIPSIS) if start > 0 else Text()
    out.append_text(body)
    if end < len(text):
        out.append(ELLIPSIS)
    return out


def _meta_line(hit: Any) -> Text:
    parts = [terminal_safe(hit.source or "unknown source"), format_date(hit.published)]
    para = f"¶ {hit.paragraph + 1}"  # people count from 1; the API's paragraph is 0-based
    if getattr(hit, "paragraphs_total", None):
        para += f" of {hit.paragraphs_total}"
    parts.append(para)
    parts.append(f"score {hit.score:.2f}")
    return Text(" · ".join(parts), style="dim")


def hit_renderable(hit: Any, *, max_chars: int = 240, plain: bool = False) -> RenderableType:
    """One hit: rank, title, source · date · paragraph · score, and the marked snippet.

    A rich panel on terminals; three indented lines when ``plain``.
    """
    title = Text(f"{hit.rank}. ", style="bold cyan")
    title.append(terminal_safe(hit.title or "(untitled)"), style="bold")
    snippet = snippet_text(hit.text, hit.highlights, max_chars, plain=plain)
    meta = _meta_line(hit)
    if plain:
        indent = Text("   ")
        body = Text("\n   ").join(snippet.split("\n"))  # keep the passage's lines under the title
        return Group(title, indent + meta, indent + body, Text())
    return Panel(
        Group(meta, snippet),
        title=title,
        title_align="left",
        box=box.ROUNDED,
        border_style="blue",
        padding=(0, 1),
    )


def _summary_line(results: Any, first: int, last: int) -> Text:
    total = f"{results.total:,}" + ("" if getattr(results, "total_exact", True) else "+")
    line = Text()
    one = total == "1"
    line.append(f"{total} passage" + ("" if one else "s"), style="bold")
    line.append(" matches " if one else " match ")
    line.append(terminal_safe(results.query), style="italic")
    if first <= last:
        line.append(" — showing ")
        line.append(f"{first}–{last}", style="bold")
    line.append(f"  ({results.elapsed_ms:.0f} ms)", style="dim")
    return line


def results_renderable(
    results: Any,
    *,
    start: int = 0,
    count: int | None = None,
    max_chars: int = 240,
    plain: bool = False,
    more_hint: str | None = None,
) -> RenderableType:
    """A page of results: a summary line, ``count`` hits from ``start``, notes and a paging hint."""
    hits = list(results.hits)
    if not hits:
        return no_results_renderable(results)
    page = hits[start : start + count if count is not None else None]
    parts: list[RenderableType] = [_summary_line(results, start + 1, start + len(page))]
    parts.extend(_notes(results))
    parts.extend(hit_renderable(h, max_chars=max_chars, plain=plain) for h in page)
    if more_hint:
        parts.append(Text(more_hint, style="dim"))
    return Group(*parts)


def _notes(results: Any) -> list[Text]:
    return [Text(f"note: {terminal_safe(n)}", style="dim yellow") for n in getattr(results, "notes", ())]


def no_results_renderable(results: Any) -> RenderableType:
    """ "No passages" with the "did you mean" suggestion and notes, if any."""
    parts: list[RenderableType] = []
    line = Text("No passages for ")
    line.append(terminal_safe(results.query), style="italic")
    line.append(".")
    parts.append(line)
    if results.suggestion:
        hint = Text("Did you mean: ")
        hint.append(terminal_safe(results.suggestion), style="bold green")
        hint.append("?")
        parts.append(hint)
    parts.extend(_notes(results))
    return Group(*parts)


def article_renderable(
    article: Any, marks: Sequence[Spans] = (), *, plain: bool = False, focus: int | None = None
) -> RenderableType:
    """A whole article: title, metadata, and every paragraph (``¶ n``) with its marks.

    ``marks[i]`` are the spans of paragraph ``i``; ``focus`` is the paragraph of
    the hit that was opened (shown with a pointer).
    """
    head = Text(terminal_safe(article.title or "(untitled)"), style="bold")
    meta_bits = [terminal_safe(article.source or "unknown source"), format_date(article.published)]
    if article.author:
        meta_bits.append(terminal_safe(article.author))
    meta_bits.append(f"{len(article.paragraphs)} paragraphs")
    parts: list[RenderableType] = [head, Text(" · ".join(meta_bits), style="dim")]
    if article.url:
        parts.append(Text(terminal_safe(article.url), style="dim underline"))
    parts.append(Text())
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True, justify="right")
    grid.add_column()
    width = len(str(len(article.paragraphs)))
    for i, para in enumerate(article.paragraphs):
        spans = marks[i] if i < len(marks) else ()
        pointer, style = ("▶ ", "bold cyan") if i == focus else ("  ", "dim")
        label = Text(f"{pointer}¶ {i + 1:>{width}}", style=style)
        body = marked_text(para, spans, plain=plain)
        if plain:  # no table in pipes: lines stay unwrapped, continuation lines indented
            pad = Text("\n" + " " * (len(label) + 1))
            parts.append(label + Text(" ") + pad.join(body.split("\n")))
        else:
            grid.add_row(label, body)
    if plain:
        return Group(*parts, Text())
    parts.append(grid)
    return Panel(Group(*parts), box=box.ROUNDED, border_style="green", padding=(0, 1))


def stats_renderable(stats: Mapping[str, Any], *, plain: bool = False) -> RenderableType:
    """``NewsIndex.stats()`` as a two-column table."""
    table = Table(
        show_header=False, box=None if plain else box.SIMPLE, padding=(0, 2), title=None, expand=False
    )
    table.add_column("what", style="bold")
    table.add_column("value")
    sources = list(stats.get("sources") or [])
    shown = ", ".join(sources[:8]) + (f" … (+{len(sources) - 8})" if len(sources) > 8 else "")
    first, last = stats.get("first_date"), stats.get("last_date")
    rows = [
        ("index", str(stats.get("path") or "in memory")),
        ("articles", f"{stats.get('articles', 0):,}"),
        ("paragraphs", f"{stats.get('paragraphs', 0):,}"),
        ("sources", f"{len(sources)}" + (f": {shown}" if sources else "")),
        ("dates", f"{first} … {last}" if first else "—"),
        ("analysis", str(stats.get("analysis", "—"))),
        ("size on disk", format_size(stats.get("size_bytes"))),
    ]
    for k, v in rows:
        table.add_row(k, Text(terminal_safe(v)))
    return table


def _problem_row(problem: Any) -> tuple[str, str, str, str]:
    path = getattr(problem, "path", None)
    line = getattr(problem, "line", None)
    reason = getattr(problem, "reason", None)
    severity = getattr(problem, "severity", None)
    return (
        str(severity or "error"),
        str(path) if path is not None else "—",
        str(line) if line is not None else "—",
        str(reason) if reason is not None else str(problem),
    )


class _ProblemLines:
    """Every problem as one ``path:line: severity: reason`` line, errors first, then warnings, notes.

    Written segment by segment, without layout, so 100,000 problems print in a
    moment; the lines are the format editors and ``grep`` understand.
    """

    def __init__(self, problems: Sequence[Any]) -> None:
        self.problems = problems

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        rows = [_problem_row(p) for p in self.problems]
        order = {"error": 0, "warning": 1, "note": 2}
        rows.sort(key=lambda row: order.get(row[0], 0))  # stable: file order within a severity
        counts = {sev: sum(1 for row in rows if row[0] == sev) for sev in order}
        told = ", ".join(f"{n:,} {sev}{'' if n == 1 else 's'}" for sev, n in counts.items())
        yield Segment(f"Problems: {told}", console.get_style("bold"))
        yield Segment.line()
        for severity, path, line, reason in rows:
            where = f"{path}:{line}" if line != "—" else path
            yield Segment(terminal_safe(f"{where}: {severity}: {reason}"))
            yield Segment.line()


def summary_renderable(
    summary: Any, *, elapsed_s: float | None = None, interrupted: bool = False, plain: bool = False
) -> RenderableType:
    """An ``AddSummary`` as a table of counts, plus a table of problems (file and line).

    Beyond :data:`MAX_PROBLEM_ROWS` problems the table becomes plain
    ``path:line: severity: reason`` lines, errors first.
    """
    title = "Indexing interrupted — committed batches are kept" if interrupted else "Indexed"
    counts = Table(title=title, title_justify="left", box=None if plain else box.SIMPLE, show_header=True)
    for name in ("added", "updated", "skipped", "paragraphs", "problems"):
        counts.add_column(name, justify="right")
    if elapsed_s is not None:
        counts.add_column("time", justify="right")
    row = [
        f"{summary.added:,}",
        f"{summary.updated:,}",
        f"{summary.skipped:,}",
        f"{summary.paragraphs:,}",
        f"{len(summary.problems):,}",
    ]
    if elapsed_s is not None:
        row.append(f"{elapsed_s:.1f} s")
    counts.add_row(*row)
    if not summary.problems:
        return counts
    if len(summary.problems) > MAX_PROBLEM_ROWS:
        return Group(counts, _ProblemLines(summary.problems))
    problems = Table(
        title="Problems", title_justify="left", box=None if plain else box.SIMPLE, show_header=True
    )
    problems.add_column("severity")
    problems.add_column("file", overflow="fold")
    problems.add_column("line", justify="right")
    problems.add_column("reason", overflow="fold")
    for p in summary.problems:
        # Text, not markup: a reason quotes file content ("[/x]" would raise MarkupError);
        # file names and reasons may hold escape sequences.
        problems.add_row(*(Text(terminal_safe(cell)) for cell in _problem_row(p)))
    return Group(counts, problems)


def tokens_table(tokens: Iterable[Any], *, title: str | None = None) -> Table:
    """The analysis of a text: surface word, offsets, lemma, compound parts, stop word."""
    table = Table(title=title, box=box.SIMPLE, title_justify="left")
    table.add_column("surface")
    table.add_column("offsets", style="dim")
    table.add_column("lemma", style="bold")
    table.add_column("compound parts")
    table.add_column("stop", justify="center")
    for t in tokens:
        cells = (t.text, f"{t.start}–{t.end}", t.lemma, ", ".join(t.parts), "✓" if t.is_stop else "")
        table.add_row(*(Text(terminal_safe(c)) for c in cells))  # Text: "[bold]" is a word here
    return table
