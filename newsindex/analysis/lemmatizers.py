"""Lemmatizer back-ends: the built-in simplemma component and trained spaCy pipelines.

Both are spaCy pipelines, so the chain treats them alike: run ``nlp.pipe`` and
read ``token.lemma_``. The built-in one is ``spacy.blank("de")`` plus the
``newsindex_simplemma_lemmatizer`` component defined here; a trained one is
loaded with only what lemmatisation needs (no parser, no NER).

Each kind of lemmatizer is a :class:`LemmatizerBackend` in :data:`BACKENDS`,
asked in order which one handles a configured name: adding a kind means adding
a backend, not a branch in every function that looks at the name.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import json
import os
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ..errors import AnalysisUnavailableError
from .config import BUILTIN, trained_pipeline_available
from .lexicon import Lexicon

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

__all__ = [
    "BACKENDS",
    "RULES_VERSION",
    "ZONE_STRINGS",
    "AnalysisUnavailableError",
    "BuiltinBackend",
    "LemmaBackend",
    "LemmatizerBackend",
    "TrainedPipelineBackend",
    "backend_for",
    "backend_identity",
    "load_backend",
    "make_simplemma_lemmatizer",
    "trained_pipeline_available",
]

# Bump when the chain's own rules (overrides, genitive, folding, splitting) change:
# an index built with other rules must be rebuilt.
# 10: names in -s that are no genitive (Andreas, Nils); 9: country adjectives;
# 8: a slash or a dash between words separates them; 7: word forms, genitives,
# participles, capitalised adverbs; 6: Prozess
RULES_VERSION = "10"
COMPONENT = "newsindex_simplemma_lemmatizer"
#: How many strings spaCy may add to its vocabulary inside one memory zone (then the
#: zone closes and frees them, with their lexemes): a few MB at most.
ZONE_STRINGS = 20_000
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
        self._lock = threading.RLock()
        if hasattr(os, "register_at_fork"):
            # A process forked (an index worker, a learner) while another thread of this one
            # tokenises would inherit this lock held, and spaCy's state half-changed, and wait
            # for ever at its first call: a fork waits for the call to end instead. Reentrant,
            # so a thread may fork while it holds the lock itself.
            lock = self._lock
            os.register_at_fork(
                before=lock.acquire, after_in_parent=lock.release, after_in_child=lock.release
            )
        self._zone: contextlib.ExitStack | None = None  # the open memory zone (see spans)
        self._zone_base = 0  # how many strings spaCy's vocabulary held when it opened

    def pipe(self, texts: Iterable[str], batch_size: int = 256) -> Iterator[Doc]:
        """Tokenise and lemmatise ``texts`` in batches (order preserved).

        The Docs outlive the call, so they are made outside any zone of this
        backend's (see :meth:`spans`): their new strings stay in the vocabulary.
        """
        texts = list(texts)
        with self._lock:
            self._leave_zone()
            docs = list(self.nlp.pipe(texts, batch_size=batch_size))
        yield from docs

    def tokenize(self, text: str) -> Doc:
        """Tokenise only, to a Doc that outlives the call (like :meth:`pipe`'s).

        The chain reads text through :meth:`spans` and :meth:`lemma_spans` instead.
        """
        with self._lock:
            self._leave_zone()
            return self.nlp.make_doc(text)

    def spans(self, text: str) -> list[list[int]]:
        """The ``[start, length]`` of each of ``text``'s tokens (tokenising only).

        spaCy keeps every string and lexeme it meets in its vocabulary, which then
        grows with the corpus (255,000 strings, ~90 MB, after all of adl in one
        process). Here spaCy works inside a memory zone, which frees what it added
        when it closes; only plain Python values leave the call. One zone serves many
        calls (see :data:`ZONE_STRINGS`).
        """
        from spacy.attrs import IDX, LENGTH

        with self._lock:
            self._enter_zone()
            spans: list[list[int]] = self.nlp.make_doc(text).to_array([IDX, LENGTH]).tolist()
            return spans

    def lemma_spans(self, texts: Iterable[str], batch_size: int = 256) -> list[list[tuple[int, int, str]]]:
        """For each of ``texts``, its tokens' ``(start, length, lemma)`` from the whole
        pipeline (``""``: no lemma), read inside a memory zone like :meth:`spans`."""
        from spacy.attrs import IDX, LEMMA, LENGTH

        out: list[list[tuple[int, int, str]]] = []
        with self._lock:
            self._enter_zone()
            strings = self.nlp.vocab.strings
            for doc in self.nlp.pipe(list(texts), batch_size=batch_size):
                rows = doc.to_array([IDX, LENGTH, LEMMA]).tolist()
                out.append([(start, n, strings[lemma] if lemma else "") for start, n, lemma in rows])
        return out

    def release(self) -> None:
        """Close the open memory zone: spaCy's vocabulary is then as loaded again."""
        with self._lock:
            self._leave_zone()

    @contextlib.contextmanager
    def exclusive(self) -> Iterator[Language]:
        """The pipeline to use directly, serialised with this backend's calls and
        outside its memory zone (what it makes may be kept)."""
        with self._lock:
            self._leave_zone()
            yield self.nlp

    def _enter_zone(self) -> None:
        """Open a memory zone unless one is open with room left (call under the lock).

        A zone per call would cost its set-up (~15-50 µs) and make every word's
        lexeme anew in each call (words met before are not new to spaCy otherwise):
        a few percent of a build. So a zone stays open until spaCy has added
        :data:`ZONE_STRINGS` strings in it, then the next call starts a fresh one.
        """
        strings = self.nlp.vocab.strings
        if self._zone is not None:
            if len(strings) - self._zone_base < ZONE_STRINGS:
                return
            self._leave_zone()
        vocab: Any = self.nlp.vocab  # spaCy's stubs omit in_memory_zone
        if vocab.in_memory_zone:
            return  # somebody else's zone is open: zones must not nest
        zone = contextlib.ExitStack()
        zone.enter_context(self.nlp.memory_zone())
        self._zone = zone
        self._zone_base = len(strings)

    def _leave_zone(self) -> None:
        """Close the open memory zone, if any (call under the lock)."""
        zone, self._zone = self._zone, None
        if zone is not None:
            zone.close()


class LemmatizerBackend(Protocol):
    """A kind of lemmatizer that ``AnalysisConfig.lemmatizer`` can name."""

    def handles(self, lemmatizer: str) -> bool:
        """Whether ``lemmatizer`` (a resolved name, never ``"auto"``) is of this kind."""
        ...

    def identity(self, lemmatizer: str) -> dict[str, str]:
        """Name and versions, without loading it (cheap); :class:`AnalysisUnavailableError`
        when it is not installed here."""
        ...

    def load(self, lemmatizer: str, lexicon: Lexicon) -> LemmaBackend:
        """The loaded pipeline; :class:`AnalysisUnavailableError` when it is not installed here."""
        ...


def _identity(name: str, version: str) -> dict[str, str]:
    return {
        "lemmatizer": name,
        "lemmatizer_version": version,
        "spacy_version": importlib.metadata.version("spacy"),
        "rules_version": RULES_VERSION,
    }


class BuiltinBackend:
    """``"builtin"``: ``spacy.blank("de")`` plus the simplemma component (context-free)."""

    def handles(self, lemmatizer: str) -> bool:
        """Only the name ``"builtin"``."""
        return lemmatizer == BUILTIN

    def identity(self, lemmatizer: str) -> dict[str, str]:
        """simplemma's version (always installed: a dependency)."""
        return _identity(BUILTIN, f"simplemma {importlib.metadata.version('simplemma')}")

    def load(self, lemmatizer: str, lexicon: Lexicon) -> LemmaBackend:
        """A blank German pipeline with the simplemma component reading ``lexicon``."""
        import spacy
        from spacy import attrs as a

        _register_factory()
        nlp = spacy.blank("de")
        # spaCy works out two dozen lexeme attributes for every new word it meets (12 %
        # of a cold analysis), and the string-valued ones each add a string to its store.
        # The chain reads offsets and text only and the tokenizer's splits depend on none
        # of them, so the costliest, which nothing here reads, are not worked out; the
        # cheap flags (is_space, is_punct, is_alpha, ...) stay. A trained pipeline keeps
        # them all: its models use them as features.
        # On its tokens lower_, norm_, prefix_, suffix_ and shape_ are therefore empty
        # and like_url, like_num and like_email false.
        unread = {a.LOWER, a.NORM, a.PREFIX, a.SUFFIX, a.SHAPE, a.LIKE_URL, a.LIKE_NUM, a.LIKE_EMAIL}
        vocab: Any = nlp.vocab  # spaCy's stubs omit lex_attr_getters
        vocab.lex_attr_getters = {k: get for k, get in vocab.lex_attr_getters.items() if k not in unread}
        component = nlp.add_pipe(COMPONENT)
        setattr(component, "lexicon", lexicon)  # noqa: B010 - spaCy types add_pipe as a plain callable
        return LemmaBackend(nlp, BUILTIN, context_free=True, lexicon=lexicon)


class TrainedPipelineBackend:
    """Any other name: an installed spaCy pipeline package or a pipeline folder."""

    def handles(self, lemmatizer: str) -> bool:
        """Every name (this backend is asked last)."""
        return True

    def _require(self, lemmatizer: str) -> None:
        if not trained_pipeline_available(lemmatizer):
            raise AnalysisUnavailableError(
                f"spaCy pipeline {lemmatizer!r} is not installed here "
                f"(install it with: python -m spacy download {lemmatizer})"
            )

    def identity(self, lemmatizer: str) -> dict[str, str]:
        """The package's version, or the folder's ``meta.json`` name and version."""
        self._require(lemmatizer)
        if Path(lemmatizer).is_dir():
            meta = json.loads((Path(lemmatizer) / "meta.json").read_text(encoding="utf-8"))
            version = f"{meta.get('lang', '?')}_{meta.get('name', '?')} {meta.get('version', '?')}"
        else:
            version = f"{lemmatizer} {importlib.metadata.version(lemmatizer)}"
        return _identity(lemmatizer, version)

    def load(self, lemmatizer: str, lexicon: Lexicon) -> LemmaBackend:
        """The pipeline without the components lemmatisation does not need (parser, NER)."""
        import spacy

        self._require(lemmatizer)
        _register_factory()
        nlp = spacy.load(lemmatizer, exclude=EXCLUDE)
        return LemmaBackend(nlp, lemmatizer, context_free=False, lexicon=lexicon)


# Asked in order; the first that handles a name serves it (the trained pipeline takes the rest).
BACKENDS: list[LemmatizerBackend] = [BuiltinBackend(), TrainedPipelineBackend()]


def backend_for(lemmatizer: str) -> LemmatizerBackend:
    """The backend serving the lemmatizer named ``lemmatizer``."""
    for backend in BACKENDS:
        if backend.handles(lemmatizer):
            return backend
    raise AnalysisUnavailableError(f"no lemmatizer backend handles {lemmatizer!r}")


def backend_identity(lemmatizer: str) -> dict[str, str]:
    """Name and versions of a lemmatizer, without loading it (cheap)."""
    return backend_for(lemmatizer).identity(lemmatizer)


def load_backend(lemmatizer: str, lexicon: Lexicon) -> LemmaBackend:
    """Load the spaCy pipeline for ``lemmatizer`` (``"builtin"`` or a trained pipeline)."""
    return backend_for(lemmatizer).load(lemmatizer, lexicon)


def describe_pipeline(nlp: Language) -> dict[str, Any]:
    """The components a loaded pipeline runs (for ``analysis_info``)."""
    return {"pipeline": list(nlp.pipe_names), "lang": nlp.lang}
