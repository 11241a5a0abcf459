"""BM25F as a pure array function (bm25s style), shared by the numpy scorer.

Whoosh's ``BM25F`` scores one posting at a time; :func:`bm25f_scores` is the same
formula over whole arrays, operation for operation, so the floats agree with
Whoosh's (the oracle tests in tests/test_term_scoring.py compare the two).
"""

from __future__ import annotations

import numpy as np

__all__ = ["bm25f_scores", "normalised_tf", "title_gain"]


def bm25f_scores(
    tf: np.ndarray, field_len: np.ndarray, avg_len: float, idf: float, k1: float, b: float
) -> np.ndarray:
    """BM25 scores of one term in one field for many documents.

    ``tf`` are the term's (possibly weighted) frequencies, ``field_len`` the
    documents' lengths of the field, ``avg_len`` its mean length in the index,
    ``idf`` the term's inverse document frequency, ``k1`` the saturation and
    ``b`` the length normalisation of the field.
    """
    # The order of operations is Whoosh's bm25(), so the float results are identical.
    return idf * ((tf * (k1 + 1)) / (tf + k1 * ((1 - b) + b * field_len / avg_len)))


def normalised_tf(tf: np.ndarray, field_len: np.ndarray, avg_len: float, b: float) -> np.ndarray:
    """BM25F's length-normalised frequency of a term in one field: ``tf / B``."""
    return tf / ((1 - b) + b * field_len / avg_len)


def title_gain(
    body_x: np.ndarray, title_x: np.ndarray, idf: float, k1: float, title_weight: float
) -> np.ndarray:
    """What a word's title occurrences add to its body score under BM25F.

    BM25F (Robertson & Zaragoza) weighs and sums a term's normalised frequencies
    over the fields *before* saturating them once: ``body_x + title_weight ×
    title_x``. Added to the body's own BM25 score (``body_x`` saturated), this gain
    makes the pair score as one field, so a word already frequent in the body gains
    little from the title, and a word the body lacks gains the title's saturated
    evidence. ``body_x`` is 0 where the body lacks the word.
    """
    both = body_x + title_weight * title_x
    return idf * ((both * (k1 + 1)) / (both + k1) - (body_x * (k1 + 1)) / (body_x + k1))
