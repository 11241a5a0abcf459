"""The German analysis chain on real German text from the seeds."""

from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsindex import AnalysisConfig, analysis_info, analyze
from newsindex.analysis.chain import AnalysisChain
from newsindex.analysis.folding import fold
from newsindex.analysis.lexicon import Lexicon
from newsindex.analysis.whoosh_analyzer import PART_LANE, GermanAnalyzer

BUILTIN = AnalysisConfig(lemmatizer="builtin")
SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def terms(word: str, **kw: object) -> tuple[str, ...]:
    (tok,) = analyze(word, BUILTIN, **kw)  # type: ignore[arg-type]
    return tok.terms


@pytest.mark.parametrize(
    ("word", "lemma"),
    [
        ("Kriege", "Krieg"),
        ("Krieges", "Krieg"),
        ("zerstört", "zerstören"),
        ("zerstörten", "zerstören"),
        ("Streitkräfte", "Streitkraft"),
        ("Präsidenten", "Präsident"),
        ("Briefe", "Brief"),
        ("Atomwaffen", "Atomwaffe"),
        ("Raketen", "Rakete"),
        ("Beziehungen", "Beziehung"),
        ("ging", "gehen"),
        ("gingen", "gehen"),
        ("Häuser", "Haus"),
        ("bittet", "bitten"),
        ("bat", "bitten"),
        ("gebeten", "bitten"),
        ("Trumps", "Trump"),
        ("Venezuelas", "Venezuela"),
        ("Maduros", "Maduro"),
    ],
)
def test_builtin_lemma_quality_bar(word: str, lemma: str) -> None:
    assert Lexicon().lemma(word) == lemma  # before folding
    assert analyze(word, BUILTIN)[0].lemma == fold(lemma)  # what the index stores


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("Drogenkartelle", ("droge", "kartell")),
        ("Drogenflut", ("droge", "flut")),
        ("Schnellboote", ("schnell", "boot")),
        ("Verteidigungsradargeräte", ("verteidigung", "radar", "gerat")),
        ("Flugzeugreparaturen", ("flugzeug", "reparatur")),
        ("Kriegserklärung", ("krieg", "erklarung")),
        # Issue 14: parts are split recursively (Geheimdienst → geheim + Dienst).
        ("Auslandsgeheimdienst", ("ausland", "geheim", "dienst")),
        ("Militärübungen", ("militar", "ubung")),
        ("Nachrichtenagentur", ("nachricht", "agentur")),
        ("Parlamentschef", ("parlament", "chef")),
    ],
)
def test_compounds_split_into_lemmatised_parts(word: str, parts: tuple[str, ...]) -> None:
    (tok,) = analyze(word, BUILTIN)
    assert tok.parts == parts
    assert tok.terms[0] not in parts  # the whole compound is indexed too


@pytest.mark.parametrize(
    "word",
    ["Sanktionen", "Partnerschaft", "Präsidenten", "Regierungen", "Entscheidung", "Unterstützung",
     "Informationen", "Gesellschaft", "Verantwortung", "Mannschaft", "Wirtschaft", "Abgeordneten",
     "Österreich", "Frankreich"],
)
def test_non_compounds_stay_whole(word: str) -> None:
    assert analyze(word, BUILTIN)[0].parts == ()


def test_compound_parts_share_the_surface_words_offsets_on_their_own_position_lane() -> None:
    text = "Im Krieg gegen Drogenkartelle konfrontiert Trump den venezolanischen Diktator."
    analyzer = GermanAnalyzer(BUILTIN)
    emitted = [(t.text, t.pos, t.startchar, t.endchar) for t in analyzer(text, positions=True, chars=True)]
    compound = {e[0]: e[1] for e in emitted if text[e[2] : e[3]] == "Drogenkartelle"}
    assert set(compound) == {"drogenkartell", "droge", "kartell"}
    assert compound["drogenkartell"] == 3  # the word's position: Im Krieg gegen Drogenkartelle
    assert compound["droge"] == compound["kartell"] == 3 + PART_LANE  # never next to "gegen"
    assert "gegen" not in {e[0] for e in emitted}  # stop word gone from the ranked field
    stops = [(t.text, t.pos) for t in GermanAnalyzer(BUILTIN, only_stops=True)(text, positions=True)]
    assert stops == [("im", 0), ("gegen", 2), ("der", 6)]  # the complement, same positions


def test_hyphenated_compounds_yield_whole_and_parts() -> None:
    assert terms("US-Präsidenten") == ("us-prasident", "us", "prasident")
    assert terms("Ukraine-Krieg") == ("ukraine-krieg", "ukraine", "krieg")


@pytest.mark.parametrize(
    ("a", "b"), [("Präsident", "Praesident"), ("Präsident", "Prasident"), ("Straße", "Strasse")]
)
def test_german_folding_makes_spellings_meet(a: str, b: str) -> None:
    assert analyze(a, BUILTIN)[0].lemma == analyze(b, BUILTIN)[0].lemma


def test_folding_follows_lucene_rules() -> None:
    assert fold("Straße") == "strasse"
    assert fold("Präsident") == fold("Praesident") == "prasident"
    assert fold("Quelle") == "quelle"  # ue after q stays
    assert fold("Treue") == "treue"  # ue after a vowel stays
    assert fold("Müller") == fold("Mueller") == "muller"


def test_lowercase_query_words_also_read_as_nouns() -> None:
    (tok,) = analyze("krieg", BUILTIN, query=True)
    assert "krieg" in (tok.lemma, *tok.alternatives)
    (tok,) = analyze("drogenkartelle", BUILTIN, query=True)
    assert tok.parts == ("droge", "kartell")


def test_seed_text_offsets_round_trip() -> None:
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        tokens = analyze(text, BUILTIN)
        assert len(tokens) > 300
        for tok in tokens:
            assert text[tok.start : tok.end] == tok.text
        starts = [t.start for t in tokens]
        assert starts == sorted(starts)
        assert [t.position for t in tokens] == list(range(len(tokens)))


def test_seed_sentence_terms() -> None:
    text = "Maduro soll Briefe an den Kremlchef Wladimir Putin geschrieben haben."
    got = {t.text: t.terms for t in analyze(text, BUILTIN) if not t.is_stop}
    assert got["Briefe"] == ("brief",)
    assert got["Kremlchef"] == ("kremlchef", "kreml", "chef")
    assert got["geschrieben"] == ("schreiben",)
    assert "haben" not in got and "den" not in got


def test_empty_and_whitespace_input_yield_nothing() -> None:
    for text in ["", " ", "\n\t  \u00a0", "…!?"]:
        assert analyze(text, BUILTIN) == []


def test_very_long_input_is_handled() -> None:
    sentence = "Die Drogenkartelle bedrohen Venezuela. "
    text = sentence * (1_000_000 // len(sentence))
    tokens = AnalysisChain(BUILTIN).analyze(text)
    assert len(tokens) == 4 * (1_000_000 // len(sentence))
    last = tokens[-1]
    assert text[last.start : last.end] == "Venezuela"


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_analyzer_never_raises_and_offsets_are_ordered_inside_the_text(text: str) -> None:
    tokens = analyze(text, BUILTIN)
    prev = -1
    for tok in tokens:
        assert 0 <= tok.start < tok.end <= len(text)
        assert text[tok.start : tok.end] == tok.text
        assert tok.start >= prev
        prev = tok.start
        assert all(tok.terms)


def test_analyzer_pickles_by_configuration_not_by_pipeline() -> None:
    analyzer = GermanAnalyzer(BUILTIN)
    list(analyzer("Krieg"))  # loads the pipeline
    data = pickle.dumps(analyzer)
    assert len(data) < 1_000
    assert b"spacy" not in data
    assert pickle.loads(data) == analyzer


def test_analysis_info_names_the_builtin_lemmatizer_here() -> None:
    info = analysis_info()
    # de_core_news_sm cannot be installed on CI machines: "auto" means the built-in.
    assert info.lemmatizer == "builtin"
    assert "built-in simplemma" in info.describe()
    assert info.fingerprint == analysis_info(BUILTIN).fingerprint
    other = analysis_info(AnalysisConfig(lemmatizer="builtin", decompound=False))
    assert other.fingerprint != info.fingerprint


def test_import_does_not_load_spacy() -> None:
    code = (
        "import sys, newsindex; newsindex.NewsIndex; newsindex.analysis_info(); print('spacy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False"]


def test_fold_false_reaches_the_index_and_the_queries() -> None:
    from newsindex import NewsIndex

    with NewsIndex.in_memory(analysis={"lemmatizer": "builtin", "fold": False}) as ix:
        ix.add_path(Path(__file__).resolve().parents[1] / "seeds")
        terms = {t.decode() for t in ix._current_searcher().reader().lexicon("body")}
        assert "präsident" in terms and "prasident" not in terms
        assert ix.search("Präsident").total > 0
        # Unfolded, the spellings stay apart: only the typo fallback (issue 14) finds "Präsident".
        assert "nothing matched „Prasident“; showing results for „Präsident“" in ix.search("Prasident").notes


def test_a_number_at_the_end_of_a_sentence_is_found_without_its_dot() -> None:
    from newsindex import Article, NewsIndex

    text = "Die Maschine war ein Airbus A320. Sie landete 2025."
    with NewsIndex.in_memory(analysis="builtin") as ix:
        ix.add([Article(id="a", title="Flug", paragraphs=(text,))])
        assert ix.search("A320").hits[0].marked_words == ["A320"]
        assert ix.search("2025").total > 0
