"""The ``newsindex`` command (also ``python -m newsindex``).

Commands: ``index``, ``search``, ``shell``, ``stats``, ``demo``, ``check``, ``unlock``. The index folder is
``--index DIR``, else ``$NEWSINDEX_INDEX``, else the platform's per-user data
folder (``~/.local/share/newsindex/index`` on Linux).

Exit codes: 0 ok, 1 a search found nothing, 2 usage error or unusable index
(missing, unreadable file, analysis not reproducible), 130 interrupted (Ctrl-C).
Errors are one line on stderr; ``--debug`` shows the traceback instead.

JSON output (``newsindex search QUERY --json``) is ``Results.to_dict()``, the
contract for calling newsindex from any language (one JSON object on stdout; the
exit code still says 0 hits found / 1 none / 2 error)::

    {
      "query": "Kartell",              // the query as typed
      "total": 1,                      // matching passages, exact up to 1,000 ...
      "total_exact": true,             // ... false means "1,000 or more"
      "elapsed_ms": 3.2,
      "suggestion": null,              // a "did you mean" query, or null
      "notes": [],                     // parts of the query that were ignored, and why
      "hits": [                        // best first, at most --limit, at most --per-article per article
        {
          "rank": 1,
          "score": 3.9803,
          "article_id": "0be6e845e7b562c9",
          "paragraph": 0,              // 0-based paragraph of the article
          "title": "Trump droht mit Krieg! Venezuela bittet Putin um Unterstützung",
          "source": "DerWesten.de",    // null when unknown (so are published, url, author)
          "published": "2025-11-01T00:00:00",
          "url": null,
          "author": "Yury Malakhov",
          "text": "Im Krieg gegen Drogenkartelle konfrontiert Trump den venezolanischen Diktator. …",
          "highlights": [[15, 29]],    // [start, end) character offsets of matched words in text
          "snippet": "Im Krieg gegen **Drogenkartelle** konfrontiert …",           // <= 240 chars
          "snippet_html": "Im Krieg gegen <mark>Drogenkartelle</mark> konfrontiert …"  // HTML-escaped
        }
      ]
    }

Heavy modules (spaCy, Whoosh) are imported only inside commands, so
``newsindex --help`` is fast.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from .. import __version__
from ..safe_text import markup_safe, terminal_safe, utf8_safe
from .paths import SeedsNotFoundError, find_seeds, history_file, resolve_index

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import Console

    from ..engine import NewsIndex

__all__ = ["SAMPLE_QUERIES", "app", "main"]

EXIT_OK, EXIT_NO_RESULTS, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
SAMPLE_QUERIES = ("Krieg", "Wer liefert Waffen an Venezuela?", "Kartell")

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


class CliError(Exception):
    """A failure to report as one line on stderr, with an exit code."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code


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


# -- consoles and errors -------------------------------------------------------------
def _stdout_console() -> Console:
    from rich.console import Console

    console = Console(highlight=False)
    if not console.is_terminal:  # pipes: no wrapping, so lines stay greppable
        console = Console(highlight=False, soft_wrap=True, no_color=True)
    return console


def _stderr_console() -> Console:
    from rich.console import Console

    console = Console(stderr=True, highlight=False)
    if not console.is_terminal:
        console = Console(stderr=True, highlight=False, soft_wrap=True, no_color=True)
    return console


def _plain(console: Console) -> bool:
    return not console.is_terminal or console.no_color


def _error_line(message: str) -> None:
    # Messages quote paths, ids and lock holders' command lines: one safe line.
    typer.echo(f"newsindex: error: {terminal_safe(message)}", err=True)


def _echo(*lines: str, err: bool = False) -> None:
    """Print ``lines`` that quote data (paths, ids, file names), each kept one safe line."""
    typer.echo("\n".join(terminal_safe(line) for line in lines), err=err)


# JSON leaves C1 controls, bidi controls and line separators raw (ensure_ascii=False):
# written as \uXXXX escapes they mean the same and cannot act on a terminal.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _write_json(data: Any) -> None:
    """One JSON document on stdout, always valid UTF-8 (lone surrogates become U+FFFD)."""
    text = utf8_safe(json.dumps(data, ensure_ascii=False, indent=2))
    text = _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    sys.stdout.write(text + "\n")


def _from_argv(text: str) -> str:
    """An argument as text: bytes that were not UTF-8 (surrogate-escaped by Python) become U+FFFD."""
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:  # a surrogate that is no escaped byte
        return utf8_safe(text)


def _describe(exc: BaseException, index_path: Path | None) -> CliError:
    """Map a library or OS error to a one-line message and an exit code."""
    from .. import (
        AnalysisMismatchError,
        AnalysisUnavailableError,
        IndexExistsError,
        IndexFormatError,
        IndexNotFoundError,
    )

    where = f" at {index_path}" if index_path else ""
    if isinstance(exc, CliError):
        return exc
    if isinstance(exc, IndexFormatError):
        return CliError(_first_line(exc))
    if isinstance(exc, IndexNotFoundError):
        return CliError(f"no index{where}: build one with `newsindex index PATH` (or try `newsindex demo`)")
    if isinstance(exc, IndexExistsError):
        return CliError(f"an index already exists{where} (use --overwrite to replace it)")
    if isinstance(exc, AnalysisUnavailableError | AnalysisMismatchError):
        return CliError(f"the index{where} cannot be used here: {_first_line(exc)}")
    from ..index.signing import UntrustedIndexError

    if isinstance(exc, UntrustedIndexError):
        first = _first_line(exc).split(";")[0]
        return CliError(f"{first}; if you trust its origin, run `newsindex trust --index {index_path}`")
    from ..index.errors import IndexLockedError, IndexWriteError

    if isinstance(exc, IndexLockedError | IndexWriteError):  # their messages name the index and the cause
        return CliError(_first_line(exc))
    from ..ingest import IngestError

    if isinstance(exc, IngestError):
        return CliError(f"{exc} (--strict stops at the first unreadable record)")
    if isinstance(exc, SeedsNotFoundError):
        return CliError(_first_line(exc))
    if isinstance(exc, FileNotFoundError):
        return CliError(f"no such file or folder: {exc.filename or _first_line(exc)}")
    if isinstance(exc, PermissionError):
        return CliError(f"permission denied: {exc.filename or _first_line(exc)}")
    if isinstance(exc, OSError):
        return CliError(f"{exc.strerror or _first_line(exc)}: {exc.filename}" if exc.filename else str(exc))
    return CliError(f"{type(exc).__name__}: {_first_line(exc)} (run with --debug for the traceback)")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


@contextlib.contextmanager
def _guard(debug: bool, index_path: Path | None = None) -> Iterator[None]:
    """Turn exceptions into one stderr line and an exit code (or re-raise with ``--debug``)."""
    try:
        yield
    except (typer.Exit, typer.Abort, typer.TyperException):
        raise
    except KeyboardInterrupt:
        if debug:
            raise
        _error_line("interrupted")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except Exception as exc:
        if debug:
            raise
        err = _describe(exc, index_path)
        _error_line(str(err))
        raise typer.Exit(err.code) from None


def _open(path: Path) -> NewsIndex:
    from ..engine import NewsIndex

    return NewsIndex.open(path)


def _open_or_create(
    path: Path,
    analysis: str | None,
    overwrite: bool,
    batch_size: int | None = None,
    lock_timeout: float | None = None,
) -> tuple[NewsIndex, bool]:
    """Open the index at ``path``, or create it; ``True`` when it was created."""
    from .. import IndexExistsError, IndexFormatError, IndexNotFoundError
    from ..engine import NewsIndex

    kwargs: dict[str, Any] = {"batch_size": batch_size} if batch_size else {}
    if lock_timeout is not None:
        kwargs["lock_timeout"] = lock_timeout
    if overwrite:
        return NewsIndex.create(path, overwrite=True, analysis=analysis, **kwargs), True
    for attempt in range(2):
        try:
            ix = NewsIndex.open(path, **kwargs)
        except IndexFormatError:
            raise  # an old index: say so (rebuild with --overwrite), never "already exists"
        except IndexNotFoundError:
            pass
        else:
            if analysis and analysis not in ("auto", ix.analysis.lemmatizer):
                _stderr_console().print(
                    f"[yellow]note:[/] this index uses [bold]{markup_safe(ix.analysis.lemmatizer)}[/]; "
                    "--analysis only applies to new indexes (add --overwrite to rebuild)"
                )
            return ix, False
        try:
            return NewsIndex.create(path, analysis=analysis, **kwargs), True
        except IndexExistsError:
            if attempt:
                raise
            # another `newsindex index` created it between our look and our create: add to that one
    raise AssertionError("unreachable")


def _parse_date(value: str | None, *, end: bool, option: str) -> date | None:
    if value is None:
        return None
    from ..search.query_syntax import parse_date_bound

    bound = parse_date_bound(value, end=end)
    if bound is None:
        shown = _from_argv(value)
        raise CliError(f"{option}: {shown!r} is not a date (use 2025, 2025-10, 2025-10-28 or 28.10.2025)")
    return bound


# -- indexing with progress ----------------------------------------------------------
@dataclass
class _Counter:
    """What the reader has handed to the writer so far."""

    files: int = 0
    articles: int = 0
    paragraphs: int = 0


def _list_files(paths: Sequence[Path], follow_symlinks: bool = False) -> list[list[Path]]:
    """The files ``read`` will visit under each path (same order), for the progress bar."""
    from ..ingest import iter_files

    return [list(iter_files(p, follow_symlinks=follow_symlinks)) for p in paths]


def _read_all(
    paths: Sequence[Path],
    files: Sequence[Sequence[Path]],
    counter: _Counter,
    problems: list[Any],
    fmt: str | None,
    strict: bool,
    follow_symlinks: bool = False,
) -> Iterator[Any]:
    """Read every path, keeping ``counter.files`` at the number of files finished."""
    from ..ingest import read

    done_before = 0
    for path, listed in zip(paths, files, strict=True):
        position = {str(f): done_before + i for i, f in enumerate(listed)}
        articles = read(
            path, format=fmt, strict=strict, on_problem=problems.append, follow_symlinks=follow_symlinks
        )
        for article in articles:
            counter.files = position.get(str(article.origin_path), counter.files)
            counter.articles += 1
            counter.paragraphs += len(article.paragraphs)
            yield article
        done_before += len(listed)
        counter.files = done_before


@contextlib.contextmanager
def _ctrl_c_in_main_process_only() -> Iterator[None]:
    """Ctrl-C raises ``KeyboardInterrupt`` here only; forked index-writer workers exit quietly.

    A terminal sends SIGINT to the whole process group, so the writer's worker
    processes would each print a traceback. They inherit this handler at fork
    time and leave without a word; the main process cancels the batch.
    """
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    main_pid = os.getpid()

    def on_sigint(signum: int, frame: Any) -> None:
        if os.getpid() != main_pid:
            os._exit(EXIT_INTERRUPTED)
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _eta(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    seconds = int(seconds + 0.5)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def index_paths(
    ix: NewsIndex,
    paths: Sequence[Path],
    *,
    console: Console,
    fmt: str | None = None,
    strict: bool = False,
    follow_symlinks: bool = False,
) -> tuple[Any, bool, float]:
    """Index ``paths`` into ``ix`` with a progress bar; returns (summary, interrupted, seconds).

    The bar counts files read; "indexed" counts the paragraphs of committed batches
    (the rate and the ETA come from those). Ctrl-C cancels the batch in progress:
    every committed batch stays. Symlinks leading out of a folder are followed
    only with ``follow_symlinks``.
    """
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    from ..index.errors import IndexWriteError
    from ..index.writing import AddSummary

    files = _list_files(paths, follow_symlinks)
    total_files = sum(len(f) for f in files)
    counter = _Counter()
    problems: list[Any] = []
    committed = AddSummary()
    t0 = time.perf_counter()
    progress = Progress(
        SpinnerColumn(),
        TextColumn("[bold]indexing[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("files · {task.fields[read]:,} paragraphs read · {task.fields[indexed]:,} indexed"),
        TextColumn("· {task.fields[rate]} ¶/s ·"),
        TimeElapsedColumn(),
        TextColumn("· ETA {task.fields[eta]}"),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )
    task = progress.add_task("index", total=total_files or None, read=0, indexed=0, rate="–", eta="–")
    indexed = 0

    def refresh() -> None:
        elapsed = max(time.perf_counter() - t0, 1e-6)
        rate = indexed / elapsed if indexed else None
        eta = None
        if rate and total_files > 1 and counter.files:
            expected = counter.paragraphs * total_files / counter.files  # paragraphs per file so far
            eta = max(expected - indexed, 0) / rate
        progress.update(
            task,
            completed=counter.files,
            read=counter.paragraphs,
            indexed=indexed,
            rate=f"{rate:,.0f}" if rate else "–",
            eta=_eta(eta),
        )

    def on_batch(summary: AddSummary) -> None:
        nonlocal indexed
        committed.added, committed.updated = summary.added, summary.updated
        committed.skipped, committed.paragraphs = summary.skipped, summary.paragraphs
        indexed = counter.paragraphs  # a batch is cut right after its last article is read
        refresh()

    def tick(article: Any) -> Any:
        refresh()
        return article

    interrupted = False
    with progress, _ctrl_c_in_main_process_only():
        read_all = _read_all(paths, files, counter, problems, fmt, strict, follow_symlinks)
        articles: Iterable[Any] = (tick(a) for a in read_all)
        try:
            ix.add(articles, progress=on_batch)
        except KeyboardInterrupt:
            interrupted = True
        except IndexWriteError as exc:  # disk full …: say what of this run is safely in the index
            raise CliError(f"{_first_line(exc)}; {_committed_before(committed)}") from exc
        refresh()
    committed.problems.extend(problems)
    return committed, interrupted, time.perf_counter() - t0


def _committed_before(committed: Any) -> str:
    """What a run that failed had committed: those articles stay in the index."""
    written = committed.added + committed.updated
    if not written and not committed.skipped:
        return "nothing of this run was committed before it"
    return (
        f"before it, this run committed {written:,} article{'s' if written != 1 else ''} "
        f"({committed.added:,} added, {committed.updated:,} updated, {committed.skipped:,} unchanged), "
        "which stay in the index: run again to add the rest"
    )


def _print_summary(summary: Any, seconds: float, interrupted: bool, console: Console) -> None:
    from .render import summary_renderable

    console.print(
        summary_renderable(summary, elapsed_s=seconds, interrupted=interrupted, plain=_plain(console))
    )


# -- commands ------------------------------------------------------------------------
@app.command("index")
def index_cmd(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Files or folders: .txt .md .jsonl(.gz) .html .csv", show_default=False, metavar="PATH"
        ),
    ],
    index: IndexOpt = None,
    analysis: AnalysisOpt = None,
    fmt: Annotated[
        str | None, typer.Option("--format", help="Read every file as this format (default: by name).")
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Stop at the first unreadable record.")] = False,
    follow_symlinks: Annotated[
        bool,
        typer.Option(
            "--follow-symlinks",
            help="Also read files that symlinks inside a folder point to outside it (default: skip them).",
        ),
    ] = False,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace an existing index instead of updating it.")
    ] = False,
    batch_size: Annotated[
        int | None,
        typer.Option(
            "--batch-size",
            min=1,
            help="Paragraphs per commit (default 10,000): Ctrl-C loses at most the batch in progress.",
            show_default=False,
        ),
    ] = None,
    lock_timeout: Annotated[
        float | None,
        typer.Option(
            "--lock-timeout",
            min=0,
            help="Seconds to wait for another writer's write lock before giving up (default 10).",
            show_default=False,
        ),
    ] = None,
    debug: DebugOpt = False,
) -> None:
    """Index files or folders (creates the index if needed; re-running updates, never duplicates).

    Ctrl-C stops cleanly: batches already committed stay in the index.
    """
    where = resolve_index(index)
    with _guard(debug, where):
        missing = [p for p in paths if not p.exists()]
        if missing:
            raise CliError(f"no such file or folder: {missing[0]}")
        err = _stderr_console()
        ix, created = _open_or_create(where, analysis, overwrite, batch_size, lock_timeout)
        with ix:
            err.print(
                f"{'Creating' if created else 'Updating'} index [bold]{markup_safe(where)}[/] "
                f"[dim]({markup_safe(ix.analysis.describe())})[/]"
            )
            summary, interrupted, seconds = index_paths(
                ix, paths, console=err, fmt=fmt, strict=strict, follow_symlinks=follow_symlinks
            )
        _print_summary(summary, seconds, interrupted, _stdout_console())
        if interrupted:
            _error_line("interrupted: the batches committed before Ctrl-C are kept; run again to finish")
            raise typer.Exit(EXIT_INTERRUPTED)


@app.command("search")
def search_cmd(
    query: Annotated[
        list[str],
        typer.Argument(help="The query (several words are joined).", metavar="QUERY", show_default=False),
    ],
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=1000, help="Passages to show.")] = 10,
    source: Annotated[
        list[str] | None, typer.Option("--source", "-s", help="Only this source (repeatable).")
    ] = None,
    since: Annotated[str | None, typer.Option(help="From this date: 2025, 2025-10 or 2025-10-28.")] = None,
    until: Annotated[str | None, typer.Option(help="Up to this date (inclusive).")] = None,
    per_article: Annotated[
        int, typer.Option("--per-article", min=0, help="Passages per article at most (0: no cap).")
    ] = 3,
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON (see docs).")] = False,
    index: IndexOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Search: ranked passages with highlighted snippets, title, source and date.

    Exit code 1 when nothing matches (a "did you mean" suggestion is shown if there is one).
    """
    where = resolve_index(index)
    with _guard(debug, where):
        text = _from_argv(" ".join(query)).strip()
        if not text:
            raise CliError("the query is empty: newsindex search QUERY")
        since_d = _parse_date(since, end=False, option="--since")
        until_d = _parse_date(until, end=True, option="--until")
        with _open(where) as ix:
            results = ix.search(
                text,
                limit=limit,
                max_per_article=per_article or None,
                source=[_from_argv(s) for s in source] if source else None,
                since=since_d,
                until=until_d,
            )
        if as_json:
            _write_json(results.to_dict())
        else:
            from .render import results_renderable

            console = _stdout_console()
            console.print(results_renderable(results, plain=_plain(console)))
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
    with _guard(debug, where), _open(where) as ix:
        stats = ix.stats()
        if as_json:
            _write_json(stats)
            return
        from .render import stats_renderable

        console = _stdout_console()
        console.print(stats_renderable(stats, plain=_plain(console)))


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
    with _guard(debug, where), _open(where) as ix:
        from .shell import run_shell

        run_shell(ix, page_size=page_size, history_path=history_file())


@app.command("demo")
def demo_cmd(
    path: Annotated[
        Path | None,
        typer.Argument(help="Articles to index (default: seeds/).", show_default=False, metavar="PATH"),
    ] = None,
    index: Annotated[
        Path | None,
        typer.Option(
            "--index", "-i", help="Keep the demo index here (default: a temporary folder).", metavar="DIR"
        ),
    ] = None,
    analysis: AnalysisOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Index the example articles and open the prompt (on a terminal) or run sample searches.

    Without a terminal (CI, pipes) it prints three sample searches and exits.
    """
    import tempfile

    with _guard(debug, index):
        seeds = find_seeds(path)
        interactive = sys.stdin.isatty() and sys.stdout.isatty()
        with contextlib.ExitStack() as stack:
            if index is None:
                tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="newsindex-demo-"))
                where = Path(tmp) / "index"
            else:
                where = index
            ix, _created = _open_or_create(where, analysis, overwrite=False)
            stack.enter_context(ix)
            err = _stderr_console()
            err.print(
                f"Indexing [bold]{markup_safe(seeds)}[/] into [bold]{markup_safe(where)}[/] "
                f"[dim]({markup_safe(ix.analysis.describe())})[/]"
            )
            summary, interrupted, seconds = index_paths(ix, [seeds], console=err)
            out = _stdout_console()
            _print_summary(summary, seconds, interrupted, out)
            if interrupted:
                raise KeyboardInterrupt
            if interactive:
                from .shell import run_shell

                run_shell(ix, history_path=history_file())
            else:
                _sample_searches(ix, out)


def _sample_searches(ix: NewsIndex, console: Console) -> None:
    from rich.rule import Rule

    from .render import results_renderable

    for q in SAMPLE_QUERIES:
        console.print(Rule(f"newsindex search {q!r}", style="dim"))
        console.print(results_renderable(ix.search(q, limit=3), max_chars=200, plain=_plain(console)))


@app.command("check")
def check_cmd(
    index: IndexOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    trust: Annotated[
        bool,
        typer.Option(
            "--trust",
            help="Read an index that is not signed with your key (this signs it): only one you trust.",
        ),
    ] = False,
    repair: Annotated[
        bool,
        typer.Option(
            "--repair",
            help="First remove paragraphs stored more than once (keeping one copy of each), then check.",
        ),
    ] = False,
    debug: DebugOpt = False,
) -> None:
    """Verify the index: every segment opens, every paragraph reads, articles complete, no duplicates.

    Also reports files left by a killed writer (remove them with `newsindex unlock`).
    --repair keeps one copy of each paragraph stored twice (under the write lock).
    Exit code 0 when healthy, 1 when problems are found, 2 when there is no index.
    """
    where = resolve_index(index)
    with _guard(debug, where):
        from ..index.maintenance import check_index

        repaired = None
        if repair:
            from ..engine import NewsIndex

            with NewsIndex.open(where, trust=trust, allow_version_drift=True) as ix:
                repaired = ix.repair()
        report = check_index(where, trust=trust)
        if repaired is not None:
            report.repaired = repaired.removed
        if as_json:
            _write_json(report.to_dict())
        else:
            lines = _check_lines(report, where)
            if repaired is not None:
                lines.insert(1, repaired.describe())
            _echo(*lines)
        if not report.ok:
            raise typer.Exit(EXIT_NO_RESULTS)


def _check_lines(report: Any, where: Path) -> list[str]:
    """``newsindex check``'s report as plain lines."""
    deleted = report.deleted_documents
    lines = [
        f"index {where}: {report.documents:,} paragraphs of {report.articles:,} articles "
        f"in {report.segments} segment{'s' if report.segments != 1 else ''}"
        + (f" ({deleted:,} deleted paragraphs not merged away yet)" if deleted else "")
    ]
    if report.lock is not None:
        lines.append(f"write lock: {report.lock.describe()}")
    lines += [f"note: {note}" for note in report.notes]
    if report.ok:
        lines.append("ok: no problems found")
    else:
        count = len(report.problems)
        lines.append(f"{count} problem{'s' if count != 1 else ''}:")
        lines += [f"  {p.severity}: {p.message}" for p in report.problems]
    return lines


@app.command("unlock")
def unlock_cmd(index: IndexOpt = None, debug: DebugOpt = False) -> None:
    """Clear what a killed writer left behind; refuses while a running process holds the write lock.

    The write lock is released by the system when its holder dies, so there is
    never a stale lock to break: this says whether a process holds it (and which),
    and when none does, removes the files an interrupted writer left (never one
    the index uses). Exit code 0 when done, 1 when a process holds the lock.
    """
    where = resolve_index(index)
    with _guard(debug, where):
        from ..index.errors import IndexLockedError
        from ..index.maintenance import unlock_index

        try:
            report = unlock_index(where)
        except IndexLockedError as exc:
            _error_line(_first_line(exc))
            raise typer.Exit(EXIT_NO_RESULTS) from None
        _echo(report.message)
        for name in report.removed:
            _echo(f"newsindex: warning: removed {where / name}", err=True)


@app.command("trust")
def trust_cmd(index: IndexOpt = None, debug: DebugOpt = False) -> None:
    """Sign an index built by someone else with your key, so newsindex opens it.

    Whoosh keeps an index's contents as Python pickles: opening an index from an
    untrusted source can run code. newsindex signs every index it writes and
    refuses others; run this only for an index whose origin you trust.
    """
    where = resolve_index(index)
    with _guard(debug, where):
        from ..engine import NewsIndex

        with NewsIndex.open(where, trust=True) as ix:
            stats = ix.stats()
        _echo(f"trusted {where}: {stats['articles']:,} articles, {stats['paragraphs']:,} passages")


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
        _error_line(f"{e.format_message()}{hint}")
        return e.exit_code
    except typer.Abort:
        _error_line("interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `newsindex search … | head`
        with contextlib.suppress(Exception):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the interpreter's final flush
        return EXIT_OK
    return rv if isinstance(rv, int) else EXIT_OK


def run() -> NoReturn:
    """``python -m newsindex``: run :func:`main` and exit with its code."""
    sys.exit(main())
