"""Checking an index, finding who holds its write lock, clearing what a killed writer left.

* :func:`check_index` (``newsindex check``) opens every segment, reads every stored
  paragraph and compares what it finds with what each article says about itself
  (``paragraphs_total``): missing or doubled paragraphs, doc ids that are not
  unique, segments that cannot be read, files a killed writer left behind.
* :func:`lock_status` says whether a process holds the write lock, and which.
  Whoosh's lock is a ``flock`` on the file ``paragraphs_WRITELOCK``: the kernel
  releases it when the holder's last descriptor closes (the process dies), so a
  killed writer leaves the *file* but never a held lock. The holder is found in
  the kernel's own table (``/proc/locks`` on Linux), which cannot go stale the way
  a pid file written by newsindex could; elsewhere it is reported as unknown.
* :func:`unlock_index` (``newsindex unlock``) refuses while a live process holds
  the lock; otherwise it takes the lock itself and removes the debris: segment
  files no table of contents references, half-written tables of contents, the
  writer's temporary folder. Whatever the current table of contents references is
  never touched.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from .errors import IndexLockedError, IndexNotFoundError, NewsIndexError
from .signing import audit
from .storage import FORMAT_VERSION, INDEX_NAME, MANIFEST, open_index, read_manifest

__all__ = [
    "CheckProblem",
    "CheckReport",
    "LockHolder",
    "LockStatus",
    "UnlockReport",
    "check_index",
    "check_open_index",
    "describe_holders",
    "find_debris",
    "lock_file",
    "lock_holders",
    "lock_status",
    "remove_debris",
    "unlock_index",
]

LOCK_SUFFIX = "_WRITELOCK"  # Whoosh names the lock file "<indexname>_WRITELOCK"
_MAX_LISTED = 20  # problems of one kind listed one by one; the rest are summed up

Severity = Literal["error", "warning"]


# -- the write lock ------------------------------------------------------------------
def lock_file(path: str | os.PathLike[str], indexname: str = INDEX_NAME) -> Path:
    """The file Whoosh locks while it writes the index at ``path``."""
    return Path(path) / f"{indexname}{LOCK_SUFFIX}"


@dataclass(frozen=True, slots=True)
class LockHolder:
    """A process holding an index's write lock."""

    pid: int
    command: str | None = None  # its command line, when readable
    this_process: bool = False
    user: str | None = None  # its user, when not this process's

    def describe(self) -> str:
        """``process 1234 (python -m newsindex index news/)`` or ``this process (…)``."""
        if self.this_process:
            return f"this process ({self.pid}: another thread, or another NewsIndex on the same folder)"
        text = f"process {self.pid} ({self.command})" if self.command else f"process {self.pid}"
        return f"{text} of user {self.user}" if self.user else text

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "pid": self.pid,
            "command": self.command,
            "this_process": self.this_process,
            "user": self.user,
        }


@dataclass(frozen=True, slots=True)
class LockStatus:
    """Whether the write lock of an index is held, and by whom (when that can be found)."""

    path: str
    lock_file_exists: bool
    held: bool
    holders: tuple[LockHolder, ...] = ()

    def describe(self) -> str:
        """One sentence for people."""
        if not self.held:
            if self.lock_file_exists:
                return "no process holds the write lock; the lock file is harmless"
            return "no process holds the write lock"
        return f"the write lock is held by {describe_holders(self.holders)}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "lock_file_exists": self.lock_file_exists,
            "held": self.held,
            "holders": [h.to_dict() for h in self.holders],
        }


def describe_holders(holders: Iterable[LockHolder]) -> str:
    """``process 1234 (…)``, several joined with "and", or a phrase for unknown holders."""
    names = [h.describe() for h in holders]
    if not names:
        return "another process or thread (its id could not be found on this system)"
    return " and ".join(names)


def _probe(lock: Path) -> bool:
    """``True`` if some open file description holds an exclusive ``flock`` on ``lock``.

    Takes the lock for an instant when it is free (a writer starting at that moment
    retries, as Whoosh's writers poll). Opens read-only, so it never creates the file.
    Someone who may not open the lock file (only the index's writers may; see
    :mod:`.locking`) asks the kernel's lock table instead (Linux).
    """
    import fcntl

    try:
        fd = os.open(lock, os.O_RDONLY)
    except FileNotFoundError:
        return False
    except PermissionError:
        return bool(_flock_pids(lock))
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
            return True
        raise
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def _alive(pid: int) -> bool:
    """A running process (zombies, which hold no files, count as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        if not Path("/proc/self").exists():  # no procfs: ask the kernel directly
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return False
            except PermissionError:
                return True
            return True
        return False
    return stat.rpartition(")")[2].split()[:1] != ["Z"]


def _command(pid: int) -> str | None:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    text = " ".join(part.decode("utf-8", "replace") for part in raw.split(b"\0") if part)
    return (text[:157] + "…") if len(text) > 160 else (text or None)


def _flock_pids(lock: Path) -> list[int]:
    """Processes the kernel lists as holding a lock on ``lock`` (Linux ``/proc/locks``)."""
    try:
        st = lock.stat()
        table = Path("/proc/locks").read_text()
    except OSError:
        return []
    pids: list[int] = []
    for line in table.splitlines():
        parts = line.split()
        if len(parts) < 6 or "->" in parts[1]:  # "->" marks a process waiting for the lock
            continue
        try:
            pid = int(parts[4])
            major, minor, inode = parts[5].split(":")
            same = (int(major, 16), int(minor, 16), int(inode)) == (
                os.major(st.st_dev),
                os.minor(st.st_dev),
                st.st_ino,
            )
        except ValueError:
            continue
        if same and pid > 0 and pid not in pids:
            pids.append(pid)
    return pids


def _pids_with_open(lock: Path) -> list[int]:
    """Processes with a descriptor open on ``lock`` (Linux; those this user may inspect)."""
    try:
        st = lock.stat()
        entries = list(Path("/proc").iterdir())
    except OSError:
        return []
    target = str(lock.resolve())
    pids: list[int] = []
    for entry in entries:
        if not entry.name.isdigit():
            continue
        try:
            fds = list((entry / "fd").iterdir())
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(fd) != target:
                    continue
                fst = fd.stat()
            except OSError:
                continue
            if (fst.st_dev, fst.st_ino) == (st.st_dev, st.st_ino):
                pids.append(int(entry.name))
                break
    return pids


def lock_holders(lock: Path) -> tuple[LockHolder, ...]:
    """The live processes holding ``lock``, as far as this system tells (empty if unknown).

    ``/proc/locks`` names the process that took the lock; when that one is gone
    while the lock is still held, processes it started inherited the descriptor,
    and they are found by their open files.
    """
    pids = [p for p in _flock_pids(lock) if _alive(p)]
    if not pids:
        pids = [p for p in _pids_with_open(lock) if _alive(p)]
    me = os.getpid()
    return tuple(
        LockHolder(pid=p, command=_command(p), this_process=p == me, user=_other_user(p)) for p in pids
    )


def _other_user(pid: int) -> str | None:
    """The name of the user running ``pid`` when it is not ours (a lock held by a stranger)."""
    try:
        uid = os.stat(f"/proc/{pid}").st_uid
    except OSError:
        return None
    if uid == os.geteuid():
        return None
    try:
        import pwd

        return pwd.getpwuid(uid).pw_name
    except (ImportError, KeyError):
        return str(uid)


def lock_status(path: str | os.PathLike[str]) -> LockStatus:
    """Whether a process holds the write lock of the index at ``path``, and which."""
    lock = lock_file(path)
    exists = lock.exists()
    held = exists and _probe(lock)
    return LockStatus(
        path=str(path), lock_file_exists=exists, held=held, holders=lock_holders(lock) if held else ()
    )


@contextlib.contextmanager
def _holding_write_lock(path: Path) -> Iterator[bool]:
    """Hold the index's write lock (without waiting) for the block; yields ``False`` if busy.

    The same lock as the writers' (:class:`IndexLock`): a lock file it creates is
    as closed to readers as theirs.
    """
    from .locking import IndexLock

    lock = IndexLock(lock_file(path))
    if not lock.acquire():
        yield False
        return
    try:
        yield True
    finally:
        lock.release()


# -- debris --------------------------------------------------------------------------
def _patterns(indexname: str) -> dict[str, re.Pattern[str]]:
    name = re.escape(indexname)
    return {
        # Whoosh's segment files: "<indexname>_<16 random chars>.<ext>" (see whoosh.index.clean_files)
        "segment": re.compile(rf"^({name}_[0-9a-z]+)\.[A-Za-z0-9_.]+$"),
        # a table of contents: "_<indexname>_<generation>.toc"
        "toc": re.compile(rf"^_{name}_([0-9]+)\.toc$"),
        # a table of contents being written: "_<indexname>_<generation>.toc.<time()>", renamed when done
        "toc_temp": re.compile(rf"^_{name}_[0-9]+\.toc\.[0-9]+(?:\.[0-9]+)?(?:e[-+]?[0-9]+)?$"),
    }


def find_debris(
    folder: str | os.PathLike[str], referenced: Iterable[str], indexname: str = INDEX_NAME
) -> list[str]:
    """Names in ``folder`` left by writers that did not finish, given the segment ids in use.

    ``referenced`` are the ids (``paragraphs_<id>``) of the segments the current
    table of contents lists. Debris: other segments' files, tables of contents
    older than the newest, a table of contents still being written (``.toc.<time>``),
    the writers' temporary folder (``paragraphs.tmp``) and half-written manifests
    and signatures (``.manifest-*``, ``.sig-*``). Only meaningful while no writer
    runs (hold the lock).
    """
    folder = Path(folder)
    keep = set(referenced)
    pats = _patterns(indexname)
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    generations = [int(m.group(1)) for n in names if (m := pats["toc"].match(n))]
    latest = max(generations, default=-1)
    out: list[str] = []
    for name in names:
        if name == f"{indexname}.tmp" and (folder / name).is_dir():
            out.append(name)
        elif (folder / name).is_dir():
            continue
        elif (
            name.startswith(".manifest-")
            or pats["toc_temp"].match(name)
            or ((m := pats["toc"].match(name)) and int(m.group(1)) < latest)
            or ((m := pats["segment"].match(name)) and m.group(1) not in keep and name != MANIFEST)
        ):
            out.append(name)
    return out


def _is_debris(name: str, pats: dict[str, re.Pattern[str]], keep: set[str], latest: int) -> bool:
    if name.startswith((".manifest-", ".sig-")) or pats["toc_temp"].match(name):
        return True  # a manifest, signature or table of contents never renamed into place
    if m := pats["toc"].match(name):
        return int(m.group(1)) < latest  # superseded (Whoosh deletes these after each commit)
    m = pats["segment"].match(name)
    return m is not None and m.group(1) not in keep


def remove_debris(
    folder: str | os.PathLike[str], referenced: Iterable[str], indexname: str = INDEX_NAME
) -> list[str]:
    """Delete :func:`find_debris`'s files (caller holds the write lock); returns what went.

    Best effort: a file that cannot be deleted (read-only folder) is left.
    """
    folder = Path(folder)
    removed: list[str] = []
    for name in find_debris(folder, referenced, indexname):
        target = folder / name
        try:
            if target.is_dir():
                shutil.rmtree(target)
            else:
                target.unlink()
        except OSError:
            continue
        removed.append(name)
    return removed


# -- check ---------------------------------------------------------------------------
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


def _exists(path: Path) -> bool:
    return (path / MANIFEST).exists() or any(_patterns(INDEX_NAME)["toc"].match(n) for n in _listdir(path))


def _listdir(path: Path) -> list[str]:
    try:
        return os.listdir(path)
    except OSError:
        return []


def check_index(path: str | os.PathLike[str], *, trust: bool = False) -> CheckReport:
    """Verify the index at ``path`` (see :class:`CheckReport`).

    Raises :class:`IndexNotFoundError` only when there is no index at all; an index
    that cannot be opened (unsigned, changed since signed, unreadable) is reported
    as a problem and not read further, since reading it could run code stored in
    it. ``trust=True`` opens it as :func:`open_index` does with ``trust`` (signing
    it with your key) and then reads everything. Otherwise nothing is changed.
    """
    path = Path(path)
    if not path.is_dir() or not _exists(path):
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
    from whoosh.reading import SegmentReader

    from .writing import doc_id as make_doc_id

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
                if did != make_doc_id(aid, number):
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
            mine = stack.enter_context(_holding_write_lock(path))
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
            article_id=did.rpartition("#")[0],
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


# -- unlock --------------------------------------------------------------------------
@dataclass(slots=True)
class UnlockReport:
    """What :func:`unlock_index` found and did."""

    path: str
    lock_file_exists: bool
    removed: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        """One or two sentences for people."""
        lock = (
            "no process holds the write lock; the lock file is harmless"
            if self.lock_file_exists
            else "no process holds the write lock"
        )
        if not self.removed:
            return f"{lock}. Nothing to clean up."
        return (
            f"{lock}. Removed {len(self.removed)} file{'s' if len(self.removed) != 1 else ''} "
            f"left by a writer that did not finish: {', '.join(self.removed)}"
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"path": self.path, "lock_file_exists": self.lock_file_exists, "removed": list(self.removed)}


def unlock_index(path: str | os.PathLike[str]) -> UnlockReport:
    """Clear what a killed writer left at ``path``, if no live process holds the write lock.

    Raises :class:`IndexLockedError` naming the holder when the lock is held (a
    writer is running: stop it first), :class:`IndexNotFoundError` when there is
    no index. The lock *file* stays: it is Whoosh's, and harmless.
    """
    path = Path(path)
    if not path.is_dir() or not _exists(path):
        raise IndexNotFoundError(f"no newsindex index at {path}")
    existed = lock_file(path).exists()
    ix, _ = open_index(path, allow_version_drift=True)  # also verifies the table of contents
    try:
        with _holding_write_lock(path) as mine:
            if not mine:
                holders = lock_holders(lock_file(path))
                raise IndexLockedError(
                    f"the index at {path} is being written by {describe_holders(holders)}: "
                    "not unlocking (stop that process first; the lock goes when it exits)",
                    holders=tuple(h.pid for h in holders),
                )
            referenced = {s.segment_id() for s in ix._read_toc().segments}
            removed = remove_debris(path, referenced)
    finally:
        ix.close()
    return UnlockReport(path=str(path), lock_file_exists=existed, removed=removed)
