"""Plain text and Markdown: paragraphs split on blank lines.

Both accept optional front matter (``---`` … ``---`` with ``key: value`` lines,
a YAML subset: quoted values, ``- item`` lists) naming the article fields
(``title``, ``date``, ``source``, ``author``, ``url``…); other keys go to
``Article.extra``.

Plain text: the title is the first line when it stands alone (a line, then a
blank line) or reads as a heading; otherwise the article has no title.

Markdown: the title is the first heading (``# …`` or underlined ``===``), else
the first line as for plain text. Later headings are kept as the first line of
the paragraph that follows them (as gallery headings in the seed format), so a
hit on a paragraph shows its section. Lines wrapped inside a paragraph are
joined (Markdown renders a single line break as a space); list items stay one
per line. Markup is removed (emphasis, links keep
their text, images and reference definitions go, list bullets and quote marks
are dropped).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..article import Article
from .extra import capped_metadata
from .fields import article_from_fields
from .paragraphs import split_blocks
from .problems import ProblemHandler

__all__ = ["parse_front_matter", "read_markdown", "read_plaintext", "strip_markdown"]

_ATX_HEADING = re.compile(r"^ {0,3}#{1,6}(?:\s+(.*?))?(?:\s+#+)?\s*$")
_SETEXT_RULE = re.compile(r"^ {0,3}(?:=+|-+)\s*$")
_THEMATIC_BREAK = re.compile(r"^ {0,3}(?:(?:\*\s*){3,}|(?:-\s*){3,}|(?:_\s*){3,})$")
_FENCE = re.compile(r"^ {0,3}(?:```|~~~)")
_REF_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s+\S+.*$")
_BULLET = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+")
_QUOTE = re.compile(r"^\s*(?:>\s?)+")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)|!\[[^\]]*\]\[[^\]]*\]")
_LINK = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\[[^\]]*\])")
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
_EMPHASIS = re.compile(r"(?<![\w*\\])(\*{1,3}|_{1,3})(?=\S)(.+?)(?<=\S)\1(?![\w*])")
_CODE = re.compile(r"`+([^`]*)`+")
_MAX_TITLE = 200


def parse_front_matter(text: str) -> tuple[dict[str, Any], str, int]:
    """``(metadata, rest, lines consumed)``; no (or unterminated) front matter gives ``({}, text, 0)``."""
    lines = text.split("\n")
    if lines[0].strip() != "---":
        return {}, text, 0
    meta: dict[str, Any] = {}
    key = ""
    for i, line in enumerate(lines[1:], start=1):
        if line.strip() in ("---", "..."):
            return meta, "\n".join(lines[i + 1 :]), i + 1
        item = re.match(r"^\s+-\s+(.*)$", line)
        if item and key and isinstance(meta.get(key), list):
            meta[key].append(_unquote(item.group(1)))
            continue
        name, sep, value = line.partition(":")
        if sep and name.strip() and not name.startswith((" ", "\t")):
            key = name.strip().lower()
            meta[key] = _unquote(value) if value.strip() else []  # empty: a "- item" list may follow
    return {}, text, 0


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def strip_markdown(line: str) -> str:
    """Inline Markdown → plain text (``**fett**`` → ``fett``, ``[Text](url)`` → ``Text``)."""
    if not any(c in line for c in "*_[`<!"):
        return line
    line = _IMAGE.sub("", line)
    line = _LINK.sub(r"\1", line)
    line = _AUTOLINK.sub(r"\1", line)
    line = _CODE.sub(r"\1", line)
    return _EMPHASIS.sub(r"\2", line)


def _first_line_title(blocks: list[str]) -> tuple[str, list[str]]:
    """Title from the first line, when it reads as one; returns ``(title, remaining blocks)``."""
    if not blocks:
        return "", blocks
    first, _, rest = blocks[0].strip().partition("\n")
    first = first.strip()
    if not first or len(first) > _MAX_TITLE:
        return "", blocks
    # A hard-wrapped first paragraph is not a title: its first line runs on into the next.
    runs_on = rest and (first[-1] in ",;-–(" or rest.lstrip()[:1].islower())
    if runs_on:
        return "", blocks
    return first, ([rest] if rest.strip() else []) + blocks[1:]


def _finish(
    path: Path,
    meta: dict[str, Any],
    title: str,
    paragraphs: list[str],
    offset: int,
    on_problem: ProblemHandler,
) -> Iterator[Article]:
    meta = capped_metadata(meta.items(), path=str(path), line=1, report=on_problem)
    if title and not meta.get("title"):
        meta["title"] = title
    article = article_from_fields(meta, paragraphs, path=str(path), line=offset + 1, report=on_problem)
    if article is not None:
        yield article


def read_plaintext(path: Path, text: str, on_problem: ProblemHandler, **_: object) -> Iterator[Article]:
    """Reader entry point for plain text: one article per file."""
    meta, body, offset = parse_front_matter(text.replace("\r\n", "\n"))
    blocks = [b for b in split_blocks(body) if b.strip()]
    title = ""
    if not meta.get("title"):
        title, blocks = _first_line_title(blocks)
    yield from _finish(path, meta, title, blocks, offset, on_problem)


def _markdown_blocks(body: str) -> list[tuple[bool, str]]:
    """``(is_heading, text)`` per block; headings are split off the lines below them."""
    out: list[tuple[bool, str]] = []
    in_fence = False
    for block in split_blocks(body):
        lines: list[str] = []
        for raw in block.split("\n"):
            if _FENCE.match(raw):
                in_fence = not in_fence
                continue
            if in_fence:
                lines.append(raw)
                continue
            if _SETEXT_RULE.match(raw) and lines and not _BULLET.match(lines[-1]):
                out.extend((False, line) for line in lines[:-1])  # text above the underlined heading
                out.append((True, strip_markdown(lines[-1].strip())))
                lines = []
                continue
            if _THEMATIC_BREAK.match(raw) or _REF_DEFINITION.match(raw):
                continue
            heading = _ATX_HEADING.match(raw)
            if heading:
                if lines:
                    out.append((False, "\n".join(lines)))
                    lines = []
                out.append((True, strip_markdown((heading.group(1) or "").strip())))
                continue
            unquoted = _QUOTE.sub("", raw)
            item = _BULLET.match(unquoted)
            text = strip_markdown(unquoted[item.end() :] if item else unquoted)
            if lines and not item and not lines[-1].endswith("  "):
                lines[-1] = f"{lines[-1].rstrip()} {text.strip()}"  # a soft line break is a space
            else:
                lines.append(text)
        if lines:
            out.append((False, "\n".join(lines)))
    return [(h, t) for h, t in out if t.strip()]


def read_markdown(path: Path, text: str, on_problem: ProblemHandler, **_: object) -> Iterator[Article]:
    """Reader entry point for Markdown: one article per file."""
    meta, body, offset = parse_front_matter(text.replace("\r\n", "\n"))
    blocks = _markdown_blocks(body)
    title = ""
    if blocks and blocks[0][0]:
        if not meta.get("title"):
            title, blocks = blocks[0][1], blocks[1:]
        elif blocks[0][1] == meta["title"]:  # the front-matter title repeated as the first heading
            blocks = blocks[1:]
    paragraphs: list[str] = []
    heading: str | None = None
    for is_heading, block in blocks:
        if is_heading:
            if heading is not None:
                paragraphs.append(heading)
            heading = block
        else:
            paragraphs.append(f"{heading}\n{block}" if heading is not None else block)
            heading = None
    if heading is not None:
        paragraphs.append(heading)
    if not title and not meta.get("title"):
        title, paragraphs = _first_line_title(paragraphs)
    yield from _finish(path, meta, title, paragraphs, offset, on_problem)
