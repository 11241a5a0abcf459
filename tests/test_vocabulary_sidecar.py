"""The typo/prefix sidecar of each segment is written by the segment's own writer.

Before, the committing process read every new segment's ``body`` terms back to
write ``<segment>.vocab`` while the index workers waited (1.3 s per batch of
10,000 paragraphs); now each writer (a worker, in parallel with the others) writes
it from the postings it has just written. The file must be exactly what reading the
segment back gives.
"""

from __future__ import annotations

from itertools import islice
from pathlib import Path

import pytest
from conftest import WIKINEWS
from whoosh.multiproc import MpWriter
from whoosh.reading import SegmentReader

from newsindex import NewsIndex
from newsindex.index import vocabulary, writing
from newsindex.index.vocabulary import SegmentVocabulary, vocab_filename
from newsindex.ingest import read

pytestmark = pytest.mark.skipif(not WIKINEWS.is_file(), reason="../shared/corpora is not beside the repo")


def _sidecars_match_their_segments(ix: NewsIndex) -> int:
    whoosh_index = ix._ix  # the Whoosh index under the façade
    storage, schema = whoosh_index.storage, whoosh_index.schema
    segments = whoosh_index._segments()
    for seg in segments:
        written = storage.open_file(vocab_filename(seg)).read()
        with SegmentReader(storage, schema, seg) as reader:
            assert written == SegmentVocabulary.from_reader(reader).dumps()
    return len(segments)


def _no_read_back(*args: object, **kwargs: object) -> SegmentVocabulary:
    raise AssertionError("a new segment's terms were read back to write its sidecar")


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2])
def test_each_writer_writes_its_segments_sidecar_without_reading_it_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    articles = list(islice(read(WIKINEWS), 120))
    monkeypatch.setattr(writing, "MIN_PARALLEL_BATCH", 1)  # small batches take the two-worker path

    with NewsIndex.create(tmp_path / "ix", analysis="builtin", workers=workers, batch_size=150) as ix:
        with monkeypatch.context() as patched:
            patched.setattr(vocabulary.SegmentVocabulary, "from_reader", _no_read_back)
            ix.add(articles)
        assert _sidecars_match_their_segments(ix) >= workers
        assert ix.search("Regierung").total > 0
        assert ix.search("Regierng~").total > 0  # the typo search reads the sidecars


@pytest.mark.slow
def test_a_worker_that_gets_no_job_still_writes_its_segments_sidecar(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Both workers start, but all documents go out as one job: one worker gets none
    # (on a loaded machine a slow-starting worker can find the queue emptied by the other).
    articles = list(islice(read(WIKINEWS), 40))
    monkeypatch.setattr(writing, "MIN_PARALLEL_BATCH", 1)
    enqueue = MpWriter._enqueue

    def one_job_two_workers(self: MpWriter) -> None:
        while len(self.tasks) < self.procs:
            self._new_task()
        enqueue(self)

    monkeypatch.setattr(MpWriter, "_enqueue", one_job_two_workers)
    init = MpWriter.__init__

    def one_batch(self: MpWriter, *args: object, **kwargs: object) -> None:
        init(self, *args, **kwargs)
        self.batchsize = 10**9  # every document in the job written at commit

    monkeypatch.setattr(MpWriter, "__init__", one_batch)

    with NewsIndex.create(tmp_path / "ix", analysis="builtin", workers=2, batch_size=1000) as ix:
        with monkeypatch.context() as patched:
            patched.setattr(vocabulary.SegmentVocabulary, "from_reader", _no_read_back)
            ix.add(articles)
        _sidecars_match_their_segments(ix)
        assert ix.search("Regierung").total > 0


def test_threads_share_one_vocabulary_per_segment(tmp_path: Path) -> None:
    """Each thread's searcher opens the storage anew; the vocabularies are still loaded once
    per segment, not once per thread (nor evicted by the other thread's searches)."""
    import threading

    with NewsIndex.create(tmp_path / "ix", analysis="builtin") as ix:
        ix.add_path(Path(__file__).resolve().parents[1] / "seeds")
    with NewsIndex.open(tmp_path / "ix") as ix:
        seen: list[list[SegmentVocabulary]] = []

        def load() -> None:
            reader = ix._current_searcher().reader()
            seen.append(ix._vocabularies.segments(reader))

        for _ in range(2):
            t = threading.Thread(target=load)
            t.start()
            t.join()
        load()
        first, second, third = seen
        assert first and all(a is b is c for a, b, c in zip(first, second, third, strict=True))
