"""Query coverage: a passage that contains more of the query's words ranks higher.

BM25 sums each word's score, so a passage that repeats one rare word of a
question can outscore one that contains all of them once; with low saturation
(``bm25_k1`` 0.6) that is rarer, not gone. Lucene's classic scoring multiplied
by the share of query clauses matched ("coord"); a multiplier of that share
alone cuts too hard (MRR@10 on the known items fell 0.903 → 0.892). Here the
share is weighted by each word's idf, so missing a rare word costs more than
missing a common one, and it enters as ``1 + weight × share``
(``SearchOptions.coverage_weight``): a passage with every word of the query
scores up to twice what it would, one with a single word of three a little
more than its BM25. It only reorders: it never makes or removes a match.

A word counts as contained when any of its ``body`` terms (readings, compound
parts, synonyms) matches, as in :mod:`.article_context`. The factor depends on
the passage's own terms and on global idf only, so a sharded index gives every
passage the same factor as one index does.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["coverage_factors"]


def coverage_factors(ids: np.ndarray, words: Sequence[tuple[np.ndarray, float]], weight: float) -> np.ndarray:
    """``1 + weight × share`` for each of ``ids`` (ascending), the share being the summed
    weight of the ``words`` whose matches (ascending document numbers) contain the
    document, over the summed weight of all ``words``. Ones when fewer than two words weigh."""
    weighing = [(matched, w) for matched, w in words if w > 0]
    total = sum(w for _, w in weighing)
    if weight <= 0 or len(weighing) < 2 or not ids.size:
        return np.ones(ids.size, dtype=np.float64)
    share = np.zeros(ids.size, dtype=np.float64)
    for matched, w in weighing:
        if matched.size:  # the matches are sorted: a binary search per document
            at = np.minimum(np.searchsorted(matched, ids), matched.size - 1)
            share += w * (matched[at] == ids)
    factors: np.ndarray = 1.0 + weight * (share / total)  # (weight / total may overflow)
    return factors
