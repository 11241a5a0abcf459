"""Article evidence (``SearchOptions.article_weight``): a passage's article also
matching the query's other words raises the passage, on real German sentences
(written for these tests), through both scorers, and as pure array functions."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from newsindex import Article, NewsIndex, SearchOptions
from newsindex.search.article_context import article_evidence, with_article_evidence

# The answer's words are spread over its article: the lead names the foundation, the
# next paragraph its founding. A paragraph of another article names the foundation
# more densely and, judged on its own words, ranks first.
ANNIVERSARY = (
    "Ein Fest in Berlin",
    [
        "Die Stiftung Warentest hat am Mittwoch in Berlin mit vielen Gästen aus Politik und "
        "Wirtschaft ein Fest gefeiert, zu dem auch der Bundespräsident eine Rede hielt.",
        "Zur Gründung im Jahr 1964 hatte der Bundestag beschlossen, Verbrauchern einen "
        "unabhängigen Vergleich von Waren und Dienstleistungen zu bieten.",
    ],
)
HELMETS = (
    "Fahrradhelme im Test",
    [
        "Die Stiftung Warentest hat zwölf Fahrradhelme geprüft und lobt zwei Modelle, die es "
        "im Handel gibt.",
    ],
)
QUERY = "Stiftung Warentest Gründung"


def _index(options: SearchOptions) -> NewsIndex:
    ix = NewsIndex.in_memory(analysis="builtin", search_options=options)
    ix.add([Article.create(title=t, paragraphs=ps, source="s") for t, ps in (ANNIVERSARY, HELMETS)])
    return ix


def _first_two(ix: NewsIndex, query: str) -> list[tuple[str, int]]:
    return [(h.title, h.paragraph) for h in ix.search(query, max_per_article=None).hits[:2]]


def test_the_article_that_has_all_the_words_ranks_its_passage_first() -> None:
    with _index(SearchOptions(article_weight=0.0)) as ix:
        # Judged on its own words, the denser paragraph of the other article wins.
        assert _first_two(ix, QUERY) == [(HELMETS[0], 0), (ANNIVERSARY[0], 0)]
        ix.search_options = SearchOptions()  # the default weighs the article's evidence
        assert SearchOptions().article_weight > 0
        results = ix.search(QUERY, max_per_article=None)
        assert [(h.title, h.paragraph) for h in results.hits] == [
            (ANNIVERSARY[0], 0),
            (HELMETS[0], 0),
            (ANNIVERSARY[0], 1),
        ]
        # Evidence only reorders: the same passages match, marked on their own words.
        assert results.total == 3
        assert results.hits[0].marked_words == ["Stiftung", "Warentest"]
        assert results.hits[2].marked_words == ["Gründung"]


def _scored(ix: NewsIndex, query: str) -> list[tuple[str, int, float]]:
    return [(h.title, h.paragraph, round(h.score, 9)) for h in ix.search(query, max_per_article=None)]


def test_whoosh_and_numpy_add_the_same_evidence_and_a_phrase_gets_it_too() -> None:
    fast = _index(SearchOptions())
    slow = _index(SearchOptions(term_at_a_time=False))
    with fast, slow:
        for query in (QUERY, "„Stiftung Warentest“ Gründung", "Gründung Bundestag Verbraucher"):
            assert _scored(fast, query) == _scored(slow, query) and _scored(fast, query)
        # The phrase admits only the two paragraphs that have it; the founding, in a
        # paragraph the phrase keeps out, still counts for its article.
        phrase = "„Stiftung Warentest“ Gründung"
        assert [h.title for h in fast.search(phrase, max_per_article=None)] == [ANNIVERSARY[0], HELMETS[0]]
        fast.search_options = SearchOptions(article_weight=0.0)
        assert [h.title for h in fast.search(phrase, max_per_article=None)] == [HELMETS[0], ANNIVERSARY[0]]


def _naive(words: list[tuple[list[int], list[float]]], article_of: list[int]) -> dict[int, float]:
    out: dict[int, float] = {}
    for ids, scores in words:
        best: dict[int, float] = {}
        for d, s in zip(ids, scores, strict=True):
            a = article_of[d]
            if a >= 0:
                best[a] = max(best.get(a, float("-inf")), s)
        for a, s in best.items():
            out[a] = out.get(a, 0.0) + s
    return out


@st.composite
def _matches(draw: st.DrawFn) -> tuple[list[tuple[list[int], list[float]]], list[int]]:
    docs = draw(st.integers(1, 30))
    article_of = draw(st.lists(st.integers(-1, 6), min_size=docs, max_size=docs))
    words = []
    for _ in range(draw(st.integers(0, 4))):
        ids = sorted(draw(st.sets(st.integers(0, docs - 1), max_size=docs)))
        scores = draw(st.lists(st.floats(0.01, 20.0), min_size=len(ids), max_size=len(ids)))
        words.append((ids, scores))
    return words, article_of


@settings(max_examples=200, deadline=None)
@given(_matches())
def test_article_evidence_is_the_sum_of_each_words_best_score(case: tuple[list, list[int]]) -> None:
    words, article_of = case
    arrays = [(np.array(i, dtype=np.int64), np.array(s, dtype=np.float64)) for i, s in words]
    article_array = np.array(article_of, dtype=np.int64)
    articles, amounts = article_evidence(arrays, article_array)
    want = _naive(words, article_of)
    assert articles.tolist() == sorted(want)
    assert np.allclose(amounts, [want[a] for a in sorted(want)])
    ids = np.arange(len(article_of), dtype=np.int64)
    base = np.ones(ids.size)
    boosted = with_article_evidence(ids, base, article_array, (articles, amounts), 0.5)
    expected = [1.0 + 0.5 * want.get(a, 0.0) if a >= 0 else 1.0 for a in article_of]
    assert np.allclose(boosted, expected)


def test_article_numbers_from_the_id_column_group_documents_as_the_columns_do(
    wiki: tuple[NewsIndex, NewsIndex],
) -> None:
    from newsindex.search.columns import ColumnCache

    fast, _ = wiki
    reader = fast._current_searcher().reader()
    assert len(reader.leaf_readers()) > 1 and reader.has_deletions()  # several segments, deletions
    cache = ColumnCache()
    light, full = cache.articles(reader), cache.get(reader).article
    assert ((light < 0) == (full < 0)).all()  # deleted documents have no article
    live = light >= 0
    pairs = set(zip(light[live].tolist(), full[live].tolist(), strict=True))
    # The same partition: each number of one side meets exactly one of the other.
    assert len(pairs) == len({a for a, _ in pairs}) == len({b for _, b in pairs}) > 500
    assert cache.articles(reader) is light  # kept for the commit
