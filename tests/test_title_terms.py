"""A word's title and body occurrences score as one BM25F field pair (see search.title_terms)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsindex import NewsIndex
from newsindex.search.bm25 import title_gain
from newsindex.search.title_terms import TitleTerm

_x = st.floats(min_value=0.0, max_value=50.0, allow_nan=False)


def _saturated(x: np.ndarray, idf: float, k1: float) -> np.ndarray:
    return idf * (x * (k1 + 1)) / (x + k1)


@given(body=_x, title=_x, more=st.floats(min_value=0.01, max_value=10.0), idf=st.floats(0.1, 20.0),
       k1=st.floats(0.1, 3.0), weight=st.floats(0.0, 10.0))
def test_title_gain_completes_the_body_score_to_bm25f(
    body: float, title: float, more: float, idf: float, k1: float, weight: float
) -> None:
    """Body score + gain = one saturation of the weighted sum; the gain is never negative
    and shrinks as the body holds the word more often."""
    b, t = np.array([body, body + more]), np.array([title, title])
    gain = title_gain(b, t, idf, k1, weight)
    whole = _saturated(b + weight * t, idf, k1)
    assert np.allclose(_saturated(b, idf, k1) + gain, whole, rtol=1e-9, atol=1e-9)
    assert (gain >= -1e-12).all()
    assert gain[1] <= gain[0] + 1e-12


def test_title_terms_are_equal_only_with_the_same_pairing() -> None:
    a, same = TitleTerm("papst", "papst", 2.0, 1.0), TitleTerm("papst", "papst", 2.0, 1.0)
    assert a == same and hash(a) == hash(same)
    assert a != TitleTerm("papst", "papst", 2.0, 0.5)
    assert a != TitleTerm("papst", "pabst", 2.0, 1.0)


@pytest.mark.slow  # reads the shared corpora
@pytest.mark.parametrize(
    ("question", "answer"),
    [
        # Articles titled "… Papst Benedikt XVI. …" repeat those words in the body: summed
        # field by field, each of their paragraphs outranked the answer.
        ("Wie gut verkauft sich die erste Enzyklika von Papst Benedikt XVI.?", ("wn-21319", 0)),
        (
            "Wie schwer verletzt war der Autofahrer, der bei Kaiserslautern gegen einen Baum prallte?",
            ("wn-35750", 0),
        ),
    ],
)
def test_an_answer_in_the_body_outranks_paragraphs_that_repeat_their_title(
    wiki: tuple[NewsIndex, NewsIndex], question: str, answer: tuple[str, int]
) -> None:
    for ix in wiki:  # the numpy scorer and Whoosh's own search alike
        hit = ix.search(question, limit=3).hits[0]
        assert (hit.article_id, hit.paragraph) == answer


@pytest.mark.slow  # reads the shared corpora
def test_both_scorers_give_title_gains_the_same_floats(wiki: tuple[NewsIndex, NewsIndex]) -> None:
    fast, slow = wiki
    def ranking(ix: NewsIndex, question: str) -> list[tuple[str, int, float]]:
        return [(h.article_id, h.paragraph, h.score) for h in ix.search(question, limit=20)]

    questions = ["Papst Benedikt Enzyklika", "Wer liefert Waffen an Venezuela?", "Autofahrer Baum"]
    for question in questions:
        assert ranking(fast, question) and ranking(fast, question) == ranking(slow, question)


def test_a_word_only_in_titles_keeps_the_numpy_path() -> None:
    """A query word no paragraph has, only a title, still ranks by numpy, with the same
    scores as Whoosh's (it sent the whole query to Whoosh's matchers)."""
    from whoosh import query as wq

    from newsindex import Article, SearchOptions
    from newsindex.search.ranking import Ranking

    articles = [
        Article.create(id="gipfel", title="Gipfel in Brüssel", paragraphs=["Die Regierung tagte am Montag."]),
        Article.create(id="wetter", title="Wetter", paragraphs=["Die Regierung plant ein neues Gesetz."]),
    ]
    with NewsIndex.in_memory() as fast, NewsIndex.in_memory(
        search_options=SearchOptions(term_at_a_time=False)
    ) as slow:
        fast.add(articles)
        slow.add(articles)
        body = wq.Or([wq.Term("body", "regierung"), wq.Term("body", "gipfel")])
        titles = wq.Or([TitleTerm("regierung", "regierung", 2.0), TitleTerm("gipfel", "gipfel", 2.0)])
        assert Ranking(fast._current_searcher(), wq.AndMaybe(body, titles), None).term_at_a_time
        a, b = fast.search("Regierung Gipfel"), slow.search("Regierung Gipfel")
        assert [h.article_id for h in a] == ["gipfel", "wetter"]
        assert [(h.article_id, h.score) for h in a] == [(h.article_id, h.score) for h in b]
