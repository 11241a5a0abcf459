"""Search results: ranked passages with their article's metadata and highlights."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..dates import stored_date
from .snippets import SnippetFormat, snippet

__all__ = ["ArticleGroup", "Hit", "Results"]

_SURROGATE = re.compile("[\ud800-\udfff]")


def _utf8(text: str | None) -> str | None:
    """``text`` with lone surrogates as U+FFFD: ``to_dict()`` must encode as UTF-8.

    A query holds them when typed in code or decoded from a non-UTF-8 argv byte;
    hits made in code may too. One character for one, so offsets stay valid.
    """
    if text is None or text.isascii() or not _SURROGATE.search(text):
        return text
    return _SURROGATE.sub("\ufffd", text)


def _iso(published: datetime | None) -> str | None:
    """ISO 8601; a date stored without a time has none (``2024-07-05``, not ``…T00:00:00``)."""
    value = stored_date(published)
    return value.isoformat() if value else None


@dataclass(frozen=True, slots=True)
class Hit:
    """One ranked passage (a paragraph of an article).

    ``paragraph`` is the 0-based paragraph index in the article; ``highlights``
    are ``(start, end)`` spans into ``text`` marking the surface words that matched.
    """

    rank: int
    score: float
    article_id: str
    paragraph: int
    text: str
    title: str
    source: str | None
    published: datetime | None
    url: str | None
    author: str | None
    highlights: tuple[tuple[int, int], ...]
    paragraphs_total: int | None = None

    @property
    def marked_words(self) -> list[str]:
        """The distinct highlighted words of ``text``, in order of first appearance."""
        return list(dict.fromkeys(self.text[s:e] for s, e in self.highlights))

    def snippet(self, max_chars: int = 240, format: SnippetFormat = "text") -> str:  # noqa: A002
        """The best window of the passage with matches marked.

        ``format`` is ``"text"`` (``**word**``), ``"html"`` (escaped, ``<mark>``) or
        ``"ansi"`` (bold yellow terminal escape codes).
        """
        return snippet(self.text, self.highlights, max_chars=max_chars, fmt=format)

    def to_dict(self, snippet_chars: int = 240) -> dict[str, Any]:
        """JSON-ready form (see the README for the shape)."""
        return {
            "rank": self.rank,
            "score": round(self.score, 4),
            "article_id": _utf8(self.article_id),
            "paragraph": self.paragraph,
            "title": _utf8(self.title),
            "source": _utf8(self.source),
            "published": _iso(self.published),
            "url": _utf8(self.url),
            "author": _utf8(self.author),
            "text": _utf8(self.text),
            "highlights": [list(span) for span in self.highlights],
            "snippet": _utf8(self.snippet(snippet_chars)),
            "snippet_html": _utf8(self.snippet(snippet_chars, "html")),
        }


@dataclass(frozen=True, slots=True)
class ArticleGroup:
    """An article with its best passages (``group_by_article=True``)."""

    article_id: str
    title: str
    score: float
    hits: tuple[Hit, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "article_id": _utf8(self.article_id),
            "title": _utf8(self.title),
            "score": round(self.score, 4),
            "hits": [h.to_dict() for h in self.hits],
        }


@dataclass(frozen=True, slots=True)
class Results:
    """The outcome of a search: hits in rank order plus totals and a suggestion.

    Iterate over it for the hits. ``total`` counts the matching passages (before
    ``limit`` and ``max_per_article``) exactly up to 1,000; beyond that it is
    1,000 and ``total_exact`` is false ("1,000+"). ``suggestion`` is a "did you mean" query
    when the query found little and a close spelling exists; ``notes`` explains
    parts of the query that were ignored.
    """

    query: str
    hits: tuple[Hit, ...]
    total: int
    elapsed_ms: float
    suggestion: str | None = None
    notes: tuple[str, ...] = ()
    groups: tuple[ArticleGroup, ...] = field(default=())
    total_exact: bool = True

    def __iter__(self) -> Iterator[Hit]:
        return iter(self.hits)

    def __len__(self) -> int:
        return len(self.hits)

    def __getitem__(self, i: int) -> Hit:
        return self.hits[i]

    def __bool__(self) -> bool:
        return bool(self.hits)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (keys: query, total, total_exact, elapsed_ms, suggestion, notes, hits)."""
        d: dict[str, Any] = {
            "query": _utf8(self.query),
            "total": self.total,
            "total_exact": self.total_exact,
            "elapsed_ms": round(self.elapsed_ms, 2),
            "suggestion": _utf8(self.suggestion),
            "notes": [_utf8(n) for n in self.notes],
            "hits": [h.to_dict() for h in self.hits],
        }
        if self.groups:
            d["groups"] = [g.to_dict() for g in self.groups]
        return d
