"""Turning loosely named metadata (JSON keys, front matter, CSV headers) into an Article.

Each article field accepts a few common spellings (``date`` for ``published``,
``headline`` for ``title``, ``link`` for ``url``…); the first non-empty one wins.
Keys that are not article fields are kept, unchanged, in ``Article.extra``.

The one-line fields are stored with *every* paragraph of the article, so they
are capped: a title, source, author or URL longer than :data:`MAX_FIELD_CHARS`
is cut (with a warning), and an ``id`` longer than :data:`MAX_ID_CHARS` is
replaced by a derived one (with a warning). Control characters (ESC, C1), bidi
overrides and line separators are removed from a given ``id`` (with a warning).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from ..article import Article, clean_field
from .dates import parse_date
from .paragraphs import clean_paragraphs, normalize_line
from .problems import Problem, ProblemHandler

__all__ = ["ALIASES", "KNOWN_KEYS", "MAX_FIELD_CHARS", "MAX_ID_CHARS", "article_from_fields"]

MAX_FIELD_CHARS = 1_000
MAX_ID_CHARS = 256

ALIASES: dict[str, tuple[str, ...]] = {
    "title": ("title", "headline", "titel", "überschrift", "schlagzeile"),
    "source": (
        "source", "site", "sitename", "outlet", "news_outlet", "publisher", "quelle", "zeitung", "medium",
    ),
    "published": (
        "published", "date", "datum", "pubdate", "publication_date", "date_published", "created",
        "veröffentlicht", "erschienen",
    ),
    "author": ("author", "authors", "autor", "autoren", "verfasser", "by"),
    "url": ("url", "link", "provenance"),
    "id": ("id",),
}
KNOWN_KEYS = frozenset(k for names in ALIASES.values() for k in names) | {"paragraphs", "text", "body"}


def _pick(d: Mapping[str, Any], field: str) -> Any:
    for key in ALIASES[field]:
        value = d.get(key)
        if value is not None and value != "" and value != []:
            return value
    return None


def _text(value: Any) -> str | None:
    """A one-line string for a metadata value; lists (several authors) are joined with commas."""
    if value is None:
        return None
    if isinstance(value, list | tuple):
        value = ", ".join(str(v) for v in value if v not in (None, ""))
    return normalize_line(str(value)) or None


def article_from_fields(
    d: Mapping[str, Any],
    paragraphs: list[str],
    *,
    path: str,
    line: int | None,
    report: ProblemHandler,
) -> Article | None:
    """Build an article from metadata ``d``; ``None`` (with a note) if it has no text.

    An unreadable date is a warning and the article is kept without one. An
    article with a title but no body gets the title as its one paragraph.
    """
    def capped(field: str) -> str | None:
        value = _text(_pick(d, field))
        if value is not None and len(value) > MAX_FIELD_CHARS:
            reason = f"{field} longer than {MAX_FIELD_CHARS:,} characters; cut"
            report(Problem(path, line, reason, "warning"))
            value = value[:MAX_FIELD_CHARS].rstrip()
        return value

    title = capped("title") or ""
    paras = clean_paragraphs(paragraphs)
    if not paras and title:  # a headline-only item (a news flash) stays findable
        paras = [title]
        report(Problem(path, line, "no article text; the title is indexed as its only paragraph", "note"))
    if not paras:
        report(Problem(path, line, "no article text; skipped", "note"))
        return None
    raw_date = _pick(d, "published")
    published: date | datetime | None
    if isinstance(raw_date, date):  # already parsed (front matter, callers passing objects)
        published = raw_date
    else:
        published = parse_date(str(raw_date)) if raw_date is not None else None
        if raw_date is not None and published is None:
            reason = f"could not read the date {str(raw_date)[:80]!r}; indexed without a date"
            report(Problem(path, line, reason, "warning"))
    given_id = _pick(d, "id")
    article_id = str(given_id) if given_id is not None else None
    if article_id is not None:
        # An id is printed by `check` and the prompt: no escape sequences, no bidi tricks.
        cleaned = clean_field(article_id)
        if cleaned != article_id:
            empty = not cleaned.strip()
            what = "a derived id is used" if empty else f"removed ({cleaned[:80]!r} is used)"
            report(Problem(path, line, f"control or bidi characters in the id: {what}", "warning"))
            article_id = None if empty else cleaned
    if article_id is not None and len(article_id) > MAX_ID_CHARS:
        reason = f"id longer than {MAX_ID_CHARS} characters; a derived id is used"
        report(Problem(path, line, reason, "warning"))
        article_id = None
    return Article.create(
        id=article_id,
        title=title,
        paragraphs=paras,
        source=capped("source"),
        published=published,
        author=capped("author"),
        url=capped("url"),
        origin_path=path,
        origin_line=line,
        extra={k: v for k, v in d.items() if k not in KNOWN_KEYS},
    )
