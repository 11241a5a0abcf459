"""Browsing: a query of filters alone (or none) lists the matching articles.

One hit per article, its lead paragraph (paragraph 0), newest first by default;
``total`` counts articles. Filters (``source:``, ``author:``, ``date:``) hold for
every paragraph of an article alike, so an article matches when its lead does;
an excluded word (``-Putin``) removes the articles with it in any paragraph.
"""

from __future__ import annotations

import numpy as np

from .columns import Columns
from .sorting import lead_docs, live_docs

__all__ = ["browse_leads"]


def browse_leads(columns: Columns, filtered: set[int] | None, rejected: set[int] | None) -> np.ndarray:
    """The lead paragraphs of the articles a filter admits (``None``: all) and no exclusion removes."""
    if filtered is None:
        ids = live_docs(columns)
    else:
        ids = np.fromiter(filtered, dtype=np.int64, count=len(filtered))
        ids.sort()
    leads = lead_docs(columns, ids)
    if rejected:
        gone = np.unique(columns.article[np.fromiter(rejected, dtype=np.int64, count=len(rejected))])
        leads = leads[~np.isin(columns.article[leads], gone)]
    return leads
