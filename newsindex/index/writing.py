"""Adding, updating and deleting articles: one Whoosh document per paragraph.

Articles are written in batches of about ``batch_paragraphs`` paragraphs, each
batch one commit, so an interrupted run keeps every batch committed before it
and never a half-written article. Re-adding an article replaces its paragraphs
(never duplicates them) and is a no-op when its content is unchanged.

Large batches are analysed and written by ``workers`` processes (Whoosh's
multi-process writer, each process writing its own segment): on two cores this
doubles indexing speed. Small batches and in-memory indexes use one process,
where starting workers would cost more than it saves.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from whoosh.filedb.filestore import RamStorage
from whoosh.index import Index, LockError
from whoosh.writing import IndexWriter

from ..analysis import get_chain
from ..analysis.config import AnalysisConfig
from ..article import Article
from .errors import IndexLockedError

__all__ = ["AddSummary", "ArticleWriter", "doc_id", "paragraph_documents"]

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
            "phrase": text,
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
            doc["day"] = published.toordinal()
        if article.url:
            doc["url"] = article.url
        if i == 0:
            doc["article_hash"] = content_hash
        yield doc


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
    ) -> None:
        self.ix = ix
        self.config = config
        self.batch_size = max(1, batch_size)
        self.workers = max(1, workers)
        self.lock_timeout = max(0.0, lock_timeout)
        self.name = name

    def _writer(self, **options: Any) -> IndexWriter:
        """A Whoosh writer, waiting up to ``lock_timeout`` seconds for the write lock.

        Whoosh's lock is an ``fcntl`` file lock: the operating system releases it
        when its process dies, so a killed writer never leaves a stale lock.
        """
        try:
            return self.ix.writer(timeout=self.lock_timeout, **options)
        except LockError:
            raise IndexLockedError(
                f"{self.name} is being written by another process or thread; "
                f"gave up after waiting {self.lock_timeout:g} s for its write lock"
            ) from None

    def add(
        self,
        articles: Iterable[Article],
        *,
        progress: Callable[[AddSummary], None] | None = None,
    ) -> AddSummary:
        """Add or update ``articles``; returns the counts."""
        total = AddSummary()
        for batch in _batches(articles, self.batch_size):
            total.merge(self._add_batch(batch))
            if progress is not None:
                progress(total)
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
        with self._writer() as w:
            return int(w.delete_by_term("article_id", article_id))

    @staticmethod
    def _quiet_workers(writer: IndexWriter) -> None:
        """Make Whoosh's worker processes ignore Ctrl-C; the parent cancels them.

        A terminal's Ctrl-C goes to the whole process group, and each worker would
        die with its own traceback. Workers fork from the parent, so ignoring
        SIGINT while one starts makes it inherit that.
        """
        start = getattr(writer, "_new_task", None)
        if start is None or threading.current_thread() is not threading.main_thread():
            return

        def start_ignoring_sigint() -> Any:
            previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
            try:
                return start()
            finally:
                signal.signal(signal.SIGINT, previous)

        writer._new_task = start_ignoring_sigint  # type: ignore[attr-defined]

    @staticmethod
    def _cancel(writer: IndexWriter) -> None:
        """Cancel a writer and stop its worker processes (Whoosh only flags them)."""
        try:
            writer.cancel()
        finally:
            for task in getattr(writer, "tasks", ()):
                if task.is_alive():
                    task.terminate()
                task.join(timeout=5)

    def _add_batch(self, batch: list[Article]) -> AddSummary:
        summary = AddSummary()
        # Later copies of an article within one batch win, as they would across batches.
        unique: dict[str, Article] = {}
        for article in batch:
            unique[article.id] = article
        hashes = {a.id: a.content_hash() for a in unique.values()}
        with self.ix.searcher() as s:
            stored = {
                aid: (s.document(doc_id=doc_id(aid, 0)) or {}).get("article_hash") for aid in unique
            }
        summary.skipped += len(batch) - len(unique)
        todo = [a for a in unique.values() if a.paragraphs and stored[a.id] != hashes[a.id]]
        summary.skipped += len(unique) - len(todo)
        if not todo:
            return summary
        chain = get_chain(self.config)
        chain.prime(p for a in todo for p in (*a.paragraphs, a.title))
        paragraphs = sum(len(a.paragraphs) for a in todo)
        writer = self._writer(**self._writer_options(paragraphs))
        self._quiet_workers(writer)
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
        except BaseException:
            self._cancel(writer)
            raise
        writer.commit()
        return summary
