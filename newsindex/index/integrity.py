"""Checking an index (``newsindex check``): is every paragraph stored once, readable and found?

:func:`check_index` opens every segment, reads every stored paragraph and compares
what it finds with what each article says about itself (``paragraphs_total``):
missing or doubled paragraphs, doc ids that are not unique, segments that cannot
be read, postings that disagree with the stored documents, files a killed writer
left behind (judged under the write lock; see :mod:`.debris`). Nothing is changed.
"""

from __future__ import annotations

import contextlib
import os
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from whoosh.reading import SegmentReader

from .debris import find_debris
from .documents import article_of, doc_id
from .errors import IndexNotFoundError, NewsIndexError
from .layout import FORMAT_VERSION, INDEX_NAME, MANIFEST, looks_like_index
from .locking import LockStatus, describe_holders, holding_write_lock, lock_status
from .signing import audit
from .storage import open_index, read_manifest

__all__ = ["CheckProblem", "CheckReport", "check_index", "check_open_index"]

_MAX_LISTED = 20  # problems of one kind listed one by one; the rest are summed up

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class CheckProblem:
    """One thing :func:`check_index` found wrong.

    ``kind`` is one of ``manifest``, ``unopenable``, ``segment``, ``duplicate-doc-id``,
    ``bad-doc-id``, ``missing-paragraphs``, ``duplicate-paragraphs``,
    ``inconsistent-article``, ``postings`` (the search index disagrees with the
    stored paragraphs), ``permissions`` and ``rollback`` (see ``signing.audit``)
    and ``orphaned-file`` (a warning: debris of a killed writer,
    harmless, removed by ``newsindex unlock`` or the next successful write).
    """

    kind: str
    message: str
    severity: Severity = "error"
    article_id: str | None = None
    segment: str | None = None
    file: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)


@dataclass(slots=True)
class CheckReport:
    """What :func:`check_index` found: counts, the lock state and the problems."""

    path: str | None
    generation: int | None = None
    segments: int = 0
    documents: int = 0  # live paragraph documents read
    deleted_documents: int = 0  # marked deleted, still in segments until a merge
    articles: int = 0
    lock: LockStatus | None = None
    problems: list[CheckProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    repaired: int = 0  # paragraph copies removed before checking (``check --repair``)

    @property
    def ok(self) -> bool:
        """``True`` when nothing is wrong (warnings count: they are worth a look)."""
        return not self.problems

    @property
    def errors(self) -> list[CheckProblem]:
        """The problems that are errors (data missing, doubled or unreadable)."""
        return [p for p in self.problems if p.severity == "error"]

    def add(self, kind: str, message: str, severity: Severity = "error", **where: Any) -> None:
        """Record a problem."""
        self.problems.append(CheckProblem(kind, message, severity, **where))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (``newsindex check --json``)."""
        return {
            "path": self.path,
            "ok": self.ok,
            "generation": self.generation,
            "segments": self.segments,
            "documents": self.documents,
            "deleted_documents": self.deleted_documents,
            "articles": self.articles,
            "lock": self.lock.to_dict() if self.lock else None,
            "problems": [p.to_dict() for p in self.problems],
            "notes": list(self.notes),
            "repaired": self.repaired,
        }


def check_index(path: str | os.PathLike[str], *, trust: bool = False) -> CheckReport:
    """Verify the index at ``path`` (see :class:`CheckReport`).

    Raises :class:`IndexNotFoundError` only when there is no index at all; an index
    that cannot be opened (unsigned, changed since signed, unreadable) is reported
    as a problem and not read further, since reading it could run code stored in
    it. ``trust=True`` opens it as :func:`open_index` does with ``trust`` (signing
    it with your key) and then reads everything. Otherwise nothing is changed.
    """
    path = Path(path)
    if not path.is_dir() or not looks_like_index(path):
        raise IndexNotFoundError(f"no newsindex index at {path}")
    report = CheckReport(path=str(path))
    try:
        manifest = read_manifest(path)
    except IndexNotFoundError as exc:
        report.add("manifest", str(exc), file=MANIFEST)
    else:
        if manifest.format_version != FORMAT_VERSION:
            report.add(
                "manifest",
                f"{MANIFEST} says format {manifest.format_version}, this newsindex reads {FORMAT_VERSION}",
                file=MANIFEST,
            )
    # Signatures cannot show these: a folder anyone may write, an older copy put back.
    for finding in audit(path, INDEX_NAME):
        report.add(finding.kind, finding.message, finding.severity, file=finding.file)
    try:
        ix, _ = open_index(path, allow_version_drift=True, trust=trust)
    except Exception as exc:  # every failure to open is a finding
        report.lock = lock_status(path)
        report.add("unopenable", f"the index cannot be opened: {type(exc).__name__}: {_line(exc)}")
        return report
    try:
        _check_whoosh(ix, path, report)
    finally:
        ix.close()
    return report


def check_open_index(ix: Any, path: Path | None) -> CheckReport:
    """Verify an open Whoosh index (``NewsIndex.check()``); ``path`` is ``None`` in memory."""
    report = CheckReport(path=str(path) if path else None)
    if path is not None:
        try:
            read_manifest(path)
        except NewsIndexError as exc:
            report.add("manifest", str(exc), file=MANIFEST)
    _check_whoosh(ix, path, report)
    return report


def _line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


def _check_whoosh(ix: Any, path: Path | None, report: CheckReport) -> None:
    writer_running = False
    if path is not None:
        report.lock = lock_status(path)
        writer_running = report.lock.held
        if writer_running:
            report.notes.append(
                f"a writer is running ({describe_holders(report.lock.holders)}): files it is writing "
                "are not reported, and what it has not committed yet is not counted"
            )
    try:
        toc = ix._read_toc()
    except Exception as exc:
        report.add("unopenable", f"the table of contents cannot be read: {type(exc).__name__}: {_line(exc)}")
        return
    report.generation = toc.generation
    report.segments = len(toc.segments)
    storage = ix.storage
    # doc id -> count; article id -> paragraph numbers seen, totals claimed
    doc_ids: Counter[str] = Counter()
    paragraphs: dict[str, list[int]] = defaultdict(list)
    totals: dict[str, set[int]] = defaultdict(set)
    bad_ids: list[tuple[str, str]] = []
    for segment in toc.segments:
        seg_id = segment.segment_id()
        try:
            reader = SegmentReader(storage, toc.schema, segment, generation=toc.generation)
        except Exception as exc:
            report.add(
                "segment",
                f"segment {seg_id} ({segment.doc_count()} paragraphs) cannot be opened: "
                f"{type(exc).__name__}: {_line(exc)}",
                segment=seg_id,
            )
            continue
        try:
            by_article: dict[str, set[int]] = defaultdict(set)
            for docnum in range(segment.doc_count_all()):
                if reader.is_deleted(docnum):
                    report.deleted_documents += 1
                    continue
                stored = reader.stored_fields(docnum)
                report.documents += 1
                aid = stored.get("article_id")
                number = stored.get("paragraph")
                did = stored.get("doc_id")
                doc_ids[str(did)] += 1
                if not isinstance(aid, str) or not isinstance(number, int):
                    bad_ids.append((str(did), seg_id))
                    continue
                by_article[aid].add(docnum)
                paragraphs[aid].append(number)
                total = stored.get("paragraphs_total")
                if isinstance(total, int):
                    totals[aid].add(total)
                if did != doc_id(aid, number):
                    bad_ids.append((str(did), seg_id))
            # The search side: each article's postings must list exactly its stored paragraphs.
            listed: dict[str, set[int]] = defaultdict(set)
            for term in reader.lexicon("article_id"):
                aid = term.decode("utf-8") if isinstance(term, bytes) else str(term)
                for docnum in reader.postings("article_id", term).all_ids():
                    if not reader.is_deleted(docnum):
                        listed[aid].add(docnum)
            differ = sorted(a for a in set(listed) | set(by_article) if listed.get(a) != by_article.get(a))
            for aid in differ[:_MAX_LISTED]:
                report.add(
                    "postings",
                    f"segment {seg_id}: the search index lists {len(listed.get(aid, ()))} paragraphs of "
                    f"article {aid}, the stored documents {len(by_article.get(aid, ()))}",
                    segment=seg_id,
                    article_id=aid,
                )
            if len(differ) > _MAX_LISTED:
                report.add(
                    "postings",
                    f"segment {seg_id}: {len(differ) - _MAX_LISTED} more such articles",
                    segment=seg_id,
                )
            # Read the whole term dictionary once: a damaged one fails here.
            for _ in reader.all_terms():
                pass
        except Exception as exc:
            report.add(
                "segment",
                f"segment {seg_id} cannot be read: {type(exc).__name__}: {_line(exc)}",
                segment=seg_id,
            )
        finally:
            with contextlib.suppress(Exception):
                reader.close()
    report.articles = len(paragraphs)
    _article_problems(report, doc_ids, paragraphs, totals, bad_ids)
    if path is not None and not writer_running:
        _report_debris(ix, path, report)


def _report_debris(ix: Any, path: Path, report: CheckReport) -> None:
    """Report a killed writer's files, judged under the write lock: a writer committing
    after the table of contents was read would otherwise have its new segment called debris."""
    with contextlib.ExitStack() as stack:
        try:
            mine = stack.enter_context(holding_write_lock(path))
        except OSError:  # may not open the lock file (another user's index): judge without it
            mine = True
        if not mine:
            report.notes.append("a writer started during the check: files it is writing are not reported")
            return
        referenced = {s.segment_id() for s in ix._read_toc().segments}
        for name in find_debris(path, referenced):
            report.add(
                "orphaned-file",
                f"{name} was left by a writer that did not finish (harmless; "
                "`newsindex unlock` or the next write removes it)",
                severity="warning",
                file=name,
            )


def _article_problems(
    report: CheckReport,
    doc_ids: Counter[str],
    paragraphs: dict[str, list[int]],
    totals: dict[str, set[int]],
    bad_ids: list[tuple[str, str]],
) -> None:
    doubled = sorted(d for d, n in doc_ids.items() if n > 1)
    for did in doubled[:_MAX_LISTED]:
        report.add(
            "duplicate-doc-id",
            f"doc id {did} is stored {doc_ids[did]} times",
            article_id=article_of(did),
        )
    if len(doubled) > _MAX_LISTED:
        report.add("duplicate-doc-id", f"{len(doubled) - _MAX_LISTED} more doc ids are stored more than once")
    for did, seg_id in bad_ids[:_MAX_LISTED]:
        report.add(
            "bad-doc-id",
            f"document {did} in segment {seg_id} does not match its article and paragraph",
            segment=seg_id,
        )
    listed = 0
    for aid in sorted(paragraphs):
        numbers = paragraphs[aid]
        claimed = totals.get(aid, set())
        problems: list[tuple[str, str]] = []
        if len(claimed) > 1:
            problems.append(
                (
                    "inconsistent-article",
                    f"article {aid}: its paragraphs disagree on its length ({sorted(claimed)})",
                )
            )
        total = max(claimed) if claimed else None
        seen = Counter(numbers)
        twice = sorted(n for n, c in seen.items() if c > 1)
        if twice:
            problems.append(
                (
                    "duplicate-paragraphs",
                    f"article {aid}: paragraph{'s' if len(twice) > 1 else ''} "
                    f"{_numbers(twice)} stored more than once",
                )
            )
        if total is None:
            problems.append(
                ("inconsistent-article", f"article {aid}: no paragraph records the article's length")
            )
        else:
            missing = sorted(set(range(total)) - set(seen))
            extra = sorted(n for n in seen if n >= total or n < 0)
            if missing:
                problems.append(
                    (
                        "missing-paragraphs",
                        f"article {aid}: {len(missing)} of its {total} paragraphs "
                        f"missing ({_numbers(missing)})",
                    )
                )
            if extra:
                problems.append(
                    (
                        "inconsistent-article",
                        f"article {aid}: paragraph numbers {_numbers(extra)} beyond its length {total}",
                    )
                )
        for kind, message in problems:
            listed += 1
            if listed <= _MAX_LISTED * 5:
                report.add(kind, message, article_id=aid)
    if listed > _MAX_LISTED * 5:
        report.add("inconsistent-article", f"{listed - _MAX_LISTED * 5} more article problems not listed")


def _numbers(values: list[int]) -> str:
    shown = ", ".join(str(v) for v in values[:10])
    return shown + (f" … ({len(values)} in all)" if len(values) > 10 else "")
