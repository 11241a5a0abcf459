"""What a search keeps between searches (term lookups per segment, the index's date span per
reader) and within one (postings the scorer read): fewer reads, never other results.

The caches must follow the index: a commit (new segments, deletions, merges) and a change of
the BM25 options (issue 14, item 10) must show in the next search exactly as in a freshly
opened index, which has kept nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import pytest
from conftest import WIKINEWS
from whoosh.codec.whoosh3 import W3TermsReader

from newsindex import NewsIndex, SearchOptions
from newsindex.search import searching
from newsindex.search.term_infos import TermInfos

# Each kind of query the benchmark has: words, a question, a compound, a prefix, a typo,
# a phrase, filters (an open-ended date range is clamped to the index's last day).
QUERIES = (
    "Regierung",
    "Wie viele Menschen starben bei dem Erdbeben?",
    "Bundesregierung Haushalt",
    "Wahl*",
    "Parlamnet",
    '"Europäischen Union"',
    "Polizei date:2005-06..",
    "Präsident -Bush",
)


def _articles(n: int) -> list[Any]:
    from newsindex.ingest import read

    if not WIKINEWS.is_file():
        pytest.skip("../shared/corpora is not beside the repository")
    return list(islice(read(WIKINEWS), n))


def _result(ix: NewsIndex, query: str) -> tuple[Any, ...]:
    r = ix.search(query, limit=10)
    hits = tuple((h.article_id, h.paragraph, round(h.score, 9), h.highlights) for h in r)
    return hits, r.total, r.total_exact, r.notes, r.suggestion


def _results(ix: NewsIndex) -> dict[str, tuple[Any, ...]]:
    return {q: _result(ix, q) for q in QUERIES}


@pytest.fixture
def articles() -> list[Any]:
    """400 Wikinews articles in date order (2004-12 to 2006-11)."""
    return _articles(400)


@pytest.fixture
def index_path(tmp_path: Path, articles: list[Any]) -> Iterator[Path]:
    """The first 200 articles in two segments."""
    path = tmp_path / "ix"
    with NewsIndex.create(path, analysis="builtin", workers=1, batch_size=100) as ix:
        ix.add(articles[:100])
        ix.add(articles[100:200])
    yield path


def test_kept_lookups_follow_commits_and_deletions(index_path: Path, articles: list[Any]) -> None:
    with NewsIndex.open(index_path) as ix:
        before = _results(ix)  # fills the kept lookups of the first segments
        assert before == _results(ix)  # (a search from kept lookups gives the same)
        ix.add(articles[200:400])
        for article in articles[:200:25]:
            assert ix.delete(article.id)
        after = _results(ix)
        with NewsIndex.open(index_path) as fresh:
            assert after == _results(fresh)
        # The test means something: the commit changed results (new passages, deleted ones
        # gone, the open date range reaching the new last day).
        new = {a.id for a in articles[200:400]}
        gone = {a.id for a in articles[:200:25]}
        assert after != before
        assert any(aid in new for hits, *_ in after.values() for aid, *_ in hits)
        assert not any(aid in gone for hits, *_ in after.values() for aid, *_ in hits)
        dated = after["Polizei date:2005-06.."][0]
        assert any(aid in new for aid, *_ in dated)


def test_kept_lookups_follow_merges(index_path: Path, articles: list[Any]) -> None:
    from newsindex.index.segments import segment_ids

    with NewsIndex.open(index_path) as ix:
        _results(ix)
        first = segment_ids(ix._current_searcher().reader())
        for start in range(200, 400, 20):  # small commits: Whoosh merges small segments
            ix.add(articles[start : start + 20])
            _results(ix)
        now = segment_ids(ix._current_searcher().reader())
        assert first - now  # some segment searched before was merged away
        after = _results(ix)
        with NewsIndex.open(index_path) as fresh:
            assert after == _results(fresh)
        kept = ix._lengths.term_infos._infos
        assert set(kept) <= now  # nothing kept for segments merged away


def test_bm25_options_take_effect_after_the_first_search(index_path: Path) -> None:
    # Issue 14 item 10: the weighting must not be fixed by the first search, and the kept
    # lookups (document frequencies, idf) must not carry it over either.
    options = SearchOptions(bm25_k1=1.6, bm25_b=0.9)
    with NewsIndex.open(index_path) as ix:
        default = _results(ix)
        ix.search_options = options
        changed = _results(ix)
        with NewsIndex.open(index_path, search_options=options) as fresh:
            assert changed == _results(fresh)
        assert changed != default
        ix.search_options = SearchOptions()
        assert _results(ix) == default


@pytest.fixture
def lookups(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, bytes]]:
    """Every lookup in a segment's terms table (Whoosh's on-disk hash)."""
    made: list[tuple[str, bytes]] = []
    real = W3TermsReader.term_info

    def counting(self: W3TermsReader, fieldname: str, tbytes: bytes) -> Any:
        made.append((fieldname, tbytes))
        return real(self, fieldname, tbytes)

    monkeypatch.setattr(W3TermsReader, "term_info", counting)
    return made


def test_a_repeated_query_looks_no_term_up_again(index_path: Path, lookups: list[tuple[str, bytes]]) -> None:
    with NewsIndex.open(index_path) as ix:
        for query in QUERIES:
            lookups.clear()
            first = _result(ix, query)
            assert lookups  # the first search looks its terms up
            lookups.clear()
            assert _result(ix, query) == first
            if query == "Parlamnet":
                # The correction's surface form is read from Whoosh's multi-segment postings
                # (a membership test and a read per segment), and nothing else.
                segments = len(ix._current_searcher().reader().leaf_readers())
                assert set(lookups) == {("body", b"parlament")} and len(lookups) <= 2 * segments
            else:
                assert lookups == [], query


def test_one_search_looks_each_term_up_once_per_segment(
    index_path: Path, lookups: list[tuple[str, bytes]]
) -> None:
    # Building the query (document frequencies), the idf, the postings, the phrases and
    # the highlights all ask for the same terms; each is looked up once per segment.
    with NewsIndex.open(index_path) as ix:
        segments = len(ix._current_searcher().reader().leaf_readers())
        assert segments >= 2
        for query in ("Wie viele Menschen starben bei dem Erdbeben?", '"Europäischen Union" Kommission'):
            ix._lengths.term_infos = TermInfos()
            lookups.clear()
            assert ix.search(query).hits
            counts: dict[tuple[str, bytes], int] = {}
            for key in lookups:
                counts[key] = counts.get(key, 0) + 1
            assert counts and max(counts.values()) <= segments, query


def test_the_kept_lookups_are_bounded(index_path: Path) -> None:
    with NewsIndex.open(index_path) as ix:
        expected = _results(ix)
        ix._lengths.term_infos = TermInfos(max_entries=7)
        assert _results(ix) == expected
        assert 0 < len(ix._lengths.term_infos) <= 7


def test_filters_are_read_as_arrays(index_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A date range's calendar terms hold most of the index: Whoosh's docs_for_query walks
    # them one document at a time.
    with NewsIndex.open(index_path) as ix:
        expected = _result(ix, "Polizei date:2005-06..")
        walked: list[Any] = []
        real = searching.Searcher.docs_for_query

        def counting(self: Any, q: Any, for_deletion: bool = False) -> Any:
            walked.append(q)
            return real(self, q, for_deletion)

        monkeypatch.setattr(searching.Searcher, "docs_for_query", counting)
        assert _result(ix, "Polizei date:2005-06..") == expected
        assert walked == []


PHRASES = ('"Europäischen Union"', '"der Polizei"', '"am Montag"', '"Vereinten Nationen"', '"in der Stadt"')


def test_phrases_checked_on_the_scorers_postings_read_the_same(wiki: tuple[NewsIndex, NewsIndex]) -> None:
    # The phrase check takes the body words' positions from the postings the scorer reads
    # (it ranks the same words next): the same passages, deleted ones left out, and the same
    # postings counted against the phrase budget, read in full or passage by passage.
    from newsindex.index.schema import BODY
    from newsindex.search.phrases import PhraseBudget, phrase_docs
    from newsindex.search.query_builder import QueryBuilder
    from newsindex.search.query_syntax import parse_query
    from newsindex.search.term_scoring import TermScorer

    ix = wiki[0]
    searcher = ix._current_searcher()
    reader = searcher.reader()
    assert any(leaf.has_deletions() for leaf, _ in reader.leaf_readers())
    builder = QueryBuilder(ix.chain, reader, title_boost=1.5, part_boost=0.35)
    some = set(range(0, reader.doc_count_all(), 3))  # (passage by passage where few are wanted)
    # Words of the deleted articles too: their postings are read, and must be left out.
    from conftest import DELETED_AT

    from newsindex.ingest import read

    articles = list(islice(read(WIKINEWS), 600))
    deleted = [articles[i] for i in DELETED_AT]
    assert all(ix.article(a.id) is None for a in deleted)
    from_deleted = tuple('"' + " ".join(a.paragraphs[0].split()[:2]) + '"' for a in deleted)
    checked = 0
    for text in (*PHRASES, *from_deleted):
        words = list(builder.build(parse_query(text)).phrases[0])
        assert any(w.field == BODY for w in words)
        for within in (None, some, set(list(some)[:40])):
            plain, shared = PhraseBudget(), PhraseBudget()
            expected = phrase_docs(reader, words, within, plain)
            scorer = TermScorer(searcher, ix._lengths)
            got = phrase_docs(reader, words, within, shared, ix._lengths.term_infos, scorer.read_body)
            assert got == expected, (text, within is None)
            assert (shared.read, shared.left) == (plain.read, plain.left), text
            checked += bool(expected)
    assert checked
