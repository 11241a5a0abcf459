"""Questions about a time: a year in the query raises the passages of articles published in it.

News questions name the year of what they ask about (*Wie hoch war die Wahlbeteiligung
bei der Bundestagswahl 2005?*, *Warum legte der Dax Anfang Dezember 2011 deutlich zu?*),
and the article that answers is usually published that year, often without writing the
year in the paragraph. The year still counts as a word of the query; the article's date
only multiplies the score of passages that match on their own words, so it reorders and
never adds a match. It depends on the passage's own article alone, so it is exact on a
sharded index.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np

from .columns import Columns

__all__ = ["FIRST_YEAR", "LAST_YEAR", "date_factors", "years_asked"]

# Four digits in this range read as a year ("1848", "2011"), not as a number ("4500").
FIRST_YEAR = 1900
LAST_YEAR = 2099

_YEAR = re.compile(r"(?<![\d.,:/-])(19\d\d|20\d\d)(?![\d.,:/-]?\d)")


def years_asked(texts: Iterable[str]) -> frozenset[int]:
    """The years written in the query's words and phrases."""
    found = set()
    for text in texts:
        for m in _YEAR.finditer(text):
            year = int(m.group(1))
            if FIRST_YEAR <= year <= LAST_YEAR:
                found.add(year)
    return frozenset(found)


def date_factors(columns: Columns, docnums: np.ndarray, years: frozenset[int], weight: float) -> np.ndarray:
    """``1 + weight`` for each document whose article was published in one of ``years``,
    ``1`` for the others (undated articles included)."""
    article = columns.article[docnums]
    months = np.where(article >= 0, columns.month[np.maximum(article, 0)], -1)
    year = np.where(months >= 0, months // 12, -1)
    hit = np.isin(year, np.fromiter(years, dtype=np.int64, count=len(years)))
    return np.where(hit, 1.0 + weight, 1.0)
