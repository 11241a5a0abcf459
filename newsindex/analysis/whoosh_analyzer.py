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

__all__ = ["GermanAnalyzer"]


class GermanAnalyzer(Composable):
    """Whoosh analyzer over :class:`AnalysisChain`.

    ``keep_stops=False`` is the ranked field (stop words removed);
    ``keep_stops=True, parts=False`` is the phrase field, where
    ``"Krieg gegen Drogenkartelle"`` must still find ``gegen`` and only the
    word's own lemma matters. A token's lemma and its compound parts share one
    position and the token's character span, so a match on ``kartell`` marks the
    whole surface word ``Drogenkartelle``.
    """

    def __init__(self, config: AnalysisConfig, keep_stops: bool = False, parts: bool = True) -> None:
        self.config = config
        self.keep_stops = keep_stops
        self.parts = parts

    def _key(self) -> tuple[AnalysisConfig, bool, bool]:
        return (self.config, self.keep_stops, self.parts)

    def __reduce__(self) -> tuple[Any, ...]:
        return (GermanAnalyzer, self._key())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GermanAnalyzer) and other._key() == self._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"GermanAnalyzer({self.config!r}, keep_stops={self.keep_stops}, parts={self.parts})"

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
        with_parts = self.parts
        t = WhooshToken(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for tok in self.chain.analyze(value, query=mode == "query"):
            if drop_stops and tok.is_stop:
                continue
            terms = tok.terms if with_parts else (tok.lemma,)
            for term in (*terms, *tok.alternatives) if tok.alternatives else terms:
                t.text = term
                t.boost = 1.0
                t.stopped = False
                if keeporiginal:
                    t.original = tok.text
                if positions:
                    t.pos = start_pos + tok.position
                if chars:
                    t.startchar = start_char + tok.start
                    t.endchar = start_char + tok.end
                yield t
