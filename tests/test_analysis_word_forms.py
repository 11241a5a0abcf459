"""Word forms the dictionary spells or lemmatises unevenly: one lemma per word, in any form.

simplemma lists nouns such as *Prozess* under their pre-1996 spelling (*Prozeß*) and
gives nominalised adjectives a lemma per form (*Tote*, but *Toter* for *Toten*). Both
broke searches for a word "in any inflection" and compound splitting.
"""

from __future__ import annotations

import pytest

from newsindex import AnalysisConfig, Article, NewsIndex, analyze

BUILTIN = AnalysisConfig(lemmatizer="builtin")


def lemma(word: str) -> str:
    (tok,) = analyze(word, BUILTIN)
    return tok.lemma


def parts(word: str) -> tuple[str, ...]:
    (tok,) = analyze(word, BUILTIN)
    return tok.parts


# -- the spelling reform: ss for ß after a short vowel ------------------------------
@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("Friedensprozess", ("frieden", "prozess")),
        ("Mannesmannprozess", ("mannesmann", "prozess")),
        ("Kongresszentrum", ("kongress", "zentrum")),
        ("Abrissarbeiten", ("abriss", "arbeit")),
        ("Flussufer", ("fluss", "ufer")),  # not "Fluse" + "Ufer"
        ("Friedensprozeß", ("frieden", "prozess")),  # the old spelling splits alike
    ],
)
def test_compounds_of_nouns_the_dictionary_spells_with_sz_split(word: str, expected: tuple[str, ...]) -> None:
    assert parts(word) == expected


def test_prozess_finds_and_marks_the_friedensprozess() -> None:
    with NewsIndex.in_memory(analysis="builtin") as ix:
        ix.add([
            Article(id="nahost", title="Nahost", paragraphs=(
                "Der Friedensprozess im Nahen Osten stockt seit Monaten.",)),
            Article(id="wetter", title="Wetter", paragraphs=("Am Wochenende regnet es im Norden.",)),
        ])
        hits = ix.search("Prozess").hits
        assert [h.article_id for h in hits] == ["nahost"]
        assert hits[0].marked_words == ["Friedensprozess"]


# -- nominalised adjectives and participles: one lemma for every form ------------------
@pytest.mark.parametrize(
    "forms",
    [
        ("Tote", "Toten", "Toter"),
        ("Verletzte", "Verletzten", "Verletzter"),
        ("Vorsitzende", "Vorsitzenden", "Vorsitzender"),
        ("Angeklagte", "Angeklagten", "Angeklagter"),
        ("Angestellte", "Angestellten", "Angestellter"),
        ("Beamte", "Beamten", "Beamter"),
        ("Verdächtige", "Verdächtigen", "Verdächtiger"),
        ("Bekannte", "Bekannten", "Bekannter"),
        ("Reisende", "Reisenden", "Reisender"),
        ("Bundestagsabgeordnete", "Bundestagsabgeordneten", "Bundestagsabgeordneter"),
        ("Familienangehörige", "Familienangehörigen"),
    ],
)
def test_a_nominalised_adjective_has_one_lemma_in_every_form(forms: tuple[str, ...]) -> None:
    assert len({lemma(w) for w in forms}) == 1, {w: lemma(w) for w in forms}


@pytest.mark.parametrize(
    ("noun", "other"),
    [("Lehrer", "Lehre"), ("Wetter", "Wette"), ("Reise", "Reis"), ("Schule", "Schuler"), ("Nase", "Naser")],
)
def test_nouns_that_only_look_declined_keep_their_own_lemma(noun: str, other: str) -> None:
    assert lemma(noun) != lemma(other)


def test_the_compound_part_reads_like_the_word_alone() -> None:
    assert parts("Kongressabgeordnete")[-1] == lemma("Abgeordneten") == lemma("Abgeordnete")


def test_tote_finds_every_form_of_the_word() -> None:
    paragraphs = {
        "a": "Bei dem Unglück gab es drei Tote.",
        "b": "Die Zahl der Toten stieg am Abend auf zwölf.",
        "c": "Ein Toter wurde am Ufer gefunden.",
        "d": "Totes Holz lag auf dem Weg.",
    }
    with NewsIndex.in_memory(analysis="builtin") as ix:
        ix.add([Article(id=k, title="Meldung", paragraphs=(v,)) for k, v in paragraphs.items()])
        for query in ("Tote", "Toten", "Toter"):
            found = {h.article_id for h in ix.search(query).hits}
            assert {"a", "b", "c"} <= found, (query, found)
        marked = {h.article_id: h.marked_words for h in ix.search("Verletzte").hits}
        assert marked == {}
        ix.add([Article(id="e", title="Unfall", paragraphs=("Die Verletzten kamen ins Krankenhaus.",))])
        assert [h.marked_words for h in ix.search("Verletzte").hits] == [["Verletzten"]]


# -- genitives of names and places -------------------------------------------------------
@pytest.mark.parametrize(
    ("genitive", "name"),
    [
        ("Putins", "Putin"), ("Bidens", "Biden"), ("Erdogans", "Erdogan"), ("Kachelmanns", "Kachelmann"),
        # the dictionary lists these genitives as words of their own
        ("Schröders", "Schröder"), ("Russlands", "Russland"), ("Chinas", "China"), ("Sachsens", "Sachsen"),
    ],
)
def test_a_genitive_meets_its_name(genitive: str, name: str) -> None:
    assert lemma(genitive) == lemma(name)


@pytest.mark.parametrize(
    ("word", "shorter"),
    [("Kurs", "Kur"), ("Mais", "Mai"), ("Eis", "Ei"), ("Dachs", "Dach"), ("Basis", "Basi")],
)
def test_a_noun_ending_in_s_is_no_genitive(word: str, shorter: str) -> None:
    assert lemma(word) != lemma(shorter)


def test_putin_finds_putins_and_marks_it() -> None:
    with NewsIndex.in_memory(analysis="builtin") as ix:
        ix.add([Article(id="a", title="Kreml", paragraphs=("Putins Sprecher wies die Vorwürfe zurück.",))])
        results = ix.search("Putin")
        assert results.notes == ()  # a match of the word, not the typo fallback's correction
        assert [h.marked_words for h in results.hits] == [["Putins"]]


@pytest.mark.parametrize(
    "forms", [("Quelle", "Quellen", "Energiequelle"), ("Halle", "Hallen", "Messehalle")]
)
def test_words_the_dictionary_reads_as_an_archaic_form_meet_their_plural(forms: tuple[str, ...]) -> None:
    (tok,) = analyze(forms[-1], BUILTIN)
    assert lemma(forms[0]) == lemma(forms[1]) == tok.parts[-1]


# -- capitalised adverbs and adjectives at the start of a sentence ---------------------------
@pytest.mark.parametrize(
    "word",
    ["Möglicherweise", "Chinesisches", "Republikanische", "Vereinbart", "Faktisch", "Zusammengebrochen"],
)
def test_a_capitalised_adverb_or_adjective_is_no_compound(word: str) -> None:
    # A country's adjective carries its country (tests/test_analysis_places.py), no split.
    assert parts(word) == (("china",) if word == "Chinesisches" else ())


def test_tisch_does_not_find_a_sentence_starting_with_faktisch() -> None:
    with NewsIndex.in_memory(analysis="builtin") as ix:
        ix.add([
            Article(id="a", title="Debatte", paragraphs=("Faktisch hat sich nichts geändert.",)),
            Article(id="b", title="Möbel", paragraphs=("Der Tisch stand im Flur.",)),
        ])
        assert [h.article_id for h in ix.search("Tisch").hits] == ["b"]


# -- participles and adjectives the dictionary knows only in some forms -----------------------
@pytest.mark.parametrize(
    "forms",
    [
        ("geplant", "geplante", "geplanten", "planen"),
        ("gewählt", "gewählte", "gewählten"),
        ("getötet", "getöteten", "töten"),
        ("zunehmend", "zunehmenden"),
        ("rassistisch", "rassistische", "rassistischen"),
        ("medial", "medialen"),
    ],
)
def test_a_declined_participle_or_adjective_meets_its_other_forms(forms: tuple[str, ...]) -> None:
    assert len({lemma(w) for w in forms}) == 1, {w: lemma(w) for w in forms}


@pytest.mark.parametrize(
    ("word", "not_this"),
    [("arbeiten", "abarbeiten"), ("gesamte", "samen"), ("stärkste", "stärken"), ("gehörte", "hören"),
     ("vereinbaren", "vereinbar"), ("halten", "halt")],
)
def test_a_verb_or_a_dictionary_reading_is_not_taken_for_a_participle(word: str, not_this: str) -> None:
    assert lemma(word) != lemma(not_this)
