"""The seed format: the German articles in ``seeds/``.

Shape (both variants occur)::

     date 2025-11-01   1. DerWesten.de          ← date, then list items (1. source, 3. title) …
      3. Trump droht mit Krieg! …
     date 2025-10-28 Donald Trump versprach …   ← … or the teaser straight after the date

    <title line>                                 ← dropped when it repeats item 3
    von <author>                                 ← optional
    <body: paragraphs separated by blank lines; one line, one paragraph>
    <gallery: heading line + caption line ending in "Foto: <credit>", or run-on captions>
    Weitere Nachrichten:                          ← trailing boilerplate

What becomes of each part:

- gallery slides: one paragraph each, ``"heading\\ncaption"``; a run-on line is
  split at its credits (see :mod:`.credits`);
- photo credits: removed from the text, kept in ``Article.photo_credits``
  (distinct, in order of appearance);
- boilerplate headers (``Weitere Nachrichten:``, ``Mehr zum Thema:``…) are
  dropped, and the short headline lines right after one — links to *other*
  articles, labelled as such by the file — go to ``Article.extra["related"]``
  rather than the paragraphs, so this article is not a hit for their topics;
- unlabelled lines that look like links (in ``000``: "Trumps Eskalation in der
  Karibik: …" / "Ukraine, Pakistan, Iran: …" between teaser and body) stay
  paragraphs, one per line: telling them from short body lines would be a guess,
  and a guess must not drop text;
- header list items other than 1 (source) and 3 (title): ``extra["header_items"]``.

Nothing else is dropped: every other line ends up in the title, author, or a paragraph.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from ..article import Article
from .credits import split_credits
from .dates import parse_date
from .paragraphs import clean_paragraphs, normalize_line, split_sentences
from .problems import Problem, ProblemHandler

__all__ = ["BOILERPLATE", "is_seed_text", "parse_seed", "read_seed"]

_FIRST_LINE = re.compile(r"^\s*date\s+(\S+)[ \t]*(.*)$")
_SEED_SIGNATURE = re.compile(r"^\s?date\s+\d{4}-\d{1,2}-\d{1,2}(?:\s|$)")
_LIST_ITEM = re.compile(r"^\s*(\d{1,2})\.\s+(.+?)\s*$")
_AUTHOR = re.compile(r"^von\s+(.{2,80})$", re.IGNORECASE)
BOILERPLATE = re.compile(
    r"^(?:Weitere Nachrichten|Mehr Nachrichten|Mehr zum Thema|Auch interessant|Lesen Sie auch|Lies auch"
    r"|Das könnte dich auch interessieren|Das könnte Sie auch interessieren|Mehr aus|Weitere Artikel"
    r"|Empfehlungen|Weitere Themen)\s*:?\s*$",
    re.IGNORECASE,
)
_MAX_TITLE = 300
_MAX_HEADLINE = 160  # a related-article link: one short sentence


def is_seed_text(text: str) -> bool:
    """True if ``text`` starts like a seed file (`` date YYYY-MM-DD``)."""
    return _SEED_SIGNATURE.match(text[:64]) is not None


Block = list[str]


def _blocks(lines: list[str]) -> list[Block]:
    """Runs of non-blank lines (stripped)."""
    blocks: list[Block] = []
    current: Block = []
    for line in lines:
        if line.strip():
            current.append(line.strip())
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _has_credit(line: str) -> bool:
    pieces = split_credits(line)
    return len(pieces) > 1 or pieces[0].credit is not None


def _is_headline(line: str) -> bool:
    """Short, one sentence: how a link to another article reads."""
    return len(line) <= _MAX_HEADLINE and len(split_sentences(line)) <= 1


def _slides(block: Block, photo_credits: list[str]) -> list[str]:
    """One paragraph per line, except that a gallery heading joins the caption after it."""
    out: list[str] = []
    heading: str | None = None
    for line in block:
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


def _header(first_rest: str, lines: list[str]) -> tuple[dict[int, str], str, int]:
    """List items and teaser from the first line(s); returns ``(items, teaser, lines used)``."""
    items: dict[int, str] = {}
    i = 1
    while i < len(lines) and lines[i][:1] in (" ", "\t") and (item := _LIST_ITEM.match(lines[i])):
        items[int(item.group(1))] = item.group(2)
        i += 1
    first = _LIST_ITEM.match(first_rest)
    # "1. DerWesten.de" is a list item; "3. Liga: Aufsteiger …" starting a long teaser is not.
    if first and (items or len(first_rest) <= 100):
        items[int(first.group(1))] = first.group(2)
        return items, "", i
    return items, first_rest, i


def parse_seed(text: str, path: str = "<text>", on_problem: ProblemHandler | None = None) -> Article | None:
    """Parse one seed file's text; ``None`` (with a note) when it holds no article."""
    report = on_problem or (lambda p: None)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    m = _FIRST_LINE.match(lines[0])
    if m is None:
        report(Problem(path, 1, "not a seed file: the first line is not ' date YYYY-MM-DD'", "error"))
        return None
    published = parse_date(m.group(1))
    if published is None:
        report(Problem(path, 1, f"could not read the date {m.group(1)!r}; indexed without a date", "warning"))
    items, teaser, used = _header(m.group(2).strip(), lines)
    blocks = _blocks(lines[used:])

    title = normalize_line(items.get(3, ""))
    first_line = blocks[0][0] if blocks and len(blocks[0]) == 1 else None
    if first_line and len(first_line) <= _MAX_TITLE and not BOILERPLATE.match(first_line):
        line = normalize_line(first_line)
        if not title or line == title:  # the title line, or its repeat of item 3
            title = line
            blocks = blocks[1:]
    author = None
    if blocks and len(blocks[0]) == 1 and (a := _AUTHOR.match(blocks[0][0])):
        name = a.group(1).strip()
        if len(name.split()) <= 6 and name[-1] not in ".!?:":
            author = name
            blocks = blocks[1:]

    photo_credits: list[str] = []
    related: list[str] = []
    raw: list[str] = [teaser] if teaser else []
    after_boilerplate = False
    for block in blocks:
        body: Block = []
        for line in block:
            if BOILERPLATE.match(line):
                after_boilerplate = True
            elif after_boilerplate and _is_headline(line) and not _has_credit(line):
                related.append(line)
            else:
                after_boilerplate = False  # real text again: the header was not a link list
                body.append(line)
        if body:
            raw.extend(_slides(body, photo_credits))

    if related and not clean_paragraphs(raw):
        # Headlines with no article around them are the article, not links beside it.
        raw, related = raw + related, []
    paragraphs = clean_paragraphs(raw)
    if not paragraphs and title:  # a headline-only item stays findable
        paragraphs = [title]
        report(Problem(path, None, "no article text; the title is indexed as its only paragraph", "note"))
    if not paragraphs:
        report(Problem(path, None, "no article text (only a header or boilerplate); skipped", "note"))
        return None
    if not title:
        report(Problem(path, None, "no title found; indexed without one", "warning"))
    extra: dict[str, object] = {}
    if related:
        extra["related"] = [normalize_line(r) for r in related]
    if other := {str(k): v for k, v in items.items() if k not in (1, 3)}:
        extra["header_items"] = other
    return Article.create(
        title=title,
        paragraphs=paragraphs,
        source=normalize_line(items[1]) or None if items.get(1) else None,
        published=published,
        author=author,
        origin_path=path,
        origin_line=1,
        photo_credits=tuple(dict.fromkeys(photo_credits)),
        extra=extra,
    )


def read_seed(path: Path, text: str, on_problem: ProblemHandler, **_: object) -> Iterator[Article]:
    """Reader entry point: one article per seed file."""
    article = parse_seed(text, str(path), on_problem)
    if article is not None:
        yield article
