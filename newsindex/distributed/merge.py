"""Merge the shards' results of one search into the results one index would give.

Each shard returns its best ``wanted`` passages (already collapsed per article:
an article's paragraphs all live in one shard, so collapsing is shard-local),
scored with global statistics. The merge sorts them by score and takes the best
``wanted``; the totals add up.

Ties: one Whoosh index breaks score ties by document number, which depends on
the order articles were indexed in and differs between one index and shards.
The merge breaks them by ``(article_id, paragraph)`` instead, the same on any
number of shards. Which of several equally scored passages makes the cut at the
end of a page can therefore differ from a single index; the set of scores never does.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime

from ..search.facets import merge_facets
from ..search.ranking import TOTAL_COUNT_CAP
from ..search.results import ArticleGroup, Hit, Results
from ..search.searching import MAX_LIMIT

__all__ = ["date_order_key", "hit_order", "merge_results"]

_EPOCH = datetime(1970, 1, 1)


def hit_order(hit: Hit) -> tuple[float, str, int]:
    """The merged order: best score first, ties by article id, then paragraph."""
    return (-hit.score, hit.article_id, hit.paragraph)


def _timestamp(published: date | datetime | None) -> float:
    """Seconds since 1970 as :mod:`newsindex.search.columns` counts them (naive = UTC)."""
    if published is None:
        return math.nan
    if not isinstance(published, datetime):  # a day without a time is stored as its midnight
        published = datetime(published.year, published.month, published.day)
    if published.tzinfo is not None:
        published = published.astimezone(UTC).replace(tzinfo=None)
    return (published - _EPOCH).total_seconds()


def date_order_key(newest: bool) -> Callable[[Hit], tuple[bool, float, str, int]]:
    """The order of ``sort="newest"``/``"oldest"`` (:func:`newsindex.search.sorting.date_order`):
    undated last, then by date, article id, paragraph."""

    def key(hit: Hit) -> tuple[bool, float, str, int]:
        ts = _timestamp(hit.published)
        undated = math.isnan(ts)
        return (undated, 0.0 if undated else (-ts if newest else ts), hit.article_id, hit.paragraph)

    return key


def _unique(items: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def merge_results(
    query: str,
    parts: Sequence[Results],
    *,
    limit: int,
    max_per_article: int | None,
    group_by_article: bool,
    suggest_words: bool = True,
    offset: int = 0,
) -> Results:
    """One :class:`Results` from every shard's results for the same request.

    Each shard answered from its first hit to ``offset + limit`` (see
    :func:`.coordinate.shard_request`); the page is cut from the merged order here.
    """
    limit = max(1, min(int(limit), MAX_LIMIT))
    sort = parts[0].sort if parts else "relevance"
    browse = bool(parts) and all(part.browse for part in parts)
    key = hit_order if sort == "relevance" else date_order_key(newest=sort == "newest")
    everything = sorted((h for part in parts for h in part.hits), key=key)
    groups: tuple[ArticleGroup, ...] = ()
    if group_by_article:
        # As one index: ranks count the merged passages; the page is cut in articles.
        ranked = [replace(h, rank=i + 1) for i, h in enumerate(everything)]
        order: dict[str, list[Hit]] = {}
        for h in ranked:
            order.setdefault(h.article_id, []).append(h)
        groups = tuple(
            ArticleGroup(aid, hs[0].title, hs[0].score, tuple(hs))
            for aid, hs in list(order.items())[offset : offset + limit]
        )
        hits = tuple(h for g in groups for h in g.hits)
    else:
        page = everything[offset : offset + limit]
        hits = tuple(replace(h, rank=offset + i + 1) for i, h in enumerate(page))
    if all(part.total_exact for part in parts):
        total, exact = sum(part.total for part in parts), True
    else:  # one index stops counting at the cap too
        total, exact = TOTAL_COUNT_CAP, False
    suggestion = None
    if suggest_words and (total == 0 or len(hits) < 3):
        # Every shard asked for one then (each had fewer hits), from the same
        # union vocabulary and global frequencies: the first shard's stands.
        suggestion = next((p.suggestion for p in parts if p.suggestion), None)
    notes = _unique([n for part in parts for n in part.notes])
    facets = merge_facets(part.facets for part in parts) if parts and parts[0].facets else {}
    if parts and parts[0].facets:
        facets = {name: facets.get(name, {}) for name in parts[0].facets}  # the order asked for
    return Results(
        query, hits, int(total), 0.0, suggestion, notes, groups,
        total_exact=exact, offset=offset, sort=sort, facets=facets, browse=browse,
    )
