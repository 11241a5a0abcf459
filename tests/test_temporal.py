"""A year in the query raises the passages of articles published that year (search/temporal.py)."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from newsindex import Article, NewsIndex, Results, SearchOptions
from newsindex.search.temporal import years_asked

DAX = "Der Dax schloss am Freitag mit einem Plus von 1,3 Prozent bei 6116 Punkten."


def test_years_are_four_digits_between_1900_and_2099_standing_alone() -> None:
    assert years_asked(["Warum legte der Dax Anfang Dezember 2011 deutlich zu?"]) == {2011}
    assert years_asked(["Wahl 2005,", "„Tour de France 2018“"]) == {2005, 2018}
    assert years_asked(["zwischen 1989 und 1990"]) == {1989, 1990}
    for no_year in ("4500 Soldaten", "Saison 2011/12", "20112", "1.2011", "12:2011", "1850", "2100", "19999"):
        assert years_asked([no_year]) == frozenset(), no_year


@given(st.text())
def test_any_text_gives_years_in_range(text: str) -> None:
    years = years_asked([text])
    assert all(1900 <= y <= 2099 and str(y) in text for y in years)


def _dax_index(options: SearchOptions | None = None) -> NewsIndex:
    ix = NewsIndex.in_memory(analysis="builtin", search_options=options)
    # The same paragraph in two articles; the 2015 one is indexed first and wins ties.
    ix.add([
        Article.create(title="Börse", paragraphs=[DAX], source="a", published=date(2015, 12, 4)),
        Article.create(title="Börse", paragraphs=[DAX], source="b", published=date(2011, 12, 2)),
        Article.create(title="Wetter", paragraphs=["Im Dezember 2011 schneite es in Berlin."], source="c"),
    ])
    return ix


def _dax(results: Results) -> list[tuple[str | None, float]]:
    return [(h.source, h.score) for h in results if h.source in ("a", "b")]


def test_the_article_of_the_year_asked_ranks_first() -> None:
    question = "Warum legte der Dax Anfang Dezember 2011 deutlich zu?"
    with _dax_index() as ix:
        results = ix.search(question, max_per_article=None)
        (first, s1), (second, s2) = _dax(results)
        assert (first, second) == ("b", "a") and s1 > s2
        # Only reorders: the same passages match as without the year's weight.
        ix.search_options = SearchOptions(date_weight=0.0)
        plain = ix.search(question, max_per_article=None)
        assert plain.total == results.total == 3
        (first, s1), (second, s2) = _dax(plain)
        assert (first, second) == ("a", "b") and s1 == s2


def test_a_query_without_a_year_and_undated_articles_are_unchanged() -> None:
    with _dax_index() as ix:
        a = ix.search("Dax Plus", max_per_article=None)
        ix.search_options = SearchOptions(date_weight=0.0)
        b = ix.search("Dax Plus", max_per_article=None)
        assert [(h.source, h.score) for h in a] == [(h.source, h.score) for h in b]
        # the undated article that names the year keeps its score
        ix.search_options = SearchOptions()
        c = ix.search("Dezember 2011 Berlin", max_per_article=None)
        ix.search_options = SearchOptions(date_weight=0.0)
        d = ix.search("Dezember 2011 Berlin", max_per_article=None)
        assert [(h.source, round(h.score, 9)) for h in c if h.source == "c"] == [
            (h.source, round(h.score, 9)) for h in d if h.source == "c"
        ]


def test_the_whoosh_path_weighs_the_year_the_same() -> None:
    with _dax_index() as fast, _dax_index(SearchOptions(term_at_a_time=False)) as slow:
        query = "Dax Plus 2011"
        assert [(h.source, round(h.score, 9)) for h in fast.search(query, max_per_article=None)] == [
            (h.source, round(h.score, 9)) for h in slow.search(query, max_per_article=None)
        ]
