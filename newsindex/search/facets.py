"""Facet counts: how the matches spread over sources, authors, years and months.

A pure function of the metadata columns (:mod:`.columns`) and the matching
document numbers: one ``np.bincount`` per facet, no stored fields read. Counts
are plain ``{value: count}`` mappings, so the counts of several indexes (shards)
over disjoint documents add up key by key.

Every matching passage is counted once per single-valued facet (``source``,
``year``, ``month``): passages without a value count under ``""``, so the counts
sum to the total. ``author`` is multi-valued (an article by two authors counts
for both, see :func:`~newsindex.search.columns.split_authors`), and a passage
without an author counts under ``""``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

from .columns import Columns

__all__ = ["FACETS", "check_facets", "count_facets", "merge_facets"]

FACETS = ("source", "author", "year", "month")
NO_VALUE = ""


def check_facets(names: Iterable[str] | str | None) -> tuple[str, ...]:
    """The facet names asked for, checked (``ValueError`` for an unknown one)."""
    if not names:
        return ()
    if isinstance(names, str):
        names = [n for n in names.split(",")]
    out: list[str] = []
    for name in names:
        name = name.strip().lower()
        if name not in FACETS:
            raise ValueError(f"unknown facet {name!r} (use {', '.join(FACETS)})")
        if name not in out:
            out.append(name)
    return tuple(out)


def _ordered(counts: dict[str, int], *, by_value: bool) -> dict[str, int]:
    """Most frequent first (dates: in calendar order), ``""`` last."""
    if by_value:
        items = sorted(counts.items(), key=lambda kv: (kv[0] == NO_VALUE, kv[0]))
    else:
        items = sorted(counts.items(), key=lambda kv: (kv[0] == NO_VALUE, -kv[1], kv[0]))
    return dict(items)


def _named(counts: np.ndarray, names: tuple[str, ...] | list[str], missing: int) -> dict[str, int]:
    out = {names[i]: int(counts[i]) for i in np.flatnonzero(counts).tolist()}
    if missing:
        out[NO_VALUE] = out.get(NO_VALUE, 0) + missing
    return out


def count_facets(columns: Columns, docnums: np.ndarray, names: tuple[str, ...]) -> dict[str, dict[str, int]]:
    """``{facet: {value: count}}`` over the documents ``docnums`` (global numbers)."""
    if not names:
        return {}
    articles = columns.article[np.asarray(docnums, dtype=np.int64)]
    articles = articles[articles >= 0]
    n_articles = len(columns.article_ids)
    # Passages per article: every facet below is a property of the article.
    per_article = np.bincount(articles, minlength=n_articles)
    out: dict[str, dict[str, int]] = {}
    for name in names:
        if name == "source":
            src = columns.source
            has = src >= 0
            counts = np.bincount(src[has], weights=per_article[has], minlength=len(columns.source_names))
            missing = int(per_article[~has].sum())
            out[name] = _ordered(
                _named(counts.astype(np.int64), columns.source_names, missing), by_value=False
            )
        elif name == "author":
            ptr = columns.author_ptr
            n_auth = np.diff(ptr)
            weights = np.repeat(per_article, n_auth)
            counts = np.bincount(columns.author_ids, weights=weights, minlength=len(columns.author_names))
            missing = int(per_article[n_auth == 0].sum())
            out[name] = _ordered(
                _named(counts.astype(np.int64), columns.author_names, missing), by_value=False
            )
        else:
            months = columns.month
            has = months >= 0
            missing = int(per_article[~has].sum())
            keys = months[has] // 12 if name == "year" else months[has]
            base = int(keys.min()) if keys.size else 0
            span = range(base, int(keys.max()) + 1) if keys.size else range(0)
            fmt = [f"{k:04d}" if name == "year" else f"{k // 12:04d}-{k % 12 + 1:02d}" for k in span]
            counts = np.bincount(keys - base, weights=per_article[has], minlength=len(fmt))
            out[name] = _ordered(_named(counts.astype(np.int64), fmt, missing), by_value=True)
    return out


def merge_facets(parts: Iterable[Mapping[str, Mapping[str, int]]]) -> dict[str, dict[str, int]]:
    """The facet counts of several indexes (shards) over disjoint documents, added up."""
    total: dict[str, dict[str, int]] = {}
    for facets in parts:
        for name, counts in facets.items():
            into = total.setdefault(name, {})
            for value, n in counts.items():
                into[value] = into.get(value, 0) + int(n)
    return {name: _ordered(counts, by_value=name in ("year", "month")) for name, counts in total.items()}
