"""The search prompt (``newsindex shell``): type a query, page through passages, open articles.

On a terminal it is a prompt_toolkit prompt (line editing, persistent history,
completion of commands and field names) with rich rendering. When stdin is not a
terminal it reads one query or command per line and prints plain text (no escape
codes; marked words as ``**word**``), so ``echo Krieg | newsindex shell`` works.

The state and the commands live in :class:`Shell`, which has no terminal code:
``Shell.handle(line)`` is what both front ends call, and what tests call directly.
"""

from __future__ import annotations

import contextlib
import shlex
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from newsindex import parse_date_bound, terminal_safe

from . import render, shell_options

if TYPE_CHECKING:  # pragma: no cover
    from prompt_toolkit.completion import Completer

    from newsindex import NewsIndex, Results

__all__ = ["COMMANDS", "FIELD_NAMES", "Filters", "Shell", "make_completer", "run_shell"]

FIELD_NAMES = ("source:", "author:", "date:", "title:")
FILTER_KEYS = ("source", "since", "until")

COMMANDS: dict[str, str] = {
    ":open N": "show the whole article of hit N with every match marked",
    ":more, n": "next page of results",
    "p": "previous page of results",
    ":filter k=v …": "filter by source=…, since=…, until=… (dates: 2025, 2025-10, 2025-10-28); "
    "k= clears one, no arguments shows them",
    ":clear": "drop all filters and the current results",
    **shell_options.HELP,
    ":stats": "what is in the index",
    ":analyze TEXT": "show how TEXT is analysed (lemma, compound parts)",
    ":help": "this help",
    ":quit": "leave (also Ctrl-D)",
}
_COMPLETION_WORDS = (
    ":open", ":more", ":filter", ":clear", *shell_options.NAMES, ":stats", ":analyze", ":help", ":quit",
    "n", "p",
)
_BARE = ("n", "p", "?")  # commands without a colon, recognised only on their own
_ALIASES = {
    ":q": ":quit",
    ":exit": ":quit",
    ":h": ":help",
    "?": ":help",
    ":?": ":help",
    ":n": ":more",
    ":next": ":more",
    "n": ":more",
    ":p": ":prev",
    ":prev": ":prev",
    "p": ":prev",
    ":o": ":open",
}


@dataclass(slots=True)
class Filters:
    """The keyword filters every search of the session gets."""

    source: str | None = None
    since: date | None = None
    until: date | None = None

    def kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``NewsIndex.search``."""
        return {"source": self.source, "since": self.since, "until": self.until}

    def describe(self) -> str:
        """``source=X since=D`` or ``no filters``."""
        pairs = (("source", self.source), ("since", self.since), ("until", self.until))
        bits = [f"{k}={v}" for k, v in pairs if v]
        return " ".join(bits) if bits else "no filters"

    def __bool__(self) -> bool:
        return any((self.source, self.since, self.until))


class ShellError(ValueError):
    """A mistyped command: shown as one line, the session goes on."""


@dataclass
class Shell:
    """The prompt's state (query, results, page, filters) and its commands.

    ``handle(line)`` runs one line and returns ``False`` when the session should end.
    """

    index: NewsIndex
    console: Console
    plain: bool = False
    page_size: int = 5
    max_chars: int = 240
    filters: Filters = field(default_factory=Filters)
    query: str | None = None
    results: Results | None = None
    page: int = 0
    sort: str | None = None
    facets: tuple[str, ...] = ()
    _sources: list[str] | None = field(default=None, repr=False)

    # -- entry point -----------------------------------------------------------------
    def handle(self, line: str) -> bool:
        """Run one input line (a query or a ``:command``); ``False`` means quit."""
        line = line.strip()
        if not line:
            return True
        word, _, rest = line.partition(" ")
        rest = rest.strip()
        bare = word.lower() in _BARE and not rest  # "n" alone pages; "n Krieg" is a query
        if not (word.startswith(":") or bare):
            self.search(line)
            return True
        name = _ALIASES.get(word.lower(), word.lower())
        if name == ":quit":
            return False
        handler = self._commands().get(name)
        if handler is None:
            self._error(f"unknown command {word!r} — :help lists the commands")
            return True
        try:
            handler(rest)
        except ShellError as e:
            self._error(str(e))
        return True

    def _commands(self) -> dict[str, Callable[[str], None]]:
        return {
            ":help": self.cmd_help,
            ":more": self.cmd_more,
            ":prev": self.cmd_prev,
            ":open": self.cmd_open,
            ":filter": self.cmd_filter,
            ":clear": self.cmd_clear,
            ":stats": self.cmd_stats,
            ":analyze": self.cmd_analyze,
            **{name: self._option(getattr(shell_options, f"cmd_{name[1:]}")) for name in shell_options.NAMES},
        }

    def _option(self, command: Callable[[Shell, str], None]) -> Callable[[str], None]:
        def run(arg: str) -> None:
            try:
                command(self, arg)
            except ValueError as e:
                raise ShellError(str(e)) from None

        return run

    def _error(self, message: str) -> None:
        # Messages quote ids, sources and typed text: never let them reach the terminal raw.
        self.console.print(Text(terminal_safe(message), style="red"))

    def _info(self, message: str) -> None:
        self.console.print(Text(terminal_safe(message), style="dim"))

    # -- searching ---------------------------------------------------------------------
    def search(self, query: str, *, remind_filters: bool = True) -> None:
        """Search ``query`` with the current filters and show the first page."""
        self.query, self.page = query, 0
        self._fetch(self.page_size + 1)
        self.show_page(remind_filters=remind_filters)
        shell_options.show_facets(self)

    def _fetch(self, limit: int) -> Results:
        assert self.query is not None
        kwargs = {**self.filters.kwargs(), "sort": self.sort, "facets": self.facets}
        self.results = self.index.search(self.query, limit=limit, **kwargs)
        return self.results

    def _ensure(self, count: int) -> None:
        """Make sure ``count`` hits are fetched when the index has that many."""
        res = self.results
        if res is not None and self.query is not None and len(res.hits) < count <= res.total:
            self._fetch(count)

    def show_page(self, *, remind_filters: bool = True) -> None:
        """Render the current page; with no hits, say which filters are on."""
        res = self.results
        if res is None:
            return
        start = self.page * self.page_size
        self._ensure(start + self.page_size + 1)
        res = self.results
        assert res is not None
        more = len(res.hits) > start + self.page_size
        hints = []
        if more:
            hints.append("n: next page")
        elif res.hits and res.total > len(res.hits):
            hints.append(f"{res.total - len(res.hits)} more passages are in these articles")
        if self.page > 0:
            hints.append("p: previous page")
        if res.hits:
            hints.append(":open N: whole article")
        self.console.print(
            render.results_renderable(
                res,
                start=start,
                count=self.page_size,
                max_chars=self.max_chars,
                plain=self.plain,
                more_hint=" · ".join(hints) or None,
            )
        )

        if not res.hits and self.filters and remind_filters:
            self._info(f"filters: {self.filters.describe()} (:clear drops them)")

    def _need_results(self) -> Results:
        if self.results is None:
            raise ShellError("no results yet — type a query first")
        return self.results

    # -- commands --------------------------------------------------------------------
    def cmd_more(self, _: str = "") -> None:
        """``:more`` / ``n``: the next page."""
        res = self._need_results()
        start = (self.page + 1) * self.page_size
        self._ensure(start + self.page_size + 1)
        res = self._need_results()
        if start >= len(res.hits):
            raise ShellError("no more results")
        self.page += 1
        self.show_page()

    def cmd_prev(self, _: str = "") -> None:
        """``p``: the previous page."""
        self._need_results()
        if self.page == 0:
            raise ShellError("already on the first page")
        self.page -= 1
        self.show_page()

    def cmd_open(self, arg: str) -> None:
        """``:open N``: the whole article of hit ``N``, every match of the query marked."""
        res = self._need_results()
        if not arg:
            arg = str(self.page * self.page_size + 1)
        try:
            rank = int(arg.lstrip("#"))
        except ValueError:
            raise ShellError(f":open needs a hit number, not {arg!r}") from None
        self._ensure(rank)
        res = self._need_results()
        if not 1 <= rank <= len(res.hits):
            raise ShellError(f"no hit {rank} (there are {len(res.hits)})" if res.hits else "no hits to open")
        hit = res.hits[rank - 1]
        article = self.index.article(hit.article_id)
        if article is None:
            raise ShellError(f"article {hit.article_id} is no longer in the index")
        # The query's words in every paragraph, plus the index's own highlights
        # where a hit shows a paragraph of this article.
        marks = self.index.mark_article(article, res.query, res.hits)
        self.console.print(render.article_renderable(article, marks, plain=self.plain, focus=hit.paragraph))

    def cmd_filter(self, arg: str) -> None:
        """``:filter source=… since=… until=…``; without arguments shows the filters."""
        if not arg:
            self._info(f"filters: {self.filters.describe()}")
            return
        try:
            items = shlex.split(arg)
        except ValueError as e:
            raise ShellError(f":filter: {e}") from None
        new = Filters(self.filters.source, self.filters.since, self.filters.until)
        for item in items:
            key, sep, value = item.partition("=")
            if not sep:
                key, sep, value = item.partition(":")
            key = key.strip().lower()
            if not sep or key not in FILTER_KEYS:
                raise ShellError(f"cannot read {item!r}: use source=…, since=… or until=…")
            value = value.strip()
            if key == "source":
                new.source = value or None
            else:
                bound = parse_date_bound(value, end=key == "until") if value else None
                if value and bound is None:
                    raise ShellError(f"{key}: {value!r} is not a date (use 2025, 2025-10 or 2025-10-28)")
                setattr(new, key, bound)
        self.filters = new
        self._info(f"filters: {self.filters.describe()}")
        if self.query:
            self.search(self.query, remind_filters=False)

    def cmd_clear(self, _: str = "") -> None:
        """``:clear``: drop the filters and the current results."""
        self.filters = Filters()
        self.query, self.results, self.page = None, None, 0
        self._info("filters and results cleared")

    def cmd_stats(self, _: str = "") -> None:
        """``:stats``: what is in the index."""
        self.console.print(render.stats_renderable(self.index.stats(), plain=self.plain))

    def cmd_analyze(self, arg: str) -> None:
        """``:analyze TEXT``: the analysis chain's view of ``TEXT``."""
        if not arg:
            raise ShellError(":analyze needs some text, e.g. :analyze Drogenkartelle")
        self.console.print(render.tokens_table(self.index.chain.analyze(arg)))

    def cmd_help(self, _: str = "") -> None:
        """``:help``: commands and query syntax."""
        table = Table(show_header=False, box=None, padding=(0, 2))
        table.add_column(style="bold cyan")
        table.add_column()
        table.add_row("any text", "search, e.g. Wer liefert Waffen an Venezuela?")
        for name, text in COMMANDS.items():
            table.add_row(name, text)
        self.console.print(table)
        self.console.print(
            Text(
                'Query syntax: "exact phrase"  +required  -excluded  word~ (typos)  prefix*  '
                "source:X  author:X  title:X  date:2025-10-01..2025-10-31",
                style="dim",
            )
        )

    # -- front ends ------------------------------------------------------------------
    def run_lines(self, lines: Iterable[str]) -> None:
        """Handle ``lines`` until one says quit (pipes and tests)."""
        for line in lines:
            if not self.handle(line.rstrip("\r\n")):
                break

    def prompt_message(self) -> list[tuple[str, str]]:
        """The prompt: ``newsindex› `` plus the active filters."""
        msg = [("bold ansicyan", "newsindex")]
        if self.filters:
            msg.append(("ansiyellow", f" [{terminal_safe(self.filters.describe())}]"))
        msg.append(("", "› "))
        return msg

    def sources(self) -> list[str]:
        """The index's sources (for completion), read once per session."""
        if self._sources is None:
            try:
                self._sources = list(self.index.stats().get("sources") or [])
            except Exception:  # completion must never break the prompt
                self._sources = []
        return self._sources


def make_completer(shell: Shell) -> Completer:
    """Completion of commands (first word), ``:filter`` keys, field names and ``source:`` values."""
    from prompt_toolkit.completion import Completer, Completion
    from prompt_toolkit.document import Document

    class ShellCompleter(Completer):
        def get_completions(self, document: Document, complete_event: Any) -> Iterator[Completion]:
            before = document.text_before_cursor
            word = document.get_word_before_cursor(WORD=True)
            first = not before[: len(before) - len(word)].strip()
            candidates: Iterable[str]
            if first and (word.startswith(":") or not word):
                candidates = _COMPLETION_WORDS
            elif before.lstrip().startswith(":filter"):
                key, sep, value = word.partition("=")
                if sep and key == "source":
                    yield from _values(word, value, shell.sources(), "source=")
                    return
                candidates = [f"{k}=" for k in FILTER_KEYS]
            elif before.lstrip().startswith(":"):
                return
            elif word.lower().startswith("source:"):
                yield from _values(word, word[len("source:") :], shell.sources(), "source:")
                return
            else:
                candidates = FIELD_NAMES if word else ()
            for c in candidates:
                if c.startswith(word.lower()) and c != word:
                    yield Completion(c, start_position=-len(word))

    def _values(word: str, typed: str, values: list[str], prefix: str) -> Iterator[Completion]:
        for v in values:
            if v.lower().startswith(typed.lower()):
                text = prefix + (f'"{v}"' if " " in v else v)
                yield Completion(text, start_position=-len(word), display=terminal_safe(v))

    return ShellCompleter()


def _warm_up(index: NewsIndex) -> None:
    """Load the analysis (spaCy, the lemma table) in the background while the prompt
    appears and the user types: the first query waits only for what is left."""

    def work() -> None:
        with contextlib.suppress(Exception):  # the first real search reports errors
            index.chain.load()
            index.chain.analyze("Krieg", query=True)

    threading.Thread(target=work, name="newsindex-warm-up", daemon=True).start()


def _history(path: Path | None) -> Any:
    from prompt_toolkit.history import FileHistory, InMemoryHistory

    if path is None:
        return InMemoryHistory()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(exist_ok=True)
        return FileHistory(str(path))
    except OSError:
        return InMemoryHistory()


def run_interactive(shell: Shell, history_path: Path | None) -> None:
    """The prompt_toolkit loop: Ctrl-C drops the line (or stops a search), Ctrl-D quits."""
    from prompt_toolkit import PromptSession
    from prompt_toolkit.auto_suggest import AutoSuggestFromHistory
    from prompt_toolkit.formatted_text import FormattedText

    session: PromptSession[str] = PromptSession(
        history=_history(history_path),
        completer=make_completer(shell),
        auto_suggest=AutoSuggestFromHistory(),
        complete_while_typing=False,
        enable_history_search=True,
    )
    console = shell.console
    where = terminal_safe(shell.index.path or "memory")
    console.print(
        Text.assemble(
            ("newsindex", "bold cyan"),
            f" — searching {where}. Type a query; ",
            (":help", "bold"),
            " for commands, ",
            ("Ctrl-D", "bold"),
            " to quit.",
        )
    )
    while True:
        try:
            line = session.prompt(FormattedText(shell.prompt_message()))
        except KeyboardInterrupt:
            continue
        except EOFError:
            break
        try:
            if not shell.handle(line):
                break
        except KeyboardInterrupt:
            console.print(Text("interrupted", style="yellow"))


def run_shell(
    index: NewsIndex,
    *,
    interactive: bool | None = None,
    page_size: int = 5,
    history_path: Path | None = None,
    lines: Iterable[str] | None = None,
    console: Console | None = None,
) -> Shell:
    """Run the prompt on ``index``: interactive on a terminal, else line by line from ``lines``/stdin."""
    if interactive is None:
        interactive = lines is None and sys.stdin.isatty() and sys.stdout.isatty()
    if console is None:
        console = (
            Console(highlight=False)
            if interactive
            else Console(force_terminal=False, no_color=True, highlight=False, soft_wrap=True)
        )
    shell = Shell(index, console, plain=not interactive, page_size=page_size)
    if interactive:
        _warm_up(index)  # before prompt_toolkit loads: the prompt and the warm-up overlap
        run_interactive(shell, history_path)
    else:
        shell.run_lines(sys.stdin if lines is None else lines)
    return shell
