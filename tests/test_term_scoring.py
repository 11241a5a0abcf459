"""Term-at-a-time scoring (numpy) against Whoosh's own matchers, on real German news.

The fast path must rank exactly as Whoosh does: same passages, same BM25F scores,
same totals, deletions respected, on an index of several segments.
"""

from __future__ import annotations

import math
from datetime import date

import pytest
from conftest import DELETED, WIKINEWS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from whoosh import query as wq

from newsindex import NewsIndex, Results, SearchOptions
from newsindex.index.writing import paragraph_docnum
from newsindex.search.ranking import Ranking
from newsindex.search.term_scoring import FieldLengths, TermScorer

pytestmark = pytest.mark.skipif(not WIKINEWS.is_file(), reason="../shared/corpora is not beside the repo")


def _same_ranking(fast: Results, slow: Results) -> None:
    """Equal scores in the same order; documents equal except where scores tie."""
    fs = [h.score for h in fast.hits]
    ss = [h.score for h in slow.hits]
    assert len(fs) == len(ss)
    assert all(math.isclose(a, b, rel_tol=1e-9) for a, b in zip(fs, ss, strict=True)), (fs, ss)
    if not ss:
        return
    # Sums taken in another order may differ in the last bit: only ties may swap.
    last = ss[-1]
    above = lambda r: {(h.article_id, h.paragraph) for h in r.hits if h.score > last * (1 + 1e-9)}  # noqa: E731
    assert above(fast) == above(slow)
    if slow.total_exact:
        assert fast.total == slow.total
    else:
        assert fast.total >= slow.total


QUERIES = [
    "Wer gewann die Wahl?",
    "Erdbeben Tote",
    "Bundeskanzlerin Merkel",
    "fußball weltmeisterschaft",
    "Regierung*",
    "Bundes*",
    "Fusbal~",
    "Präsidentschaftswahl",
    "Raumfahrt -Mond",
    "+Olympia Medaille",
    "Polizei source:wikinews",
    "Klimawandel Gipfel",
    "sagte",
    "Europa Parlament Abstimmung über das Gesetz",
]


@pytest.mark.parametrize("query", QUERIES)
def test_numpy_ranking_equals_whooshs(wiki: tuple[NewsIndex, NewsIndex], query: str) -> None:
    fast, slow = wiki
    for limit, per_article in ((10, 3), (50, None)):
        a = fast.search(query, limit=limit, max_per_article=per_article)
        b = slow.search(query, limit=limit, max_per_article=per_article)
        _same_ranking(a, b)
    assert fast.search(query).hits or not slow.search(query).hits


def test_date_and_source_filters_agree(wiki: tuple[NewsIndex, NewsIndex]) -> None:
    fast, slow = wiki
    for kwargs in ({"since": date(2010, 1, 1)}, {"until": date(2008, 6, 30)}, {"source": "nobody"}):
        _same_ranking(fast.search("Regierung Wahl", **kwargs), slow.search("Regierung Wahl", **kwargs))


def test_the_queries_people_type_take_the_numpy_path(wiki: tuple[NewsIndex, NewsIndex]) -> None:
    fast, _ = wiki
    s = fast._current_searcher()
    q = wq.Or([wq.Term("body", "wahl"), wq.Term("title", "wahl", boost=1.5), wq.Term("body", "regierung")])
    assert Ranking(s, q, None).term_at_a_time
    phrase = wq.Phrase("body", ["europaisch", "union"])
    assert not Ranking(s, phrase, None).term_at_a_time  # Whoosh's own phrase queries go to Whoosh
    assert not Ranking(s, q, None, term_at_a_time=False).term_at_a_time


def test_deleted_articles_are_never_ranked(wiki: tuple[NewsIndex, NewsIndex]) -> None:
    fast, _ = wiki
    s = fast._current_searcher()
    assert s.reader().has_deletions()
    scorer = TermScorer(s, FieldLengths())
    for word in ("regierung", "sagen", "jahr"):
        scored = scorer.score(wq.Term("body", word))
        assert scored is not None
        live = sorted(s.docs_for_query(wq.Term("body", word)))
        assert scored.ids.tolist() == live
    hits = fast.search("Regierung", limit=1000, max_per_article=None).hits
    assert hits and not {h.article_id for h in hits} & set(DELETED)


@pytest.mark.parametrize(
    ("query", "excluded"),
    [
        ("sagte -Wahl", ["wahl"]),
        ("Regierung -Wahl -Präsident", ["wahl", "prasident"]),
        ('"Europäische Union" -Kommission', ["kommission"]),
    ],
)
def test_an_excluded_word_removes_every_passage_with_it(
    wiki: tuple[NewsIndex, NewsIndex], query: str, excluded: list[str]
) -> None:
    fast, slow = wiki
    s = fast._current_searcher()
    with_word = set(s.docs_for_query(wq.Or([wq.Term("body", w) for w in excluded])))
    for ix in (fast, slow):
        every = ix.search(query, limit=1000, max_per_article=None)
        hits = every.hits
        assert hits
        assert every.total == len(hits)  # all matches fit in the limit: the count agrees
        assert ix.search(query).total == len(hits)  # and the count past the top 10 agrees too
        docnums = {paragraph_docnum(s, h.article_id, h.paragraph) for h in hits}
        assert not docnums & with_word
    _same_ranking(fast.search(query), slow.search(query))


def test_whooshs_and_not_keeps_a_segments_first_match(wiki: tuple[NewsIndex, NewsIndex]) -> None:
    """Why exclusions are a mask: Whoosh's ``AndNot`` lets excluded passages through."""
    s = wiki[0]._current_searcher()
    leaked = 0
    pairs = (("wahl", "prasident"), ("polizei", "mensch"), ("deutschland", "land"), ("zeit", "jahr"))
    for kept, excluded in pairs:
        q = wq.AndNot(wq.Term("body", kept), wq.Term("body", excluded))
        with_kept = set(s.docs_for_query(wq.Term("body", kept)))
        expected = with_kept - set(s.docs_for_query(wq.Term("body", excluded)))
        leaked += len(set(s.docs_for_query(q)) - expected)
    assert leaked, "Whoosh's AndNot got fixed: exclusions could go back into the query"


def test_totals_are_exact_past_a_thousand(wiki: tuple[NewsIndex, NewsIndex]) -> None:
    fast, slow = wiki
    query = "Jahr Land Regierung Stadt Menschen Zeit Prozent Millionen Präsident Polizei Welt Deutschland Tag"
    got = fast.search(query)
    s = fast._current_searcher()
    lemmas = [t.lemma for t in fast.chain.analyze(query)]
    # Paragraphs that contain a word: the title only adds to their score (issue 14).
    every = wq.Or([wq.Term("body", t) for t in lemmas])
    expected = len(set(s.docs_for_query(every)))
    assert expected > 1000
    assert (got.total, got.total_exact) == (expected, True)
    # Article evidence and coverage score every match, so Whoosh's ranking counts them all too.
    assert (slow.search(query).total, slow.search(query).total_exact) == (expected, True)
    slow.search_options = SearchOptions(term_at_a_time=False, article_weight=0.0, coverage_weight=0.0)
    try:
        capped = slow.search(query)
        assert (capped.total, capped.total_exact) == (1000, False)  # Whoosh's count stops at 1,000
    finally:
        slow.search_options = SearchOptions(term_at_a_time=False)


def test_a_term_scores_as_whoosh_scores_it(wiki: tuple[NewsIndex, NewsIndex]) -> None:
    fast, _ = wiki
    s = fast._current_searcher()
    q = wq.Term("body", "regierung", boost=0.35)
    scored = TermScorer(s, FieldLengths()).score(q)
    assert scored is not None
    whoosh = {h.docnum: h.score for h in s.search(q, limit=None)}
    ours = dict(zip(scored.ids.tolist(), scored.scores.tolist(), strict=True))
    assert ours == pytest.approx(whoosh, rel=1e-12)


_WORDS = st.sampled_from(
    [
        *("Regierung", "Wahl", "wahlen", "Präsident", "Krieg", "Polizei", "Stadt", "Menschen"),
        *("Fußball", "Olympia", "Erdbeben", "Europa", "Parlament", "der", "die", "sagte"),
        *("Bundes*", "Regier*", "Fusbal~", "Praesident", "-Wahl", "+Stadt"),
    ]
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(words=st.lists(_WORDS, min_size=1, max_size=6))
def test_any_word_mix_ranks_as_in_whoosh(wiki: tuple[NewsIndex, NewsIndex], words: list[str]) -> None:
    fast, slow = wiki
    query = " ".join(words)
    _same_ranking(fast.search(query, limit=20), slow.search(query, limit=20))


def test_bm25f_scores_is_whooshs_formula_on_arrays() -> None:
    import numpy as np
    from whoosh.scoring import bm25

    from newsindex.search.bm25 import bm25f_scores

    rng = np.random.default_rng(14)
    tf = rng.integers(1, 9, 200).astype(np.float64) * rng.choice([0.5, 1.0], 200)
    fl = rng.integers(1, 300, 200).astype(np.float64)
    for k1, b in ((1.2, 0.75), (0.9, 0.3), (0.6, 0.0)):
        got = bm25f_scores(tf, fl, 37.5, 2.25, k1, b)
        assert got.tolist() == [bm25(2.25, t, f, 37.5, b, k1) for t, f in zip(tf, fl, strict=True)]
