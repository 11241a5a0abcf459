"""Lemmatizer kinds are backends in a registry, not branches on the configured name."""

from __future__ import annotations

import importlib.metadata

import pytest

from newsindex.analysis import AnalysisConfig, AnalysisUnavailableError, analysis_info, analyze, lemmatizers
from newsindex.analysis.chain import AnalysisChain
from newsindex.analysis.lemmatizers import (
    BuiltinBackend,
    LemmaBackend,
    TrainedPipelineBackend,
    backend_for,
    backend_identity,
    load_backend,
)
from newsindex.analysis.lexicon import Lexicon


def test_each_name_has_its_backend() -> None:
    assert isinstance(backend_for("builtin"), BuiltinBackend)
    assert isinstance(backend_for("de_core_news_sm"), TrainedPipelineBackend)
    assert isinstance(backend_for("/models/my_de"), TrainedPipelineBackend)


def test_builtin_identity_is_what_indexes_recorded() -> None:
    """The identity an index records (and compares on opening) is unchanged by the registry."""
    assert backend_identity("builtin") == {
        "lemmatizer": "builtin",
        "lemmatizer_version": f"simplemma {importlib.metadata.version('simplemma')}",
        "spacy_version": importlib.metadata.version("spacy"),
        "rules_version": lemmatizers.RULES_VERSION,
    }


def test_a_missing_pipeline_says_how_to_install_it() -> None:
    with pytest.raises(AnalysisUnavailableError, match="python -m spacy download de_no_such_news_xx"):
        backend_identity("de_no_such_news_xx")
    with pytest.raises(AnalysisUnavailableError, match="python -m spacy download de_no_such_news_xx"):
        load_backend("de_no_such_news_xx", Lexicon())


class _Reversing:
    """A test backend: a blank German pipeline whose lemmas are the words backwards."""

    def handles(self, lemmatizer: str) -> bool:
        return lemmatizer == "reversing"

    def identity(self, lemmatizer: str) -> dict[str, str]:
        return {**BuiltinBackend().identity("builtin"), "lemmatizer": "reversing", "lemmatizer_version": "r1"}

    def load(self, lemmatizer: str, lexicon: Lexicon) -> LemmaBackend:
        import spacy
        from spacy.language import Language

        if not Language.has_factory("newsindex_test_reverse"):

            @Language.component("newsindex_test_reverse")
            def reverse(doc):  # type: ignore[no-untyped-def]
                for token in doc:
                    token.lemma_ = token.text[::-1]
                return doc

        nlp = spacy.blank("de")
        nlp.add_pipe("newsindex_test_reverse")
        return LemmaBackend(nlp, "reversing", context_free=False, lexicon=lexicon)


def test_a_registered_backend_serves_identity_loading_and_analysis(monkeypatch: pytest.MonkeyPatch) -> None:
    """A new kind of lemmatizer is one entry in BACKENDS: nothing else names it."""
    monkeypatch.setattr(lemmatizers, "BACKENDS", [_Reversing(), *lemmatizers.BACKENDS])
    config = AnalysisConfig(lemmatizer="reversing")
    info = analysis_info(config)
    assert (info.lemmatizer, info.lemmatizer_version) == ("reversing", "r1")
    (token,) = AnalysisChain(config).analyze("Kartelle")
    assert token.lemma == "elletrak"
    (token,) = analyze("Kartelle", AnalysisConfig(lemmatizer="builtin"))  # the others are untouched
    assert token.lemma == "kartell"
