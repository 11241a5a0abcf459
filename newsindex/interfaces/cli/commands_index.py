"""``newsindex index`` and ``newsindex demo``: reading files into an index, with progress."""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from newsindex import markup_safe

from ..paths import find_seeds, history_file, resolve_index
from .app import EXIT_INTERRUPTED, AnalysisOpt, DebugOpt, IndexOpt, app
from .commands_search import sample_searches
from .errors import CliError, first_line, guard
from .output import error_line, from_argv, is_plain, stderr_console, stdout_console

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import Console

    from newsindex import AddSummary, FileProgress, NewsIndex

__all__ = ["demo_cmd", "index_cmd", "index_paths", "open_or_create"]


def open_or_create(
    path: Path,
    analysis: str | None,
    overwrite: bool,
    batch_size: int | None = None,
    lock_timeout: float | None = None,
) -> tuple[NewsIndex, bool]:
    """Open the index at ``path``, or create it; ``True`` when it was created."""
    from newsindex import IndexExistsError, IndexFormatError, IndexNotFoundError, NewsIndex

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
                stderr_console().print(
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
    csv_columns: dict[str, str] | None = None,
) -> tuple[AddSummary, bool, float]:
    """Index ``paths`` into ``ix`` with a progress bar; returns (summary, interrupted, seconds).

    The bar counts files read; "indexed" counts the paragraphs of committed batches
    (the rate and the ETA come from those). Ctrl-C cancels the batch in progress:
    every committed batch stays. Symlinks leading out of a folder are followed
    only with ``follow_symlinks``. ``csv_columns`` names CSV columns (see
    ``NewsIndex.add_path``).
    """
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    from newsindex import AddSummary, FileProgress, IndexWriteError

    problems: list[Any] = []
    committed = AddSummary()
    reading = FileProgress()  # replaced by the reader's own, updated as it reads
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
    task = progress.add_task("index", total=None, read=0, indexed=0, rate="–", eta="–")
    indexed = 0

    def refresh() -> None:
        elapsed = max(time.perf_counter() - t0, 1e-6)
        rate = indexed / elapsed if indexed else None
        eta = None
        total_files, done = reading.files_total, reading.files_done
        if rate and total_files > 1 and done:
            expected = reading.paragraphs * total_files / done  # paragraphs per file so far
            eta = max(expected - indexed, 0) / rate
        progress.update(
            task,
            total=total_files or None,
            completed=done,
            read=reading.paragraphs,
            indexed=indexed,
            rate=f"{rate:,.0f}" if rate else "–",
            eta=_eta(eta),
        )

    def on_file(state: FileProgress) -> None:
        nonlocal reading
        reading = state
        refresh()

    def on_batch(summary: AddSummary) -> None:
        nonlocal indexed
        committed.added, committed.updated = summary.added, summary.updated
        committed.skipped, committed.paragraphs = summary.skipped, summary.paragraphs
        indexed = reading.paragraphs  # a batch is cut right after its last article is read
        refresh()

    from newsindex import ctrl_c_in_main_process_only  # loads Whoosh: not at CLI start-up

    interrupted = False
    with progress, ctrl_c_in_main_process_only(EXIT_INTERRUPTED):
        try:
            ix.add_path(
                paths,
                format=fmt,
                strict=strict,
                follow_symlinks=follow_symlinks,
                progress=on_batch,
                on_file=on_file,
                on_problem=problems.append,
                csv_columns=csv_columns,
            )
        except KeyboardInterrupt:
            interrupted = True
        except IndexWriteError as exc:  # disk full …: say what of this run is safely in the index
            raise CliError(f"{first_line(exc)}; {_committed_before(committed)}") from exc
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


INTERRUPTED = "interrupted: the batches committed before Ctrl-C are kept; run again to finish"


def _print_summary(summary: Any, seconds: float, interrupted: bool, console: Console) -> None:
    """The summary of what was committed; after Ctrl-C, then one line saying so, and exit 130.

    The interruption is said once, on stderr: the summary table titled
    "interrupted" as well printed the same news twice on a terminal.
    """
    from ..render import summary_renderable

    console.print(summary_renderable(summary, elapsed_s=seconds, plain=is_plain(console)))
    if interrupted:
        error_line(INTERRUPTED)
        raise typer.Exit(EXIT_INTERRUPTED)


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
    csv_columns: Annotated[
        str | None,
        typer.Option(
            "--csv-columns",
            help="CSV columns by header name or 0-based number, e.g. title=Überschrift,text=Inhalt "
            "(fields: text title date source author url id category; others are found by header).",
            metavar="FIELD=COLUMN,…",
            show_default=False,
        ),
    ] = None,
    batch_size: Annotated[
        int | None,
        typer.Option(
            "--batch-size",
            min=1,
            help="Paragraphs per commit (default 30,000): Ctrl-C loses at most the batch in progress.",
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
    shards: Annotated[
        int | None,
        typer.Option(
            "--shards",
            min=1,
            help="Build a sharded index of N shards on Dask, one task per shard (needs newsindex[dask]).",
            show_default=False,
        ),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="Dask scheduler for --shards, e.g. tcp://host:8786 (default: a local cluster).",
            show_default=False,
        ),
    ] = None,
    debug: DebugOpt = False,
) -> None:
    """Index files or folders (creates the index if needed; re-running updates, never duplicates).

    Ctrl-C stops cleanly: batches already committed stay in the index.
    """
    where = resolve_index(index)
    with guard(debug, where):
        missing = [p for p in paths if not p.exists()]
        if missing:
            raise CliError(f"no such file or folder: {missing[0]}")
        columns = None
        if csv_columns is not None:  # a wrong one is a usage error before the index is touched
            from newsindex import parse_csv_columns

            try:
                columns = parse_csv_columns(from_argv(csv_columns))
            except ValueError as exc:
                raise CliError(f"--csv-columns: {exc}") from None
        if scheduler and not shards:
            raise CliError("--scheduler needs --shards N")
        if shards and (overwrite or not where.exists() or not any(where.iterdir())):
            if columns is not None:
                raise CliError("--csv-columns cannot be combined with building --shards yet")
            _build_sharded(paths, where, shards, scheduler, analysis, fmt, overwrite)
            return
        if shards and not (where / "shards.json").is_file():
            raise CliError(f"{where} holds an index that is not sharded: --overwrite rebuilds it sharded")
        err = stderr_console()
        ix, created = open_or_create(where, analysis, overwrite, batch_size, lock_timeout)
        with ix:
            err.print(
                f"{'Creating' if created else 'Updating'} index [bold]{markup_safe(where)}[/] "
                f"[dim]({markup_safe(ix.analysis.describe())})[/]"
            )
            summary, interrupted, seconds = index_paths(
                ix, paths, console=err, fmt=fmt, strict=strict, follow_symlinks=follow_symlinks,
                csv_columns=columns,
            )
        _print_summary(summary, seconds, interrupted, stdout_console())


def _build_sharded(
    paths: list[Path],
    where: Path,
    shards: int,
    scheduler: str | None,
    analysis: str | None,
    fmt: str | None,
    overwrite: bool,
) -> None:
    """``index --shards N``: one Dask task per shard (the workers read the files themselves)."""
    try:
        from newsindex import build_shards
    except ImportError as exc:
        raise CliError(str(exc)) from exc
    client = None
    if scheduler:
        from distributed import Client

        client = Client(scheduler)
    err = stderr_console()
    err.print(
        f"Building [bold]{shards}[/] shards in [bold]{markup_safe(where)}[/] on "
        f"{markup_safe(scheduler) if scheduler else 'a local Dask cluster'}"
    )
    t0 = time.perf_counter()
    try:
        built = build_shards(
            paths, where, shards, client, analysis=analysis, format=fmt, overwrite=overwrite
        )
    finally:
        if client is not None:
            client.close()
    articles = sum(b["articles"] for b in built)
    paragraphs = sum(b["paragraphs"] for b in built)
    for problem in (p for b in built for p in b["problems"]):
        err.print(f"[yellow]problem:[/] {markup_safe(problem)}")
    stdout_console().print(
        f"{articles:,} articles, {paragraphs:,} paragraphs in {shards} shards "
        f"({', '.join(str(b['paragraphs']) for b in built)} paragraphs) in {time.perf_counter() - t0:.1f} s"
    )


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

    with guard(debug, index):
        seeds = find_seeds(path)
        interactive = sys.stdin.isatty() and sys.stdout.isatty()
        with contextlib.ExitStack() as stack:
            if index is None:
                tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="newsindex-demo-"))
                where = Path(tmp) / "index"
            else:
                where = index
            ix, _created = open_or_create(where, analysis, overwrite=False)
            stack.enter_context(ix)
            err = stderr_console()
            err.print(
                f"Indexing [bold]{markup_safe(seeds)}[/] into [bold]{markup_safe(where)}[/] "
                f"[dim]({markup_safe(ix.analysis.describe())})[/]"
            )
            summary, interrupted, seconds = index_paths(ix, [seeds], console=err)
            out = stdout_console()
            _print_summary(summary, seconds, interrupted, out)
            if interactive:
                from ..shell import run_shell

                run_shell(ix, history_path=history_file())
            else:
                sample_searches(ix, out)
