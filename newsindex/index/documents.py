"""Article ↔ Whoosh documents: one document per paragraph, and back.

The one place that knows how an :class:`Article` is stored: the writer turns
articles into documents here, and the engine, the integrity check and the repair
read them back through the same functions, so the two directions cannot drift.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime, time
from typing import Any

from whoosh.searching import Searcher

from ..article import Article, clean_field
from ..dates import stored_date
from .schema import PERIOD, period_terms

__all__ = [
    "article_from_documents",
    "article_of",
    "doc_id",
    "paragraph_docnum",
    "paragraph_documents",
    "stored_hash",
    "stored_ids",
]

_SEPARATOR = "#"  # between the article id and the paragraph number in a doc id


def doc_id(article_id: str, paragraph: int) -> str:
    """The unique key of one paragraph document."""
    return f"{article_id}{_SEPARATOR}{paragraph}"


def article_of(document_id: str) -> str:
    """The article id in a doc id (inverse of :func:`doc_id`; ids may contain ``#`` themselves)."""
    return document_id.rpartition(_SEPARATOR)[0]


def _as_datetime(value: date | datetime | None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.combine(value, time())


def paragraph_documents(article: Article, content_hash: str) -> Iterator[dict[str, Any]]:
    """The Whoosh documents for an article's paragraphs."""
    published = _as_datetime(article.published)
    total = len(article.paragraphs)
    for i, text in enumerate(article.paragraphs):
        doc: dict[str, Any] = {
            "doc_id": doc_id(article.id, i),
            "article_id": article.id,
            "paragraph": i,
            "body": text,
            "stops": text,
            "paragraphs_total": total,
        }
        if article.title:
            doc["title"] = article.title
        if article.source:
            doc["source"] = article.source
        if article.author:
            doc["author"] = article.author
        if published is not None:
            doc["published"] = published
            doc[PERIOD] = period_terms(published.date())
        if article.url:
            doc["url"] = article.url
        doc["article_hash"] = content_hash  # on every paragraph: any one answers "changed?"
        yield doc


def article_from_documents(article_id: str, stored: Iterable[Mapping[str, Any]]) -> Article | None:
    """The article whose paragraphs' stored fields are ``stored`` (any order); ``None`` if none.

    Inverse of :func:`paragraph_documents` for what an :class:`Article` keeps:
    the article-level fields are read from its first paragraph.
    """
    docs = sorted(stored, key=lambda d: d["paragraph"])
    if not docs:
        return None
    first = docs[0]
    return Article(
        id=article_id,
        title=first.get("title", ""),
        paragraphs=tuple(d.get("body", "") for d in docs),
        source=first.get("source"),
        published=stored_date(first.get("published")),  # a day stays a day
        author=first.get("author"),
        url=first.get("url"),
    )


def stored_hash(searcher: Searcher, article_id: str) -> str | None:
    """The content hash stored with an article's paragraphs (``None``: not in the index)."""
    docnum = searcher.document_number(article_id=article_id)
    return None if docnum is None else searcher.stored_fields(docnum).get("article_hash")


def paragraph_docnum(searcher: Searcher, article_id: str, paragraph: int) -> int | None:
    """The document number of one paragraph of an article (``None``: not in the index)."""
    for docnum in searcher.document_numbers(article_id=article_id):
        if searcher.stored_fields(docnum).get("paragraph") == paragraph:
            return int(docnum)
    return None


def stored_ids(article_id: str) -> tuple[str, ...]:
    """The ids an article given as ``article_id`` may be stored under.

    ``Article`` cleans its id (lone surrogates, control and bidi characters), so
    the cleaned id is looked up too; the raw one only while it can be encoded
    (an index written before the clean-up may hold it).
    """
    if not isinstance(article_id, str):  # Whoosh's own bytes terms (reader.lexicon) look up as they are
        return (article_id,)
    cleaned = clean_field(article_id)
    if cleaned == article_id:
        return (article_id,)
    try:
        article_id.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: the index cannot hold that id
        return (cleaned,)
    return (article_id, cleaned)
