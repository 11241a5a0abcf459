"""Every query path has a work budget, counted here rather than timed (issue 12, finding 6).

The "did you mean" path, typo expansion, compound splitting, phrases and repeated
words each do an amount of work bounded by a cap, whatever the query; when a cap
cuts something, ``results.notes`` says what. The work is counted at the one
place it happens (edit distances, dictionary lookups, postings read), on the
Wikinews index of ``conftest.wiki`` and the seed articles.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from whoosh.searching import Searcher
from whoosh.spelling import Corrector

from newsindex import NewsIndex
from newsindex.analysis.compounds import MAX_SPLIT_CHARS, CompoundSplitter
from newsindex.analysis.lexicon import Lexicon
from newsindex.index import vocabulary
from newsindex.index.schema import BODY, STOPS
from newsindex.index.vocabulary import Vocabularies
from newsindex.search import phrases, query_builder, searching
from newsindex.search.query_builder import EXPANSION_CAP, EXPANSION_TERMS_CAP, QueryBuilder
from newsindex.search.query_syntax import parse_query
from newsindex.search.searching import SUGGEST_MAX_CHARS, SUGGEST_MAX_EDITS, SUGGEST_MAX_WORDS
from newsindex.search.term_scoring import TermScorer

# Invented words no German text has, all starting with S (the busiest first letter).
UNKNOWN_S_WORDS = [f"Sk{c1}{c2}orvatiln" for c1 in "aeiou" for c2 in "bdfglmnprstvz"][:64]


@pytest.fixture
def wiki_ix(wiki: tuple[NewsIndex, NewsIndex]) -> NewsIndex:
    """The Wikinews index ranked by the numpy scorer (the default)."""
    return wiki[0]


@pytest.fixture
def distance_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, list[str], int]]]:
    """Every call of the edit distance: (word, candidates, maxdist); Whoosh's corrector is forbidden."""
    calls: list[tuple[str, list[str], int]] = []
    real = vocabulary.distances

    def counting(word: str, candidates: list[str], maxdist: int) -> list[tuple[str, int, int]]:
        calls.append((word, list(candidates), maxdist))
        return real(word, candidates, maxdist)

    def no_corrector(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("Whoosh's corrector computes a Python edit distance per term")

    monkeypatch.setattr(vocabulary, "distances", counting)
    monkeypatch.setattr(Corrector, "suggest", no_corrector)
    yield calls


# -- "did you mean" -------------------------------------------------------------------------


def test_a_2000_letter_word_is_compared_with_no_index_term(wiki_ix: NewsIndex, distance_calls: list) -> None:
    query = "S" + "k" * 1_998
    results = wiki_ix.search(query)
    assert results.total == 0 and results.suggestion is None
    assert sum(len(c) for _w, c, _d in distance_calls) == 0
    assert f"words over {SUGGEST_MAX_CHARS} letters get no spelling suggestion" in results.notes
    assert f"words over {MAX_SPLIT_CHARS} letters are searched whole, not split into parts" in results.notes


def test_many_unknown_words_look_up_only_the_first_few(wiki_ix: NewsIndex, distance_calls: list) -> None:
    results = wiki_ix.search(" ".join(UNKNOWN_S_WORDS))
    assert results.total == 0
    segments = len(wiki_ix._current_searcher().reader().leaf_readers())
    assert 0 < len(distance_calls) <= SUGGEST_MAX_WORDS * segments
    for word, candidates, maxdist in distance_calls:
        assert maxdist == SUGGEST_MAX_EDITS
        assert candidates and all(t[0] == word[0] for t in candidates)
        # Only terms that can be within the edit distance are compared.
        assert all(abs(len(t) - len(word)) <= maxdist for t in candidates)
        assert len(candidates) <= vocabulary.NEAR_CANDIDATE_CAP
    note = f"spelling suggestions were looked up for the first {SUGGEST_MAX_WORDS} unknown words"
    assert note in results.notes


def test_a_typo_is_still_corrected(seed_index: NewsIndex, distance_calls: list) -> None:
    results = seed_index.search("Venezuella")
    assert results.suggestion == "Venezuela"
    assert distance_calls  # through RapidFuzz, not Whoosh's corrector
    # No budget note, only the fallback.
    assert results.notes == ("nothing matched „Venezuella“; showing results for „Venezuela“",)


def test_the_candidate_cap_bounds_each_comparison_and_is_noted(
    wiki_ix: NewsIndex, distance_calls: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    reader = wiki_ix._current_searcher().reader()
    uncapped = Vocabularies().near_terms(reader, "regierung", 2, 1_000)
    assert uncapped.compared > 40 and not uncapped.capped  # the cap below is what limits it
    distance_calls.clear()
    monkeypatch.setattr(vocabulary, "NEAR_CANDIDATE_CAP", 10)
    capped = Vocabularies().near_terms(reader, "regierung", 2, 1_000)
    assert capped.capped
    assert all(len(c) <= 10 for _w, c, _d in distance_calls)
    assert "regierung" in capped.terms  # the same length is compared first
    results = wiki_ix.search("Regierung~2")
    assert "Regierung~ was compared only with the index words closest to it in length" in results.notes


# -- compound splitting ---------------------------------------------------------------------


class _CountingLexicon(Lexicon):
    def __init__(self) -> None:
        super().__init__()
        self.lookups = 0

    def lookup(self, word: str) -> str | None:
        self.lookups += 1
        return super().lookup(word)


def test_a_2000_letter_compound_is_not_analysed_for_splitting() -> None:
    lexicon = _CountingLexicon()
    splitter = CompoundSplitter(lexicon)
    assert splitter.split("Bundes" + "regierungs" * 199 + "rat") is None
    assert lexicon.lookups == 0
    long_word = "Kraftfahrzeughaftpflichtversicherung"  # 36 letters: still split
    assert len(long_word) <= MAX_SPLIT_CHARS
    split = splitter.split(long_word)
    assert split is not None and split.parts == ("Kraft", "Fahrzeug", "Haft", "Pflicht", "Versicherung")
    assert lexicon.lookups > 0


# -- phrases ----------------------------------------------------------------------------------


@pytest.fixture
def budgets(monkeypatch: pytest.MonkeyPatch) -> list[phrases.PhraseBudget]:
    """The phrase budgets the searches of a test used."""
    made: list[phrases.PhraseBudget] = []

    def recording() -> phrases.PhraseBudget:
        budget = phrases.PhraseBudget()
        made.append(budget)
        return budget

    monkeypatch.setattr(searching, "PhraseBudget", recording)
    return made


def _phrase_words(ix: NewsIndex, text: str) -> list[phrases.PhraseWord]:
    builder = QueryBuilder(ix.chain, ix._current_searcher().reader(), title_boost=1.5, part_boost=0.35)
    return list(builder.build(parse_query(f'"{text}"')).phrases[0])


def test_phrase_work_is_counted_and_capped(wiki_ix: NewsIndex) -> None:
    reader = wiki_ix._current_searcher().reader()
    words = _phrase_words(wiki_ix, "in der")
    full = phrases.PhraseBudget(left=10**9)
    found = phrases.phrase_docs(reader, words, None, full)
    assert found and full.read > 1_000  # both words are in most passages
    small = phrases.PhraseBudget(left=full.read // 2)
    assert phrases.phrase_docs(reader, words, None, small) is None  # would not fit: not checked
    assert small.read <= full.read // 2


def test_a_too_common_phrase_is_degraded_with_a_note(
    wiki_ix: NewsIndex, budgets: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(phrases, "PHRASE_WORK_CAP", 300)
    results = wiki_ix.search('"in der" Regierung')
    assert "„in der“ is too common to check word for word; showing passages with its words" in results.notes
    assert results.hits
    for hit in results:  # still every word of the phrase
        words = hit.text.lower().split()
        assert "in" in words and "der" in words
    assert budgets and all(b.read <= 300 for b in budgets)


def test_a_repeated_phrase_is_checked_once(wiki_ix: NewsIndex, budgets: list) -> None:
    once = wiki_ix.search('"in der"')
    many = wiki_ix.search(" ".join(['"in der"'] * 32))
    assert [b.read for b in budgets[:1]] == [b.read for b in budgets[1:2]]
    assert budgets[0].read > 0
    assert many.total == once.total


# -- repeated words ----------------------------------------------------------------------------


def test_a_word_typed_many_times_is_read_once(wiki_ix: NewsIndex, monkeypatch: pytest.MonkeyPatch) -> None:
    reads: list[tuple[str, object]] = []
    real = TermScorer._term

    def counting(self: TermScorer, fieldname: str, text: str | bytes) -> object:
        reads.append((fieldname, text))  # (read unboosted: once whatever its weights)
        return real(self, fieldname, text)

    monkeypatch.setattr(TermScorer, "_term", counting)
    results = wiki_ix.search(" ".join(["der", "die", "und"] * 21))
    assert results.hits
    assert len(reads) == len(set(reads)) <= 3 * 2  # three stop words, a reading or two each


# -- prefix and typo expansions, stop words ------------------------------------------------------


def _body_terms(ix: NewsIndex, query: str) -> list[str]:
    builder = QueryBuilder(
        ix.chain,
        ix._current_searcher().reader(),
        title_boost=1.5,
        part_boost=0.35,
        vocabularies=ix._vocabularies,
    )
    built = builder.build(parse_query(query))
    assert built.query is not None
    return [t for f, t in built.query.iter_all_terms() if f == BODY]


def test_many_expanded_words_share_a_term_budget(wiki_ix: NewsIndex) -> None:
    prefixes = ["ge*", "be*", "ve*", "ab*", "an*", "ei*", "st*", "sc*"]
    alone = _body_terms(wiki_ix, "ge*")
    assert len(alone) == EXPANSION_CAP  # one prefix still gets its full expansion
    terms = _body_terms(wiki_ix, " ".join(prefixes))
    assert len(set(terms)) <= EXPANSION_TERMS_CAP < len(prefixes) * EXPANSION_CAP
    results = wiki_ix.search(" ".join(prefixes))
    assert any(n.startswith("ge* was expanded to ") for n in results.notes)


def test_expansions_share_a_postings_budget(wiki_ix: NewsIndex, monkeypatch: pytest.MonkeyPatch) -> None:
    reader = wiki_ix._current_searcher().reader()
    full = _body_terms(wiki_ix, "ge*")
    assert sum(reader.doc_frequency(BODY, t) for t in full) > 500  # the cap below is what limits it
    monkeypatch.setattr(query_builder, "EXPANSION_POSTINGS_CAP", 500)
    capped = _body_terms(wiki_ix, "ge*")
    assert capped and sum(reader.doc_frequency(BODY, t) for t in capped) <= 500
    results = wiki_ix.search("ge*")
    assert f"ge* was expanded to {len(capped)} of {len(full)} words (the query's budget)" in results.notes


def test_stop_words_are_ranked_within_a_postings_budget(
    wiki_ix: NewsIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    reader = wiki_ix._current_searcher().reader()
    assert reader.doc_frequency(STOPS, "der") > reader.doc_frequency(STOPS, "gegen") > 0
    monkeypatch.setattr(query_builder, "STOP_POSTINGS_CAP", reader.doc_frequency(STOPS, "gegen"))
    results = wiki_ix.search("gegen die")
    assert "„die“ is in too many passages to rank by; it was left out" in results.notes
    assert results.hits and all("gegen" in h.text.lower() for h in results)


def test_excluded_words_are_read_as_postings_not_walked_by_whoosh(
    wiki_ix: NewsIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    walked: list[object] = []
    real = Searcher.docs_for_query

    def recording(self: Searcher, q: object, *args: object, **kwargs: object) -> object:
        walked.append(q)
        return real(self, q, *args, **kwargs)

    monkeypatch.setattr(Searcher, "docs_for_query", recording)
    results = wiki_ix.search("Regierung -Jahr -Land -Prozent")
    assert results.hits and walked == []
    for hit in results:  # the exclusion still holds
        words = {w.strip(".,;:!?()\"'„“") for w in hit.text.split()}
        assert not words & {"Jahr", "Land", "Prozent"}
