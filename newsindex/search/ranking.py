"""A query's matches in rank order: Whoosh's or the numpy scorer's BM25F, plus the
article evidence (:mod:`.article_context`), the query's coverage (:mod:`.coverage`) and
the proximity bonus (:mod:`.proximity`)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from whoosh.searching import Searcher

from .article_context import article_evidence, with_article_evidence
from .columns import Columns
from .coverage import coverage_factors
from .highlights import BodyReads
from .proximity import PROXIMITY_WINDOW, QueryWord, proximity_bonus
from .sorting import collapse_ordered, date_order
from .term_scoring import FieldLengths, Scored, TermScorer, admit, top

__all__ = ["MAX_HEAD", "TOTAL_COUNT_CAP", "Match", "Ranking", "proximity_floor", "top_matches"]

# Like Elasticsearch's track_total_hits: count matches exactly up to this many,
# then report "at least" (counting every match of a common word costs more
# than the search itself).
TOTAL_COUNT_CAP = 1_000

# The proximity window is every match scoring at least the PROXIMITY_WINDOW-th best
# score (so equal scores are all in or all out, on one index as on shards), at most this many.
MAX_HEAD = 8 * PROXIMITY_WINDOW


def top_matches(
    searcher: Searcher, query: Any, admitted: set[int] | None, limit: int, rejected: set[int] | None = None
) -> Any:
    """Whoosh's top ``limit`` matches of ``query`` among the ``admitted``, not ``rejected``, documents."""
    # Sets of documents rather than an intersection inside the matcher
    # (query.And, query.Require): Whoosh's matcher replacement then loses
    # top-scoring matches (see tests/test_query_expansion.py).
    return searcher.search(query, limit=limit, filter=admitted, mask=rejected or None)


def proximity_floor(heads: Iterable[Sequence[float]]) -> float | None:
    """The proximity window's floor over several shards' :meth:`Ranking.head_scores`: the
    :data:`PROXIMITY_WINDOW`-th best score of all (``None``: no shard rescores)."""
    scores = sorted((s for head in heads for s in head), reverse=True)
    if not scores:
        return None
    return scores[PROXIMITY_WINDOW - 1] if len(scores) >= PROXIMITY_WINDOW else -math.inf


def _tolerance(floor: float) -> float:
    # Shards sum the same figures in another order: equal scores may differ in the last bits.
    return 1e-9 * max(1.0, abs(floor))


def _at_least(ranked: Callable[[int], list[Match]], floor: float) -> list[Match]:
    """Every match scoring at least ``floor`` (ties included), best first, at most
    :data:`MAX_HEAD` (a pathological tie of identical passages)."""
    n = PROXIMITY_WINDOW
    while True:
        matches = ranked(n)
        cut = floor - _tolerance(floor) if math.isfinite(floor) else floor
        head = [m for m in matches if m.score >= cut]
        if len(head) < len(matches) or len(matches) < n or n >= MAX_HEAD:
            return head[:MAX_HEAD]
        n = min(MAX_HEAD, n * 2)


@dataclass(slots=True)
class Match:
    """A ranked document and its stored fields (read when first needed)."""

    docnum: int
    score: float
    _searcher: Searcher
    _fields: dict[str, Any] | None = None

    def fields(self) -> dict[str, Any]:
        """The stored fields of the paragraph."""
        if self._fields is None:
            self._fields = self._searcher.stored_fields(self.docnum)
        return self._fields


class Ranking:
    """A query's matches in rank order, among the admitted documents.

    Unions of terms (every bag-of-words, prefix and typo query) are scored term
    at a time with numpy (:mod:`.term_scoring`); other queries (phrases) go
    through Whoosh's matchers. Both give Whoosh's BM25F scores.
    """

    def __init__(
        self,
        searcher: Searcher,
        query: Any,
        admitted: set[int] | None,
        lengths: FieldLengths | None = None,
        *,
        rejected: set[int] | None = None,
        term_at_a_time: bool = True,
        scorer: TermScorer | None = None,
        proximity: tuple[float, tuple[QueryWord, ...]] = (0.0, ()),
        article_context: tuple[float, tuple[Any, ...], np.ndarray | None] = (0.0, (), None),
        coverage: tuple[float, tuple[tuple[Any, float], ...]] = (0.0, ()),
        proximity_floor: float | None = None,
        body_reads: BodyReads | None = None,
        dates: Callable[[np.ndarray], np.ndarray] | None = None,
    ) -> None:
        self.searcher = searcher
        self.proximity = proximity
        self.proximity_floor = proximity_floor
        self.body_reads = body_reads
        self._head: list[Match] | None = None
        self.query = query
        self.admitted = admitted
        self.rejected = rejected or None
        self._scored: Scored | None = None
        self._whoosh_results: Any = None
        self._window = 0
        self._all: tuple[np.ndarray, np.ndarray] | None = None
        self._ranked: tuple[int, list[int], list[float]] | None = None
        weight, word_queries, article_of = article_context
        if not weight:
            article_of = None
        covering = coverage if coverage[0] and len(coverage[1]) > 1 else None
        if scorer is None and (term_at_a_time or article_of is not None or covering is not None):
            # A shared scorer reads each term once for all the rankings of one search.
            scorer = TermScorer(searcher, lengths)
        if term_at_a_time and scorer is not None:
            scored = scorer.score(query)
            self._scored = admit(scored, admitted, self.rejected) if scored is not None else None
        self._by_numpy = self._scored is not None
        rescoring = scorer is not None and (article_of is not None or covering is not None)
        if rescoring or dates is not None:
            if self._scored is None:  # Whoosh's scores of every match (a phrase narrows them)
                self._scored = Scored(*self.everything())
            if len(self._scored) and article_of is not None and scorer is not None:
                self._scored = self._with_articles(scorer, weight, word_queries, article_of)
            if len(self._scored) and covering is not None and scorer is not None:
                self._scored = self._with_coverage(scorer, *covering)
            if len(self._scored) and dates is not None:  # a factor from the article's date (.temporal)
                self._scored = Scored(self._scored.ids, self._scored.scores * dates(self._scored.ids))

    def _with_articles(
        self, scorer: TermScorer, weight: float, word_queries: tuple[Any, ...], article_of: np.ndarray
    ) -> Scored:
        """The matches with ``weight`` × their article's evidence added (see .article_context)."""
        assert self._scored is not None
        # Every paragraph of the article counts, also one that a phrase or an excluded word
        # keeps out of the results; filters (source, date, author) admit whole articles.
        words = []
        for q in word_queries:
            found = scorer.score(q)
            if found is not None and len(found):
                words.append((found.ids, found.scores))
        evidence = article_evidence(words, article_of)
        ids = self._scored.ids
        return Scored(ids, with_article_evidence(ids, self._scored.scores, article_of, evidence, weight))

    def _with_coverage(
        self, scorer: TermScorer, weight: float, words: tuple[tuple[Any, float], ...]
    ) -> Scored:
        """The matches' scores times their coverage of the query (see .coverage)."""
        assert self._scored is not None
        matched = []
        for q, word_weight in words:
            found = scorer.score(q)
            matched.append((found.ids if found is not None else np.empty(0, dtype=np.int64), word_weight))
        ids = self._scored.ids
        return Scored(ids, self._scored.scores * coverage_factors(ids, matched, weight))

    @property
    def term_at_a_time(self) -> bool:
        """Whether the numpy scorer ranked this query (else Whoosh's matchers did)."""
        return self._by_numpy

    @property
    def rescores(self) -> bool:
        """Whether the proximity bonus applies (a weight and two query words or more)."""
        weight, words = self.proximity
        return bool(weight) and len(words) >= 2

    def head_scores(self) -> list[float]:
        """The best :data:`PROXIMITY_WINDOW` scores before the proximity bonus (a sharded
        search takes the window's floor from all shards' heads: :func:`proximity_floor`)."""
        return [m.score for m in self._top(PROXIMITY_WINDOW)]

    def top(self, n: int) -> list[Match]:
        """The ``n`` best matches (fewer when fewer match)."""
        if not self.rescores:
            return self._top(n)
        # The proximity bonus only adds, so matches below the window's floor keep their
        # order and none of them can overtake a rescored one.
        head = self._rescored_head()
        rest = self._top(n)[len(head) :] if n > len(head) else []
        return [*head, *rest][:n]

    def ordered(self) -> tuple[np.ndarray, np.ndarray]:
        """Every match best first (ties by document number), as :meth:`top` ranks them."""
        ids, scores = self.everything()
        order = np.lexsort((ids, -scores))
        ids, scores = ids[order], scores[order]
        if self.rescores and ids.size:
            head = self._rescored_head()  # a prefix of the order above, reordered
            ids[: len(head)] = [m.docnum for m in head]
            scores[: len(head)] = [m.score for m in head]
        return ids, scores

    def _rescored_head(self) -> list[Match]:
        """The window's matches, proximity bonus added, best first (computed once)."""
        if self._head is not None:
            return [Match(m.docnum, m.score, self.searcher, m._fields) for m in self._head]
        weight, words = self.proximity
        floor = self.proximity_floor
        if floor is None:
            scores = self.head_scores()
            floor = scores[-1] if len(scores) == PROXIMITY_WINDOW else -math.inf
        head = _at_least(self._top, floor)
        bonus = proximity_bonus(self.searcher.reader(), [m.docnum for m in head], words, self.body_reads)
        for m in head:
            m.score += weight * bonus.get(m.docnum, 0.0)
        head.sort(key=lambda m: (-m.score, m.docnum))
        self._head = head
        return [Match(m.docnum, m.score, self.searcher, m._fields) for m in head]

    def _top(self, n: int) -> list[Match]:
        if self._scored is not None:
            if self._ranked is None or self._ranked[0] != n:  # the window asks twice for the same n
                ranked = top(self._scored, n)
                self._ranked = (n, ranked.docnums, ranked.scores)
            _, docnums, scores = self._ranked
            return [Match(d, s, self.searcher) for d, s in zip(docnums, scores, strict=True)]
        if self._whoosh_results is None or self._window != n:  # (the window asks twice, too)
            self._whoosh_results = top_matches(self.searcher, self.query, self.admitted, n, self.rejected)
            self._window = n
        # iter() first: list() would call len(results), which counts every match.
        return [Match(h.docnum, h.score, self.searcher) for h in iter(self._whoosh_results)]

    def everything(self) -> tuple[np.ndarray, np.ndarray]:
        """Every match: document numbers (ascending) and scores (for facets and date orders)."""
        if self._scored is not None:
            return self._scored.ids, self._scored.scores
        if self._all is None and self.admitted is not None and not self.admitted:
            # Whoosh would read an empty filter as none (and count every match)
            self._all = (np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64))
        if self._all is None:
            found = self.searcher.search(self.query, limit=None, filter=self.admitted, mask=self.rejected)
            pairs = sorted((h.docnum, h.score or 0.0) for h in iter(found))
            self._all = (
                np.array([d for d, _ in pairs], dtype=np.int64),
                np.array([sc for _, sc in pairs], dtype=np.float64),
            )
        return self._all

    def in_order(self, columns: Columns, sort: str, wanted: int, max_per_article: int | None) -> list[Match]:
        """The first ``wanted`` matches (collapsed per article) by date (``sort``: newest, oldest)."""
        ids, scores = self.everything()
        ordered = date_order(columns, ids, newest=sort == "newest")
        kept = collapse_ordered(columns, ordered, max_per_article, wanted)
        at = np.searchsorted(ids, kept).tolist()
        return [Match(d, float(scores[i]), self.searcher) for d, i in zip(kept.tolist(), at, strict=True)]

    def count(self) -> tuple[int, bool]:
        """(number of matches, exact?): Whoosh's are counted up to ``TOTAL_COUNT_CAP``."""
        if self._scored is not None:
            return len(self._scored), True
        results = self._whoosh_results
        if results is not None and results.scored_length() < self._window:
            return results.scored_length(), True  # the search already saw every match
        n = 0
        for docnum in self.searcher.docs_for_query(self.query):
            if self.admitted is not None and docnum not in self.admitted:
                continue
            if self.rejected is not None and docnum in self.rejected:
                continue
            n += 1
            if n >= TOTAL_COUNT_CAP:
                return n, False
        return n, True
