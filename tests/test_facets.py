"""Facets: exact counts of every match by source, author, year and month."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

import pytest
from conftest import SEEDS
from test_browse import Newsroom, newsroom  # noqa: F401 - the shared fixture

from newsindex import NewsIndex, Results, SearchOptions, merge_facets
from newsindex.search.columns import split_authors

ALL = ("source", "author", "year", "month")


def _expected(hits: Results) -> dict[str, Counter[str]]:
    """The facet counts computed from the hits themselves (every match must be among them)."""
    out: dict[str, Counter[str]] = {name: Counter() for name in ALL}
    for h in hits:
        out["source"][h.source or ""] += 1
        for name in split_authors(h.author) or ("",):
            out["author"][name] += 1
        day: date | None = h.published.date() if isinstance(h.published, datetime) else h.published
        out["year"][f"{day.year:04d}" if day else ""] += 1
        out["month"][f"{day.year:04d}-{day.month:02d}" if day else ""] += 1
    return out


@pytest.mark.slow
@pytest.mark.parametrize(
    "query", ["Regierung", "Wer gewann die Wahl?", '"in der"', "source:Agentur Polizei", ""]
)
@pytest.mark.parametrize("term_at_a_time", [True, False])
def test_facets_count_every_match_exactly(newsroom: Newsroom, query: str, term_at_a_time: bool) -> None:  # noqa: F811
    assert newsroom.index.path is not None
    options = SearchOptions(term_at_a_time=term_at_a_time)
    with NewsIndex.open(newsroom.index.path, search_options=options) as ix:
        everything = ix.search(query, limit=1000, max_per_article=None)
        assert everything.total_exact and everything.total == len(everything.hits) < 1000
        page = ix.search(query, limit=1, facets=ALL)  # facets are over all matches, not the page
    assert page.total == everything.total and page.total_exact
    expected = _expected(everything)
    assert {name: Counter(counts) for name, counts in page.facets.items()} == expected
    for name in ("source", "year", "month"):  # single-valued: the counts sum to the total
        assert sum(page.facets[name].values()) == page.total
    assert sum(page.facets["author"].values()) > page.total  # "Anna Schmidt; Tom Berg" counts twice
    assert "Tom Berg" in page.facets["author"] and "Anna Schmidt" in page.facets["author"]


@pytest.mark.slow
def test_browse_facets_count_articles(newsroom: Newsroom) -> None:  # noqa: F811
    results = newsroom.index.search("", facets="source,year", limit=3)
    assert results.total == len(newsroom.articles)
    assert results.facets["source"] == dict(Counter(a.source or "" for a in newsroom.articles).most_common())
    assert sum(results.facets["year"].values()) == results.total
    years = [y for y in results.facets["year"] if y]
    assert years == sorted(years) and list(results.facets["year"])[-1] == ""  # calendar order, none last


@pytest.mark.slow
def test_facets_in_json_and_sources_most_frequent_first(newsroom: Newsroom) -> None:  # noqa: F811
    d = newsroom.index.search("Regierung", facets=["source", "month"]).to_dict()
    assert set(d["facets"]) == {"source", "month"}
    counts = list(d["facets"]["source"].values())
    assert counts == sorted(counts, reverse=True)
    assert d["offset"] == 0 and d["sort"] == "relevance" and d["browse"] is False


@pytest.mark.slow
def test_facets_of_shards_add_up_to_the_facets_of_one_index(newsroom: Newsroom) -> None:  # noqa: F811
    articles = newsroom.articles[:60]
    with (
        NewsIndex.in_memory(analysis="builtin", workers=1) as whole,
        NewsIndex.in_memory(analysis="builtin", workers=1) as first,
        NewsIndex.in_memory(analysis="builtin", workers=1) as second,
    ):
        whole.add(articles)
        first.add(articles[:30])
        second.add(articles[30:])
        for query in ("Regierung", ""):
            one = whole.search(query, facets=ALL).facets
            merged = merge_facets(
                [first.search(query, facets=ALL).facets, second.search(query, facets=ALL).facets]
            )
            assert merged == one and list(merged["source"]) == list(one["source"])


def test_unknown_facet_raises_a_clear_error(seed_index: NewsIndex) -> None:
    with pytest.raises(ValueError, match=r"unknown facet 'topic'.*source, author, year, month"):
        seed_index.search("Krieg", facets=("source", "topic"))


def test_seed_facets(seed_index: NewsIndex) -> None:
    results = seed_index.search("Putin", facets=ALL)
    assert results.total > 0 and sum(results.facets["source"].values()) == results.total
    assert "Yury Malakhov" in results.facets["author"]


@pytest.mark.parametrize("term_at_a_time", [True, False])
def test_a_phrase_no_passage_has_counts_nothing(term_at_a_time: bool) -> None:
    """Both words are in the seeds, never in a row: no match, so no facet counts (Whoosh
    reads an empty set of admitted passages as no filter at all)."""
    options = SearchOptions(term_at_a_time=term_at_a_time, phrase_fallback=False)
    with NewsIndex.in_memory(analysis="builtin", search_options=options) as ix:
        ix.add_path(SEEDS)
        assert ix.search("Venezuela").total and ix.search("Krieg").total
        results = ix.search('"Venezuela Krieg"', facets=("source", "year"))
        assert results.total == 0 and not results.hits
        assert results.facets == {"source": {}, "year": {}}
