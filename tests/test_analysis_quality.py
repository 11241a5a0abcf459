"""Issue 14, analysis half: names, recursive splits, accent folding, separable verbs,
lemma rules and the user's override file, on real German sentences."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsindex import AnalysisConfig, Article, NewsIndex, analysis_info, analyze
from newsindex.analysis import AnalysisMismatchError, AnalysisUnavailableError
from newsindex.analysis.folding import fold

BUILTIN = AnalysisConfig(lemmatizer="builtin")


def parts(word: str, config: AnalysisConfig = BUILTIN) -> tuple[str, ...]:
    (tok,) = analyze(word, config)
    return tok.parts


def lemma(word: str) -> str:
    (tok,) = analyze(word, BUILTIN)
    return tok.lemma


# -- names and places ---------------------------------------------------------
@pytest.mark.parametrize(
    "word", ["Schröder", "Regensburg", "Heidelberg", "Frankfurt", "Wolfsburg", "Deutschland", "Mannheim"]
)
def test_names_and_places_are_not_split(word: str) -> None:
    assert parts(word) == ()


def test_a_surname_after_a_given_name_is_not_split_anywhere_in_the_text() -> None:
    text = (
        "Die Politikerin Sahra Wagenknecht sprach am Montag. Wagenknecht sagte, Wagenknechts Plan sei klar."
    )
    names = [tok for tok in analyze(text, BUILTIN) if tok.text.startswith("Wagenknecht")]
    assert len(names) == 3
    assert all(tok.parts == () for tok in names)


def test_regen_and_wagen_do_not_find_names_and_schroder_finds_no_fragments() -> None:
    articles = [
        Article(id="name", title="Besuch", paragraphs=(
            "Altkanzler Gerhard Schröder sprach am Montag in Regensburg vor Studenten.",
            "Auch Sahra Wagenknecht kam nach Regensburg.",
        )),
        Article(id="wetter", title="Wetter", paragraphs=("Der Regen hielt die Besucher nicht ab.",)),
        Article(id="auto", title="Verkehr", paragraphs=("Ein Wagen der Feuerwehr blockierte die Straße.",)),
        Article(id="tiere", title="Garten", paragraphs=("Schnecken und Schlangen leben im Garten.",)),
    ]
    with NewsIndex.in_memory(analysis="builtin") as ix:
        ix.add(articles)
        assert {h.article_id for h in ix.search("Regen").hits} == {"wetter"}
        assert {h.article_id for h in ix.search("Wagen").hits} == {"auto"}
        hits = ix.search("Schröder").hits
        assert {h.article_id for h in hits} == {"name"}
        assert hits[0].marked_words == ["Schröder"]


# -- compounds -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("Bundeskartellamt", ("bund", "kartell", "amt")),
        ("Bundesverfassungsgericht", ("bund", "verfassung", "gericht")),
        ("Strafverfahren", ("strafe", "verfahren")),  # the noun Strafe, not the verb strafen
        ("Fehlerquelle", ("fehler", "quelle")),
        ("Funkwellen", ("funk", "welle")),
        ("Landesamtes", ("land", "amt")),  # not Lande + Samt
        ("Suchmaschine", ("suche", "maschine")),
        ("Neuwahlen", ("neu", "wahl")),
    ],
)
def test_compounds_split_recursively_into_dictionary_parts(word: str, expected: tuple[str, ...]) -> None:
    assert parts(word) == expected


@pytest.mark.parametrize(
    "word", ["Protest", "Forscher", "Proteste", "Zusammenhang", "Verbrechen", "Herstellung", "Begründung",
             "Flugzeug", "Vorstand", "Diktator", "Widerstand"],
)
def test_derivations_and_short_scraps_are_not_split(word: str) -> None:
    assert parts(word) == ()


def test_kartell_finds_the_bundeskartellamt() -> None:
    text = "Das Bundeskartellamt prüft die Übernahme des Verlags."
    with NewsIndex.in_memory(analysis="builtin") as ix:
        ix.add([Article(id="a", title="Wettbewerb", paragraphs=(text,))])
        assert ix.search("Kartell").hits[0].marked_words == ["Bundeskartellamt"]
        assert ix.search("Verfassung").total == 0


# -- accent folding --------------------------------------------------------------
@pytest.mark.parametrize(
    ("written", "typed"),
    [("Chávez", "Chavez"), ("Karadžić", "Karadzic"), ("García", "Garcia"), ("Łódź", "Lodz"),
     ("Øresund", "Oresund"), ("Đinđić", "Dindic"), ("Præsident", "Prasident"), ("Michaël", "Michael")],
)
def test_latin_diacritics_fold(written: str, typed: str) -> None:
    assert fold(written) == fold(typed)


def test_german_folding_is_unchanged_and_other_scripts_are_kept() -> None:
    assert fold("Präsident") == fold("Praesident") == "prasident"
    assert fold("Straße") == "strasse" and fold("Quelle") == "quelle"
    assert fold("Москва") == "москва"
    assert fold("Ελλάδα") == "ελλάδα"  # Greek keeps its accent


def test_a_decomposed_accent_folds_like_a_composed_one() -> None:
    assert fold("Cha\u0301vez") == fold("Chávez") == "chavez"


def test_an_unaccented_query_finds_and_marks_the_accented_name() -> None:
    text = "Venezuelas Präsident Hugo Chávez traf Radovan Karadžić nicht, sagte Alan García."
    with NewsIndex.in_memory(analysis="builtin") as ix:
        ix.add([Article(id="a", title="Politik", paragraphs=(text,))])
        assert ix.search("Chavez").hits[0].marked_words == ["Chávez"]
        assert ix.search("Karadzic").hits[0].marked_words == ["Karadžić"]
        assert ix.search("Garcia").hits[0].marked_words == ["García"]


# -- separable verbs ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "verb", "joined"),
    [
        ("Wann trat der Bundeskanzler zurück?", "trat", "zurucktreten"),
        ("Wo fand das Erdbeben statt?", "fand", "stattfinden"),
        ("Die Regierung legte den Termin am Montag fest, sagte der Sprecher.", "legte", "festlegen"),
    ],
)
def test_a_separable_verb_meets_its_infinitive(text: str, verb: str, joined: str) -> None:
    toks = analyze(text, BUILTIN)
    (tok,) = [t for t in toks if t.text == verb]
    assert joined in tok.alternatives


def test_a_particle_inside_the_clause_is_not_joined() -> None:
    toks = analyze("Er ging nach Hause und trat zurück in den Raum.", BUILTIN)
    assert all(not t.alternatives for t in toks)


def test_zurucktreten_finds_trat_zuruck_and_marks_the_verb() -> None:
    text = "Der Bundeskanzler trat am Montag überraschend zurück."
    with NewsIndex.in_memory(analysis="builtin") as ix:
        ix.add([Article(id="a", title="Regierung", paragraphs=(text,))])
        hits = ix.search("zurücktreten").hits
        assert hits and hits[0].marked_words == ["trat"]
        assert ix.search('"Bundeskanzler trat"').total == 1  # positions still line up


# -- lemma rules ---------------------------------------------------------------------
def test_lemma_rules() -> None:
    assert lemma("osmanischen") == lemma("Osmanischen") == "osmanisch"
    assert lemma("klassifiziert") == "klassifizieren"
    assert lemma("angewendete") == "anwenden"
    assert lemma("Goldensons") == "goldenson"


# -- the override file ----------------------------------------------------------------
def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_the_override_file_changes_analysis_and_fingerprint(tmp_path: Path) -> None:
    file = _write(tmp_path / "ov.tsv", "# eigene Regeln\nSpielzeugladen\t-\nKinderkrippen\tKinderhort\n"
                  "Strafverfahren\tStraf+Verfahren\n")
    config = AnalysisConfig(lemmatizer="builtin", overrides=str(file))
    assert parts("Spielzeugladen") != () and parts("Spielzeugladen", config) == ()
    assert analyze("Kinderkrippen", config)[0].lemma == "kinderhort"
    assert parts("Strafverfahren", config) == ("straf", "verfahren")
    before = analysis_info(config).fingerprint
    assert before != analysis_info(BUILTIN).fingerprint
    _write(file, "Spielzeugladen\tSpielzeug+Laden\n")
    assert analysis_info(config).fingerprint != before


def test_an_index_built_with_other_overrides_is_refused(tmp_path: Path) -> None:
    file = _write(tmp_path / "ov.tsv", "Spielzeugladen\t-\n")
    config = AnalysisConfig(lemmatizer="builtin", overrides=file)  # a Path is accepted
    with NewsIndex.create(tmp_path / "ix", analysis=config, workers=1) as ix:
        ix.add([Article(id="a", title="Laden", paragraphs=("Der Spielzeugladen schließt.",))])
        terms = {t.decode() for t in ix._current_searcher().reader().lexicon("body")}
        assert "spielzeugladen" in terms and "laden" not in terms
    NewsIndex.open(tmp_path / "ix").close()  # same file: fine
    _write(file, "Spielzeugladen\tSpielzeug+Laden\n")
    with pytest.raises(AnalysisMismatchError, match="override file"):
        NewsIndex.open(tmp_path / "ix", allow_version_drift=True)
    file.unlink()
    with pytest.raises(AnalysisUnavailableError):
        NewsIndex.open(tmp_path / "ix")


def test_a_malformed_override_line_names_the_line(tmp_path: Path) -> None:
    from newsindex.analysis.overrides import OverridesError, load_overrides

    file = _write(tmp_path / "ov.tsv", "Gut\tgut\nKaputt\n")
    with pytest.raises(OverridesError, match=":2:"):
        load_overrides(file)
