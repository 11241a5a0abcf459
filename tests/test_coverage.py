"""Query coverage (newsindex.search.coverage) and which lowercase words are framing,
on German sentences written for these tests and on the Wikinews corpus."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsindex import Article, NewsIndex, SearchOptions
from newsindex.search.coverage import coverage_factors
from newsindex.search.query_builder import QueryBuilder
from newsindex.search.query_syntax import parse_query

# Two background passages for each of two query words, so that neither is rare.
BACKGROUND = [
    "Die Pipeline durch die Ostsee wurde im Sommer fertig gebaut.",
    "Der Bau der Pipeline kostete Milliarden.",
    "Schröder sprach in Hannover über die Wirtschaft.",
    "Schröder traf am Montag den Bürgermeister.",
    "Altkanzler Schröder feierte Geburtstag.",
]
# Two of the three query words, each twice, in a short passage.
REPEATS = (
    "Gazprom erhöhte die Preise für das Gas aus der Pipeline, und Gazprom drohte, die Pipeline zu schließen."
)
# All three once each, in a long passage.
COVERS = (
    "Altkanzler Schröder sitzt seit Jahren im Aufsichtsrat eines russischen Konzerns, und viele in seiner "
    "Partei sehen das inzwischen kritisch. Der Konzern heißt Gazprom und betreibt mit Partnern aus "
    "Deutschland, den Niederlanden und Frankreich eine umstrittene Pipeline, die durch die Ostsee führt und "
    "über die seit dem Krieg kaum noch etwas fließt."
)


def _index(options: SearchOptions) -> NewsIndex:
    ix = NewsIndex.in_memory(analysis="builtin", search_options=options)
    texts = [REPEATS, COVERS, *BACKGROUND]
    ix.add([Article.create(title=f"Bericht {i}", paragraphs=[t], source="s") for i, t in enumerate(texts)])
    return ix


def test_a_passage_with_every_word_of_the_query_ranks_above_one_repeating_some() -> None:
    with _index(SearchOptions()) as ix:
        covered = ix.search("Schröder Gazprom Pipeline", max_per_article=None)
        assert covered.hits[0].text == COVERS
        assert sorted(covered.hits[0].marked_words) == ["Gazprom", "Pipeline", "Schröder"]
        ix.search_options = SearchOptions(coverage_weight=0.0)
        plain = ix.search("Schröder Gazprom Pipeline", max_per_article=None)
        assert plain.hits[0].text == REPEATS
        # Coverage only reorders: the same passages match.
        assert covered.total == plain.total == 7
        assert {h.text for h in covered} == {h.text for h in plain}


def test_coverage_changes_nothing_for_a_single_word() -> None:
    with _index(SearchOptions()) as ix:
        on = [(h.text, h.score) for h in ix.search("Pipeline", max_per_article=None)]
        ix.search_options = SearchOptions(coverage_weight=0.0)
        off = [(h.text, h.score) for h in ix.search("Pipeline", max_per_article=None)]
        assert on == off and len(on) == 4


def test_coverage_ranks_the_same_through_whoosh_and_numpy(wiki: tuple[NewsIndex, NewsIndex]) -> None:
    fast, slow = wiki
    for query in ("Wo fand das Erdbeben statt?", "Regierung Berlin Haushalt", "Papst Benedikt Besuch"):
        got = [(h.article_id, h.paragraph, round(h.score, 9)) for h in fast.search(query, limit=20)]
        want = [(h.article_id, h.paragraph, round(h.score, 9)) for h in slow.search(query, limit=20)]
        assert got == want and got


def test_factors_weigh_each_word_by_its_weight() -> None:
    ids = np.array([0, 1, 2, 5])
    words = [(np.array([0, 1]), 2.0), (np.array([1, 2]), 1.0), (np.array([3]), 0.0)]
    factors = coverage_factors(ids, words, 1.0)
    assert factors == pytest.approx([1 + 2 / 3, 2.0, 1 + 1 / 3, 1.0])
    assert coverage_factors(ids, words, 0.5) == pytest.approx([1 + 1 / 3, 1.5, 1 + 1 / 6, 1.0])
    # Fewer than two words that weigh, or no weight: no factor.
    assert list(coverage_factors(ids, words[:1], 1.0)) == [1.0] * 4
    assert list(coverage_factors(ids, words, 0.0)) == [1.0] * 4


@given(
    st.lists(
        st.tuples(st.sets(st.integers(0, 29), max_size=30), st.floats(0, 20, allow_nan=False)),
        max_size=6,
    ),
    st.floats(0, 3, allow_nan=False),
)
def test_factors_lie_between_one_and_one_plus_the_weight(
    words: list[tuple[set[int], float]], weight: float
) -> None:
    ids = np.arange(30)
    arrays = [(np.array(sorted(s), dtype=np.int64), w) for s, w in words]
    factors = coverage_factors(ids, arrays, weight)
    assert factors.shape == (30,)
    assert np.all(factors >= 1.0 - 1e-12) and np.all(factors <= 1.0 + weight + 1e-9)
    every = set.intersection(*(s for s, w in words if w > 0)) if any(w > 0 for _, w in words) else set()
    if weight > 0 and sum(1 for _, w in words if w > 0) >= 2:
        for d in every:  # a document with every weighing word gets the whole weight
            assert factors[d] == pytest.approx(1.0 + weight)


def _word_weights(ix: NewsIndex, query: str) -> dict[str, float]:
    reader = ix._current_searcher().reader()
    builder = QueryBuilder(ix.chain, reader, title_boost=1.5, part_boost=0.35, lowercase_weight=0.5)
    built = builder.build(parse_query(query))
    return dict(built.word_heads)


def test_a_lowercase_word_the_dictionary_does_not_know_is_not_framing() -> None:
    with _index(SearchOptions()) as ix:
        weights = _word_weights(ix, "Warum sind Hamburger Grüne zur ödp übergetreten?")
        # "übergetreten" is the question's framing; "ödp" (a party, written so) is a topic.
        assert weights == {"hamburger": 1.0, "grun": 1.0, "odp": 1.0, "ubertreten": 0.5}
        assert _word_weights(ix, "wer liefert waffen")["liefern"] == 0.5
