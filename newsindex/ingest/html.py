"""HTML news pages: article text and metadata extracted by trafilatura.

trafilatura finds the article body (dropping navigation, cookie banners,
footers and comments) and the metadata (title, author, date, site name, URL).
Its plain-text output breaks lines at every ``<br>`` and at line breaks in the
HTML source, which would cut paragraphs apart, so the paragraphs are taken from
its XML body instead: each ``<p>``, ``<quote>`` and ``<list>`` is one paragraph
(``<br>`` and list items become line breaks inside it); a subheading becomes the
first line of the paragraph after it; a first heading repeating the title is
dropped. ``favor_recall`` keeps teasers (``class="teaser"``), which trafilatura's
default drops and which readers search for.

trafilatura gives the publication *day*; the time of day comes from the page's
machine-readable stamp (``article:published_time``, ``datePublished``,
``<time datetime>``) when that stamp is for the same day, with its UTC offset.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..article import Article
from .fields import article_from_fields
from .paragraphs import normalize_line
from .problems import Problem, ProblemHandler

__all__ = ["read_html"]

def _flat(element: Any) -> str:
    """Element text with ``<lb/>`` and list items as line breaks, source line breaks as spaces."""
    parts: list[str] = []

    def visit(el: Any) -> None:
        if el.tag in ("lb", "item") and parts:
            parts.append("\n")
        if el.text and isinstance(el.tag, str):  # not a comment or processing instruction
            parts.append(el.text.replace("\n", " "))
        for child in el:
            visit(child)
            if child.tail:
                parts.append(child.tail.replace("\n", " "))

    visit(element)
    return "".join(parts)


def _paragraphs(body: Any, title: str) -> list[str]:
    out: list[str] = []
    heading: str | None = None
    first = True
    for el in body:
        text = _flat(el).strip() if isinstance(el.tag, str) else ""
        if not text or el.tag == "graphic":
            continue
        if el.tag == "head":
            if first and normalize_line(text) == title:
                first = False
                continue
            if heading is not None:
                out.append(heading)
            heading = text
        else:  # p, quote, list, code, table
            out.append(f"{heading}\n{text}" if heading is not None else text)
            heading = None
        first = False
    if heading is not None:
        out.append(heading)
    return out


_STAMP = re.compile(
    r"(?:published_time|datePublished|pubdate|publishdate|<time)[^>]{0,120}?"
    r"(?:content|datetime)?[\"']?\s*[=:]\s*[\"']"
    r"(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)",
    re.IGNORECASE,
)
_STAMP_SCAN = 200_000  # the head of the page, where stamps are


def _with_time(day: str | None, page: str) -> str | datetime | None:
    """trafilatura's ``day`` (``2025-10-28``) with the page's time of that day, if it states one."""
    try:
        wanted = date.fromisoformat(day) if day else None
    except ValueError:
        return day
    if wanted is None:
        return day
    for m in _STAMP.finditer(page, 0, _STAMP_SCAN):
        try:
            stamp = datetime.fromisoformat(m.group(1).replace("Z", "+00:00"))
        except ValueError:
            continue
        if stamp.date() == wanted:
            return stamp
    return day


def read_html(path: Path, text: str, on_problem: ProblemHandler, **_: object) -> Iterator[Article]:
    """Reader entry point: one article per HTML page."""
    import trafilatura  # heavy import: only when an HTML file is read

    doc = trafilatura.bare_extraction(
        text, with_metadata=True, include_comments=False, include_tables=False, favor_recall=True
    )
    body = getattr(doc, "body", None) if doc is not None else None
    title = normalize_line(doc.title or "") if doc is not None else ""
    paragraphs = _paragraphs(body, title) if body is not None else []
    if doc is None or not any(p.strip() for p in paragraphs):
        on_problem(Problem(str(path), None, "no article text found in the HTML page; skipped", "note"))
        return
    meta = {
        "title": title,
        "author": doc.author,
        "date": _with_time(doc.date, text),
        "source": doc.sitename or doc.hostname,
        "url": doc.url,
    }
    if doc.description:
        meta["description"] = doc.description
    article = article_from_fields(meta, paragraphs, path=str(path), line=None, report=on_problem)
    if article is not None:
        yield article
