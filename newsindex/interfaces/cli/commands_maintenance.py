"""``newsindex check``, ``unlock`` and ``trust``: looking after an index folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from ..paths import resolve_index
from .app import EXIT_NO_RESULTS, DebugOpt, IndexOpt, app
from .errors import first_line, guard
from .output import echo, error_line, write_json

__all__ = ["check_cmd", "trust_cmd", "unlock_cmd"]


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
    with guard(debug, where):
        from newsindex import check_index

        repaired = None
        if repair:
            from newsindex import NewsIndex

            with NewsIndex.open(where, trust=trust, allow_version_drift=True) as ix:
                repaired = ix.repair()
        if (where / "shards.json").is_file():  # sharded: every shard, and that their analyses agree
            from newsindex import NewsIndex

            with NewsIndex.open(where, trust=trust, allow_version_drift=True) as ix:
                report = ix.check()
        else:
            report = check_index(where, trust=trust)
        if repaired is not None:
            report.repaired = repaired.removed
        if as_json:
            write_json(report.to_dict())
        else:
            lines = _check_lines(report, where)
            if repaired is not None:
                lines.insert(1, repaired.describe())
            echo(*lines)
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
    with guard(debug, where):
        from newsindex import IndexLockedError, unlock_index

        try:
            report = unlock_index(where)
        except IndexLockedError as exc:
            error_line(first_line(exc))
            raise typer.Exit(EXIT_NO_RESULTS) from None
        echo(report.message)
        for name in report.removed:
            echo(f"newsindex: warning: removed {where / name}", err=True)


@app.command("trust")
def trust_cmd(index: IndexOpt = None, debug: DebugOpt = False) -> None:
    """Sign an index built by someone else with your key, so newsindex opens it.

    Whoosh keeps an index's contents as Python pickles: opening an index from an
    untrusted source can run code. newsindex signs every index it writes and
    refuses others; run this only for an index whose origin you trust.
    """
    where = resolve_index(index)
    with guard(debug, where):
        from newsindex import NewsIndex

        with NewsIndex.open(where, trust=True) as ix:
            stats = ix.stats()
        echo(f"trusted {where}: {stats['articles']:,} articles, {stats['paragraphs']:,} passages")
