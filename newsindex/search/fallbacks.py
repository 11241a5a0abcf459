"""What a search tries when it finds nothing, and how it says so.

One index (:mod:`.searching`) and a sharded index (:mod:`newsindex.distributed.coordinate`)
decide the fallbacks in the same order and word their notes the same way:
a phrase no passage has word for word is relaxed to all its words, then to some
of them; a query that matches nothing is searched again with its spelling
suggestion. Matches (``total``), not a page's hits, decide: a page past the last
match is empty without the query having failed.
"""

from __future__ import annotations

from dataclasses import replace

from .query_syntax import QueryPlan
from .results import Results

__all__ = ["looser_plans", "phrase_note", "with_author", "with_correction"]


def with_author(plan: QueryPlan, author: str | None) -> QueryPlan:
    """``plan`` with the ``author=`` keyword of a request added to its ``author:`` filters."""
    if author and author.strip():
        return replace(plan, author=[*plan.author, author])
    return plan


def looser_plans(plan: QueryPlan) -> tuple[tuple[QueryPlan, str], ...]:
    """The phrase fallbacks of ``plan``, in order, each with how its note names it.

    Quotation marks in pasted text ("sagte, „wir …“") make phrases that rarely match
    word for word: rather than nothing, passages with all the phrases' words, and only
    when there are none, with some of them.
    """
    return (
        (replace(plan, required=[*plan.required, *plan.phrases], phrases=[]), "all its words"),
        (replace(plan, text=[*plan.text, *plan.phrases], phrases=[]), "some of its words"),
    )


def phrase_note(plan: QueryPlan, which: str) -> str:
    """The note of a phrase fallback (``which``: from :func:`looser_plans`)."""
    quoted = ", ".join(f"„{p}“" for p in plan.phrases)
    return f"no passage has the exact wording {quoted}; showing passages with {which}"


def with_correction(results: Results, again: Results, query: str) -> Results:
    """``again`` (the results of ``results.suggestion``) shown for ``query``, and noted."""
    note = f"nothing matched „{query}“; showing results for „{results.suggestion}“"
    notes = tuple(dict.fromkeys((*results.notes, note, *again.notes)))
    return replace(again, query=query, suggestion=results.suggestion, notes=notes)
