"""One sharded search, coordinated: the query on every shard, the results merged,
and the fallbacks (phrase, typo) decided on the merged results as one index decides them.

A shard must not fall back on its own: a shard without an exact phrase match would
rank loose matches while another shard has exact ones. So each shard runs with the
fallbacks off, and the coordinator runs the looser queries on every shard when the
whole collection found nothing, exactly as :func:`newsindex.search.searching.run_search`
does for one index.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Protocol

from whoosh.searching import Searcher

from ..analysis import AnalysisChain
from ..index.vocabulary import Vocabularies
from ..search.columns import ColumnCache
from ..search.fallbacks import looser_plans, phrase_note, with_correction
from ..search.query_syntax import QueryPlan, parse_query
from ..search.ranking import proximity_floor
from ..search.request import SearchOptions, SearchRequest
from ..search.results import Results
from ..search.searching import _Search
from ..search.term_scoring import FieldLengths
from .merge import merge_results

__all__ = ["Scatter", "coordinate", "shard_head_scores", "shard_request", "shard_search", "shard_searcher"]


class Scatter(Protocol):
    """Runs one plan on every shard (fallbacks off), in two steps when the proximity
    bonus applies: every shard's best scores before it (:meth:`heads`), then every
    shard's results with the window's floor decided over all of them."""

    def heads(self, plan: QueryPlan, options: SearchOptions) -> Sequence[Sequence[float]]:
        """Each shard's :func:`shard_head_scores`."""
        ...

    def __call__(
        self, plan: QueryPlan, options: SearchOptions, suggest_words: bool, floor: float | None
    ) -> Sequence[Results]:
        """Each shard's :func:`shard_search` results."""
        ...


def shard_searcher(
    searcher: Searcher,
    chain: AnalysisChain,
    request: SearchRequest,
    options: SearchOptions,
    vocabularies: Vocabularies | None,
    lengths: FieldLengths | None,
    columns: ColumnCache | None = None,
) -> _Search:
    """One shard's search for ``request`` (the shard's request: see :func:`shard_request`);
    ``columns`` are the shard's metadata columns, kept across searches. Kept for both steps
    of a search, its scorer reads and combines each term once."""
    search = _Search(searcher, chain, request, options, vocabularies, lengths, columns)
    # One index caps a page at MAX_LIMIT hits *after* the offset; a shard's request
    # reaches from 0 to offset + limit (at most MAX_OFFSET), so it is not capped again.
    search.limit = max(1, int(request.limit))
    return search


def shard_head_scores(search: _Search, plan: QueryPlan) -> list[float]:
    """One shard's best scores of ``plan`` before the proximity bonus (``[]``: no bonus)."""
    return search.head_scores(plan)


def shard_search(search: _Search, plan: QueryPlan, suggest_words: bool, floor: float | None) -> Results:
    """One shard's results for ``plan``: its best passages, collapsed; the proximity bonus
    rescores its passages scoring at least ``floor`` (``None``: no shard rescores)."""
    return search.run(plan, suggest_words=suggest_words, proximity_floor=floor)


def shard_request(request: SearchRequest) -> SearchRequest:
    """What each shard is asked for: everything up to the end of the page, from the start.

    Paging is the coordinator's: the page after ``offset`` hits of the merged order
    is among the first ``offset + limit`` of some shards', never further down.
    """
    return replace(request, offset=0, limit=request.offset + request.limit)


def coordinate(request: SearchRequest, options: SearchOptions, scatter: Scatter) -> Results:
    """The merged results of ``request`` over all shards (see the module docstring)."""
    t0 = time.perf_counter()
    quiet = replace(options, typo_fallback=False, phrase_fallback=False)

    def once(plan: QueryPlan, suggest_words: bool = True) -> Results:
        # The proximity window is the best PROXIMITY_WINDOW scores of all shards, not of each.
        floor = proximity_floor(scatter.heads(plan, quiet)) if quiet.proximity_weight else None
        return merge_results(
            request.query,
            scatter(plan, quiet, suggest_words, floor),
            limit=request.limit,
            max_per_article=request.max_per_article,
            group_by_article=request.group_by_article,
            suggest_words=suggest_words,
            offset=request.offset,
        )

    plan = parse_query(request.query)
    results = once(plan)
    if results.total == 0 and plan.phrases and options.phrase_fallback:
        for loose, which in looser_plans(plan):
            relaxed = once(loose)
            if relaxed.total:
                notes = tuple(dict.fromkeys((*results.notes, phrase_note(plan, which), *relaxed.notes)))
                results = replace(relaxed, notes=notes)
                break
    if results.total == 0 and results.suggestion and options.typo_fallback:
        again = once(parse_query(results.suggestion), suggest_words=False)
        if again.total:
            results = with_correction(results, again, request.query)
    return replace(results, elapsed_ms=(time.perf_counter() - t0) * 1000)

