"""Batches of articles, and analysing the next batch while this one's workers index.

Articles are written in batches of about ``batch_paragraphs`` paragraphs, each
one commit. With worker processes, this process would idle while they index: it
analyses part of the next batch meanwhile (:class:`Primer`), and the next batch's
workers, forked after that, inherit those analyses.

The first batch has no batch before it: its workers would each analyse cold, and
learn the same new words twice. There this process analyses the batch's second
half once (:func:`head_start`) while the first worker indexes the beginning; the
second worker is forked when that is done and inherits it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator

from ..analysis import get_chain
from ..analysis.config import AnalysisConfig
from ..article import Article

__all__ = ["Primer", "batches", "head_start", "wait_for", "with_next"]


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
    """Analyses half of the next batch's articles while this batch's workers index.

    Half, because this process then works as long as the two workers: priming
    everything made the workers wait for it (adl: 85 s unprimed, 82 s all
    primed, 76 s half primed). Stopped early when the write fails.
    """

    def __init__(self, batch: list[Article], config: AnalysisConfig, *, step: int = 2) -> None:
        super().__init__(name="newsindex-prime", daemon=True)
        self.texts = [t for a in batch[::step] for t in (*a.paragraphs, a.title)]
        self.chain = get_chain(config)
        self.stop = threading.Event()

    def run(self) -> None:
        """Prime the chain (see :meth:`AnalysisChain.prime`)."""
        # This batch's workers are forked and hold their copy of its analyses: this
        # process lets its own go now instead of keeping two batches' worth at once.
        self.chain.forget_primed()
        self.chain.prime(self.texts, stop=self.stop)


def head_start(todo: list[Article], config: AnalysisConfig) -> Primer:
    """A primer (not started) for the second half of the first batch's articles ``todo``.

    Started once the batch's first worker is forked, it analyses that half while the
    worker indexes the first; the other workers are forked when it is done (see
    ``prepare_workers``'s ``hold``) and inherit its analyses: each word new to the
    batch's second half is analysed once, here, instead of once in every worker. It
    analyses the half about twice as fast as a cold worker indexes paragraphs, so the
    other workers start a little way into the batch. Its analyses stay in this
    process's caches, which later batches' primers start from.
    """
    return Primer(todo[len(todo) // 2 :], config, step=1)


def wait_for(primer: Primer | None, *, cancel: bool = False) -> None:
    """Join ``primer`` (if started): no worker may be forked while it runs (it changes the
    chain's state)."""
    if primer is not None and primer.ident is not None:
        if cancel:
            primer.stop.set()
        primer.join()
