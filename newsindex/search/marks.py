"""Marks for a whole article: which words of any paragraph a query matches.

A search only highlights the passages it returns (from the index postings). When
the prompt shows a whole article (``:open N``) every paragraph needs marks, so
this module re-analyses the paragraphs with the index's own analysis chain and
marks each word whose index terms (lemma or compound parts) meet the query's
terms: the query words' lemmas, their other readings (``krieg`` → ``Krieg``)
and their compound parts, plus ``prefix*`` words. That is the same rule the
index applies (``Krieg`` marks *Kriege* and *Kriegspfad*), without a search
per paragraph. Stop words are never marked; ``-excluded`` words and filters
(``source:`` …) mark nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..analysis import AnalysisChain
from ..analysis.folding import fold
from .query_syntax import parse_query
from .results import Hit

__all__ = ["QueryTerms", "article_marks", "mark_spans", "query_terms"]


@dataclass(frozen=True, slots=True)
class QueryTerms:
    """The index terms a query looks for, and the prefixes of its ``word*`` parts."""

    terms: frozenset[str]
    prefixes: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.terms or self.prefixes)


def query_terms(chain: AnalysisChain, query: str) -> QueryTerms:
    """Analyse the words of ``query`` (not its filters) into the terms to mark."""
    plan = parse_query(query)
    terms: set[str] = set()
    words = [*plan.text, *plan.required, *plan.title, *(w for w, _ in plan.fuzzy)]
    tokens = chain.analyze(" ".join(words), query=True) if words else []
    content = [t for t in tokens if not t.is_stop] or tokens
    for tok in content:
        terms.update((tok.lemma, *tok.alternatives, *tok.parts))
    for phrase in plan.phrases:
        for tok in chain.analyze(phrase, query=True):
            terms.update((tok.lemma, *tok.alternatives))
    prefixes = tuple(fold(p) if chain.config.fold else p.lower() for p in plan.prefixes)
    return QueryTerms(frozenset(terms), prefixes)


def mark_spans(chain: AnalysisChain, text: str, wanted: QueryTerms) -> tuple[tuple[int, int], ...]:
    """``(start, end)`` spans of the words of ``text`` that ``wanted`` matches."""
    if not wanted or not text:
        return ()
    spans: list[tuple[int, int]] = []
    for tok in chain.analyze(text):
        if tok.is_stop:
            continue
        terms = tok.terms
        if wanted.terms.intersection(terms) or any(t.startswith(p) for p in wanted.prefixes for t in terms):
            spans.append((tok.start, tok.end))
    return tuple(spans)


def article_marks(
    chain: AnalysisChain,
    article_id: str,
    paragraphs: Sequence[str],
    query: str,
    hits: Iterable[Hit] = (),
) -> list[tuple[tuple[int, int], ...]]:
    """Marks for every paragraph of an article: the query's words, plus the highlights
    the index gave ``hits`` of this article (where a hit shows a paragraph)."""
    wanted = query_terms(chain, query)
    marks: list[set[tuple[int, int]]] = [set(mark_spans(chain, para, wanted)) for para in paragraphs]
    for hit in hits:
        if hit.article_id == article_id and 0 <= hit.paragraph < len(marks):
            marks[hit.paragraph].update(hit.highlights)
    return [tuple(sorted(m)) for m in marks]
