"""Issue 17, cold analysis: the compound splitter probes the dictionary a third as often
(a mapped set of the dictionary's lemmas answers "can any form map to this string?"
in one probe) and spaCy works out no lexeme attributes the chain never reads; what
the analysis makes of a word does not change (fast path == the old path)."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from itertools import islice
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsindex.analysis import lemma_table
from newsindex.analysis.compounds import CompoundSplitter
from newsindex.analysis.lemma_table import LemmaTable, build_table, german_lemmas, german_table
from newsindex.analysis.lemmatizers import BuiltinBackend
from newsindex.analysis.lexicon import DICTIONARY_FIXES, Lexicon

REPO = Path(__file__).resolve().parents[1]
WIKINEWS = REPO.parent / "shared" / "corpora" / "wikinews_de_1000" / "articles.jsonl.gz"

# Words of German news: compounds of two to four parts, feminine forms, linking
# elements, and words the splitter must keep whole (a name, an adverb, a verb's noun).
NEWS_WORDS = [
    "Bundeskartellamt", "Ministerpräsidentin", "Verkehrsteilnehmer", "Klimaschutzgesetz",
    "Bundestagswahl", "Flüchtlingsunterkunft", "Gesundheitsministerium", "Wirtschaftsminister",
    "Regierungserklärung", "Wohnungsbaugesellschaft", "Kindergartenplätze", "Energiepreise",
    "Haushaltsentwurf", "Polizeisprecherin", "Landtagsabgeordnete", "Oppositionsführer",
    "Waffenstillstandsabkommen", "Atomkraftwerk", "Krankenhausreform", "Bürgermeisterwahl",
    "Stromnetzbetreiber", "Arbeitslosenquote", "Feuerwehrleute", "Verteidigungsausgaben",
    "Rentenversicherung", "Zinserhöhung", "Lieferkettengesetz", "Gaspreisbremse",
    "Schuldenbremse", "Sondervermögen", "Regensburg", "Möglicherweise", "Gründung",
    "Sonntagabend", "Friedensprozess",
]


class _Counting(Mapping[str, str]):
    """A table that counts the probes made through ``get``."""

    def __init__(self, table: Mapping[str, str]) -> None:
        self.table = table
        self.probes = 0

    def get(self, key: str, default: object = None) -> object:  # type: ignore[override]
        self.probes += 1
        return self.table.get(key, default)

    def __getitem__(self, key: str) -> str:
        return self.table[key]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.table)

    def __len__(self) -> int:
        return len(self.table)


class _OldLexicon(Lexicon):
    """The lexicon as the splitter read it before the lemma set: every string may be a
    lemma, so every plural form is probed (what the fast path must equal)."""

    def may_be_lemma(self, word: str) -> bool:
        return True


def test_a_new_word_costs_a_third_of_the_dictionary_probes() -> None:
    lexicon = Lexicon()
    words = _Counting(german_table())
    lemmas = _Counting(german_lemmas())
    lexicon.__dict__["_dictionary"] = words
    lexicon.__dict__["_lemmas"] = lemmas
    splitter = CompoundSplitter(lexicon)
    splits = [splitter.split(w) for w in NEWS_WORDS]
    probes = words.probes + lemmas.probes
    # Long compounds cost most: 6,793 probes (194 a word) before the lemma set, nearly
    # all of them plural forms of strings no form maps to ("Eskartellamt", ...); 2,447 now.
    assert probes <= 100 * len(NEWS_WORDS), probes
    assert [s.parts if s else () for s in splits[:3]] == [
        ("Bund", "Kartell", "Amt"), ("Minister", "Präsidentin"), ("Verkehr", "Teilnehmer"),
    ]
    old = CompoundSplitter(_OldLexicon())
    assert [old.split(w) for w in NEWS_WORDS] == splits


def test_the_lemma_set_holds_every_lemma_with_ss_for_sharp_s() -> None:
    pairs = {"Straßen": "Straße", "Kriege": "Krieg", "größten": "groß", "Krieg": "Krieg"}
    table = LemmaTable(build_table(pairs.items(), "id"), "id")
    assert dict(lemma_table._lemma_set_pairs(table)) == {b"Strasse": b"", b"Krieg": b"", b"gross": b""}


def test_may_be_lemma_knows_every_lemma_and_refuses_scraps() -> None:
    lexicon = Lexicon()
    for word in ("Krieg", "Straße", "Strasse", "Prozess", "Prozeß", "groß", "Quelle", "Halle"):
        assert lexicon.may_be_lemma(word), word
    for word in ("Kriege", "Undeskartellamt", "Eskartellamt", "Kartellamte"):
        assert not lexicon.may_be_lemma(word), word
    assert all(lexicon.may_be_lemma(lemma) for lemma in DICTIONARY_FIXES.values())


def test_the_builtin_pipeline_adds_no_strings_per_new_word_beyond_the_word() -> None:
    """spaCy stored lower, norm, prefix, suffix and shape strings for every new word
    (work and memory no reader of the built-in pipeline needs); offsets unchanged."""
    backend = BuiltinBackend().load("builtin", Lexicon())
    strings = backend.nlp.vocab.strings
    words = ["Zwiebelkuchenbäckereien", "Rindfleischetikettierung", "Quarkstrudelverkäuferin"]
    before = len(strings)
    doc = backend.tokenize(" ".join(words) + ".")
    assert [t.text for t in doc] == [*words, "."]
    assert len(strings) - before <= len(words) + 1
    assert [t.is_space for t in backend.tokenize("Haus\x0bMaus")] == [False, True, False]


@pytest.fixture(scope="module")
def samples(wikinews_words: Callable[[int], list[str]]) -> dict[str, list[str]]:
    """Real words: Wikinews words (capitalised ones: what the splitter splits) and a
    seeded sample of the dictionary's forms and lemmas."""
    table = german_table()
    rng = random.Random(17)
    forms = [w for w in islice(table, 0, None, 97)]  # every 97th entry: 11,500 forms
    lemmas = sorted({table[w] for w in forms})
    corpus = [w for w in wikinews_words(400) if w[:1].isupper()]
    rng.shuffle(corpus)
    return {"corpus": corpus, "forms": forms, "lemmas": lemmas}


def _agree(new: CompoundSplitter, old: CompoundSplitter, word: str) -> None:
    assert new.split(word) == old.split(word), word
    assert new.plurals(word) == old.plurals(word), word
    assert new._is_noun(word) == old._is_noun(word), word


@pytest.mark.slow
def test_the_fast_path_splits_like_the_old_on_real_words(samples: dict[str, list[str]]) -> None:
    new, old = CompoundSplitter(Lexicon()), CompoundSplitter(_OldLexicon())
    for word in samples["corpus"][:4000]:
        _agree(new, old, word)
    assert sum(new.split(w) is not None for w in samples["corpus"][:4000]) > 300  # compounds met


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_the_fast_path_equals_the_old_on_random_dictionary_words(
    samples: dict[str, list[str]], data: st.DataObject
) -> None:
    """Dictionary forms and lemmas, their suffixes and prefixes (the strings the splitter
    probes) and made-up compounds of two of them, with linking elements."""
    words = st.sampled_from(samples["forms"] + samples["lemmas"] + samples["corpus"])
    first, second = data.draw(words), data.draw(words)
    link = data.draw(st.sampled_from(["", "s", "es", "en", "n", "e", "er"]))
    cut = data.draw(st.integers(0, max(0, len(first) - 1)))
    candidates = [
        first, second, first[cut:], first[:cut], first[cut:].capitalize(),
        first.capitalize() + link + second.lower(), first + link + second.lower(),
    ]
    new, old = CompoundSplitter(Lexicon()), CompoundSplitter(_OldLexicon())
    for word in candidates:
        if word:
            _agree(new, old, word)
