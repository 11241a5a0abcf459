"""Passages related to one paragraph: its key terms searched in the other articles.

Two steps, so that a sharded index can run them on different shards: the key
terms come from the paragraph's own index (:func:`key_terms`), the related
passages from any index (:func:`related`).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from whoosh import classify
from whoosh import query as wq
from whoosh.searching import Searcher

from ..index.schema import BODY
from ..index.writing import paragraph_docnum
from .highlights import highlight_many
from .results import Hit, Results
from .searching import _hit

__all__ = ["key_terms", "more_like", "related"]

KEY_TERMS = 12


def key_terms(
    searcher: Searcher, article_ids: Sequence[str], paragraph: int, collection: Any = None
) -> tuple[str, list[tuple[str, float]]]:
    """The stored id and the weighted key terms of paragraph ``paragraph`` of the article
    stored under the first of ``article_ids`` that holds it (``KeyError`` if none does).

    ``collection`` is the reader whose figures (document count, field length, term
    frequencies) weigh the terms: by default the searcher's; a sharded index passes
    one that sums them over every shard. Whoosh's ``Searcher.key_terms`` with Bo1.
    """
    for stored in article_ids:
        docnum = paragraph_docnum(searcher, stored, paragraph)
        if docnum is not None:
            expander = classify.Expander(collection or searcher.reader(), BODY, model=classify.Bo1Model)
            expander.add_document(docnum)
            return stored, list(expander.expanded_terms(KEY_TERMS, normalize=True))
    raise KeyError(f"no paragraph {paragraph} of article {article_ids[0]!r} in the index")


def related(
    searcher: Searcher, article_id: str, weights: Sequence[tuple[str, float]], limit: int
) -> tuple[list[Hit], int]:
    """The best ``limit`` passages outside ``article_id`` for ``weights`` (key terms marked),
    and how many passages match."""
    if not weights:
        return [], 0
    q = wq.Or([wq.Term(BODY, term, boost=w) for term, w in weights])
    found = searcher.search(q, limit=limit, mask=wq.Term("article_id", article_id))
    spans = highlight_many(searcher.reader(), [h.docnum for h in found], [(BODY, t) for t, _ in weights])
    hits = [_hit(h.fields(), h.score, i + 1, spans[h.docnum]) for i, h in enumerate(found)]
    return hits, len(found)


def more_like(searcher: Searcher, article_ids: Sequence[str], paragraph: int, limit: int) -> Results:
    """Passages of other articles related to a paragraph (see :func:`key_terms`), as :class:`Results`."""
    started = time.perf_counter()
    article_id, weights = key_terms(searcher, article_ids, paragraph)
    hits, total = related(searcher, article_id, weights, limit)
    elapsed = (time.perf_counter() - started) * 1000
    query = f"more like {article_id}#{paragraph}"
    return Results(query=query, hits=tuple(hits), total=total, elapsed_ms=elapsed)
