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

from collections.abc import Sequence
from dataclasses import replace

from ..search.results import ArticleGroup, Hit, Results
from ..search.searching import MAX_LIMIT, TOTAL_COUNT_CAP

__all__ = ["hit_order", "merge_results"]


def hit_order(hit: Hit) -> tuple[float, str, int]:
    """The merged order: best score first, ties by article id, then paragraph."""
    return (-hit.score, hit.article_id, hit.paragraph)


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
) -> Results:
    """One :class:`Results` from every shard's results for the same request."""
    limit = max(1, min(int(limit), MAX_LIMIT))
    wanted = min(MAX_LIMIT, limit * (max_per_article or 3)) if group_by_article else limit
    merged = sorted((h for part in parts for h in part.hits), key=hit_order)[:wanted]
    hits = tuple(replace(h, rank=i + 1) for i, h in enumerate(merged))
    groups: tuple[ArticleGroup, ...] = ()
    if group_by_article:
        order: dict[str, list[Hit]] = {}
        for h in hits:
            order.setdefault(h.article_id, []).append(h)
        groups = tuple(
            ArticleGroup(aid, hs[0].title, hs[0].score, tuple(hs)) for aid, hs in list(order.items())[:limit]
        )
        hits = tuple(h for g in groups for h in g.hits)
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
    return Results(query, hits, int(total), 0.0, suggestion, notes, groups, total_exact=exact)
