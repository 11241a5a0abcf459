"""BM25F as a pure array function (bm25s style), shared by the numpy scorer.

Whoosh's ``BM25F`` scores one posting at a time; :func:`bm25f_scores` is the same
formula over whole arrays, operation for operation, so the floats agree with
Whoosh's (the oracle tests in tests/test_term_scoring.py compare the two).
"""

from __future__ import annotations

import numpy as np

__all__ = ["bm25f_scores"]


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
