"""Highlight spans from the index postings: no re-analysis of hits at query time.

The ``body`` field stores each term's character offsets (Whoosh ``chars=True``),
and a term's offsets are those of the surface word that produced it. A match on
``krieg`` therefore marks ``Kriege``; a match on the compound part ``kartell``
marks ``Drogenkartelle``. Terms matched in the phrase field are looked up in
``body`` too; stop words are not in ``body``, so they are never marked.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable

from whoosh.reading import IndexReader, TermNotFound

from ..index.schema import BODY, PHRASE

__all__ = ["highlight_spans"]


def highlight_spans(
    reader: IndexReader, docnum: int, matched: Iterable[tuple[str, bytes | str]]
) -> tuple[tuple[int, int], ...]:
    """Character spans in the passage text for the terms that matched ``docnum``."""
    # Read from the one segment holding the document: a postings lookup on the
    # composite reader would open a matcher in every segment.
    leaves = reader.leaf_readers()
    i = bisect_right([base for _, base in leaves], docnum) - 1
    leaf, base = leaves[i]
    local = docnum - base
    spans: set[tuple[int, int]] = set()
    seen: set[str] = set()
    for fieldname, term in matched:
        if fieldname not in (BODY, PHRASE):
            continue
        text = term.decode("utf-8") if isinstance(term, bytes) else term
        if text in seen:
            continue
        seen.add(text)
        try:
            m = leaf.postings(BODY, text)
        except TermNotFound:
            continue
        m.skip_to(local)
        if m.is_active() and m.id() == local:
            for _pos, start, end in m.value_as("characters"):
                spans.add((start, end))
    return tuple(sorted(spans))
