"""Browsing: a query of filters alone (or none) lists the matching articles, newest first.

The ``newsroom`` index: Wikinews articles (real German text) given three sources,
four kinds of author field, some undated, written in several segments, with
deletions and one article updated with a new date (its old copy stays, deleted,
in an older segment).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date, datetime
from itertools import islice
from pathlib import Path

import pytest
from conftest import WIKINEWS

from newsindex import Article, NewsIndex

SOURCES = ("DerWesten.de", "Agentur", "Sportdienst")
AUTHORS = ("Vitaly Malakhov", "Anna Schmidt; Tom Berg", None, "Tom Berg")
N_ARTICLES = 240
DELETED_AT = (3, 50, 101)
UPDATED_AT = 20  # re-added with a new date and author
NEW_DATE = datetime(2030, 1, 2, 8, 30)


@dataclasses.dataclass
class Newsroom:
    """The index and the articles it holds (as the test expects them)."""

    index: NewsIndex
    articles: list[Article]  # live articles only

    def by_id(self) -> dict[str, Article]:
        return {a.id: a for a in self.articles}


def _label(i: int, article: Article) -> Article:
    published: date | datetime | None = article.published
    if i % 10 == 9:
        published = None  # undated
    elif i % 7 == 0 and isinstance(published, date):
        published = datetime(published.year, published.month, published.day, 8, 30)
    return dataclasses.replace(article, source=SOURCES[i % 3], author=AUTHORS[i % 4], published=published)


@pytest.fixture(scope="session")
def newsroom(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Newsroom]:
    from newsindex.ingest import read

    if not WIKINEWS.is_file():
        pytest.skip("../shared/corpora is not beside the repository")
    articles = [_label(i, a) for i, a in enumerate(islice(read(WIKINEWS), N_ARTICLES))]
    path: Path = tmp_path_factory.mktemp("newsroom") / "ix"
    with NewsIndex.create(path, analysis="builtin", workers=1, batch_size=300) as ix:
        ix.add(articles)
        for i in DELETED_AT:
            assert ix.delete(articles[i].id)
        updated = dataclasses.replace(articles[UPDATED_AT], published=NEW_DATE, author="Vitaly Malakhov")
        assert ix.add([updated]).updated == 1
    live = [a for i, a in enumerate(articles) if i not in DELETED_AT]
    live = [updated if a.id == updated.id else a for a in live]
    ix = NewsIndex.open(path)
    assert len(ix._current_searcher().reader().leaf_readers()) > 2  # several segments
    yield Newsroom(ix, live)
    ix.close()


def _day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def _newest_first(articles: list[Article]) -> list[str]:
    """Article ids newest first, undated last, ties by id (the documented order)."""

    def key(a: Article) -> tuple[bool, float, str]:
        p = a.published
        if p is None:
            return (True, 0.0, a.id)
        stamp = p if isinstance(p, datetime) else datetime(p.year, p.month, p.day)
        return (False, -stamp.timestamp(), a.id)

    return [a.id for a in sorted(articles, key=key)]


def _oldest(articles: list[Article]) -> list[str]:
    def key(a: Article) -> tuple[bool, float, str]:
        p = a.published
        if p is None:
            return (True, 0.0, a.id)
        stamp = p if isinstance(p, datetime) else datetime(p.year, p.month, p.day)
        return (False, stamp.timestamp(), a.id)

    return [a.id for a in sorted(articles, key=key)]


@pytest.mark.slow
def test_filters_alone_list_each_article_once_by_its_lead_newest_first(newsroom: Newsroom) -> None:
    expected = [a for a in newsroom.articles if a.source == "DerWesten.de"]
    results = newsroom.index.search("source:DerWesten.de", limit=1000)
    assert results.browse and results.sort == "newest"
    assert results.total == len(expected) == len(results.hits)
    assert [h.article_id for h in results] == _newest_first(expected)
    assert all(h.paragraph == 0 for h in results)
    assert not results.notes  # no "the query has no searchable words"
    by_id = newsroom.by_id()
    assert all(h.text == by_id[h.article_id].paragraphs[0] for h in results)


@pytest.mark.slow
def test_empty_query_with_keyword_filters_browses(newsroom: Newsroom) -> None:
    expected = [
        a
        for a in newsroom.articles
        if a.source == "Agentur" and a.published is not None and _day(a.published) >= date(2005, 6, 1)
    ]
    results = newsroom.index.search("", source="Agentur", since="2005-06", limit=1000)
    assert results.total == len(expected) > 0
    assert [h.article_id for h in results] == _newest_first(expected)


@pytest.mark.slow
def test_empty_query_lists_every_live_article_and_never_a_deleted_one(newsroom: Newsroom) -> None:
    results = newsroom.index.search("", limit=1000)
    assert results.total == len(newsroom.articles) == N_ARTICLES - len(DELETED_AT)
    assert [h.article_id for h in results] == _newest_first(newsroom.articles)
    # The updated article is listed by its new date (first), not its old copy's.
    assert results.hits[0].published == NEW_DATE
    assert results.hits[0].author == "Vitaly Malakhov"


@pytest.mark.slow
def test_oldest_first_keeps_undated_articles_last(newsroom: Newsroom) -> None:
    results = newsroom.index.search("", sort="oldest", limit=1000)
    assert [h.article_id for h in results] == _oldest(newsroom.articles)
    assert results.hits[-1].published is None and results.hits[0].published is not None


@pytest.mark.slow
def test_author_filter_in_the_query_and_as_keyword(newsroom: Newsroom) -> None:
    expected = [a for a in newsroom.articles if a.author and "Malakhov" in a.author]
    typed = newsroom.index.search("author:Malakhov", limit=1000)
    keyword = newsroom.index.search("", author="Malakhov", limit=1000)
    assert typed.total == keyword.total == len(expected)
    assert [h.article_id for h in typed] == [h.article_id for h in keyword] == _newest_first(expected)
    both = newsroom.index.search("Regierung", author="Tom Berg", limit=1000, max_per_article=None)
    assert both.hits and all(h.author and "Tom Berg" in h.author for h in both)


@pytest.mark.slow
def test_date_filter_alone_browses_a_month(newsroom: Newsroom) -> None:
    expected = [
        a
        for a in newsroom.articles
        if a.published is not None and (a.published.year, a.published.month) == (2005, 10)
    ]
    results = newsroom.index.search("date:2005-10", limit=1000)
    assert results.total == len(expected) > 0
    assert {h.article_id for h in results} == {a.id for a in expected}


@pytest.mark.slow
def test_an_excluded_word_removes_articles_with_it_in_any_paragraph(newsroom: Newsroom) -> None:
    ix = newsroom.index
    with_word = set(ix.article_ids("Regierung", source="Sportdienst"))
    results = ix.search("source:Sportdienst -Regierung", limit=1000)
    listed = {h.article_id for h in results}
    expected = {a.id for a in newsroom.articles if a.source == "Sportdienst"} - with_word
    assert with_word and listed == expected


@pytest.mark.slow
def test_a_query_sorted_by_date_is_in_date_order(newsroom: Newsroom) -> None:
    ix = newsroom.index
    relevance = ix.search("Regierung", limit=1000, max_per_article=None)
    newest = ix.search("Regierung", limit=1000, max_per_article=None, sort="newest")
    assert newest.sort == "newest" and not newest.browse
    assert sorted((h.article_id, h.paragraph) for h in newest) == sorted(
        (h.article_id, h.paragraph) for h in relevance
    )
    order = _newest_first(newsroom.articles)
    rank = {aid: i for i, aid in enumerate(order)}
    keys = [(rank[h.article_id], h.paragraph) for h in newest]
    assert keys == sorted(keys)  # newest article first, then its paragraphs in order
    assert all(h.score > 0 and h.highlights for h in newest)


def test_bad_sort_raises_a_clear_error(seed_index: NewsIndex) -> None:
    with pytest.raises(ValueError, match=r"unknown sort 'latest'.*relevance, newest, oldest"):
        seed_index.search("Krieg", sort="latest")


def test_seed_articles_browse_by_source_and_author(seed_index: NewsIndex) -> None:
    results = seed_index.search("source:DerWesten.de")
    assert results.total == 1 and results.hits[0].paragraph == 0
    assert results.hits[0].title.startswith("Trump droht mit Krieg")
    assert seed_index.search("author:Malakhov").total == 1
    assert seed_index.search("").total == 2
    assert seed_index.search("?! …").notes == (
        "the query has no searchable words",
    )  # punctuation is no browse


def test_an_empty_index_browses_sorts_facets_and_exports_nothing() -> None:
    with NewsIndex.in_memory(analysis="builtin") as ix:
        for query in ("", "source:X", "Krieg", '"in der"', "\x00"):
            results = ix.search(query, sort="newest", facets=("source", "author", "year", "month"), offset=5)
            assert not results.hits and results.total == 0
            assert results.facets == {"source": {}, "author": {}, "year": {}, "month": {}}
            assert list(ix.export(query)) == [] and list(ix.article_ids(query)) == []
