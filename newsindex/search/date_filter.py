"""Date ranges as unions of calendar terms (see ``period`` in the index schema)."""

from __future__ import annotations

import threading
from calendar import monthrange
from datetime import date, timedelta
from weakref import WeakKeyDictionary

from whoosh import query as wq
from whoosh.reading import IndexReader

from ..index.schema import PERIOD

__all__ = ["day_range", "period_cover", "period_query"]


def _day(term: bytes | str) -> date:
    t = term.decode() if isinstance(term, bytes) else term
    return date(int(t[1:5]), int(t[5:7]), int(t[7:9]))


# A reader is a fixed view of the index (its lexicon never changes), and a
# searcher keeps its reader until a commit: the walk is made once per reader.
_SPANS: WeakKeyDictionary[IndexReader, tuple[date, date] | None] = WeakKeyDictionary()
_SPANS_LOCK = threading.Lock()


def day_range(reader: IndexReader) -> tuple[date, date] | None:
    """The first and last publication day in the index, or ``None`` when no
    passage has a date. Read from the lexicon, not the documents: the year terms
    first (a few), then the day terms of the first and last year only; once per reader."""
    try:
        with _SPANS_LOCK:
            return _SPANS[reader]
    except KeyError:
        pass
    except TypeError:  # a reader that cannot be weakly referenced
        return _day_range(reader)
    span = _day_range(reader)
    with _SPANS_LOCK:
        _SPANS[reader] = span
    return span


def _day_range(reader: IndexReader) -> tuple[date, date] | None:
    years = [t.decode() if isinstance(t, bytes) else t for t in reader.expand_prefix(PERIOD, "y")]
    if not years:
        return None
    first = next(iter(reader.expand_prefix(PERIOD, "d" + years[0][1:])))
    *_, last = reader.expand_prefix(PERIOD, "d" + years[-1][1:])
    return _day(first), _day(last)


def period_cover(start: date, end: date) -> list[str]:
    """The fewest ``period`` terms whose days are exactly ``start``..``end``."""
    terms: list[str] = []
    d = start
    while d <= end:
        year_end = date(d.year, 12, 31)
        month_end = date(d.year, d.month, monthrange(d.year, d.month)[1])
        if d.month == 1 and d.day == 1 and year_end <= end:
            terms.append(f"y{d.year:04d}")
            last = year_end
        elif d.day == 1 and month_end <= end:
            terms.append(f"m{d.year:04d}{d.month:02d}")
            last = month_end
        else:
            terms.append(f"d{d.year:04d}{d.month:02d}{d.day:02d}")
            last = d
        if last >= end:
            break
        d = last + timedelta(days=1)
    return terms


def period_query(reader: IndexReader, since: date | None, until: date | None) -> wq.Query:
    """Passages published ``since``..``until`` (inclusive; either may be open).

    Open ends are clamped to the index's own first and last day, so an open range
    costs no more terms than a closed one.
    """
    span = day_range(reader)
    lo = since if since is not None else (span[0] if span else None)
    hi = until if until is not None else (span[1] if span else None)
    if span is None or lo is None or hi is None or lo > hi:
        return wq.NullQuery
    lo, hi = max(lo, span[0]), min(hi, span[1])
    if lo > hi:
        return wq.NullQuery
    q = wq.Or([wq.Term(PERIOD, t) for t in period_cover(lo, hi)])
    # The union-tree matcher is lazy: Whoosh's default for small segments would
    # read every posting of every term first.
    q.matcher_type = wq.Or.DEFAULT_MATCHER
    return q
