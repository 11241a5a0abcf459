"""Synonyms of a question's nouns from an OpenThesaurus MyThes file (analysis/thesaurus.py)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

import newsindex.analysis.thesaurus as thesaurus_module
from newsindex import Article, NewsIndex, SearchOptions
from newsindex.analysis.thesaurus import (
    DEBIAN_THESAURUS,
    THESAURUS_ENV,
    find_thesaurus,
    load_thesaurus,
    parse_mythes,
)

# The MyThes format of Debian's mythes-de (OpenThesaurus), a few entries written for the tests.
MYTHES = """UTF-8
krankenhaus|2
-|Krankenhaus (Hauptform)|Klinik|Spital (österr.)|Hospital|Gesundheitseinrichtung (Oberbegriff)
-|Krankenhaus|Uniklinik (Unterbegriff)|Siechenhaus (veraltet)|medizinische Einrichtung
säugling|1
-|Säugling (Hauptform)|Baby|Neugeborenes|Kind (Oberbegriff)|kleiner Erdenbürger (ugs.)|winzig
denkmal|1
-|Denkmal|Mahnmal|Monument|Ehrenmal
"""


def test_only_single_capitalised_true_synonyms_are_kept() -> None:
    table = parse_mythes(MYTHES)
    assert table["krankenhaus"] == ("Klinik", "Hospital")
    assert table["saugling"] == ("Baby", "Neugeborenes")
    assert table["denkmal"] == ("Mahnmal", "Monument", "Ehrenmal")
    assert parse_mythes("UTF-8\nkaputt|x\n") == {}


@pytest.fixture
def thesaurus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "th_de_test.dat"
    path.write_text(MYTHES, encoding="utf-8")
    monkeypatch.setenv(THESAURUS_ENV, str(path))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    yield path


PASSAGES = [
    ("Hygiene", "In der Klinik von Basel erkranken viele Babys an resistenten Keimen."),
    ("Pflege", "Die Gesundheitseinrichtung in Bern sucht seit Monaten Pflegepersonal."),
    ("Wetter", "Über Basel zieht am Abend ein heftiges Gewitter auf."),
]


def _index(options: SearchOptions | None = None) -> NewsIndex:
    ix = NewsIndex.in_memory(analysis="builtin", search_options=options)
    ix.add([Article.create(title=t, paragraphs=[p], source=t) for t, p in PASSAGES])
    return ix


def test_a_question_finds_and_marks_the_synonyms_of_its_nouns(thesaurus: Path) -> None:
    assert find_thesaurus() == thesaurus
    with _index() as ix:
        results = ix.search("Warum erkranken Säuglinge im Krankenhaus?")
        assert [h.source for h in results] == ["Hygiene"]
        assert results.hits[0].marked_words == ["Klinik", "erkranken", "Babys"]
        # A broader term (Oberbegriff) is no synonym; a single word is searched as typed.
        bern = ix.search("Krankenhaus in Bern")
        assert {h.source: h.marked_words for h in bern} == {"Pflege": ["Bern"], "Hygiene": ["Klinik"]}
        assert ix.search("Krankenhaus").total == 0
        ix.search_options = SearchOptions(synonym_weight=0.0)
        plain = ix.search("Warum erkranken Säuglinge im Krankenhaus?")
        assert plain.hits[0].marked_words == ["erkranken"] and plain.hits[0].score < results.hits[0].score


def test_the_word_itself_outweighs_its_synonym(thesaurus: Path) -> None:
    with _index() as ix:
        text = "In Basel erkranken Kinder im Krankenhaus."
        ix.add([Article.create(title="Bau", paragraphs=[text], source="Bau")])
        results = ix.search("Basel Krankenhaus erkranken")
        assert [h.source for h in results][:2] == ["Bau", "Hygiene"]


def test_without_a_thesaurus_or_with_a_bad_one_queries_are_searched_as_typed(
    thesaurus: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(THESAURUS_ENV, "off")
    assert find_thesaurus() is None
    with _index() as ix:
        assert ix.search("Warum erkranken Säuglinge im Krankenhaus?").hits[0].marked_words == ["erkranken"]
    broken = tmp_path / "broken.dat"
    broken.write_bytes(b"UTF-8\nnothing here\n")
    monkeypatch.setenv(THESAURUS_ENV, str(broken))
    with _index() as ix, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        first = ix.search("Warum erkranken Säuglinge im Krankenhaus?")
        ix.search("Warum erkranken Säuglinge im Krankenhaus?")
    assert first.hits[0].marked_words == ["erkranken"]
    assert [str(w.message) for w in caught if "thesaurus" in str(w.message)] == [
        f"thesaurus {broken} cannot be used ({broken} is not a MyThes thesaurus (no entries found)); "
        "searching without synonyms"
    ]


@pytest.mark.skipif(not DEBIAN_THESAURUS.is_file(), reason="Debian's mythes-de is not installed")
def test_debians_openthesaurus_reads_and_is_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv(THESAURUS_ENV)
    monkeypatch.setattr(thesaurus_module, "_loaded", {})  # parsed afresh into this cache folder
    assert find_thesaurus() == DEBIAN_THESAURUS
    thesaurus = load_thesaurus(DEBIAN_THESAURUS)
    assert len(thesaurus) > 40_000
    assert {"Denkmal", "Ehrenmal"} <= set(thesaurus.synonyms("mahnmal"))
    assert "Krankenhaus" in thesaurus.synonyms("klinik", "Kliniken")
    assert list((tmp_path / "newsindex").glob("thesaurus-*.marshal"))
