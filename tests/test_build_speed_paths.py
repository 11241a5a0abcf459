"""The build's speed paths (issue 17) do the same work as the slow ones, once."""

from __future__ import annotations

import functools
import os
from itertools import islice
from pathlib import Path
from typing import Any

import pytest
from conftest import BUILD_CHECK_QUERIES, WIKINEWS, assert_same_search_results
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsindex import NewsIndex
from newsindex.analysis import chain as chain_module
from newsindex.index import writing
from newsindex.ingest import read

pytestmark = pytest.mark.skipif(not WIKINEWS.is_file(), reason="../shared/corpora is not beside the repo")


@pytest.mark.slow
def test_the_first_batchs_workers_inherit_the_loaded_pipeline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each worker of the first batch loaded spaCy and the lemma table itself (twice the CPU
    of one load, and the parent's primer loaded a third): the parent loads them before it
    forks, and the index is the one a single process writes."""
    articles = list(islice(read(WIKINEWS), 120))
    monkeypatch.setattr(writing, "MIN_PARALLEL_BATCH", 1)  # small batches take the two-worker path
    monkeypatch.setattr(chain_module, "_chains", {})  # no chain loaded by an earlier test
    loads = tmp_path / "loads"
    load = chain_module.load_backend

    def spy(*args: object) -> object:
        with loads.open("a") as f:  # a file: the workers are other processes
            f.write(f"{os.getpid()}\n")
        return load(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(chain_module, "load_backend", spy)
    with NewsIndex.create(tmp_path / "two", workers=2, batch_size=200) as two:
        two.add(articles)
        assert loads.read_text().split() == [str(os.getpid())]  # once, here; never in a worker
        monkeypatch.setattr(chain_module, "_chains", {})
        with NewsIndex.create(tmp_path / "one", workers=1, batch_size=200) as one:
            one.add(articles)
            assert_same_search_results(two, one)


@pytest.mark.slow
def test_workers_do_not_walk_their_live_objects_again_and_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cyclic collector took ~7 % of a worker's CPU (≈550 collections per 10k paragraphs,
    each walking objects that live until the segment is written): a worker freezes what it
    inherited and collects young objects far less often. Every query matches the same
    paragraphs as in an index written by one process with Python's collector (scores are
    not compared: two workers' segments are scored apart from one segment's)."""
    import gc
    import json

    from newsindex.index import workers

    articles = list(islice(read(WIKINEWS), 400))
    monkeypatch.setattr(writing, "MIN_PARALLEL_BATCH", 1)
    stats = tmp_path / "gc"
    run = workers.Worker.run

    def spy(self: workers.Worker) -> None:
        before = [s["collections"] for s in gc.get_stats()]
        try:
            run(self)
        finally:
            after = [s["collections"] for s in gc.get_stats()]
            record = {"collections": [b - a for a, b in zip(before, after, strict=True)]}
            record["frozen"] = gc.get_freeze_count()
            with stats.open("a") as f:
                f.write(json.dumps(record) + "\n")

    monkeypatch.setattr(workers.Worker, "run", spy)
    with NewsIndex.create(tmp_path / "two", workers=2, batch_size=5_000) as two:
        two.add(articles)
        records = [json.loads(line) for line in stats.read_text().splitlines()]
        assert len(records) == 2  # one batch, two workers
        assert two.stats()["paragraphs"] > 1_000
        for record in records:
            young, middle, full = record["collections"]
            assert young < 40 and middle <= 1 and full == 0, record
            assert record["frozen"] > 10_000  # the parent's objects, spaCy's among them
        with NewsIndex.create(tmp_path / "one", workers=1, batch_size=5_000) as one:
            one.add(articles)
            for query in BUILD_CHECK_QUERIES:
                a, b = two.search(query, limit=10_000), one.search(query, limit=10_000)
                assert a.total == b.total > 0
                assert {(h.article_id, h.paragraph) for h in a.hits} == {
                    (h.article_id, h.paragraph) for h in b.hits
                }


def _postings_by_paragraph(ix: NewsIndex) -> dict[tuple[object, ...], object]:
    """Every posting of ``ix`` (field, term, weight, encoded value: positions and character
    offsets) and every stored field, keyed by the paragraph's (article id, number) instead of
    the document number, which depends on which worker wrote the paragraph."""
    out: dict[tuple[object, ...], object] = {}
    with ix._ix.searcher() as searcher:
        reader = searcher.reader()
        keys = {}
        for docnum, stored in reader.iter_docs():
            keys[docnum] = (stored["article_id"], stored["paragraph"])
            out[(*keys[docnum], "stored")] = sorted(stored.items())
        for fieldname, text in reader.all_terms():
            matcher = reader.postings(fieldname, text)
            while matcher.is_active():
                key = (*keys[matcher.id()], fieldname, text)
                assert key not in out
                out[key] = (matcher.weight(), matcher.value())
                matcher.next()
    return out


@pytest.mark.slow
def test_a_jobs_documents_go_to_the_workers_as_one_pickle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whoosh pickled each document of a job on its own (and each worker unpickled each): a
    job is one pickle of its documents' fields now. Every posting, position, character
    offset and stored field is the one a single process writes."""
    from whoosh.multiproc import MpWriter

    from newsindex.index import workers

    articles = list(islice(read(WIKINEWS), 150))
    monkeypatch.setattr(writing, "MIN_PARALLEL_BATCH", 1)
    jobs: list[tuple[int, int]] = []
    enqueue = MpWriter._enqueue

    def spy(self: MpWriter) -> None:
        jobs.append((len(self.docbuffer), self.docbuffer[0][0]))
        enqueue(self)

    monkeypatch.setattr(MpWriter, "_enqueue", spy)
    with NewsIndex.create(tmp_path / "two", workers=2, batch_size=5_000) as two:
        two.add(articles)
        paragraphs = two.stats()["paragraphs"]
        assert paragraphs > 300
        assert len(jobs) == -(-paragraphs // 100)  # Whoosh's 100 documents a job
        assert [n for n, _ in jobs] == [1] * len(jobs)  # one item a job: all its documents
        assert {code for _, code in jobs} == {workers.JOB_OF_DOCUMENTS}
        with NewsIndex.create(tmp_path / "one", workers=1, batch_size=5_000) as one:
            one.add(articles)
            assert _postings_by_paragraph(two) == _postings_by_paragraph(one)


@functools.cache
def _simple_pair() -> tuple[Any, Any]:
    """The built-in pipeline's SimpleChunks with the rules read, and one that searches every
    rule for every chunk (never read: the tests ask it fewer than 5,000 chunks)."""
    from conftest import loaded_chain

    from newsindex.analysis.simple_chunks import simple_chunks

    fast = simple_chunks(loaded_chain().backend)
    slow = simple_chunks(loaded_chain().backend)
    assert fast is not None and slow is not None
    fast.read_rules()  # else read after the first 5,000 chunks
    return fast, slow


def test_chunks_of_letters_skip_the_suffix_and_infix_rules() -> None:
    """spaCy's German prefix, suffix, infix and URL rules (punctuation, units after a digit, a
    dot in a host name) cannot match a word of letters alone, and searching them was ~12 of
    a new chunk's ~75 µs: such a chunk's lengths are worked out without them, as spaCy
    tokenises it (a word and one suffix character likewise)."""
    from conftest import loaded_chain

    from newsindex.analysis.simple_chunks import simple_chunks

    fast: Any = simple_chunks(loaded_chain().backend)
    fast.read_rules()
    searched: list[str] = []

    def counted(search: Any) -> Any:
        def count(text: str) -> object:
            searched.append(text)
            return search(text)

        return count

    for name in ("_prefix", "_suffix", "_infixes", "_url_match"):
        setattr(fast, name, counted(getattr(fast, name)))
    words = ["Bundesregierung", "Außenministerin", "Ölförderung", "Straße", "km", "Mrd", "xD", "ʼn"]
    spans = loaded_chain().backend.spans
    for word in words:
        lengths = fast.lengths(word)  # type: ignore[attr-defined]
        assert lengths is None or lengths == tuple(n for _, n in spans(word)), word
    assert fast.lengths("Bundesregierung") == (15,)  # type: ignore[attr-defined]
    assert fast.lengths("Bundesregierung,") == (15, 1)  # type: ignore[attr-defined]
    assert searched == ["Bundesregierung,", "Bundesregierung,"]  # the chunk's prefix and suffix
    assert fast.lengths("3,5") == tuple(n for _, n in spans("3,5"))  # type: ignore[attr-defined]
    assert "3,5" in searched  # not letters: the rules are searched


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    word=st.text(
        alphabet=st.characters(whitelist_categories=("Lu", "Ll", "Lt", "Lm", "Lo")), min_size=1, max_size=12
    ),
    tail=st.sampled_from(["", ".", ",", ":", "!", "…", "km", "’s"]),
)
def test_chunks_of_letters_are_tokenised_as_by_every_rule(word: str, tail: str) -> None:
    """Letters of any script (with or without a suffix): the same lengths as searching every
    rule, and spaCy's own tokens wherever an answer is given."""
    from conftest import loaded_chain

    fast, slow = _simple_pair()
    chunk = word + tail
    lengths = fast.lengths(chunk)  # type: ignore[attr-defined]
    assert lengths == slow.lengths(chunk)  # type: ignore[attr-defined]
    if lengths is not None:
        assert lengths == tuple(n for _, n in loaded_chain().backend.spans(chunk))


def test_chunks_of_letters_on_every_wikinews_chunk() -> None:
    """Every chunk of the Wikinews corpus: the same lengths as searching every rule."""
    from conftest import wikinews_texts

    fast, slow = _simple_pair()
    chunks = sorted({c for text in wikinews_texts() for c in text.split()})
    assert sum(c.isalpha() for c in chunks) > 10_000
    for chunk in chunks:
        assert fast.lengths(chunk) == slow.lengths(chunk), chunk  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("pattern", "letters"),
    [
        (r"(?<=[0-9])km$", False),
        (r",$|\.$", False),
        (r"(?<=[a-z])\.$", False),
        (r"(?:ab)?,", False),
        (r"[,;]|…", False),
        (r"a$|,$", True),
        (r"[a-z]", True),
        (r"[\u00e0-\u00ff]", True),  # holds letters (and two signs)
        (r"\w+", True),  # a category: not analysed
        (r"[^,]", True),  # a negated set: not analysed
        (r"(?i:,)", True),  # case-insensitive: not analysed
        (r"(?=x),|y", True),
        (r"(?!x),", False),
    ],
)
def test_which_rules_may_match_letters(pattern: str, letters: bool) -> None:
    import re

    from newsindex.analysis.simple_chunks import _may_match_letters

    assert _may_match_letters(re.compile(pattern).search) is letters


def test_the_rules_are_read_after_a_few_thousand_chunks() -> None:
    """Reading the patterns takes ~50 ms: a process that analyses a few hundred new chunks
    (a search's snippets) never does; an index build does, early."""
    from conftest import loaded_chain

    from newsindex.analysis import simple_chunks as chunks

    simple = chunks.simple_chunks(loaded_chain().backend)
    assert simple is not None
    for k in range(chunks._READ_RULES_AFTER - 1):
        assert simple.lengths(f"Wort{k}") == (len(f"Wort{k}"),)
    assert not simple._letters_whole
    simple.lengths("Bundesregierung")
    assert simple._letters_whole and not simple._letter_suffixes and not simple._letter_infixes
