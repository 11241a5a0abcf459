"""Lemmatizer back-ends: the built-in simplemma component and trained spaCy pipelines.

Both are spaCy pipelines, so the chain treats them alike: run ``nlp.pipe`` and
read ``token.lemma_``. The built-in one is ``spacy.blank("de")`` plus the
``newsindex_simplemma_lemmatizer`` component defined here; a trained one is
loaded with only what lemmatisation needs (no parser, no NER).
"""

from __future__ import annotations

import importlib.metadata
import json
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import AnalysisUnavailableError
from .config import BUILTIN
from .lexicon import Lexicon

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

__all__ = [
    "RULES_VERSION",
    "AnalysisUnavailableError",
    "LemmaBackend",
    "backend_identity",
    "load_backend",
    "make_simplemma_lemmatizer",
    "trained_pipeline_available",
]

# Bump when the chain's own rules (overrides, genitive, folding, splitting) change:
# an index built with other rules must be rebuilt.
RULES_VERSION = "3"
COMPONENT = "newsindex_simplemma_lemmatizer"
EXCLUDE = ["parser", "ner", "senter"]


class SimplemmaLemmatizer:
    """spaCy component: sets ``token.lemma_`` from simplemma plus newsindex's rules."""

    def __init__(self, lexicon: Lexicon | None = None) -> None:
        self.lexicon = lexicon or Lexicon()

    def __call__(self, doc: Doc) -> Doc:
        lemma = self.lexicon.lemma
        for token in doc:
            token.lemma_ = lemma(token.text)
        return doc


def make_simplemma_lemmatizer(nlp: Language, name: str) -> SimplemmaLemmatizer:
    """spaCy factory for :class:`SimplemmaLemmatizer` (registered as ``newsindex_simplemma_lemmatizer``)."""
    return SimplemmaLemmatizer()


def _register_factory() -> None:
    from spacy.language import Language

    if not Language.has_factory(COMPONENT):
        Language.factory(COMPONENT, func=make_simplemma_lemmatizer)


def trained_pipeline_available(name: str) -> bool:
    """True if ``name`` is an installed spaCy pipeline package or a pipeline directory."""
    if Path(name).is_dir():
        return (Path(name) / "meta.json").is_file()
    try:
        importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


def backend_identity(lemmatizer: str) -> dict[str, str]:
    """Name and versions of a lemmatizer, without loading it (cheap)."""
    spacy_version = importlib.metadata.version("spacy")
    if lemmatizer == BUILTIN:
        return {
            "lemmatizer": BUILTIN,
            "lemmatizer_version": f"simplemma {importlib.metadata.version('simplemma')}",
            "spacy_version": spacy_version,
            "rules_version": RULES_VERSION,
        }
    if not trained_pipeline_available(lemmatizer):
        raise AnalysisUnavailableError(
            f"spaCy pipeline {lemmatizer!r} is not installed here "
            f"(install it with: python -m spacy download {lemmatizer})"
        )
    if Path(lemmatizer).is_dir():
        meta = json.loads((Path(lemmatizer) / "meta.json").read_text(encoding="utf-8"))
        version = f"{meta.get('lang', '?')}_{meta.get('name', '?')} {meta.get('version', '?')}"
    else:
        version = f"{lemmatizer} {importlib.metadata.version(lemmatizer)}"
    return {
        "lemmatizer": lemmatizer,
        "lemmatizer_version": version,
        "spacy_version": spacy_version,
        "rules_version": RULES_VERSION,
    }


class LemmaBackend:
    """A loaded spaCy pipeline that tokenises and lemmatises German text.

    ``context_free`` is true for the built-in lemmatizer: a word's lemma does
    not depend on its sentence, so the chain may cache results per word form.
    Calls are serialised with a lock because spaCy pipelines are not
    documented as thread-safe.
    """

    def __init__(self, nlp: Language, name: str, context_free: bool, lexicon: Lexicon) -> None:
        self.nlp = nlp
        self.name = name
        self.context_free = context_free
        self.lexicon = lexicon
        self._lock = threading.Lock()

    def pipe(self, texts: Iterable[str], batch_size: int = 256) -> Iterator[Doc]:
        """Tokenise and lemmatise ``texts`` in batches (order preserved)."""
        texts = list(texts)
        with self._lock:
            docs = list(self.nlp.pipe(texts, batch_size=batch_size))
        yield from docs

    def tokenize(self, text: str) -> Doc:
        """Tokenise only (the built-in chain reads lemmas from its own cache)."""
        with self._lock:
            return self.nlp.make_doc(text)


def load_backend(lemmatizer: str, lexicon: Lexicon) -> LemmaBackend:
    """Load the spaCy pipeline for ``lemmatizer`` (``"builtin"`` or a trained pipeline)."""
    import spacy

    _register_factory()
    if lemmatizer == BUILTIN:
        nlp = spacy.blank("de")
        component = nlp.add_pipe(COMPONENT)
        component.lexicon = lexicon
        return LemmaBackend(nlp, BUILTIN, context_free=True, lexicon=lexicon)
    if not trained_pipeline_available(lemmatizer):
        raise AnalysisUnavailableError(
            f"spaCy pipeline {lemmatizer!r} is not installed here "
            f"(install it with: python -m spacy download {lemmatizer})"
        )
    nlp = spacy.load(lemmatizer, exclude=EXCLUDE)
    return LemmaBackend(nlp, lemmatizer, context_free=False, lexicon=lexicon)


def describe_pipeline(nlp: Language) -> dict[str, Any]:
    """The components a loaded pipeline runs (for ``analysis_info``)."""
    return {"pipeline": list(nlp.pipe_names), "lang": nlp.lang}
