"""Issue 14, ranking side: each item on real German sentences (written for these tests)
or on the Wikinews corpus."""

from __future__ import annotations

from typing import Any

import pytest

from newsindex import Article, NewsIndex, SearchOptions, SearchRequest


def _index(*articles: tuple[str, list[str]], options: SearchOptions | None = None) -> NewsIndex:
    ix = NewsIndex.in_memory(analysis="builtin", search_options=options)
    ix.add([Article.create(title=t, paragraphs=ps, source=f"s{i}") for i, (t, ps) in enumerate(articles)])
    return ix


def test_the_word_itself_ranks_above_compounds_that_contain_it() -> None:
    # The compounds come first (lower document numbers win ties) and one passage has two.
    with _index(
        ("Wirtschaft", ["Das Kartellamt prüft seit Montag das neue Kartellrecht der Regierung."]),
        ("Behörden", ["Die Kartellbehörde in Bonn prüft den Fall seit Montag sehr genau."]),
        ("Ermittlungen", ["Das Kartell der Zementhersteller wurde am Montag endlich zerschlagen."]),
    ) as ix:
        results = ix.search("Kartell", max_per_article=None)
        assert results.total == 3
        assert results.hits[0].marked_words == ["Kartell"]
        assert results.hits[0].score > results.hits[1].score
        # Inflected, the plain word still wins.
        assert ix.search("Kartells").hits[0].marked_words == ["Kartell"]


def test_a_paragraph_never_matches_through_its_title_alone() -> None:
    paragraphs = [
        "Der Präsident sprach am Montag in Moskau über die Lage an der Grenze.",
        "Putin kündigte neue Gespräche mit der Regierung in Kiew an.",
        "Die Opposition kritisierte die Pläne scharf.",
    ]
    with _index(
        ("Putin warnt den Westen", paragraphs), ("Wetter am Wochenende", ["Putin reist nach China."])
    ) as ix:
        results = ix.search("Putin", max_per_article=None)
        assert results.total == 2
        assert {h.text for h in results} == {paragraphs[1], "Putin reist nach China."}
        # The title still raises the score of a paragraph that matches on its own.
        assert results.hits[0].text == paragraphs[1]
        assert ix.search("Westen").total == 0  # a word of the title alone
        assert ix.search("+Putin Opposition").total == 2  # a required word must be in the paragraph


def test_phrase_fallback_first_requires_all_its_words() -> None:
    with _index(
        ("Energie", ["Neue Gesetze, Gesetze und noch mehr Gesetze für Wind an Land."]),
        (
            "Klima",
            ["Neue Gesetze für Strom sollen nach dem Willen der Regierung die Energiewende beschleunigen."],
        ),
    ) as ix:
        # No passage has the words in a row; one has them all: only that one.
        both = ix.search("„Gesetze Energiewende“", max_per_article=None)
        assert both.total == 1 and both.hits[0].text.startswith("Neue Gesetze für Strom")
        assert both.notes[-1].endswith("showing passages with all its words")
        # No passage has them all: then passages with some of them.
        some = ix.search("„Wind Gesetze Solar“", max_per_article=None)
        assert some.total == 2
        assert some.notes[-1].endswith("showing passages with some of its words")


def test_changing_bm25_parameters_on_an_open_index_takes_effect() -> None:
    texts = [
        ["Die Bahn streikt. Die Bahn streikt wieder, sagt die Bahn, und die Bahn fährt nicht."],
        ["Die Bahn streikt am Montag."],
    ]
    with _index(*((f"Meldung {i}", ps) for i, ps in enumerate(texts))) as ix:
        before = [h.score for h in ix.search("Bahn", max_per_article=None)]
        ix.search_options = SearchOptions(bm25_k1=1.2, bm25_b=0.75)
        after = [h.score for h in ix.search("Bahn", max_per_article=None)]
        assert after != before
        with _index(
            *((f"Meldung {i}", ps) for i, ps in enumerate(texts)), options=ix.search_options
        ) as fresh:
            assert after == [h.score for h in fresh.search("Bahn", max_per_article=None)]


def test_search_request_carries_every_argument() -> None:
    with _index(("Bahn", ["Die Bahn streikt am Montag.", "Die Bahn streikt am Dienstag."])) as ix:
        request = SearchRequest("Bahn streikt", limit=1, max_per_article=None)
        assert [h.paragraph for h in ix.search(request)] == [
            h.paragraph for h in ix.search("Bahn streikt", limit=1)
        ]
        assert len(ix.search(request)) == 1
        with pytest.raises(AttributeError):
            request.limit = 3  # type: ignore[misc]


def test_a_typo_searches_the_closest_frequent_word(wiki: tuple[NewsIndex, NewsIndex]) -> None:
    for ix in wiki:
        results = ix.search("Merkl")
        assert results.suggestion == "Merkel"
        assert results.total > 0 and all("Merkel" in h.text for h in results)
        assert "nothing matched „Merkl“; showing results for „Merkel“" in results.notes


def test_typo_fallback_can_be_turned_off() -> None:
    with _index(("Bahn", ["Die Bahn streikt am Montag."]), options=SearchOptions(typo_fallback=False)) as ix:
        results = ix.search("Bahm streikt")
        assert results.total == 1 and results.suggestion == "Bahn streikt" and not results.notes
        nothing = ix.search("Bahm")
        assert nothing.total == 0 and nothing.suggestion == "Bahn" and not nothing.notes


def test_words_standing_together_rank_above_words_apart() -> None:
    apart = "Das Erdbeben kam am Morgen, und viele Menschen flohen aus den Städten nach Chile."
    together = "Viele Menschen flohen am Morgen aus den Städten, als das Erdbeben Chile traf."
    on = SearchOptions(proximity_weight=0.5)
    with _index(("A", [apart]), ("B", [together]), options=on) as ix:
        results = ix.search("Erdbeben Chile", max_per_article=None)
        assert [h.text for h in results] == [together, apart]
        assert results.total == 2
        ix.search_options = SearchOptions(proximity_weight=0.0)
        assert [h.text for h in ix.search("Erdbeben Chile", max_per_article=None)] == [apart, together]


def test_the_proximity_window_takes_every_passage_tied_with_its_last() -> None:
    # 25 passages with the same words at the same distance score the same before the
    # bonus: all get the same bonus, whichever document numbers they have (a shard cuts
    # ties by other numbers than one index does).
    text = "Das Erdbeben in Chile traf am Morgen die Küste schwer."
    on = SearchOptions(proximity_weight=0.5)
    with _index(*((f"Bericht {i}", [text]) for i in range(25)), options=on) as ix:
        results = ix.search("Erdbeben Chile", limit=25, max_per_article=None)
        assert results.total == 25 and len(results.hits) == 25
        assert len({round(h.score, 9) for h in results}) == 1
        ix.search_options = SearchOptions(proximity_weight=0.0)
        assert ix.search("Erdbeben Chile").hits[0].score < results.hits[0].score


def test_export_ranks_as_the_search_does_with_the_proximity_bonus(wiki: tuple[NewsIndex, NewsIndex]) -> None:
    fast, _ = wiki
    fast.search_options = SearchOptions(proximity_weight=0.5)
    try:
        reordered = 0
        for query in ("Wo fand das Erdbeben statt?", "Regierung Berlin Haushalt", "Papst Benedikt Besuch"):
            searched = fast.search(query, limit=40, max_per_article=None)
            exported = list(fast.export(query))[: len(searched.hits)]
            got = [(h.article_id, h.paragraph, round(h.score, 9)) for h in exported]
            assert got == [(h.article_id, h.paragraph, round(h.score, 9)) for h in searched] and got
            fast.search_options = SearchOptions(proximity_weight=0.0)
            plain = [(h.article_id, h.paragraph) for h in fast.search(query, limit=40, max_per_article=None)]
            fast.search_options = SearchOptions(proximity_weight=0.5)
            reordered += plain != [key[:2] for key in got]
        assert reordered  # the bonus changed an order
    finally:
        fast.search_options = SearchOptions()


def test_the_bonus_and_the_highlights_read_each_posting_once(
    wiki: tuple[NewsIndex, NewsIndex], monkeypatch: pytest.MonkeyPatch
) -> None:
    import newsindex.search.highlights as highlights
    import newsindex.search.proximity as proximity

    read: list[tuple[str, int]] = []
    original = highlights.body_postings

    def counted(reader: Any, docnums: Any, terms: Any, kind: str) -> Any:
        docnums, terms = list(docnums), list(terms)
        read.extend((t, d) for t in terms for d in docnums)
        return original(reader, docnums, terms, kind)

    monkeypatch.setattr(highlights, "body_postings", counted)
    monkeypatch.setattr(proximity, "body_postings", counted, raising=False)
    fast, _ = wiki
    try:
        # Through Whoosh's matchers, the bonus and the highlights read each posting once.
        fast.search_options = SearchOptions(proximity_weight=0.5, term_at_a_time=False)
        results = fast.search("Regierung Berlin Haushalt")
        assert results.hits and any(h.highlights for h in results)
        assert read and len(read) == len(set(read))
        # The numpy scorer has read every posting of the query's terms already: neither
        # the bonus nor the highlights read one again.
        read.clear()
        fast.search_options = SearchOptions(proximity_weight=0.5)
        again = fast.search("Regierung Berlin Haushalt")
        assert [h.highlights for h in again] == [h.highlights for h in results]
        assert read == []
    finally:
        fast.search_options = SearchOptions()


def test_proximity_gives_the_same_ranking_through_whoosh_and_numpy(wiki: tuple[NewsIndex, NewsIndex]) -> None:
    fast, slow = wiki
    on = SearchOptions(proximity_weight=0.5)
    fast.search_options = on
    slow.search_options = SearchOptions(proximity_weight=0.5, term_at_a_time=False)
    try:
        for query in ("Wo fand das Erdbeben statt?", "Regierung Berlin Haushalt", "Papst Benedikt Besuch"):
            got = [(h.article_id, h.paragraph, round(h.score, 9)) for h in fast.search(query, limit=20)]
            want = [(h.article_id, h.paragraph, round(h.score, 9)) for h in slow.search(query, limit=20)]
            assert got == want and got
    finally:
        fast.search_options = SearchOptions()
        slow.search_options = SearchOptions(term_at_a_time=False)
