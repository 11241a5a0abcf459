"""HTML news pages: article text and metadata extracted by trafilatura.

trafilatura drops navigation, footers and comments and returns one line per
paragraph; a first line repeating the title is dropped. ``favor_recall`` keeps
teasers (``class="teaser"``), which its default drops and which news readers search.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ..article import Article
from .fields import article_from_fields
from .problems import Problem, ProblemHandler

__all__ = ["read_html"]


def read_html(path: Path, text: str, on_problem: ProblemHandler, **_: object) -> Iterator[Article]:
    """Reader entry point: one article per HTML page."""
    import trafilatura  # heavy import: only when an HTML file is read

    doc = trafilatura.bare_extraction(
        text, with_metadata=True, include_comments=False, include_tables=False, favor_recall=True
    )
    if doc is None or not getattr(doc, "text", None):
        on_problem(Problem(str(path), None, "no article text found in the HTML page; skipped", "note"))
        return
    title = (doc.title or "").strip()
    paragraphs = [p for p in doc.text.split("\n") if p.strip()]
    if paragraphs and paragraphs[0].strip() == title:
        paragraphs = paragraphs[1:]
    meta = {
        "title": title,
        "author": doc.author,
        "date": doc.date,
        "source": doc.sitename or doc.hostname,
        "url": doc.url,
    }
    article = article_from_fields(meta, paragraphs, path=str(path), line=None, report=on_problem)
    if article is not None:
        yield article
