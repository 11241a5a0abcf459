"""Orders other than relevance, the per-article cap on whole match lists, and paging limits.

Date orders sort every match by its article's publication time (newest or
oldest first), undated articles last in both, ties broken by article id and
then paragraph, so the order (and every page of it) is the same on every run.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from .columns import Columns

__all__ = [
    "MAX_OFFSET",
    "SORTS",
    "Sort",
    "check_sort",
    "collapse_ordered",
    "date_order",
    "lead_docs",
    "live_docs",
]

Sort = Literal["relevance", "newest", "oldest"]
SORTS: tuple[Sort, ...] = ("relevance", "newest", "oldest")
# Like Elasticsearch's max_result_window: offset + limit at most this; beyond it,
# take every match with NewsIndex.export.
MAX_OFFSET = 10_000


def check_sort(value: str | None) -> Sort | None:
    """``value`` as a sort order (``None``: the default), or ``ValueError``."""
    if value is None:
        return None
    for known in SORTS:
        if value == known:
            return known
    raise ValueError(f"unknown sort {value!r} (use {', '.join(SORTS)})")


def date_order(columns: Columns, ids: np.ndarray, *, newest: bool) -> np.ndarray:
    """``ids`` (global document numbers) in date order; undated last, then article id, paragraph."""
    ids = np.asarray(ids, dtype=np.int64)
    if not ids.size:
        return ids
    articles = columns.article[ids]
    ts = columns.published[articles]
    undated = np.isnan(ts)
    key = np.where(undated, 0.0, -ts if newest else ts)
    # np.lexsort: the last key is the primary one.
    order = np.lexsort((columns.paragraph[ids], columns.article_rank[articles], key, undated))
    return ids[order]


def collapse_ordered(
    columns: Columns, ids: np.ndarray, max_per_article: int | None, wanted: int
) -> np.ndarray:
    """The first ``wanted`` of ``ids`` (in order) keeping at most ``max_per_article`` per article."""
    ids = np.asarray(ids, dtype=np.int64)
    if not max_per_article or not ids.size:
        return ids[:wanted]
    articles = columns.article[ids]
    perm = np.argsort(articles, kind="stable")
    grouped = articles[perm]
    starts = np.flatnonzero(np.r_[True, grouped[1:] != grouped[:-1]])
    sizes = np.diff(np.r_[starts, grouped.size])
    occurrence = np.empty(ids.size, dtype=np.int64)
    occurrence[perm] = np.arange(grouped.size) - np.repeat(starts, sizes)
    return ids[occurrence < max_per_article][:wanted]


def lead_docs(columns: Columns, ids: np.ndarray) -> np.ndarray:
    """The documents among ``ids`` that are their article's first paragraph (paragraph 0)."""
    ids = np.asarray(ids, dtype=np.int64)
    leads: np.ndarray = ids[columns.paragraph[ids] == 0]
    return leads


def live_docs(columns: Columns) -> np.ndarray:
    """Every document number that is not deleted, ascending (the columns mark deleted ones ``-1``)."""
    alive: np.ndarray = np.flatnonzero(columns.article >= 0).astype(np.int64)
    return alive
