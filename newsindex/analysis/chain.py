"""The German analysis chain: tokenise → lemmatise → fold → stop words → compounds."""

from __future__ import annotations

import itertools
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Final

from .across_words import join_separable_verbs, keep_surnames_whole
from .chunks import ChunkRows, Learnt, Piece, Row, lay_pieces
from .compounds import CompoundSplitter
from .config import AnalysisConfig
from .folding import fold
from .lemmatizers import LemmaBackend, load_backend
from .lexicon import SEPARABLE_PARTICLES, Lexicon
from .overrides import load_overrides
from .places import place_of_adjective
from .stopwords import GERMAN_STOP_WORDS
from .tokens import Token

__all__ = ["AnalysisChain", "Lesson", "get_chain"]

# (lemma, parts, is_stop, stem) for one word form.
WordTerms = tuple[str, tuple[str, ...], bool, str]

# Row (one analysed word: a Token's fields, in Token's order) and Piece (what one
# spaCy token becomes) are defined in .chunks.
_TEXT: Final = 0
_PARTS: Final = 5
_TEXT_CACHE_SIZE = 512
_PUNCT: WordTerms = ("", (), True, "")  # sentinel: not a word
_WORD_CACHE_LIMIT = 1_000_000
# About 160 bytes a chunk (all of adl: 407,000 chunks, 64 MB): at most ~80 MB.
_CHUNK_CACHE_LIMIT = 500_000
# Chunks learnt between two looks at learn's stop event (~0.1 s of work).
_LEARN_STEP = 2_048
# What work_out hands to adopt: chunks learnt, and the spaCy tokens' pieces met on the way.
Lesson = tuple[Learnt, list[tuple[str, tuple[Piece, ...]]]]


# spaCy keeps "<b>Krieg</b>", "Krieg|Frieden", "CDU/CSU" and "Peking–Guangzhou" as one
# token; such tokens are re-split into their word pieces (offsets kept): each side of a
# slash or a dash is a word of its own, so "CSU" finds "CDU/CSU" as a word, not a part.
_PARTICLE_SET = frozenset(SEPARABLE_PARTICLES)
_ODD = re.compile(r"[<>|\\=*#@\[\]{}^_~`+\"/–—]")
_WORD = re.compile(r"\w+(?:[-\u2010\u2011'’.]\w+)*")
_HYPHEN = re.compile("[-\u2010\u2011]")


def _has_alnum(s: str) -> bool:
    return any(ch.isalnum() for ch in s)


class AnalysisChain:
    """Turns German text into :class:`Token` objects; one per configuration.

    The spaCy pipeline loads on first use (``import newsindex`` stays fast).
    The chain is safe to share between threads. Analysed texts are kept in a
    small LRU cache because Whoosh analyses the same paragraph once per field.
    """

    def __init__(self, config: AnalysisConfig | None = None) -> None:
        self.config = (config or AnalysisConfig()).resolved()
        overrides = load_overrides(self.config.overrides)
        self.lexicon = Lexicon(overrides.lemmas)
        self.splitter = CompoundSplitter(self.lexicon, overrides.splits)
        self._backend: LemmaBackend | None = None
        self._load_lock = threading.Lock()
        self._cache_lock = threading.Lock()
        self._words: dict[str | tuple[str, str], WordTerms] = {}
        self._surfaces: dict[str, tuple[Piece, ...]] = {}
        self._chunks: ChunkRows | None = None
        self._texts: OrderedDict[str, list[Row]] = OrderedDict()
        self._primed: dict[str, list[Row]] = {}
        # The stops field's postings of the text whose ranked-field postings were made last,
        # with that text's rows (see GermanAnalyzer.index_terms).
        self.stop_postings: tuple[list[Row], dict[str, list[int]], dict[str, float]] | None = None
        self._norm: Callable[[str], str] = fold if self.config.fold else str.lower
        self._stem: Callable[[str], str] | None = None
        self._stem_reading: Callable[[str], str] | None = None
        if self.config.stems and self.config.lemmatize:
            from whoosh.lang import stemmer_for_language

            self._stem_reading = stemmer_for_language("de")
        if not self.config.lemmatize:
            from whoosh.lang import stemmer_for_language

            self._stem = stemmer_for_language("de")

    def load(self) -> float | None:
        """Load the spaCy pipeline and the lemma dictionary now (the first analysis
        would); the milliseconds it took, or ``None`` when they were loaded already."""
        if self._backend is not None and self.lexicon.loaded:
            return None
        t0 = time.perf_counter()
        _ = self.backend
        self.lexicon.load()
        return (time.perf_counter() - t0) * 1000

    @property
    def backend(self) -> LemmaBackend:
        """The loaded spaCy pipeline (loaded on first access)."""
        if self._backend is None:
            with self._load_lock:
                if self._backend is None:
                    self._backend = load_backend(self.config.lemmatizer, self.lexicon)
        return self._backend

    # -- public ------------------------------------------------------------
    def analyze(self, text: str, *, query: bool = False) -> list[Token]:
        """Analyse one text. ``query=True`` adds alternative readings of lowercase words."""
        return [Token(*row) for row in self.rows(text, query=query)]

    def rows(self, text: str, *, query: bool = False) -> list[Row]:
        """:meth:`analyze` as tuples of :class:`Token`'s fields, in its order (the indexing
        path: no object per word). The list is shared with the cache: do not change it."""
        if not query:
            cached = self._primed.get(text)
            if cached is None:
                cached = self._texts.get(text)
            if cached is not None:
                return cached
        if not text or text.isspace():
            return []
        backend = self.backend
        if backend.context_free and not query:
            rows = self._context_free_rows(text)
        else:
            rows = self._rows(text, self._tokens([text])[0], query=query)
        if not query:
            self._remember(text, rows)
        return rows

    def analyze_many(self, texts: Sequence[str]) -> list[list[Token]]:
        """Analyse a batch (batched through ``nlp.pipe`` for trained pipelines)."""
        backend = self.backend
        if backend.context_free:
            return [self.analyze(t) for t in texts]
        out: list[list[Token]] = []
        todo = [t for t in texts if t and not t.isspace() and t not in self._texts]
        for text, tokens in zip(todo, backend.lemma_spans(todo), strict=True):
            self._remember(text, self._rows(text, tokens, query=False))
        for t in texts:
            out.append(self.analyze(t))
        return out

    def prime(self, texts: Iterable[str], *, stop: threading.Event | None = None) -> None:
        """Analyse ``texts`` now and keep every result until the next ``prime``.

        The index writer primes the next batch while its worker processes index
        the current one; the next batch's workers, forked afterwards, inherit
        these analyses instead of making them (see ``index.writing``). Setting
        ``stop`` ends the work early and keeps nothing.
        """
        todo = list(dict.fromkeys(t for t in texts if t and not t.isspace()))
        primed: dict[str, list[Row]] = {}
        if self.backend.context_free:
            for text in todo:
                if stop is not None and stop.is_set():
                    return
                primed[text] = self._context_free_rows(text)
        else:
            for text, tokens in zip(todo, self.backend.lemma_spans(todo), strict=True):
                if stop is not None and stop.is_set():
                    return
                primed[text] = self._rows(text, tokens, query=False)
        self._primed = primed

    @property
    def learns_chunks(self) -> bool:
        """Whether :meth:`learn` prepares texts' analyses: a context-free lemmatizer whose
        texts are analysed chunk by chunk (see :mod:`.chunks`)."""
        return self.backend.context_free and self._chunk_rows().chunkwise

    def learn(self, texts: Iterable[str], *, stop: threading.Event | None = None) -> None:
        """Work out now every chunk of ``texts`` that the chunk cache lacks, keeping no rows.

        The index writer calls it on the next batch while its worker processes index the
        current one: the next batch's workers, forked afterwards, inherit the cache, so a
        word new to the archive is analysed once, here, and not once in every worker that
        meets it (and this process keeps it for later batches). Only for :attr:`learns_chunks`;
        setting ``stop`` ends the work early (what was learnt is kept: it is exact).
        """
        chunks = self._chunk_rows()
        todo = chunks.unknown(texts, make_room=True)
        for i in range(0, len(todo), _LEARN_STEP):
            if stop is not None and stop.is_set():
                return
            chunks.store(chunks.work_out(todo[i : i + _LEARN_STEP]))

    def unknown_chunks(self, texts: Iterable[str]) -> list[str]:
        """The distinct chunks of ``texts`` that :meth:`learn` would work out, in order of
        first occurrence (none unless :attr:`learns_chunks`); where the chunk cache has no
        room for them, it keeps only the chunks of ``texts`` (see :meth:`ChunkRows.unknown`)."""
        return self._chunk_rows().unknown(texts, make_room=True) if self.learns_chunks else []

    def work_out(self, chunks: list[str]) -> Lesson:
        """What :meth:`learn` would keep of ``chunks`` (from :meth:`unknown_chunks`), without
        keeping it: plain data for :meth:`adopt` in another process forked from this one (the
        index writer learns a batch's new words in several at once). Holds the chunks' pieces
        and the words met on the way, which the chunks of later texts are made of too."""
        surfaces = self._surfaces
        before = len(surfaces)
        learnt = self._chunk_rows().work_out(chunks)
        return learnt, list(itertools.islice(surfaces.items(), min(before, len(surfaces)), None))

    def adopt(self, lesson: Lesson) -> int:
        """Keep what :meth:`work_out` made (here or in a process forked from this one, with the
        same configuration); returns the number of chunks learnt."""
        learnt, words = lesson
        self._chunk_rows().store(learnt)
        surfaces = self._surfaces
        if len(surfaces) + len(words) > _WORD_CACHE_LIMIT:
            surfaces.clear()
        surfaces.update(words)
        return len(learnt)

    def forget_primed(self) -> None:
        """Drop what :meth:`prime` kept."""
        self._primed = {}

    # -- internals ---------------------------------------------------------
    def _tokens(self, texts: list[str]) -> list[list[tuple[int, int, str]]]:
        """Each text's spaCy tokens as ``(start, length, spaCy's lemma)``; the lemma is
        ``""`` for a context-free lemmatizer (the chain makes its own)."""
        backend = self.backend
        if backend.context_free:
            return [[(start, length, "") for start, length in backend.spans(text)] for text in texts]
        return backend.lemma_spans(texts)

    def _remember(self, text: str, rows: list[Row]) -> None:
        with self._cache_lock:
            self._texts[text] = rows
            if len(self._texts) > _TEXT_CACHE_SIZE:
                self._texts.popitem(last=False)

    def _context_free_rows(self, text: str) -> list[Row]:
        """:meth:`_rows` of a context-free analysis, built from the chunk cache
        (:mod:`.chunks`: spaCy tokenises only chunks never seen, and runs of chunks its
        special-case matcher may read together); the text is tokenised whole where its
        rows cannot be made from chunks."""
        found = self._chunk_rows().rows(text)
        if found is None:
            return self._whole_text_rows(text)
        return self._finish(text, *found)

    def _chunk_rows(self) -> ChunkRows:
        """The chunk cache (made on first use)."""
        chunks = self._chunks
        if chunks is None:
            backend = self.backend  # outside the lock: loading takes it
            with self._load_lock:
                if self._chunks is None:
                    self._chunks = ChunkRows(backend, self._cached_pieces, _CHUNK_CACHE_LIMIT)
                chunks = self._chunks
        return chunks

    def _whole_text_rows(self, text: str) -> list[Row]:
        """The context-free rows of ``text`` tokenised whole (what the chunk cache must equal)."""
        return self._finish(text, *self._rows_by_surface(text, self.backend.spans(text)))

    def _rows(self, text: str, tokens: list[tuple[int, int, str]], *, query: bool) -> list[Row]:
        """The rows of a trained pipeline's ``tokens`` (see :meth:`_tokens`), or of any query."""
        rows = self._rows_by_word(text, tokens, query=query)
        lookup = self.lexicon.lookup
        particles = [k for k in range(1, len(rows)) if rows[k][_TEXT].lower() in _PARTICLE_SET]
        candidates = [
            k
            for k in range(1, len(rows))
            if rows[k][_PARTS] and rows[k][_TEXT][:1].isupper() and lookup(rows[k][_TEXT]) is None
        ]
        return self._finish(text, rows, particles, candidates)

    def _finish(self, text: str, rows: list[Row], particles: list[int], candidates: list[int]) -> list[Row]:
        """The rules that look across words: separable verbs, surnames kept whole."""
        if self.config.lemmatize and particles and len(rows) > 1:
            join_separable_verbs(self.lexicon, self._norm, text, rows, particles)
        if self.config.decompound and candidates and len(rows) > 1:
            keep_surnames_whole(self.lexicon, self.splitter, text, rows, candidates)
        return rows

    def _rows_by_surface(self, text: str, spans: list[list[int]]) -> tuple[list[Row], list[int], list[int]]:
        """The rows of a context-free analysis, each distinct spaCy token worked out once
        (:meth:`_surface_pieces`); also which rows are separable particles and which may be
        surnames (both rare: the scans for them then look at those rows only)."""
        rows: list[Row] = []
        particles: list[int] = []
        candidates: list[int] = []
        position = 0
        for start, length in spans:
            pieces = self._cached_pieces(text[start : start + length])
            position = lay_pieces(pieces, start, position, rows, particles, candidates)
        return rows, particles, candidates

    def _cached_pieces(self, surface: str) -> tuple[Piece, ...]:
        """:meth:`_surface_pieces`, cached per surface."""
        surfaces = self._surfaces
        pieces = surfaces.get(surface)
        if pieces is None:
            pieces = self._surface_pieces(surface)
            if len(surfaces) > _WORD_CACHE_LIMIT:
                surfaces.clear()
            surfaces[surface] = pieces
        return pieces

    def _surface_pieces(self, surface: str) -> tuple[Piece, ...]:
        """What :meth:`_rows_by_word` makes of one spaCy token, as offsets into it."""
        out: list[Piece] = []
        for offset, n, _ in self._pieces(surface, [(0, len(surface), "")]):
            piece = surface[offset : offset + n]
            terms = self._terms(piece, "")
            if terms is _PUNCT:
                continue
            lemma, parts, is_stop, stem = terms
            particle = piece.lower() in _PARTICLE_SET
            candidate = bool(parts) and piece[:1].isupper() and self.lexicon.lookup(piece) is None
            out.append((offset, n, piece, lemma, parts, is_stop, stem, particle, candidate))
        return tuple(out)

    def _terms(self, surface: str, raw: str) -> WordTerms:
        """:meth:`_word_terms`, cached per (surface, spaCy lemma); :data:`_PUNCT` for no word."""
        # Keyed by the surface alone where spaCy gives no lemma (always, for the built-in
        # lemmatizer): a key tuple per word would cost 56 bytes (14 MB on all of adl).
        key: str | tuple[str, str] = (surface, raw) if raw else surface
        words = self._words
        terms = words.get(key)
        if terms is None:
            terms = self._word_terms(surface, raw) if _has_alnum(surface) else _PUNCT
            if len(words) > _WORD_CACHE_LIMIT:
                words.clear()
            words[key] = terms
        return terms

    def _rows_by_word(self, text: str, tokens: list[tuple[int, int, str]], *, query: bool) -> list[Row]:
        out: list[Row] = []
        position = 0
        for start, length, raw in self._pieces(text, tokens):
            surface = text[start : start + length]
            terms = self._terms(surface, raw)
            if terms is _PUNCT:
                continue
            lemma, parts, is_stop, stem = terms
            alternatives: tuple[str, ...] = ()
            if query and surface.islower() and surface.isalpha():
                lemma, parts, alternatives = self._query_readings(surface, lemma, parts)
            out.append((surface, start, start + length, position, lemma, parts, is_stop, alternatives, stem))
            position += 1
        return out

    @staticmethod
    def _pieces(text: str, tokens: list[tuple[int, int, str]]) -> Iterator[tuple[int, int, str]]:
        for start, length, raw in tokens:
            surface = text[start : start + length]
            if length > 1 and surface[-1] == "." and surface[-2].isdigit():
                # spaCy's German rules keep the dot of an ordinal ("3.", "A320."): a
                # search for A320 must find "Airbus A320." at the end of a sentence.
                length -= 1
                surface = surface[:-1]
            if _ODD.search(surface) is None:
                yield start, length, raw
                continue
            for m in _WORD.finditer(surface):
                yield start + m.start(), m.end() - m.start(), ""

    def _lemma(self, word: str, raw: str = "") -> str:
        if self._stem is not None:
            return self._stem(word.lower())
        if raw:
            return self.lexicon.user_lemmas.get(word.lower(), raw)
        return self.lexicon.lemma(word)

    def _word_terms(self, surface: str, raw: str) -> WordTerms:
        norm = self._norm
        lower = surface.lower()
        is_stop = self.config.stopwords and lower in GERMAN_STOP_WORDS
        # U+2010/U+2011 are hyphens too ("Merkel‑Regierung" with a non-breaking hyphen).
        pieces = [p for p in _HYPHEN.split(surface) if p] if _HYPHEN.search(surface) else []
        if len(pieces) > 1 and all(_has_alnum(p) for p in pieces):
            return self._hyphenated(pieces, is_stop)
        lemma = self._lemma(surface, raw)
        parts: tuple[str, ...] = ()
        if self.config.decompound:
            split = self.splitter.split(surface)
            if split is not None:
                parts = tuple(self._part(p) for p in split.parts)
                if lemma == surface and self._stem is None:
                    lemma = split.lemma  # unknown compound: lemmatise its head
            if not parts and self._stem is None:
                # pakistanischen: the country is a part (see .places)
                place = place_of_adjective(norm(lemma))
                if place is not None:
                    parts = (norm(place),)
        if self.config.stopwords and not is_stop and self._stem is None:
            # Inflected function words ("hätten" → "haben"); capitalised words are nouns.
            is_stop = not surface[:1].isupper() and lemma.lower() in GERMAN_STOP_WORDS
        stem = ""
        if self._stem_reading is not None and surface.isalpha() and not is_stop:
            # A second reading on a lane of its own (the ``stems`` field): Snowball
            # conflates what the lemmatiser keeps apart (Abstimmung/abstimmen) and
            # survives its misses (Goldensons). Always kept, also where it equals the
            # lemma, so a query stem meets every word of that stem.
            stem = norm(self._stem_reading(lower))
        return norm(lemma), parts, is_stop, stem

    def _part(self, lemma: str) -> str:
        return self._norm(self._stem(lemma.lower()) if self._stem is not None else lemma)

    def _hyphenated(self, pieces: list[str], is_stop: bool) -> WordTerms:
        """``US-Präsidenten`` → whole ``us-prasident`` plus parts ``us``, ``prasident``."""
        norm = self._norm
        lemmas = [self._lemma(p) for p in pieces]
        whole = norm("-".join([*(p.lower() for p in pieces[:-1]), lemmas[-1]]))
        parts: list[str] = []
        for piece, lemma in zip(pieces, lemmas, strict=True):
            if self.config.stopwords and piece.lower() in GERMAN_STOP_WORDS:
                continue
            parts.append(norm(lemma))
            if self.config.decompound:
                split = self.splitter.split(piece)
                if split is not None:
                    parts.extend(self._part(p) for p in split.parts)
        return whole, tuple(dict.fromkeys(p for p in parts if p != whole)), is_stop, ""

    def _query_readings(
        self, surface: str, lemma: str, parts: tuple[str, ...]
    ) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
        """Users type nouns in lowercase: read ``krieg`` also as ``Krieg``."""
        capitalized = surface[:1].upper() + surface[1:]
        cap_terms = self._word_terms(capitalized, "")
        alternatives = (cap_terms[0],) if cap_terms[0] != lemma else ()
        return lemma, parts or cap_terms[1], alternatives


_chains: dict[AnalysisConfig, AnalysisChain] = {}
_chains_lock = threading.Lock()


def get_chain(config: AnalysisConfig | None = None) -> AnalysisChain:
    """The shared chain for ``config`` (pipelines are loaded once per process).

    ``lemmatizer="auto"`` is resolved once per process: resolving asks the installed
    packages' metadata (about a millisecond), and the index analyzers ask for their
    chain once per field of every paragraph.
    """
    given = config or AnalysisConfig()
    chain = _chains.get(given)
    if chain is not None:
        return chain
    resolved = given.resolved()
    with _chains_lock:
        chain = _chains.get(resolved)
        if chain is None:
            chain = AnalysisChain(resolved)
            _chains[resolved] = chain
        _chains[given] = chain
    return chain
