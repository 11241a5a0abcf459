"""The analysis chain as a Whoosh analyzer.

It pickles by configuration (Whoosh stores the schema with pickle), never by
pickling a spaCy ``Language``: unpickling is cheap and loads nothing until the
first text is analysed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from whoosh.analysis import Composable
from whoosh.analysis import Token as WhooshToken

from .chain import AnalysisChain, get_chain
from .config import AnalysisConfig
from .tokens import terms_of

__all__ = ["PART_LANE", "PART_WEIGHT", "GermanAnalyzer"]

# Compound parts are indexed at their word's position plus this offset: they keep
# the word's character span (a match on ``kartell`` marks ``Drogenkartelle``) but
# never line up with the words around them, so phrases match whole words only.
PART_LANE = 1 << 30
# A compound part's weight in the posting (a whole word's is 1): ``Kartellrecht``,
# ``Kartellamt`` and ``Kartellbehörde`` together count less than one ``Kartell``.
PART_WEIGHT = 0.5


class GermanAnalyzer(Composable):
    """Whoosh analyzer over :class:`AnalysisChain`.

    The default is the ranked field: stop words removed, each word's lemma at
    the word's position and its compound parts at that position plus
    :data:`PART_LANE` with the posting weight :data:`PART_WEIGHT`, all with the
    word's character span (a match on ``kartell`` marks the whole surface word
    ``Drogenkartelle``).
    ``only_stops=True`` is its complement for phrases: the stop words alone, at
    their positions, so ``"Krieg gegen Drogenkartelle"`` checks ``gegen`` too.
    ``keep_stops=True, parts=False`` is every word's lemma (analysis views).
    ``only_stems=True`` is the ``stems`` field: each content word's Snowball stem
    (:attr:`Token.stem`) at the word's position, nothing else.
    """

    def __init__(
        self,
        config: AnalysisConfig,
        keep_stops: bool = False,
        parts: bool = True,
        only_stops: bool = False,
        only_stems: bool = False,
    ) -> None:
        self.config = config
        self.keep_stops = keep_stops or only_stops
        self.parts = parts and not only_stops
        self.only_stops = only_stops
        self.only_stems = only_stems and not only_stops

    def _key(self) -> tuple[AnalysisConfig, bool, bool, bool, bool]:
        return (self.config, self.keep_stops, self.parts, self.only_stops, self.only_stems)

    def __reduce__(self) -> tuple[Any, ...]:
        return (GermanAnalyzer, self._key())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GermanAnalyzer) and other._key() == self._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (
            f"GermanAnalyzer({self.config!r}, keep_stops={self.keep_stops}, parts={self.parts}, "
            f"only_stops={self.only_stops}, only_stems={self.only_stems})"
        )

    @property
    def chain(self) -> AnalysisChain:
        """The shared analysis chain for this configuration."""
        return get_chain(self.config)

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[WhooshToken]:
        drop_stops = removestops and not self.keep_stops
        only_stops = self.only_stops
        with_parts = self.parts
        t = WhooshToken(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if self.only_stems:
            yield from self._stems(t, value, mode, positions, chars, keeporiginal, start_pos, start_char)
            return
        for text, start, end, position, lemma, parts, is_stop, alternatives, _ in self.chain.rows(
            value, query=mode == "query"
        ):
            if (drop_stops and is_stop) or (only_stops and not is_stop):
                continue
            terms = terms_of(lemma, parts) if with_parts else (lemma,)
            for i, term in enumerate((*terms, *alternatives) if alternatives else terms):
                t.text = term
                part = 0 < i < len(terms)
                t.boost = PART_WEIGHT if part else 1.0  # Whoosh sums boosts into the posting's weight
                t.stopped = False
                if keeporiginal:
                    t.original = text
                if positions:
                    # The lemma (and a query word's other readings) on the word's own position.
                    t.pos = start_pos + position + (PART_LANE if part else 0)
                if chars:
                    t.startchar = start_char + start
                    t.endchar = start_char + end
                yield t

    def index_terms(
        self, value: str, positions: bool, chars: bool
    ) -> tuple[dict[str, Any], dict[str, float]]:
        """What indexing ``value`` gives each term, without a Whoosh token per term.

        Returns ``(seen, weights)`` in order of each term's first occurrence: ``seen``
        maps a term to its count (``positions=False``) or to its list of positions,
        or of ``(position, startchar, endchar)`` with ``chars``; ``weights`` to the
        sum of its boosts, added in the order Whoosh's format adds them. The same
        as reading ``self(value, mode="index", positions=..., chars=..., boosts=True)``
        (``tests/test_analysis_digest.py`` holds both to the same digest).
        """
        seen: dict[str, Any] = {}
        weights: dict[str, float] = {}
        chain = self.chain
        rows = chain.rows(value)
        if self.only_stems:
            for _, start, end, position, _, _, _, _, stem in rows:
                if stem:
                    _add(seen, weights, stem, 1.0, positions, chars, position, start, end)
            return seen, weights
        drop_stops = not self.keep_stops
        only_stops = self.only_stops
        if only_stops and positions and not chars:
            done = chain.stop_postings
            if done is not None and done[0] is rows:  # worked out with the ranked field's postings
                chain.stop_postings = None
                return done[1], done[2]
        with_parts = self.parts
        # The ranked field (body) meets the stop words it drops: it notes them as the stops
        # field (the same text, next) indexes them, which then need not read the rows again.
        stop_seen: dict[str, list[int]] | None = {} if drop_stops and positions and chars else None
        stop_weights: dict[str, float] = {}
        for _, start, end, position, lemma, parts, is_stop, alternatives, _ in rows:
            if is_stop:
                if stop_seen is not None:
                    for term in (lemma, *alternatives) if alternatives else (lemma,):
                        _add(stop_seen, stop_weights, term, 1.0, True, False, position, start, end)
                if drop_stops:
                    continue
            elif only_stops:
                continue
            if not parts and not alternatives:  # most words: the lemma alone (_add, inlined)
                if not positions:
                    if lemma in seen:
                        seen[lemma] += 1
                        weights[lemma] += 1.0
                    else:
                        seen[lemma] = 1
                        weights[lemma] = 1.0
                    continue
                entry = (position, start, end) if chars else position
                if lemma in seen:
                    seen[lemma].append(entry)
                    weights[lemma] += 1.0
                else:
                    seen[lemma] = [entry]
                    weights[lemma] = 1.0
                continue
            terms = terms_of(lemma, parts) if with_parts else (lemma,)
            for i, term in enumerate((*terms, *alternatives) if alternatives else terms):
                part = 0 < i < len(terms)
                pos = position + PART_LANE if part else position
                _add(seen, weights, term, PART_WEIGHT if part else 1.0, positions, chars, pos, start, end)
        if stop_seen is not None:
            chain.stop_postings = (rows, stop_seen, stop_weights)
        return seen, weights

    def _stems(
        self,
        t: WhooshToken,
        value: str,
        mode: str,
        positions: bool,
        chars: bool,
        keeporiginal: bool,
        start_pos: int,
        start_char: int,
    ) -> Iterator[WhooshToken]:
        for text, start, end, position, _, _, _, _, stem in self.chain.rows(value, query=mode == "query"):
            if not stem:
                continue
            t.text = stem
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = text
            if positions:
                t.pos = start_pos + position
            if chars:
                t.startchar = start_char + start
                t.endchar = start_char + end
            yield t


def _add(
    seen: dict[str, Any],
    weights: dict[str, float],
    term: str,
    boost: float,
    positions: bool,
    chars: bool,
    pos: int,
    start: int,
    end: int,
) -> None:
    """One occurrence of ``term`` (see :meth:`GermanAnalyzer.index_terms`)."""
    if not positions:
        if term in seen:
            seen[term] += 1
            weights[term] += boost
        else:
            seen[term] = 1
            weights[term] = 0.0 + boost
        return
    entry = (pos, start, end) if chars else pos
    if term in seen:
        seen[term].append(entry)
        weights[term] += boost
    else:
        seen[term] = [entry]
        weights[term] = 0.0 + boost
