"""Paging: ``offset`` continues exactly where ``limit`` stopped, for every order and engine."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from test_browse import Newsroom, newsroom  # noqa: F401 - the shared fixture

from newsindex import NewsIndex, SearchOptions, SearchRequest

QUERIES = ("Regierung", "Wer gewann die Wahl?", '"in der"', "Bundes*", "")


@pytest.fixture(scope="module", params=["numpy", "whoosh"])
def engine(request: pytest.FixtureRequest, newsroom: Newsroom) -> Iterator[NewsIndex]:  # noqa: F811
    if request.param == "numpy":
        yield newsroom.index
        return
    assert newsroom.index.path is not None
    with NewsIndex.open(newsroom.index.path, search_options=SearchOptions(term_at_a_time=False)) as ix:
        yield ix


def _keys(results: object) -> list[tuple[str, int]]:
    return [(h.article_id, h.paragraph) for h in results]  # type: ignore[attr-defined]


@pytest.mark.slow
@pytest.mark.parametrize("sort", ["relevance", "newest", "oldest"])
@pytest.mark.parametrize("per_article", [None, 1, 2])
def test_pages_put_together_are_one_big_page(engine: NewsIndex, sort: str, per_article: int | None) -> None:
    for query in QUERIES:
        big = engine.search(query, limit=40, sort=sort, max_per_article=per_article)
        pages = [
            engine.search(query, limit=8, offset=o, sort=sort, max_per_article=per_article)
            for o in range(0, 40, 8)
        ]
        assert [k for p in pages for k in _keys(p)] == _keys(big), (query, sort, per_article)
        assert (
            [h.rank for p in pages for h in p] == [h.rank for h in big] == list(range(1, len(big.hits) + 1))
        )
        assert all(
            p.offset == o and p.total == big.total for p, o in zip(pages, range(0, 40, 8), strict=True)
        )
        assert len(big.hits) >= 10, query  # the queries match enough to page through


@pytest.mark.slow
def test_a_page_beyond_the_end_is_empty_but_keeps_the_total(engine: NewsIndex) -> None:
    first = engine.search("Regierung", limit=10)
    past = engine.search("Regierung", limit=10, offset=first.total + 5, max_per_article=None)
    assert not past.hits and past.total == first.total and past.offset == first.total + 5


@pytest.mark.slow
def test_grouped_pages_skip_whole_articles(engine: NewsIndex) -> None:
    big = engine.search("Regierung", limit=12, group_by_article=True)
    pages = [engine.search("Regierung", limit=4, offset=o, group_by_article=True) for o in (0, 4, 8)]
    assert [g.article_id for p in pages for g in p.groups] == [g.article_id for g in big.groups]


def test_offset_is_checked() -> None:
    with pytest.raises(ValueError, match="offset=-1"):
        SearchRequest("Krieg", offset=-1)
    with pytest.raises(ValueError, match="at most 10,000"):
        SearchRequest("Krieg", limit=10, offset=9_995)
