"""Adding, updating and deleting articles: one Whoosh document per paragraph.

Articles are written in batches of about ``batch_paragraphs`` paragraphs, each
batch one commit, so an interrupted run keeps every batch committed before it
and never a half-written article. Re-adding an article replaces its paragraphs
(never duplicates them) and is a no-op when its content is unchanged.

Large batches are analysed and written by ``workers`` processes (Whoosh's
multi-process writer, each process writing its own segment): on two cores this
doubles indexing speed. Small batches and in-memory indexes use one process,
where starting workers would cost more than it saves.

When a write fails (disk full, permission denied, a worker process dies) nothing
of the batch is committed: the files it had started are removed while the write
lock is still held, the lock is released, and :class:`IndexWriteError` says why.
Worker processes do not keep the parent's lock: they close their inherited copy
of its descriptor and (on Linux) die with the parent, so a killed ``newsindex
index`` never leaves a worker holding the index locked.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, NoReturn

from whoosh.filedb.filestore import FileStorage, RamStorage
from whoosh.index import TOC, Index, LockError
from whoosh.multiproc import SubWriterTask
from whoosh.searching import Searcher
from whoosh.writing import IndexWriter, SegmentWriter

from ..analysis import get_chain
from ..analysis.config import AnalysisConfig
from ..article import Article
from .errors import IndexLockedError, IndexReplacedError, IndexWriteError
from .maintenance import describe_holders, lock_file, lock_holders, remove_debris
from .schema import PERIOD, period_terms
from .signing import write_signed_toc
from .vocabulary import write_vocabularies

__all__ = ["AddSummary", "ArticleWriter", "doc_id", "paragraph_docnum", "paragraph_documents", "stored_hash"]

DEFAULT_BATCH = 10_000  # paragraphs per commit
MIN_PARALLEL_BATCH = 3_000  # below this, worker start-up (spaCy load) costs more than it saves


@dataclass(slots=True)
class AddSummary:
    """What an ``add`` did: counts of articles and paragraphs."""

    added: int = 0
    updated: int = 0
    skipped: int = 0
    paragraphs: int = 0
    problems: list[Any] = field(default_factory=list)

    def merge(self, other: AddSummary) -> None:
        """Add ``other``'s counts to this summary."""
        self.added += other.added
        self.updated += other.updated
        self.skipped += other.skipped
        self.paragraphs += other.paragraphs
        self.problems.extend(other.problems)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (problems as their ``str``)."""
        return {
            "added": self.added,
            "updated": self.updated,
            "skipped": self.skipped,
            "paragraphs": self.paragraphs,
            "problems": [str(p) for p in self.problems],
        }


def doc_id(article_id: str, paragraph: int) -> str:
    """The unique key of one paragraph document."""
    return f"{article_id}#{paragraph}"


def stored_hash(searcher: Searcher, article_id: str) -> str | None:
    """The content hash stored with an article's paragraphs (``None``: not in the index)."""
    docnum = searcher.document_number(article_id=article_id)
    return None if docnum is None else searcher.stored_fields(docnum).get("article_hash")


def paragraph_docnum(searcher: Searcher, article_id: str, paragraph: int) -> int | None:
    """The document number of one paragraph of an article (``None``: not in the index)."""
    for docnum in searcher.document_numbers(article_id=article_id):
        if searcher.stored_fields(docnum).get("paragraph") == paragraph:
            return int(docnum)
    return None


def _as_datetime(value: date | datetime | None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.combine(value, time())


def paragraph_documents(article: Article, content_hash: str) -> Iterator[dict[str, Any]]:
    """The Whoosh documents for an article's paragraphs."""
    published = _as_datetime(article.published)
    total = len(article.paragraphs)
    for i, text in enumerate(article.paragraphs):
        doc: dict[str, Any] = {
            "doc_id": doc_id(article.id, i),
            "article_id": article.id,
            "paragraph": i,
            "body": text,
            "stops": text,
            "paragraphs_total": total,
        }
        if article.title:
            doc["title"] = article.title
        if article.source:
            doc["source"] = article.source
        if article.author:
            doc["author"] = article.author
        if published is not None:
            doc["published"] = published
            doc[PERIOD] = period_terms(published.date())
        if article.url:
            doc["url"] = article.url
        doc["article_hash"] = content_hash  # on every paragraph: any one answers "changed?"
        yield doc


_REASONS = {
    errno.ENOSPC: ("disk full", "free some space and run again"),
    getattr(errno, "EDQUOT", -1): ("disk quota exceeded", "free some space and run again"),
    errno.EACCES: ("permission denied", "check the index folder's owner and permissions"),
    errno.EPERM: ("permission denied", "check the index folder's owner and permissions"),
    errno.EROFS: ("read-only file system", "index onto a writable disk"),
    errno.EMFILE: ("too many open files", "raise the open-file limit (ulimit -n) and run again"),
    errno.EIO: ("input/output error", "check the disk"),
}

# Set (per thread) while this process forks an index worker; see _in_new_worker.
_forking = threading.local()


@functools.cache
def _prctl() -> Any:
    """Linux's ``prctl`` (to make workers die with their parent), else ``None``."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):  # pragma: no cover - exotic libc
        return None


def _in_new_worker() -> None:
    """Runs in every forked child; acts only in an index worker just forked by this thread.

    Whoosh's workers fork from the writer and so inherit the descriptor that holds
    the write lock (an ``flock``, released only when *every* copy is closed): were
    the parent killed, a worker waiting for jobs would keep the index locked for
    ever. The worker closes its copy (it never needs the lock; closing a copy does
    not release the parent's lock), and on Linux asks for SIGKILL when its parent
    dies, so it does not linger either.
    """
    state = getattr(_forking, "state", None)
    if state is None:
        return
    _forking.state = None
    lock = state["lock"]
    fd = getattr(lock, "fd", None)
    if isinstance(fd, int):
        with contextlib.suppress(OSError):
            os.close(fd)
        lock.fd = None  # never flock(LOCK_UN) through it: that would unlock the parent
    prctl = state["prctl"]
    if prctl is not None:
        prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    if os.getppid() != state["parent"]:  # the parent died before prctl took effect
        os._exit(1)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_in_new_worker)


class _Worker(SubWriterTask):
    """Whoosh's index worker process, telling the parent why it failed.

    Whoosh's multi-process commit skips a worker that died without a result and
    commits the rest: a worker hitting a full disk (or killed by the OOM killer)
    silently lost its share of the batch. The parent checks every worker's exit
    code before it writes the table of contents, and reads the reason from here.
    """

    def __init__(self, *args: Any, report: Any) -> None:
        super().__init__(*args)
        self.report = report  # the sending end of a one-way pipe to the parent

    def run(self) -> None:
        """Whoosh's worker loop; a failure is sent to the parent, which raises it."""
        try:
            super().run()
        except BaseException as exc:
            try:
                self.report.send((getattr(exc, "errno", None), f"{type(exc).__name__}: {exc}"))
            except Exception:
                raise exc from None
            raise SystemExit(1) from None  # the parent reports it; no second traceback on stderr


class _LockCleaningUp:
    """A writer's lock that, released after a failed or cancelled write, first removes its files.

    Whoosh leaves an uncommitted segment's files (and a table of contents that
    was never renamed into place) in the folder; removing them needs the lock,
    so it happens just before the lock goes. After a successful commit there is
    nothing to do (Whoosh cleans up itself).
    """

    def __init__(self, inner: Any, writer: SegmentWriter, folder: str) -> None:
        self.inner = inner
        self.writer = writer
        self.folder = folder
        # Now, not at release: a commit appends its new segment to ``writer.segments``.
        self.started_from = _starting_point(writer)

    def __getattr__(self, name: str) -> Any:  # fd, locked, filename …
        return getattr(self.inner, name)

    def acquire(self, blocking: bool = False) -> bool:
        """Take the lock (Whoosh's interface)."""
        return bool(self.inner.acquire(blocking))

    def release(self) -> None:
        """Remove an unfinished write's files, then release the lock."""
        try:
            _remove_unfinished(self.writer, self.folder, self.started_from)
        finally:
            self.inner.release()


def _starting_point(writer: SegmentWriter) -> tuple[int, frozenset[str]] | None:
    """The generation a writer's commit will replace and the segments it lists."""
    segments = getattr(writer, "segments", None)
    generation = getattr(writer, "generation", None)
    if segments is None or generation is None:
        return None
    return generation - 1, frozenset(s.segment_id() for s in segments)


def _remove_unfinished(
    writer: SegmentWriter, folder: str, started_from: tuple[int, frozenset[str]] | None
) -> list[str]:
    """Delete what an uncommitted ``writer`` left in ``folder`` (it must hold the lock)."""
    if started_from is None:
        return []
    generation, referenced = started_from
    try:
        if TOC._latest_generation(writer.storage, writer.indexname) != generation:
            return []  # committed (Whoosh cleaned up itself), or not ours to judge
        return remove_debris(folder, referenced, writer.indexname)
    except Exception:
        return []


def _release_half_made(exc: BaseException, folder: str | None) -> None:
    """Release the lock of a writer whose constructor failed after taking it.

    Whoosh's ``SegmentWriter.__init__`` takes the lock, then creates files; when
    that fails (read-only folder, full disk) the half-made writer holds the lock
    until the garbage collector finds it, and the next write waits in vain.
    """
    tb = exc.__traceback__
    while tb is not None:
        writer = tb.tb_frame.f_locals.get("self")
        lock = getattr(writer, "writelock", None) if isinstance(writer, SegmentWriter) else None
        if writer is not None and lock is not None:
            if folder is not None:
                _remove_unfinished(writer, folder, _starting_point(writer))
            with contextlib.suppress(Exception):
                writer._tempstorage.destroy()
            with contextlib.suppress(Exception):
                lock.release()
            writer.writelock = None
        tb = tb.tb_next


def _batches(articles: Iterable[Article], batch_paragraphs: int) -> Iterator[list[Article]]:
    batch: list[Article] = []
    size = 0
    for article in articles:
        batch.append(article)
        size += len(article.paragraphs)
        if size >= batch_paragraphs:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _with_next(batches: Iterator[list[Article]]) -> Iterator[tuple[list[Article], list[Article] | None]]:
    """Each batch with the one after it (``None`` for the last).

    When reading the next batch fails (a bad file, Ctrl-C), the current batch is
    still handed out, without a next one, before the error goes on: reading
    ahead must never cost a batch that could have been committed.
    """
    current = next(batches, None)
    while current is not None:
        try:
            following = next(batches, None)
        except BaseException as exc:
            yield current, None
            raise exc from None
        yield current, following
        current = following


class _Primer(threading.Thread):
    """Analyses half of the next batch's articles while this batch's workers index.

    Half, because this process then works as long as the two workers: priming
    everything made the workers wait for it (adl: 85 s unprimed, 82 s all
    primed, 76 s half primed). Stopped early when the write fails.
    """

    def __init__(self, batch: list[Article], config: AnalysisConfig) -> None:
        super().__init__(name="newsindex-prime", daemon=True)
        self.texts = [t for a in batch[::2] for t in (*a.paragraphs, a.title)]
        self.chain = get_chain(config)
        self.stop = threading.Event()

    def run(self) -> None:
        """Prime the chain (see :meth:`AnalysisChain.prime`)."""
        self.chain.prime(self.texts, stop=self.stop)


def _wait_for(primer: _Primer | None, *, cancel: bool = False) -> None:
    """Join ``primer``: no worker may be forked while it runs (it changes the chain's state)."""
    if primer is not None:
        if cancel:
            primer.stop.set()
        primer.join()


class ArticleWriter:
    """Writes articles into a Whoosh index in committed batches."""

    def __init__(
        self,
        ix: Index,
        config: AnalysisConfig,
        *,
        batch_size: int = DEFAULT_BATCH,
        workers: int = 1,
        lock_timeout: float = 10.0,
        name: str = "the index",
        identity: tuple[int, int] | None = None,
    ) -> None:
        self.ix = ix
        self.identity = identity  # the folder's (device, inode) when opened; see _writer
        self.config = config
        self.batch_size = max(1, batch_size)
        self.workers = max(1, workers)
        self.lock_timeout = max(0.0, lock_timeout)
        self.name = name

    @property
    def _folder(self) -> str | None:
        storage = self.ix.storage
        return str(storage.folder) if isinstance(storage, FileStorage) else None

    def _writer(self, **options: Any) -> IndexWriter:
        """A Whoosh writer, waiting up to ``lock_timeout`` seconds for the write lock.

        Whoosh's lock is an ``fcntl`` file lock: the operating system releases it
        when its process dies, so a killed writer never leaves a stale lock. The
        error names the process holding it when the system says (Linux).
        """
        folder = self._folder
        try:
            writer = self.ix.writer(timeout=self.lock_timeout, **options)
        except LockError:
            holders = lock_holders(lock_file(folder, self.ix.indexname)) if folder else ()
            who = describe_holders(holders) if folder else "another thread"
            raise IndexLockedError(
                f"{self.name} is being written by {who}; "
                f"gave up after waiting {self.lock_timeout:g} s for its write lock",
                holders=tuple(h.pid for h in holders),
            ) from None
        except OSError as exc:
            _release_half_made(exc, folder)
            raise self._write_error(exc) from exc
        if folder is not None and getattr(writer, "writelock", None) is not None:
            writer.writelock = _LockCleaningUp(writer.writelock, writer, folder)
        if folder is not None and self.identity is not None:
            from .storage import folder_identity

            if folder_identity(self.ix.storage.folder) != self.identity:
                self._abort(writer)
                raise IndexReplacedError(
                    f"{self.name} was replaced by another process (--overwrite) while this one was "
                    "writing it; nothing more was written (reopen it to add to the new index)",
                    path=folder,
                    reason="index replaced",
                )
        return writer

    def _write_error(self, exc: OSError | None, detail: str = "") -> IndexWriteError:
        """The error for a write the operating system refused (``exc``) or a worker lost."""
        code = exc.errno if exc is not None else None
        reason, advice = _REASONS.get(code or 0, ("", "see the error above and run again"))
        if exc is not None:
            reason = reason or (exc.strerror or type(exc).__name__).lower()
            if not detail:
                detail = f"{exc.strerror}: {exc.filename}" if exc.filename and exc.strerror else str(exc)
        reason = reason or "a worker process failed"
        return IndexWriteError(
            f"could not write {self.name}: {reason} ({detail}); nothing of this batch was committed, "
            f"the index keeps its last committed state — {advice}",
            path=self._folder,
            reason=reason,
            errno=code,
        )

    def add(
        self,
        articles: Iterable[Article],
        *,
        progress: Callable[[AddSummary], None] | None = None,
    ) -> AddSummary:
        """Add or update ``articles``; returns the counts."""
        total = AddSummary()
        # While a batch's worker processes index it, this process analyses part of
        # the next batch, and the next batch's workers (forked after that) inherit
        # those analyses: this process no longer idles while they work.
        prefetch = self.workers > 1 and not isinstance(self.ix.storage, RamStorage)
        chain = get_chain(self.config)
        batches = _batches(articles, self.batch_size)
        pairs = _with_next(batches) if prefetch else ((b, None) for b in batches)
        try:
            for batch, following in pairs:
                total.merge(self._add_batch(batch, following))
                if progress is not None:
                    progress(total)
        finally:
            chain.forget_primed()
        return total

    def _writer_options(self, paragraphs: int) -> dict[str, Any]:
        in_memory = isinstance(self.ix.storage, RamStorage)
        if self.workers > 1 and paragraphs >= MIN_PARALLEL_BATCH and not in_memory:
            # multisegment: keep the workers' segments instead of merging them at
            # every commit, which would cost as much as the parallelism saves.
            return {"procs": self.workers, "multisegment": True, "limitmb": 256}
        return {"limitmb": 256}

    def delete(self, article_id: str) -> int:
        """Delete an article's paragraphs; returns how many documents went."""
        writer = self._writer()
        try:
            count = int(writer.delete_by_term("article_id", article_id))
        except BaseException as exc:
            self._give_up(writer, exc)
        self._commit(writer)
        return count

    def _give_up(self, writer: IndexWriter, exc: BaseException) -> NoReturn:
        """Abort ``writer`` after ``exc`` and raise (an OS error as :class:`IndexWriteError`)."""
        self._abort(writer)
        if isinstance(exc, OSError):
            raise self._write_error(exc) from exc
        raise exc

    def _commit(self, writer: IndexWriter) -> None:
        """Commit ``writer``; on failure nothing is committed and the lock is released."""
        self._seal_after_toc(writer)
        self._check_workers_before_toc(writer)
        try:
            writer.commit()
        except BaseException as exc:
            self._give_up(writer, exc)

    def _seal_after_toc(self, writer: IndexWriter) -> None:
        """Replace Whoosh's table-of-contents step: write the new segments' term lists,
        sign the commit, put its table of contents in place, then delete old files
        (see ``vocabulary`` and ``signing``); all under the write lock."""
        if getattr(writer, "_commit_toc", None) is None or self._folder is None:
            return
        signer = getattr(self.ix, "signer", None)

        def sealed_commit_toc(segments: Any) -> None:
            from whoosh.index import TOC, clean_files

            write_vocabularies(writer.storage, writer.schema, segments)
            toc = TOC(writer.schema, segments, writer.generation)
            write_signed_toc(writer.storage, writer.indexname, toc, signer)
            clean_files(writer.storage, writer.indexname, writer.generation, segments)

        writer._commit_toc = sealed_commit_toc  # type: ignore[attr-defined]

    def _check_workers_before_toc(self, writer: IndexWriter) -> None:
        """Make a multi-process commit fail, instead of losing documents, when a worker failed."""
        commit_toc = getattr(writer, "_commit_toc", None)
        if not hasattr(writer, "tasks") or commit_toc is None:
            return

        def checked_commit_toc(segments: Any) -> None:
            for task in writer.tasks:
                if task.exitcode == 0:
                    continue
                report = getattr(task, "report_from", None)
                errno_code, text = None, ""
                with contextlib.suppress(Exception):
                    if report is not None and report.poll():
                        errno_code, text = report.recv()
                if errno_code is not None:
                    raise self._write_error(OSError(errno_code, os.strerror(errno_code)), text)
                if (task.exitcode or 0) < 0:
                    text = f"killed by signal {-(task.exitcode or 0)}"
                raise self._write_error(None, f"index worker {task.pid}: {text or 'failed'}")
            commit_toc(segments)

        writer._commit_toc = checked_commit_toc  # type: ignore[attr-defined]

    @staticmethod
    def _prepare_workers(writer: IndexWriter) -> None:
        """Start Whoosh's worker processes our way (replaces ``MpWriter._new_task``).

        * They ignore Ctrl-C: a terminal's Ctrl-C goes to the whole process group,
          and each worker would die with its own traceback; the parent cancels them.
        * They drop their inherited copy of the write lock and die with the parent
          (see :func:`_in_new_worker`).
        * They report why they failed (:class:`_Worker`).
        """
        if not hasattr(writer, "_new_task") or getattr(writer, "start_method", None) is not None:
            return
        lock = getattr(writer.writelock, "inner", writer.writelock)  # the descriptor workers must drop
        prctl = _prctl()

        def start_worker() -> Any:
            import multiprocessing

            receive, send = multiprocessing.Pipe(duplex=False)
            task = _Worker(
                writer.storage,
                writer.indexname,
                writer.jobqueue,
                writer.resultqueue,
                writer.subargs,
                writer.multisegment,
                report=send,
            )
            task.report_from = receive  # type: ignore[attr-defined]
            writer.tasks.append(task)
            main = threading.current_thread() is threading.main_thread()
            previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
            _forking.state = {"lock": lock, "prctl": prctl, "parent": os.getpid()}
            try:
                task.start()
            finally:
                _forking.state = None
                if previous is not None:
                    signal.signal(signal.SIGINT, previous)
            send.close()  # the worker has its copy; EOF when it exits
            return task

        writer._new_task = start_worker  # type: ignore[attr-defined]

    @staticmethod
    def _abort(writer: IndexWriter) -> None:
        """Give up on ``writer``: stop its workers, remove its files, release its lock. Never raises.

        Whoosh's ``cancel`` only flags worker processes, which go on waiting for
        jobs, so they are terminated first (and before the files they write go).
        """
        for task in getattr(writer, "tasks", ()):
            with contextlib.suppress(Exception):
                if task.is_alive():
                    task.terminate()
                task.join(timeout=5)
        if getattr(writer, "is_closed", False):  # a failed SegmentWriter.commit cleaned up already
            return
        try:
            writer.cancel()
        except Exception:
            with contextlib.suppress(Exception):
                writer._cleanup_on_error()  # type: ignore[attr-defined]

    def _decide(
        self, unique: dict[str, Article], hashes: dict[str, str]
    ) -> tuple[dict[str, str | None], list[Article]]:
        """The stored hash of each article, and the articles to write (new or changed)."""
        with self.ix.searcher() as s:
            stored = {aid: stored_hash(s, aid) for aid in unique}
        todo = [a for a in unique.values() if a.paragraphs and stored[a.id] != hashes[a.id]]
        return stored, todo

    def _add_batch(self, batch: list[Article], following: list[Article] | None = None) -> AddSummary:
        """Write one batch in one commit; meanwhile analyse the ``following`` batch (see :meth:`add`)."""
        summary = AddSummary()
        # Later copies of an article within one batch win, as they would across batches.
        unique: dict[str, Article] = {}
        for article in batch:
            unique[article.id] = article
        hashes = {a.id: a.content_hash() for a in unique.values()}
        summary.skipped += len(batch) - len(unique)
        # A first look without the lock, so a run of unchanged articles never waits for it …
        generation = self.ix.latest_generation()  # before the searcher: a commit in between is seen
        stored, todo = self._decide(unique, hashes)
        if not todo:
            summary.skipped += len(unique)
            return summary
        paragraphs = sum(len(a.paragraphs) for a in todo)
        writer = self._writer(**self._writer_options(paragraphs))
        if self.ix.latest_generation() != generation:
            # … but what to write is decided under the lock: another writer committed
            # since the first look (perhaps these very articles), so look again.
            try:
                stored, todo = self._decide(unique, hashes)
            except BaseException as exc:
                self._give_up(writer, exc)
            if not todo:
                self._abort(writer)
                summary.skipped += len(unique)
                return summary
        summary.skipped += len(unique) - len(todo)
        self._prepare_workers(writer)
        primer: _Primer | None = None
        try:
            for article in todo:
                if stored[article.id] is not None:
                    writer.delete_by_term("article_id", article.id)
                    summary.updated += 1
                else:
                    summary.added += 1
                for doc in paragraph_documents(article, hashes[article.id]):
                    writer.add_document(**doc)
                    summary.paragraphs += 1
                if following and primer is None and len(getattr(writer, "tasks", ())) >= self.workers:
                    # Every worker of this batch is forked: no fork happens while the thread runs.
                    primer = _Primer(following, self.config)
                    primer.start()
        except BaseException as exc:
            _wait_for(primer, cancel=True)
            self._give_up(writer, exc)
        try:
            self._commit(writer)
        except BaseException:
            _wait_for(primer, cancel=True)
            raise
        _wait_for(primer)
        return summary
