"""Fast paths of cold analysis (issue 17) give exactly what the slow paths give.

Each fast path is compared with the path it short-cuts, on real German text (the
Wikinews corpus, where present) and on spaCy's own special cases and affixes.
"""

from __future__ import annotations

import pytest
from conftest import WIKINEWS, wikinews_texts
from conftest import loaded_chain as chain
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsindex.analysis.chain import AnalysisChain
from newsindex.analysis.simple_chunks import SimpleChunks, simple_chunks

needs_wikinews = pytest.mark.skipif(not WIKINEWS.is_file(), reason="../shared/corpora is not beside the repo")


def simple() -> SimpleChunks:
    found = simple_chunks(chain().backend)
    assert found is not None  # the built-in pipeline has spaCy's rule-based tokenizer
    return found


def spacy_lengths(chunk: str) -> tuple[int, ...]:
    """spaCy's tokens of ``chunk`` tokenised alone (the truth the fast path must meet)."""
    return tuple(n for _, n in chain().backend.spans(chunk))


# Chunks where a step of spaCy's tokenizer goes another way than "a word, maybe one
# suffix character": special cases (with and without a final dot), units after digits,
# ordinals, emoticons, URLs, infixes, prefixes, longer suffixes, apostrophes.
TRICKY = [
    "Bundestag", "Bundestag.", "Bundestag,", "Bundestag:", "Bundestag?!", "Bundestag...", "Nr.", "Nr",
    "z.B.", "z.B", "usw.", "Dr.", "Abt.", "Mrd.", "ca.", "Jan.", "i.V.", "3.", "A320.", "10km", "10km.",
    "20°C", "20°C.", "°C.", "xD", "XD", "XDD", "xD.", "8D", ":)", ":).", "(SPD)", "SPD)", "SPD),",
    "(SPD", "„Krieg“", "Krieg“", "Krieg“,", "CDU/CSU", "CDU/CSU.", "US-Präsidenten", "US-Präsidenten.",
    "E-Mail", "2:1", "2:1.", "Tor:", "geht's", "geht's.", "'s", "’s", "ich’s", "L’", "unter'm",
    "über'm.", "https://de.wikinews.org/wiki/Hauptseite", "www.tagesschau.de.", "info@example.de",
    "info@example.de.", "<b>Krieg</b>", "Krieg|Frieden", "1.000,50", "1.000,50€", "5€", "€", "%",
    "50%", "50%.", "…", "Krieg…", "😀", "Krieg😀", "👍🏽", "-", "—", "Krieg—Frieden", ".", ",", "'",
    "Ökonomie", "Straße.", "ʼn", "Aʼ", "a.", "A.", "b.", "u.", "u.a.", "s.", "S.", "Str.", "St.", "Co.",
]  # fmt: skip


@pytest.mark.parametrize("chunk", TRICKY)
def test_simple_chunks_answer_only_what_spacy_does(chunk: str) -> None:
    lengths = simple().lengths(chunk)
    if lengths is not None:
        assert lengths == spacy_lengths(chunk)


def test_simple_chunks_answer_the_common_shapes() -> None:
    """A word and a word with a comma or full stop are answered (else the path is dead)."""
    s = simple()
    assert s.lengths("Bundestag") == (9,)
    assert s.lengths("Bundestag,") == (9, 1)
    assert s.lengths("Bundestag.") == (9, 1)
    assert s.lengths("z.B.") is None  # a special case: spaCy's
    assert s.lengths("(SPD)") is None  # a prefix: spaCy's


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chunk=st.text(alphabet=st.sampled_from("aBzÄß.,:;!?'’-)(/1°%€xD…😀"), min_size=1, max_size=8))
def test_simple_chunks_on_odd_chunks(chunk: str) -> None:
    lengths = simple().lengths(chunk)
    if lengths is not None:
        assert lengths == spacy_lengths(chunk)


@needs_wikinews
def test_simple_chunks_equal_spacy_on_every_wikinews_chunk() -> None:
    s = simple()
    chunks = sorted({c for text in wikinews_texts() for c in text.split()})
    answered = 0
    for chunk in chunks:
        lengths = s.lengths(chunk)
        if lengths is not None:
            answered += 1
            assert lengths == spacy_lengths(chunk), chunk
    assert answered > 0.7 * len(chunks)  # the fast path is taken on most of real news text


@needs_wikinews
def test_cold_rows_with_fast_chunks_equal_whole_text_rows_on_wikinews() -> None:
    """Cold chain, every text: rows through the chunk cache (fast chunks included) are the
    rows of the text tokenised whole by spaCy."""
    cold = AnalysisChain()
    cold.load()
    reference = chain()
    for text in list(wikinews_texts())[:1500]:
        if text and not text.isspace():
            assert cold._context_free_rows(text) == reference._whole_text_rows(text)


def wikinews_words() -> list[str]:
    return sorted({w.strip('.,;:!?"„“()[]') for text in wikinews_texts() for w in text.split()} - {""})


@needs_wikinews
def test_splitter_memos_give_what_a_fresh_splitter_gives() -> None:
    """One splitter over all of Wikinews's words (its memos of heads, modifiers, nouns and
    plurals warm) splits each word as a splitter made for that word alone does."""
    from newsindex.analysis.compounds import CompoundSplitter

    lexicon = chain().lexicon
    shared = CompoundSplitter(lexicon)
    words = [w for w in wikinews_words() if w[:1].isupper() and len(w) >= 7]
    got = [shared.split(w) for w in words]
    for word, split in list(zip(words, got, strict=True))[::4]:  # a fresh splitter per word: slow
        assert split == CompoundSplitter(lexicon).split(word), word
    nouns = sorted({p for s in got if s is not None for p in s.parts})
    assert len(nouns) > 500
    for noun in nouns:
        fresh = CompoundSplitter(lexicon)
        assert shared.plurals(noun) == fresh.plurals(noun), noun
        assert shared._is_noun(noun) == fresh._is_noun(noun), noun


def _fold_reference(term: str) -> str:
    """fold as it was: the digraph scan on every term with an "e"."""
    from newsindex.analysis import folding

    t = term.lower()
    if not t.isascii():
        t = t.translate(folding._DIRECT)
        if not t.isascii():
            t = folding._fold_latin(t)
    return folding._fold_digraphs(t) if "e" in t else t


@pytest.mark.parametrize(
    "term",
    [
        "Quelle",
        "Treue",
        "Praesident",
        "Präsident",
        "Michaël",
        "Goethe",
        "Bauer",
        "Muenchen",
        "aee",
        "uee",
        "eue",
        "e",
        "",
    ],
)
def test_fold_skips_the_digraph_scan_only_where_it_changes_nothing(term: str) -> None:
    from newsindex.analysis.folding import fold

    assert fold(term) == _fold_reference(term)


@needs_wikinews
def test_fold_equals_the_full_scan_on_wikinews_words() -> None:
    from newsindex.analysis.folding import fold

    for word in wikinews_words():
        assert fold(word) == _fold_reference(word), word


@pytest.mark.parametrize("word", ["Bundeskartellamt", "Bundesverfassungsgericht", "Bundestagsabgeordnete"])
def test_a_parts_memo_keeps_depths_apart(word: str) -> None:
    """How a part splits again depends on the depth (none past MAX_DEPTH): the memo of
    parts answers each depth as a fresh splitter does, in any order of asking."""
    from newsindex.analysis.compounds import MAX_DEPTH, CompoundSplitter

    lexicon = chain().lexicon
    shared = CompoundSplitter(lexicon)
    depths = [0, MAX_DEPTH, MAX_DEPTH - 1, 1, MAX_DEPTH, 0]
    for depth in depths:
        assert shared._inner(word, depth) == CompoundSplitter(lexicon)._inner(word, depth), depth
    assert CompoundSplitter(lexicon)._inner(word, 0) != (word,)  # a compound: the depth matters


def test_the_stops_field_takes_the_stop_words_the_ranked_field_met() -> None:
    """Indexing ``body`` notes its stop words' postings; ``stops`` (the same text, next)
    takes them instead of reading the rows again: the same postings as on its own."""
    from newsindex.analysis import AnalysisConfig
    from newsindex.index.schema import build_schema

    schema = build_schema(AnalysisConfig(lemmatizer="builtin"))
    body, stops = schema["body"].analyzer, schema["stops"].analyzer
    texts = [
        "Wer liefert Waffen an Venezuela? Die Regierung in Caracas bestreitet das.",
        "Der Kanzler trat am Montag zurück, und die Koalition zerbrach an der Frage.",
        "Bei der Wahl in der Stadt gewann die Partei mit den meisten Stimmen nicht.",
    ]
    for text in texts:
        alone = stops.index_terms(text, True, False)
        assert alone[0], "the text has stop words"
        body.index_terms(text, True, True)
        noted = body.chain.stop_postings
        assert noted is not None and noted[0] is body.chain.rows(text)
        assert stops.index_terms(text, True, False) == alone
        assert body.chain.stop_postings is None  # taken once
        assert stops.index_terms(text, True, False) == alone
