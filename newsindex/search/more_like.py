"""Passages related to one paragraph: its key terms searched in the other articles."""

from __future__ import annotations

import time
from collections.abc import Sequence

from whoosh import query as wq
from whoosh.searching import Searcher

from ..index.schema import BODY
from ..index.writing import paragraph_docnum
from .highlights import highlight_many
from .results import Hit, Results
from .searching import _hit

__all__ = ["more_like"]


def more_like(searcher: Searcher, article_ids: Sequence[str], paragraph: int, limit: int) -> Results:
    """Passages of other articles related to paragraph ``paragraph`` of the article stored
    under the first of ``article_ids`` that holds it; its key terms marked.

    Raises ``KeyError`` when no such paragraph is stored.
    """
    started = time.perf_counter()
    docnum = None
    article_id = article_ids[0]
    for stored in article_ids:
        docnum = paragraph_docnum(searcher, stored, paragraph)
        if docnum is not None:
            article_id = stored
            break
    if docnum is None:
        raise KeyError(f"no paragraph {paragraph} of article {article_id!r} in the index")
    weights = searcher.key_terms([docnum], BODY, numterms=12)
    key_terms = [(BODY, term) for term, _ in weights]
    out: list[Hit] = []
    total = 0
    if key_terms:
        q = wq.Or([wq.Term(BODY, term, boost=w) for term, w in weights])
        found = searcher.search(q, limit=limit, mask=wq.Term("article_id", article_id))
        total = len(found)
        spans = highlight_many(searcher.reader(), [h.docnum for h in found], key_terms)
        out = [_hit(h.fields(), h.score, i + 1, spans[h.docnum]) for i, h in enumerate(found)]
    elapsed = (time.perf_counter() - started) * 1000
    query = f"more like {article_id}#{paragraph}"
    return Results(query=query, hits=tuple(out), total=total, elapsed_ms=elapsed)
