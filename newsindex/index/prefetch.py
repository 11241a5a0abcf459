"""Batches of articles, and preparing the next batch's analysis while this one's workers index.

Articles are written in batches of about ``batch_paragraphs`` paragraphs, each
one commit. With worker processes, this process would idle while they index: it
prepares the next batch's analysis meanwhile (:class:`Primer`), and the next
batch's workers, forked after that, inherit what it prepared. (The first batch's new
words are learnt before its workers start: :mod:`.learners`.)
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator

from ..analysis import get_chain
from ..analysis.config import AnalysisConfig
from ..article import Article

__all__ = ["Primer", "batch_texts", "batches", "wait_for", "with_next"]


def batch_texts(articles: Iterable[Article]) -> list[str]:
    """The texts that indexing ``articles`` analyses: each paragraph, and the title."""
    return [t for a in articles for t in (*a.paragraphs, a.title)]


def batches(articles: Iterable[Article], batch_paragraphs: int) -> Iterator[list[Article]]:
    """``articles`` in lists of at least ``batch_paragraphs`` paragraphs (the last may be smaller)."""
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


def with_next(batches: Iterator[list[Article]]) -> Iterator[tuple[list[Article], list[Article] | None]]:
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


class Primer(threading.Thread):
    """Prepares the next batch's analysis while this batch's workers index; stopped early
    when the write fails.

    With a context-free lemmatizer (the built-in one) it learns every chunk of the next
    batch's texts that the chain has not seen (:meth:`AnalysisChain.learn`) and keeps no
    rows: the next batch's workers then assemble each text's rows from known chunks, and
    a word new to the archive is analysed once, here, instead of in each worker that
    meets it and again in later batches (no primed rows are held either). The first
    batch has no batch before it: its new words are learnt in parallel before its workers
    start (:mod:`.learners`). On all of adl every one of its 407,000 distinct chunks is
    analysed once (572,000 analyses when half the texts were primed whole and the first
    batch's workers learnt their own). Learning takes this process less time than indexing
    takes the workers: they do not wait.

    With a trained pipeline (context matters: no chunk cache) it analyses half of the
    next batch's texts whole and keeps their rows (:meth:`AnalysisChain.prime`): half,
    because this process then works as long as the two workers.
    """

    def __init__(self, batch: list[Article], config: AnalysisConfig) -> None:
        super().__init__(name="newsindex-prime", daemon=True)
        self.chain = get_chain(config)
        self.learn = self.chain.learns_chunks
        self.texts = batch_texts(batch if self.learn else batch[::2])
        self.stop = threading.Event()
        self.batch = batch
        self.finished = False  # set when run ends without being stopped

    def run(self) -> None:
        """Learn the texts' chunks, or prime half of them (see the class)."""
        # This batch's workers are forked and hold their copy of its analyses: this
        # process lets its own primed rows go now instead of keeping two batches' worth.
        self.chain.forget_primed()
        if self.learn:
            self.chain.learn(self.texts, stop=self.stop)
        else:
            self.chain.prime(self.texts, stop=self.stop)
        self.finished = not self.stop.is_set()


def wait_for(primer: Primer | None, *, cancel: bool = False) -> None:
    """Join ``primer``: no worker may be forked while it runs (it changes the chain's state)."""
    if primer is not None:
        if cancel:
            primer.stop.set()
        primer.join()
