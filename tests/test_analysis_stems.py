"""Issue 14: the Snowball stem is a reading of its own (``Token.stem``, the ``stems``
field; ``AnalysisConfig(stems=True)``); it raises the score of passages that match on their own and
never matches, counts or marks a word by itself. Real German sentences written for
these tests."""

from __future__ import annotations

import pickle

from newsindex import AnalysisConfig, Article, NewsIndex, SearchOptions
from newsindex.analysis import analyze
from newsindex.analysis.whoosh_analyzer import GermanAnalyzer
from newsindex.index.schema import STEMS, build_schema

BUILTIN = AnalysisConfig(lemmatizer="builtin", stems=True)


def _index(*paragraphs: str, analysis: AnalysisConfig = BUILTIN, **options: float) -> NewsIndex:
    ix = NewsIndex.in_memory(analysis=analysis, search_options=SearchOptions(**options))
    ix.add([Article.create(title=f"Meldung {i}", paragraphs=[p]) for i, p in enumerate(paragraphs)])
    return ix


def test_stems_have_their_own_field() -> None:
    assert STEMS in build_schema(BUILTIN).names()
    assert STEMS not in build_schema(AnalysisConfig(lemmatizer="builtin", stems=False)).names()


def test_the_stem_is_its_own_reading_not_a_compound_part() -> None:
    (tok,) = analyze("Abstimmung", BUILTIN)
    assert tok.stem == "abstimm"
    assert "abstimm" not in tok.parts and "abstimm" not in tok.terms
    (verb,) = analyze("abstimmen", BUILTIN)
    assert verb.stem == tok.stem
    # Stop words, numbers and hyphenated words have no stem; the stem is folded like lemmas.
    stems = [t.stem for t in analyze("der 2024 US-Präsidenten Präsidenten", BUILTIN)]
    assert stems == ["", "", "", "prasident"]
    assert all(not t.stem for t in analyze("Abstimmung", AnalysisConfig(lemmatizer="builtin", stems=False)))


def test_the_stems_field_analyzer_yields_stems_only_and_pickles() -> None:
    analyzer = GermanAnalyzer(BUILTIN, only_stems=True)
    assert [t.text for t in analyzer("Die Bauern stimmen über die Abstimmung ab.")] == [
        "bau",
        "stimm",
        "abstimm",
        "ab",
    ]
    assert pickle.loads(pickle.dumps(analyzer)) == analyzer
    assert analyzer != GermanAnalyzer(BUILTIN)


def test_a_stem_never_finds_or_marks_a_word_by_itself() -> None:
    # Snowball reads "Bauern" and "Bau" as one stem (bau): no evidence for a farmer.
    with _index(
        "Der Bau der neuen Brücke über den Rhein beginnt im Mai.",
        "Die Bauern protestieren in Berlin gegen die neue Agrarpolitik.",
    ) as ix:
        results = ix.search("Bauern")
        assert results.total == 1
        assert results.hits[0].marked_words == ["Bauern"]
        assert ix.search("Bau").hits[0].marked_words == ["Bau"]
        assert ix.search("Bau").total == 1


def test_a_stem_match_raises_a_passage_that_matches_on_its_own_without_marking() -> None:
    # Both passages match "Parlament"; only the second has a word of the stem of
    # "Abstimmung" (abstimmen), which the lemmatiser keeps apart.
    first = "Das Parlament in Wien tagt am Donnerstag wieder öffentlich."
    second = "Das Parlament in Wien will am Donnerstag öffentlich abstimmen."
    with _index(first, second) as ix:
        results = ix.search("Abstimmung im Parlament")
        assert results.total == 2
        assert results.hits[0].text == second
        assert results.hits[0].marked_words == ["Parlament"]
        assert results.hits[0].score > results.hits[1].score
    with _index(first, second, stem_boost=0.0) as ix:
        results = ix.search("Abstimmung im Parlament")
        assert results.hits[0].score == results.hits[1].score


def test_an_index_without_stems_still_searches() -> None:
    with _index(
        "Die Bauern protestieren in Berlin gegen die neue Agrarpolitik.",
        analysis=AnalysisConfig(lemmatizer="builtin", stems=False),
    ) as ix:
        assert ix.search("Bauern").total == 1
