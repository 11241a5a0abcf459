"""The seed format: the German articles in ``seeds/``.

Shape (both variants occur)::

     date 2025-11-01   1. DerWesten.de          ← date, then list items (1. source, 3. title) …
      3. Trump droht mit Krieg! …
     date 2025-10-28 Donald Trump versprach …   ← … or the teaser straight after the date

    <title line>
    von <author>                                 ← optional
    <body: paragraphs separated by blank lines; one line, one paragraph>
    <gallery: heading line + caption line ending in "Foto: <credit>", or run-on captions>
    Weitere Nachrichten:                          ← trailing boilerplate

Gallery slides become one paragraph each ("heading\\ncaption"); photo credits are
removed from the text and kept in ``Article.photo_credits``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from ..article import Article
from .credits import split_credits
from .dates import parse_date
from .paragraphs import clean_paragraphs
from .problems import Problem, ProblemHandler

__all__ = ["BOILERPLATE", "is_seed_text", "parse_seed", "read_seed"]

_FIRST_LINE = re.compile(r"^\s*date\s+(\S+)\s*(.*)$")
_LIST_ITEM = re.compile(r"^\s*(\d+)\.\s+(.+?)\s*$")
_AUTHOR = re.compile(r"^von\s+(.+)$", re.IGNORECASE)
BOILERPLATE = re.compile(
    r"^(?:Weitere Nachrichten|Mehr Nachrichten|Mehr zum Thema|Auch interessant|Lesen Sie auch"
    r"|Das könnte dich auch interessieren|Mehr aus|Weitere Artikel|Empfehlungen)\s*:?\s*$",
    re.IGNORECASE,
)


def is_seed_text(text: str) -> bool:
    """True if ``text`` starts like a seed file (`` date YYYY-MM-DD``)."""
    return _FIRST_LINE.match(text[:200].split("\n", 1)[0]) is not None


def _blocks(lines: list[tuple[int, str]]) -> list[list[tuple[int, str]]]:
    blocks: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    for number, line in lines:
        if line.strip():
            current.append((number, line.strip()))
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _body_paragraphs(block: list[tuple[int, str]], photo_credits: list[str]) -> list[str]:
    """One paragraph per line, except that a gallery heading joins its caption."""
    out: list[str] = []
    heading: str | None = None
    for _number, line in block:
        pieces = split_credits(line)
        if len(pieces) == 1 and pieces[0].credit is None:
            if heading is not None:
                out.append(heading)
            heading = line
            continue
        for i, piece in enumerate(pieces):
            if piece.credit:
                photo_credits.append(piece.credit)
            text = piece.text
            if i == 0 and heading is not None:
                text = f"{heading}\n{text}" if text else heading
                heading = None
            if text:
                out.append(text)
    if heading is not None:
        out.append(heading)
    return out


def parse_seed(text: str, path: str = "<text>", on_problem: ProblemHandler | None = None) -> Article | None:
    """Parse one seed file's text; ``None`` (with a note) when it holds no article."""
    report = on_problem or (lambda p: None)
    lines = list(enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1))
    if not lines:
        return None
    m = _FIRST_LINE.match(lines[0][1])
    if m is None:
        report(Problem(path, 1, "not a seed file: the first line is not ' date YYYY-MM-DD'", "error"))
        return None
    published = parse_date(m.group(1))
    if published is None:
        report(Problem(path, 1, f"could not read the date {m.group(1)!r}; indexed without a date", "warning"))
    items: dict[int, str] = {}
    teaser: list[str] = []
    rest = m.group(2).strip()
    item = _LIST_ITEM.match(rest)
    if item:
        items[int(item.group(1))] = item.group(2)
    elif rest:
        teaser.append(rest)
    i = 1
    while i < len(lines) and (item := _LIST_ITEM.match(lines[i][1])) and lines[i][1].startswith((" ", "\t")):
        items[int(item.group(1))] = item.group(2)
        i += 1

    blocks = _blocks(lines[i:])
    title = items.get(3, "")
    if blocks and len(blocks[0]) == 1 and (not title or blocks[0][0][1] == title):
        title = blocks[0][0][1]
        blocks = blocks[1:]
    author = None
    if blocks and len(blocks[0]) == 1 and (a := _AUTHOR.match(blocks[0][0][1])):
        author = a.group(1).strip()
        blocks = blocks[1:]
    while blocks and all(BOILERPLATE.match(line) for _, line in blocks[-1]):
        blocks = blocks[:-1]

    photo_credits: list[str] = []
    raw: list[str] = list(teaser)
    for block in blocks:
        raw.extend(_body_paragraphs([(n, ln) for n, ln in block if not BOILERPLATE.match(ln)], photo_credits))
    paragraphs = clean_paragraphs(raw)
    if not paragraphs:
        report(Problem(path, None, "no article text (only a header or boilerplate); skipped", "note"))
        return None
    if not title:
        report(Problem(path, None, "no title found; indexed without one", "warning"))
    source = items.get(1)
    return Article.create(
        title=title,
        paragraphs=paragraphs,
        source=source,
        published=published,
        author=author,
        origin_path=path,
        origin_line=1,
        photo_credits=tuple(dict.fromkeys(photo_credits)),
    )


def read_seed(path: Path, text: str, on_problem: ProblemHandler, **_: object) -> Iterator[Article]:
    """Reader entry point: one article per seed file."""
    article = parse_seed(text, str(path), on_problem)
    if article is not None:
        yield article
