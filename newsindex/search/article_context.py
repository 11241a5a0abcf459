"""Article evidence: a passage's article also matches the query's other words.

A passage is scored on its own words, but it is read as part of its article: a
question's words are often spread over the article (the title's *Gründung* in the
lead, *Stiftung Warentest* two paragraphs on). Each query word's best score in
any paragraph of an article, summed over the words, is the article's evidence
(a BM25 of the article whose term frequency saturates at its best paragraph);
``weight`` × that evidence is added to every matching passage of the article.
Passage retrieval with document context (for instance MaxP-style document
evidence in TREC passage tasks) does the same.

Pure array functions, like :mod:`.bm25`: the caller passes each word's scored
matches and every document's article number.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["article_evidence", "with_article_evidence"]


def _best_per_article(articles: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct article numbers (ascending) and the best score of each."""
    if not articles.size:
        return articles, scores
    # An article's paragraphs are neighbours in document order: reduce each run first
    # (linear), then only the runs, far fewer than the postings of a common word.
    starts = np.flatnonzero(np.concatenate(([True], articles[1:] != articles[:-1])))
    run_articles = articles[starts]
    run_best = np.maximum.reduceat(scores, starts)
    distinct, where = np.unique(run_articles, return_inverse=True)
    best = np.full(distinct.size, -np.inf)
    np.maximum.at(best, where, run_best)
    return distinct, best


def article_evidence(
    word_matches: Sequence[tuple[np.ndarray, np.ndarray]], article_of: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per article, the sum over the query's words of the word's best passage score.

    ``word_matches`` holds each word's matching documents and their scores;
    ``article_of`` maps a document number to its article number (-1: none, such a
    document has no article evidence). Returns the article numbers (ascending)
    and their evidence.
    """
    found_articles: list[np.ndarray] = []
    found_scores: list[np.ndarray] = []
    for ids, scores in word_matches:
        if not ids.size:
            continue
        articles = article_of[ids]
        known = articles >= 0
        best_articles, best_scores = _best_per_article(articles[known], scores[known])
        found_articles.append(best_articles)
        found_scores.append(best_scores)
    if not found_articles:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
    articles, where = np.unique(np.concatenate(found_articles), return_inverse=True)
    return articles, np.bincount(where, weights=np.concatenate(found_scores), minlength=articles.size)


def with_article_evidence(
    ids: np.ndarray,
    scores: np.ndarray,
    article_of: np.ndarray,
    evidence: tuple[np.ndarray, np.ndarray],
    weight: float,
) -> np.ndarray:
    """``scores`` of the documents ``ids`` plus ``weight`` × their article's evidence."""
    articles, amounts = evidence
    if not articles.size or not ids.size:
        return scores
    mine = article_of[ids]
    at = np.clip(np.searchsorted(articles, mine), 0, articles.size - 1)
    has = (mine >= 0) & (articles[at] == mine)
    return scores + weight * np.where(has, amounts[at], 0.0)
