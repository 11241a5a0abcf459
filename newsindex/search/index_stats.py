"""What an index holds, in figures: articles, paragraphs, sources, date range."""

from __future__ import annotations

from typing import Any

from whoosh.searching import Searcher

from .date_filter import day_range

__all__ = ["content_stats"]


def content_stats(searcher: Searcher) -> dict[str, Any]:
    """Articles, paragraphs, sources, first and last date of the committed state."""
    reader = searcher.reader()
    # The lexicon keeps terms of deleted documents until segments merge, so each
    # id is checked against the live postings.
    live = searcher.document_number
    articles = sum(1 for aid in reader.lexicon("article_id") if live(article_id=aid) is not None)
    sources = sorted(t.decode() if isinstance(t, bytes) else t for t in reader.lexicon("source"))
    dates = day_range(reader) or ()
    return {
        "articles": articles,
        "paragraphs": searcher.doc_count(),
        "sources": sources,
        "first_date": dates[0].isoformat() if dates else None,
        "last_date": dates[1].isoformat() if dates else None,
    }
