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
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from whoosh.searching import Searcher

from ..analysis import AnalysisChain
from ..index.vocabulary import Vocabularies
from ..search.query_syntax import QueryPlan, parse_query
from ..search.request import SearchOptions, SearchRequest
from ..search.results import Results
from ..search.searching import _Search
from ..search.term_scoring import FieldLengths
from .merge import merge_results

__all__ = ["Scatter", "coordinate", "shard_search"]

# Runs one plan on every shard (fallbacks off) and returns each shard's results.
Scatter = Callable[[QueryPlan, SearchOptions, bool], Sequence[Results]]


def shard_search(
    searcher: Searcher,
    chain: AnalysisChain,
    request: SearchRequest,
    options: SearchOptions,
    vocabularies: Vocabularies | None,
    lengths: FieldLengths | None,
    plan: QueryPlan,
    suggest_words: bool,
) -> Results:
    """One shard's results for ``plan`` (its best passages, collapsed, scored by ``searcher``)."""
    search = _Search(searcher, chain, request, options, vocabularies, lengths)
    return search.run(plan, suggest_words=suggest_words)


def coordinate(request: SearchRequest, options: SearchOptions, scatter: Scatter) -> Results:
    """The merged results of ``request`` over all shards (see the module docstring)."""
    t0 = time.perf_counter()
    quiet = replace(options, typo_fallback=False, phrase_fallback=False)

    def once(plan: QueryPlan, suggest_words: bool = True) -> Results:
        return merge_results(
            request.query,
            scatter(plan, quiet, suggest_words),
            limit=request.limit,
            max_per_article=request.max_per_article,
            group_by_article=request.group_by_article,
            suggest_words=suggest_words,
        )

    plan = parse_query(request.query)
    results = once(plan)
    if not results.hits and plan.phrases and options.phrase_fallback:
        quoted = ", ".join(f"„{p}“" for p in plan.phrases)
        looser: tuple[tuple[QueryPlan, str], ...] = (
            (replace(plan, required=[*plan.required, *plan.phrases], phrases=[]), "all its words"),
            (replace(plan, text=[*plan.text, *plan.phrases], phrases=[]), "some of its words"),
        )
        for loose, which in looser:
            relaxed = once(loose)
            if relaxed.hits:
                note = f"no passage has the exact wording {quoted}; showing passages with {which}"
                results = replace(relaxed, notes=_unique((*results.notes, note, *relaxed.notes)))
                break
    if results.total == 0 and results.suggestion and options.typo_fallback:
        again = once(parse_query(results.suggestion), suggest_words=False)
        if again.hits:
            note = f"nothing matched „{request.query}“; showing results for „{results.suggestion}“"
            results = replace(
                again,
                query=request.query,
                suggestion=results.suggestion,
                notes=_unique((*results.notes, note, *again.notes)),
            )
    return replace(results, elapsed_ms=(time.perf_counter() - t0) * 1000)


def _unique(notes: Sequence[Any]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(notes))
