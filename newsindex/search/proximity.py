"""A proximity bonus: passages where the query's words stand close together rank higher.

Only the best :data:`PROXIMITY_WINDOW` passages by BM25F are rescored, so the cost is
a few skips per query term through postings already on disk, not a pass over all
matches. The bonus is BM25TP-like (Rasolofo and Savoy, 2003): for each pair of
different query words, ``min(idf) / gap²`` over their closest occurrences within
:data:`MAX_GAP` words (compound parts count at their word's position).
"""

from __future__ import annotations

from collections.abc import Sequence

from whoosh.reading import IndexReader

from ..analysis.whoosh_analyzer import PART_LANE
from .highlights import BodyReads

__all__ = ["MAX_GAP", "PROXIMITY_WINDOW", "QueryWord", "proximity_bonus"]

PROXIMITY_WINDOW = 20
MAX_GAP = 5

# One query word: its weight (idf) and its terms in ``body`` (readings and parts).
QueryWord = tuple[float, tuple[str, ...]]


def _word_positions(reads: BodyReads, docnums: Sequence[int], terms: tuple[str, ...]) -> dict[int, list[int]]:
    """Positions (parts folded onto their word's position) of any of ``terms`` per document."""
    out: dict[int, set[int]] = {}
    for d, _term, chars in reads.characters(docnums, terms):
        out.setdefault(d, set()).update(p % PART_LANE for p, _start, _end in chars)
    return {d: sorted(p) for d, p in out.items()}


def _closest_gap(a: list[int], b: list[int]) -> int:
    """The smallest distance between a position in ``a`` and one in ``b`` (both sorted)."""
    i = j = 0
    best = 1 << 31
    while i < len(a) and j < len(b):
        gap = abs(a[i] - b[j])
        if gap < best:
            best = gap
        if a[i] < b[j]:
            i += 1
        else:
            j += 1
    return best


def proximity_bonus(
    reader: IndexReader, docnums: Sequence[int], words: Sequence[QueryWord], reads: BodyReads | None = None
) -> dict[int, float]:
    """Each document's bonus (unscaled; 0 for documents whose words stand apart); ``reads``
    keeps the postings read for the search's highlights."""
    if len(words) < 2 or not docnums:
        return {}
    reads = reads or BodyReads(reader)
    found = [_word_positions(reads, docnums, terms) for _idf, terms in words]
    bonus: dict[int, float] = {}
    for d in docnums:
        total = 0.0
        for i in range(len(words)):
            a = found[i].get(d)
            if not a:
                continue
            for j in range(i + 1, len(words)):
                b = found[j].get(d)
                if not b:
                    continue
                gap = _closest_gap(a, b)
                if 0 < gap <= MAX_GAP:
                    total += min(words[i][0], words[j][0]) / (gap * gap)
        if total:
            bonus[d] = total
    return bonus
