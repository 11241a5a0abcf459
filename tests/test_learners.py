"""Learning a batch's new chunks in forked processes (issue 17): the chain keeps exactly what
it would have learnt itself, a learner that fails costs nothing, Ctrl-C stops them all."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from itertools import islice
from typing import Any

import pytest
from conftest import WIKINEWS, wikinews_texts

from newsindex.analysis.chain import AnalysisChain
from newsindex.index import learners
from newsindex.index.learners import learn_in_parallel

pytestmark = [
    pytest.mark.slow,  # forks processes, reads the corpus: not in the fast lane
    pytest.mark.skipif(not WIKINEWS.is_file(), reason="../shared/corpora is not beside the repo"),
    pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="needs fork"),
]


def fresh_chain() -> AnalysisChain:
    chain = AnalysisChain()
    chain.load()
    return chain


def news(n: int = 600) -> list[str]:
    return list(islice(wikinews_texts(), n))


def test_chunks_learnt_in_two_processes_equal_those_learnt_here() -> None:
    texts = news()
    here, there = fresh_chain(), fresh_chain()
    todo = there.unknown_chunks(texts)
    assert len(todo) >= learners.MIN_CHUNKS
    here.learn(texts)
    assert learn_in_parallel(there, texts, 2) == len(todo)
    assert there.unknown_chunks(texts) == []
    ours, theirs = here._chunk_rows()._cache, there._chunk_rows()._cache
    assert theirs[0] == ours[0]  # every chunk's pieces
    assert theirs[1] == ours[1]  # and which chunks spaCy's matcher may join
    # The words met on the way came back too: later chunks of them need no analysis.
    assert set(there._surfaces) == set(here._surfaces)
    assert [there._context_free_rows(t) for t in texts] == [here._whole_text_rows(t) for t in texts]


def test_few_new_chunks_or_one_process_fork_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    chain = fresh_chain()

    def no_fork(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("forked a learner")

    monkeypatch.setattr(multiprocessing.get_context("fork"), "Process", no_fork)
    assert learn_in_parallel(chain, news(30), 2) == 0  # fewer than MIN_CHUNKS unknown
    assert learn_in_parallel(chain, news(), 1) == 0
    assert len(chain._chunk_rows()) == 0  # nothing learnt: the workers learn as they go


def test_a_learner_that_dies_leaves_its_chunks_to_the_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = news()
    chain = fresh_chain()
    todo = chain.unknown_chunks(texts)
    work_out = AnalysisChain.work_out

    def dies_on_its_first_chunk(self: AnalysisChain, chunks: list[str]) -> Any:
        if chunks[0] == todo[0]:  # the first learner's share starts with it
            os._exit(3)
        return work_out(self, chunks)

    monkeypatch.setattr(AnalysisChain, "work_out", dies_on_its_first_chunk)
    learnt = learn_in_parallel(chain, texts, 2)
    assert learnt == len(todo[1::2])  # the other learner's share
    assert chain.unknown_chunks(texts) == todo[0::2]
    assert multiprocessing.active_children() == []
    # What is missing is learnt where it is met, and the rows are the same.
    assert [chain._context_free_rows(t) for t in texts] == [chain._whole_text_rows(t) for t in texts]


def test_ctrl_c_while_they_learn_stops_every_learner(monkeypatch: pytest.MonkeyPatch) -> None:
    chain = fresh_chain()

    def slow(self: AnalysisChain, chunks: list[str]) -> Any:
        time.sleep(60)

    def ctrl_c(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(AnalysisChain, "work_out", slow)
    previous = signal.signal(signal.SIGALRM, ctrl_c)
    signal.setitimer(signal.ITIMER_REAL, 1.0)
    try:
        with pytest.raises(KeyboardInterrupt):
            learn_in_parallel(chain, news(), 2)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert multiprocessing.active_children() == []
    assert len(chain._chunk_rows()) == 0


def _tokenise(chain: AnalysisChain) -> None:
    assert chain.backend.spans("Der Bundestag tagt.") == [[0, 3], [4, 9], [14, 4], [18, 1]]


def test_a_process_forked_while_another_thread_tokenises_can_tokenise() -> None:
    """Learners and index workers fork from a process whose other threads may be using the
    pipeline (an app searching meanwhile): the fork waits for that call to end, else the
    child would inherit the pipeline's lock held and wait for ever."""
    chain = fresh_chain()
    inside, leave = threading.Event(), threading.Event()

    def tokenising() -> None:
        with chain.backend.exclusive():  # holds the pipeline as a call does
            inside.set()
            leave.wait(10)

    other = threading.Thread(target=tokenising)
    other.start()
    inside.wait(10)
    threading.Timer(0.3, leave.set).start()
    child = multiprocessing.get_context("fork").Process(target=_tokenise, args=(chain,))
    child.start()  # waits until the other thread leaves
    child.join(30)
    other.join()
    if child.is_alive():
        child.kill()
        child.join()
    assert child.exitcode == 0


def test_a_group_spacy_reads_together_is_learnt_chunk_by_chunk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks are tokenised in groups; where spaCy's tokens of a group are not its chunks'
    own, the others of the group are still learnt, one at a time, and that chunk is not."""
    chain = fresh_chain()
    rows = chain._chunk_rows()
    spans = chain.backend.spans
    odd = "(SPD)"  # a chunk spaCy tokenises (its affixes), not the simple-chunk path

    def past_the_chunk(text: str) -> list[list[int]]:
        found = spans(text)
        if odd not in text:
            return found
        end = text.find(odd) + len(odd)
        return [[s, n + 1] if s + n == end else [s, n] for s, n in found]  # its last token runs over

    monkeypatch.setattr(chain.backend, "spans", past_the_chunk)
    chunks = ["„Krieg“", "der", odd, "Nr.", "z.B.", "CDU/CSU"]
    learnt = rows.work_out(chunks)
    assert sorted(chunk for chunk, _, _ in learnt) == sorted(c for c in chunks if c != odd)
    assert sorted(learnt) == sorted(rows.work_out([c for c in chunks if c != odd]))
