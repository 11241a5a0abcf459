"""Highlight spans from the index postings: no re-analysis of hits at query time.

The ``body`` field stores each term's character offsets (Whoosh ``chars=True``),
and a term's offsets are those of the surface word that produced it. A match on
``krieg`` therefore marks ``Kriege``; a match on the compound part ``kartell``
marks ``Drogenkartelle``. Terms matched in the phrase field are looked up in
``body`` too; stop words are not in ``body``, so they are never marked.
"""

from __future__ import annotations

from collections.abc import Iterable

from whoosh.reading import IndexReader, TermNotFound

from ..index.schema import BODY, PHRASE

__all__ = ["highlight_spans"]


def highlight_spans(
    reader: IndexReader, docnum: int, matched: Iterable[tuple[str, bytes | str]]
) -> tuple[tuple[int, int], ...]:
    """Character spans in the passage text for the terms that matched ``docnum``."""
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
            m = reader.postings(BODY, text)
        except TermNotFound:
            continue
        m.skip_to(docnum)
        if m.is_active() and m.id() == docnum:
            for _pos, start, end in m.value_as("characters"):
                spans.add((start, end))
    return tuple(sorted(spans))
