"""Every match of a query, streamed: passages or whole articles (``NewsIndex.export``).

The matching document numbers are found at once (arrays, as for facets), then
stored fields are read a chunk at a time, so memory holds one chunk of passages
whatever the number of matches. The query is taken as typed: no typo or phrase
fallback (a strict phrase finds only passages with its words in a row).

A query of filters alone (or none) exports every paragraph of the matching
articles, newest article first, its paragraphs in order; a query with words
exports the passages that match, best first (or by date with ``sort``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from whoosh.searching import Searcher

from ..analysis import AnalysisChain
from ..article import Article
from ..index.documents import article_from_documents
from ..index.vocabulary import Vocabularies
from .browse import browse_leads
from .columns import ColumnCache
from .fallbacks import with_author
from .highlights import highlight_many
from .query_syntax import parse_query
from .request import SearchOptions, SearchRequest
from .results import Hit
from .searching import _hit, _rejected, _Search, _with_phrases, admitted_docs
from .sorting import date_order, live_docs
from .term_scoring import FieldLengths

__all__ = ["CHUNK", "Matches", "all_matches", "article_ids", "export_articles", "export_passages"]

CHUNK = 256  # passages whose stored fields are read (and highlighted) at a time


@dataclass(frozen=True, slots=True)
class Matches:
    """Every match of a request, in order, with the searcher that found them."""

    searcher: Searcher
    ids: np.ndarray  # global document numbers, in export order
    scores: np.ndarray
    articles: np.ndarray  # each document's article number (see Columns.article)
    article_names: tuple[str, ...]
    highlight_terms: tuple[tuple[str, str], ...]


def all_matches(
    searcher: Searcher,
    chain: AnalysisChain,
    request: SearchRequest,
    *,
    options: SearchOptions | None = None,
    vocabularies: Vocabularies | None = None,
    lengths: FieldLengths | None = None,
    columns: ColumnCache | None = None,
) -> Matches:
    """Every passage ``request`` matches (its limit and offset ignored), in export order."""
    search = _Search(searcher, chain, request, options or SearchOptions(), vocabularies, lengths, columns)
    plan = with_author(parse_query(request.query), request.author)
    built = search.builder.build(plan, **search.filters)
    col = search.column_cache.get(searcher.reader())
    empty = np.empty(0, dtype=np.int64)
    ids, scores = empty, np.empty(0, dtype=np.float64)
    filtered = admitted_docs(searcher, built.filter, search.scorer)
    if filtered is None or filtered:
        rejected = _rejected(searcher, built.exclude, search.scorer)
        if built.query is None and plan.is_empty:
            leads = browse_leads(col, filtered, rejected)
            chosen = np.zeros(len(col.article_ids), dtype=bool)
            chosen[col.article[leads]] = True
            docs = live_docs(col)
            ids = date_order(col, docs[chosen[col.article[docs]]], newest=request.sort != "oldest")
            scores = np.zeros(ids.size, dtype=np.float64)
        elif built.query is not None:
            infos = lengths.term_infos if lengths is not None else None
            admitted, _ = _with_phrases(searcher, filtered, built, infos, search.scorer)
            if admitted is None or admitted:
                ranking = search._ranking(built, admitted, rejected)
                if request.sort in ("newest", "oldest"):
                    found, found_scores = ranking.everything()
                    ids = date_order(col, found, newest=request.sort == "newest")
                    scores = found_scores[np.searchsorted(found, ids)]
                else:  # best first, ties by document number (as in a search)
                    ids, scores = ranking.ordered()
    return Matches(searcher, ids, scores, col.article[ids], col.article_ids, built.highlight_terms)


def export_passages(matches: Matches) -> Iterator[Hit]:
    """Each matching passage as a :class:`Hit` (ranked 1, 2, … in export order)."""
    reader = matches.searcher.reader()
    for start in range(0, matches.ids.size, CHUNK):
        chunk = matches.ids[start : start + CHUNK].tolist()
        spans = highlight_many(reader, chunk, matches.highlight_terms)
        for i, docnum in enumerate(chunk):
            score = float(matches.scores[start + i])
            yield _hit(matches.searcher.stored_fields(docnum), score, start + i + 1, spans[docnum])


def _distinct_articles(matches: Matches) -> list[int]:
    """The article numbers of the matches, each once, in the order they first appear."""
    if not matches.articles.size:
        return []
    _, first = np.unique(matches.articles, return_index=True)
    return [int(a) for a in matches.articles[np.sort(first)].tolist()]


def article_ids(matches: Matches) -> Iterator[str]:
    """The distinct ids of the matching articles, in export order."""
    for a in _distinct_articles(matches):
        yield matches.article_names[a]


def export_articles(matches: Matches) -> Iterator[Article]:
    """Each matching article once, whole (every paragraph, in order)."""
    s = matches.searcher
    for aid in article_ids(matches):
        found = article_from_documents(aid, [s.stored_fields(n) for n in s.document_numbers(article_id=aid)])
        if found is not None:
            yield found
