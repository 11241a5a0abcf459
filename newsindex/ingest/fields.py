"""Turning loosely named metadata (JSON keys, front matter, CSV headers) into an Article."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..article import Article
from .dates import parse_date
from .paragraphs import clean_paragraphs
from .problems import Problem, ProblemHandler

__all__ = ["KNOWN_KEYS", "article_from_fields"]

_ALIASES = {
    "title": ("title", "headline", "titel", "überschrift"),
    "source": ("source", "site", "sitename", "outlet", "news_outlet", "publisher", "quelle"),
    "published": ("published", "date", "datum", "pubdate", "publication_date", "created"),
    "author": ("author", "authors", "autor", "by"),
    "url": ("url", "link", "provenance"),
    "id": ("id",),
}
KNOWN_KEYS = frozenset(k for names in _ALIASES.values() for k in names) | {"paragraphs", "text", "body"}


def _pick(d: Mapping[str, Any], field: str) -> Any:
    for key in _ALIASES[field]:
        if key in d and d[key] not in (None, ""):
            return d[key]
    return None


def article_from_fields(
    d: Mapping[str, Any],
    paragraphs: list[str],
    *,
    path: str,
    line: int | None,
    report: ProblemHandler,
) -> Article | None:
    """Build an article from metadata ``d``; ``None`` (with a note) if it has no text."""
    paras = clean_paragraphs(paragraphs)
    if not paras:
        report(Problem(path, line, "no article text; skipped", "note"))
        return None
    raw_date = _pick(d, "published")
    published = parse_date(str(raw_date)) if raw_date is not None else None
    if raw_date is not None and published is None:
        reason = f"could not read the date {raw_date!r}; indexed without a date"
        report(Problem(path, line, reason, "warning"))
    author = _pick(d, "author")
    if isinstance(author, list):
        author = ", ".join(str(a) for a in author)
    title = str(_pick(d, "title") or "").strip()
    extra = {k: v for k, v in d.items() if k not in KNOWN_KEYS}
    given_id = _pick(d, "id")
    return Article.create(
        id=str(given_id) if given_id is not None else None,
        title=title,
        paragraphs=paras,
        source=str(_pick(d, "source")) if _pick(d, "source") is not None else None,
        published=published,
        author=str(author) if author else None,
        url=str(_pick(d, "url")) if _pick(d, "url") is not None else None,
        origin_path=path,
        origin_line=line,
        extra=extra,
    )
