"""Issue 14, splitter: nominalised verbs and calendar words are words, not compounds
(no *Grün* + *Dung*, no *Sonne* + *Tag*), and as parts of a compound they stay whole."""

from __future__ import annotations

import pytest

from newsindex import AnalysisConfig, Article, NewsIndex, analyze

BUILTIN = AnalysisConfig(lemmatizer="builtin")


def parts(word: str) -> tuple[str, ...]:
    (tok,) = analyze(word, BUILTIN)
    return tok.parts


@pytest.mark.parametrize(
    "word",
    ["Gründung", "Kleidung", "Fahndung", "Teilnehmer", "Hersteller", "Kennzeichnung", "Fernsehen",
     "Sonntag", "Freitag", "Dienstag", "Weihnachten"],
)
def test_nominalised_verbs_and_calendar_words_stay_whole(word: str) -> None:
    assert parts(word) == ()


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("Autohersteller", ("auto", "hersteller")),
        ("Kleidungsstücke", ("kleidung", "stuck")),
        ("Ringfahndung", ("ring", "fahndung")),
        ("Verkehrsteilnehmer", ("verkehr", "teilnehmer")),
        ("Sonntagabend", ("sonntag", "abend")),
        ("Freitagmorgen", ("freitag", "morgen")),
        ("Bundeskartellamt", ("bund", "kartell", "amt")),
    ],
)
def test_they_stay_whole_as_parts(word: str, expected: tuple[str, ...]) -> None:
    assert parts(word) == expected


def test_sonne_and_dung_do_not_find_sonntag_and_grundung() -> None:
    with NewsIndex.in_memory(analysis=BUILTIN) as ix:
        ix.add([
            Article.create(title="Verein", paragraphs=["Die Gründung des Vereins war am Sonntag."]),
            Article.create(title="Wetter", paragraphs=["Die Sonne schien den ganzen Tag über dem Hof."]),
        ])
        assert [h.marked_words for h in ix.search("Sonne").hits] == [["Sonne"]]
        assert ix.search("Dung").total == 0
        assert ix.search("Sonntag").hits[0].marked_words == ["Sonntag"]
