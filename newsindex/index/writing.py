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
lock is still held (:mod:`.debris`), the lock is released, and
:class:`IndexWriteError` says why. Worker processes do not keep the parent's lock
(:mod:`.workers`). How an article becomes documents: :mod:`.documents`; the
batches and the read-ahead: :mod:`.prefetch`.
"""

from __future__ import annotations

import contextlib
import errno
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, NoReturn

from whoosh.filedb.filestore import FileStorage, RamStorage
from whoosh.index import TOC, Index, LockError, clean_files
from whoosh.writing import IndexWriter

from ..analysis import get_chain
from ..analysis.config import AnalysisConfig
from ..article import Article
from .debris import CleaningLock, release_half_made
from .documents import doc_id, paragraph_docnum, paragraph_documents, stored_hash
from .errors import IndexLockedError, IndexReplacedError, IndexWriteError
from .learners import learn_in_parallel
from .locking import describe_holders, lock_file, lock_holders
from .prefetch import Primer, batch_texts, batches, wait_for, with_next
from .schema import STEMS
from .segment_writer import install as install_fast_postings
from .signing import write_signed_toc
from .storage import folder_identity
from .vocabulary import write_vocabularies
from .workers import check_workers_before_toc, prepare_workers, stop_workers

__all__ = [
    "DEFAULT_BATCH",
    "AddSummary",
    "ArticleWriter",
    "doc_id",
    "paragraph_docnum",
    "paragraph_documents",
    "stored_hash",
]

# Paragraphs per commit. Each batch's workers write a segment each, and every segment repeats
# its terms' dictionary entries: on adl, 30,000 gives 8 segments instead of 22 at 10,000, an
# index 1.24x plain Whoosh's instead of 1.46x and a faster build, with the workers' peak memory
# 1.27x Whoosh's (1.42x at 40,000, 1.53x at 50,000).
DEFAULT_BATCH = 30_000
MIN_PARALLEL_BATCH = 3_000  # below this, worker start-up (spaCy load) costs more than it saves
# segment_writer's pool keeps a batch's postings in memory (Whoosh's spills to disk past
# limitmb): larger batches keep Whoosh's pool, so memory stays bounded.
FAST_POSTINGS_MAX_BATCH = 50_000


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


_REASONS = {
    errno.ENOSPC: ("disk full", "free some space and run again"),
    getattr(errno, "EDQUOT", -1): ("disk quota exceeded", "free some space and run again"),
    errno.EACCES: ("permission denied", "check the index folder's owner and permissions"),
    errno.EPERM: ("permission denied", "check the index folder's owner and permissions"),
    errno.EROFS: ("read-only file system", "index onto a writable disk"),
    errno.EMFILE: ("too many open files", "raise the open-file limit (ulimit -n) and run again"),
    errno.EIO: ("input/output error", "check the disk"),
}

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
        # The batch whose new words the last batch's primer learnt (see _add_batch).
        self._learnt_ahead: list[Article] | None = None

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
            release_half_made(exc, folder)
            raise self._write_error(exc) from exc
        if folder is not None and getattr(writer, "writelock", None) is not None:
            writer.writelock = CleaningLock(writer.writelock, writer, folder)
        if self.batch_size <= FAST_POSTINGS_MAX_BATCH:
            install_fast_postings(writer)  # the same segment files, written faster (see segment_writer)
        if (
            folder is not None
            and self.identity is not None
            and folder_identity(self.ix.storage.folder) != self.identity
        ):
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
        # While a batch's worker processes index it, this process prepares the next
        # batch's analysis (prefetch.Primer), and the next batch's workers (forked
        # after that) inherit it: this process no longer idles while they work.
        prefetch = self.workers > 1 and not isinstance(self.ix.storage, RamStorage)
        chain = get_chain(self.config)
        batched = batches(articles, self.batch_size)
        pairs = with_next(batched) if prefetch else ((b, None) for b in batched)
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

    def delete_many(self, article_ids: Iterable[str]) -> list[str]:
        """Delete several articles in one commit; returns the ids that were there."""
        writer = self._writer()
        deleted: list[str] = []
        try:
            for article_id in article_ids:
                if writer.delete_by_term("article_id", article_id):
                    deleted.append(article_id)
        except BaseException as exc:
            self._give_up(writer, exc)
        self._commit(writer)
        return deleted

    def _give_up(self, writer: IndexWriter, exc: BaseException) -> NoReturn:
        """Abort ``writer`` after ``exc`` and raise (an OS error as :class:`IndexWriteError`)."""
        self._abort(writer)
        if isinstance(exc, OSError):
            raise self._write_error(exc) from exc
        raise exc

    def _commit(self, writer: IndexWriter) -> None:
        """Commit ``writer``; on failure nothing is committed and the lock is released."""
        self._seal_after_toc(writer)
        check_workers_before_toc(writer, self._write_error)
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
            write_vocabularies(writer.storage, writer.schema, segments)
            toc = TOC(writer.schema, segments, writer.generation)
            write_signed_toc(writer.storage, writer.indexname, toc, signer)
            clean_files(writer.storage, writer.indexname, writer.generation, segments)

        writer._commit_toc = sealed_commit_toc

    @staticmethod
    def _abort(writer: IndexWriter) -> None:
        """Give up on ``writer``: stop its workers, remove its files, release its lock. Never raises.

        Whoosh's ``cancel`` only flags worker processes, which go on waiting for
        jobs, so they are terminated first (and before the files they write go).
        """
        stop_workers(writer)
        if getattr(writer, "is_closed", False):  # a failed SegmentWriter.commit cleaned up already
            return
        try:
            writer.cancel()
        except Exception:
            with contextlib.suppress(Exception):
                writer._cleanup_on_error()

    def _decide(
        self, unique: dict[str, Article], hashes: dict[str, str]
    ) -> tuple[dict[str, str | None], list[Article]]:
        """The stored hash of each article, and the articles to write (new or changed).

        Reads the segments in place (the storage maps them, see
        :mod:`newsindex.index.mapped`): Whoosh's own mapping copied every sub-file a
        reader opens, ~500 MB per batch on all of adl for a look-up of a few kilobytes.
        """
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
        options = self._writer_options(paragraphs)
        if "procs" in options:
            # The workers fork from this process: loaded here, once, spaCy's pipeline and
            # the lemma table are theirs too (else each worker of the first batch loaded
            # its own, ~0.8 s of CPU each). So are the words learnt here: unless learnt
            # while the batch before was indexed, they are learnt now, in parallel.
            chain = get_chain(self.config)
            chain.load()
            if self._learnt_ahead is not batch:
                learn_in_parallel(chain, batch_texts(todo), self.workers)
        writer = self._writer(**options)
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
        prepare_workers(writer)
        with_stems = STEMS in self.ix.schema
        primer: Primer | None = None
        try:
            for article in todo:
                if stored[article.id] is not None:
                    writer.delete_by_term("article_id", article.id)
                    summary.updated += 1
                else:
                    summary.added += 1
                for doc in paragraph_documents(article, hashes[article.id]):
                    if with_stems:
                        doc[STEMS] = doc["body"]  # AnalysisConfig(stems=True): the stems field
                    writer.add_document(**doc)
                    summary.paragraphs += 1
                if following and primer is None and len(getattr(writer, "tasks", ())) >= self.workers:
                    # Every worker of this batch is forked: no fork happens while the thread runs.
                    primer = Primer(following, self.config)
                    primer.start()
        except BaseException as exc:
            wait_for(primer, cancel=True)
            self._give_up(writer, exc)
        try:
            self._commit(writer)
        except BaseException:
            wait_for(primer, cancel=True)
            raise
        wait_for(primer)
        self._learnt_ahead = primer.batch if primer is not None and primer.finished else None
        return summary
