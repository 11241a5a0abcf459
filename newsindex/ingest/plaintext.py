"""Plain text and Markdown: paragraphs split on blank lines.

The title is the first ``# heading`` or else the first line; optional front
matter (``---`` … ``---`` with ``key: value`` lines) gives metadata.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from ..article import Article
from .fields import article_from_fields
from .problems import ProblemHandler

__all__ = ["parse_front_matter", "read_plaintext"]

_HEADING = re.compile(r"^#{1,6}\s+(.*)$")


def parse_front_matter(text: str) -> tuple[dict[str, str], str, int]:
    """``(metadata, rest, lines consumed)``; no front matter gives ``({}, text, 0)``."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return {}, text, 0
    meta: dict[str, str] = {}
    for i, line in enumerate(lines[1:], start=1):
        if line.strip() in ("---", "..."):
            return meta, "\n".join(lines[i + 1 :]), i + 1
        key, sep, value = line.partition(":")
        if sep and key.strip():
            meta[key.strip().lower()] = value.strip().strip("\"'")
    return {}, text, 0  # unterminated: not front matter


def read_plaintext(path: Path, text: str, on_problem: ProblemHandler, **_: object) -> Iterator[Article]:
    """Reader entry point: one article per text or Markdown file."""
    meta, body, offset = parse_front_matter(text.replace("\r\n", "\n"))
    blocks = [b.strip() for b in re.split(r"\n\s*\n", body) if b.strip()]
    title = meta.get("title", "")
    paragraphs: list[str] = []
    for block in blocks:
        heading = _HEADING.match(block)
        if heading and not title:
            title = heading.group(1).strip()
            continue
        if heading:
            block = heading.group(1).strip()
        paragraphs.append(block)
    if not title and paragraphs:
        first, _, rest = paragraphs[0].partition("\n")
        if len(first) <= 200:
            title = first.strip()
            paragraphs[0] = rest
    meta.setdefault("title", title)
    article = article_from_fields(meta, paragraphs, path=str(path), line=offset + 1, report=on_problem)
    if article is not None:
        yield article
