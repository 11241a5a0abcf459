"""Multi-process indexing analyses the next batch while the workers index this one."""

from __future__ import annotations

import os
import signal
import time
from itertools import islice
from pathlib import Path
from typing import Any

import pytest
from conftest import WIKINEWS, assert_same_search_results

from newsindex import IndexWriteError, NewsIndex
from newsindex.analysis.chain import AnalysisChain
from newsindex.analysis.chunks import ChunkRows
from newsindex.index import learners, prefetch, workers, writing
from newsindex.ingest import read

pytestmark = pytest.mark.skipif(not WIKINEWS.is_file(), reason="../shared/corpora is not beside the repo")


@pytest.mark.slow
def test_workers_inherit_every_chunk_learnt_before_and_the_index_is_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    articles = list(islice(read(WIKINEWS), 240))
    monkeypatch.setattr(writing, "MIN_PARALLEL_BATCH", 1)  # small batches take the two-worker path
    learnt: list[list[str]] = []
    learn = AnalysisChain.learn

    def spy(self: AnalysisChain, texts: list[str], **kwargs: object) -> None:
        learnt.append(list(texts))
        learn(self, texts, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(AnalysisChain, "learn", spy)
    # Which processes work chunks out, and which keep them (ChunkRows.store).
    log = tmp_path / "learners"
    work_out, store = ChunkRows.work_out, ChunkRows.store

    def logged_work_out(self: ChunkRows, chunks: list[str]) -> Any:
        made = work_out(self, chunks)
        with log.open("a") as out:
            out.write(f"work_out {os.getpid()} {len(made)}\n")
        return made

    def logged_store(self: ChunkRows, chunks: Any) -> None:
        with log.open("a") as out:
            out.write(f"store {os.getpid()} {len(chunks)}\n")
        store(self, chunks)

    monkeypatch.setattr(ChunkRows, "work_out", logged_work_out)
    monkeypatch.setattr(ChunkRows, "store", logged_store)
    in_parallel: list[list[str]] = []

    def parallel_spy(chain: AnalysisChain, texts: list[str], processes: int) -> int:
        in_parallel.append(list(texts))
        return learners.learn_in_parallel(chain, texts, processes)

    monkeypatch.setattr(writing, "learn_in_parallel", parallel_spy)
    batches = list(prefetch.batches(iter(articles), 300))
    assert len(batches) >= 3
    with NewsIndex.create(tmp_path / "two", analysis="builtin", workers=2, batch_size=300) as two:
        two.chain._chunks = None  # the chain is shared in this process: start with no chunk known
        first = two.chain.unknown_chunks(prefetch.batch_texts(batches[0]))
        assert len(first) >= learners.MIN_CHUNKS
        two.add(articles)
        assert two.chain._primed == {}
        # Every batch but the first had all its chunks learnt while the one before it was indexed ...
        assert learnt == [prefetch.batch_texts(b) for b in batches[1:]]
        # ... and the first batch's (none other's: the primer had learnt them) were split
        # between two learner processes ...
        assert in_parallel == [prefetch.batch_texts(batches[0])]
        lines = [line.split() for line in log.read_text().splitlines()]
        me = str(os.getpid())
        shares = [int(n) for kind, pid, n in lines if kind == "work_out" and pid != me]
        assert len(shares) == 2 and sum(shares) == len(first)
        # ... and kept by this process: no index worker had a chunk left to learn.
        assert {pid for kind, pid, _ in lines if kind == "store"} == {me}
        assert two.chain.unknown_chunks(prefetch.batch_texts(articles)) == []
        with NewsIndex.create(tmp_path / "one", analysis="builtin", workers=1, batch_size=300) as one:
            one.add(articles)
            assert len(learnt) == len(batches) - 1  # one process: nothing to prepare
            assert_same_search_results(two, one)


@pytest.mark.slow
def test_a_failed_batch_stops_the_analysis_of_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    articles = list(islice(read(WIKINEWS), 240))
    monkeypatch.setattr(writing, "MIN_PARALLEL_BATCH", 1)
    primers: list[prefetch.Primer] = []
    start = prefetch.Primer.start

    def record(self: prefetch.Primer) -> None:
        primers.append(self)
        start(self)

    monkeypatch.setattr(prefetch.Primer, "start", record)

    def disk_full(*args: object) -> None:
        raise OSError(28, "No space left on device")

    with NewsIndex.create(tmp_path / "ix", analysis="builtin", workers=2, batch_size=300) as ix:
        monkeypatch.setattr(writing, "write_signed_toc", disk_full)  # the first commit fails
        with pytest.raises(IndexWriteError, match="disk full"):
            ix.add(articles)
        assert primers and all(p.stop.is_set() and not p.is_alive() for p in primers)
        assert ix.chain._primed == {}
        assert ix.stats()["paragraphs"] == 0


def _segments_of_articles(index_path: Path) -> dict[str, set[int]]:
    """For each article id, the segments (by position) holding its paragraphs."""
    from whoosh import index as whoosh_index

    ix = whoosh_index.open_dir(str(index_path), "paragraphs")
    found: dict[str, set[int]] = {}
    try:
        with ix.reader() as reader:
            for k, (leaf, _) in enumerate(reader.leaf_readers()):
                for _, fields in leaf.iter_docs():
                    found.setdefault(fields["article_id"], set()).add(k)
    finally:
        ix.close()
    return found


@pytest.mark.slow
def test_each_article_is_written_whole_to_one_workers_segment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Whoosh's multi-process writer hands its workers 100 documents a job: without grouping,
    # an article straddling a job boundary went half to each worker's segment, and its
    # article evidence (which reads an article in one segment) then depended on the batching.
    articles = [a for a in islice(read(WIKINEWS), 300) if len(a.paragraphs) > 1]  # 1,064 paragraphs
    monkeypatch.setattr(writing, "MIN_PARALLEL_BATCH", 1)
    with NewsIndex.create(tmp_path / "two", analysis="builtin", workers=2, batch_size=600) as two:
        two.add(articles)
    segments = _segments_of_articles(tmp_path / "two")
    assert len(set().union(*segments.values())) >= 2, "segments written by two workers"
    assert {aid: s for aid, s in segments.items() if len(s) > 1} == {}
    with (
        NewsIndex.open(tmp_path / "two") as two,
        NewsIndex.create(tmp_path / "one", analysis="builtin", workers=1, batch_size=100_000) as one,
    ):
        one.add(articles)
        assert_same_search_results(two, one)  # article evidence included: the same scores


def _paragraphs_in_docnum_order(index_path: Path) -> list[tuple[str, int]]:
    from whoosh import index as whoosh_index

    ix = whoosh_index.open_dir(str(index_path), "paragraphs")
    try:
        with ix.searcher() as searcher:
            return [(f["article_id"], f["paragraph"]) for f in searcher.all_stored_fields()]
    finally:
        ix.close()


@pytest.mark.slow
def test_the_same_articles_get_the_same_document_numbers_however_fast_each_worker_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Equal scores are ordered by document number: a build must not depend on which worker
    happened to be free (Whoosh's workers took jobs from one queue and the commit listed
    their segments as they finished)."""
    articles = [a for a in islice(read(WIKINEWS), 300) if len(a.paragraphs) > 1]
    monkeypatch.setattr(writing, "MIN_PARALLEL_BATCH", 1)
    process_file = workers.Worker._process_file
    slow = {"place": 0}

    def uneven(self: workers.Worker, filename: str, doc_count: int) -> None:
        if self.place == slow["place"]:
            time.sleep(0.2)  # this worker is slow: under Whoosh's queue the other took more jobs
        process_file(self, filename, doc_count)

    monkeypatch.setattr(workers.Worker, "_process_file", uneven)
    orders = []
    for place in (0, 1):
        slow["place"] = place
        with NewsIndex.create(tmp_path / str(place), analysis="builtin", workers=2, batch_size=600) as ix:
            ix.add(articles)
        orders.append(_paragraphs_in_docnum_order(tmp_path / str(place)))
    assert len(orders[0]) == sum(len(a.paragraphs) for a in articles)
    assert orders[0] == orders[1]
    with NewsIndex.open(tmp_path / "0") as first, NewsIndex.open(tmp_path / "1") as second:
        for query in ("Krieg", "Regierung", "Wahl", "Berlin"):
            a, b = first.search(query, limit=50), second.search(query, limit=50)
            assert [(h.article_id, h.paragraph, h.score) for h in a.hits] == [
                (h.article_id, h.paragraph, h.score) for h in b.hits
            ]


@pytest.mark.slow
def test_a_worker_that_dies_on_its_first_job_fails_the_batch_and_nothing_waits_for_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each worker has its queue of jobs: one that dies must not keep the writer waiting to
    hand it more (the batch has far more jobs than a queue held in Whoosh)."""
    articles = list(read(WIKINEWS))
    monkeypatch.setattr(writing, "MIN_PARALLEL_BATCH", 1)
    process_file = workers.Worker._process_file

    def dies(self: workers.Worker, filename: str, doc_count: int) -> None:
        if self.place == 0:
            os._exit(3)
        process_file(self, filename, doc_count)

    def hung(signum: int, frame: Any) -> None:
        raise TimeoutError("the writer waited for a dead worker")

    monkeypatch.setattr(workers.Worker, "_process_file", dies)
    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(120)
    try:
        with NewsIndex.create(tmp_path / "ix", analysis="builtin", workers=2, batch_size=100_000) as ix:
            assert sum(len(a.paragraphs) for a in articles) > 30 * 100  # > 30 jobs of 100 paragraphs
            with pytest.raises(IndexWriteError, match="index worker"):
                ix.add(articles)
            assert ix.stats()["paragraphs"] == 0
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
