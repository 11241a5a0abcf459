"""Snippets: the best window of a passage around its marks, rendered for people.

Marks are ``(start, end)`` spans of surface words in the passage. The window is
the stretch of at most ``max_chars`` that covers the most distinct marked words
(ties: the earliest), widened to sentence or word boundaries; ``…`` shows where
text was cut. HTML output is escaped, so markup in an article is shown, not run;
ANSI output escapes the text's own control characters the same way.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from typing import Literal

from ..safe_text import terminal_safe

__all__ = [
    "ELLIPSIS",
    "SnippetFormat",
    "best_window",
    "marked_pieces",
    "merge_spans",
    "render",
    "snippet",
    "snippet_window",
]

SnippetFormat = Literal["text", "html", "ansi"]
ELLIPSIS = "…"
_ANSI_ON = "\x1b[1;33m"
_ANSI_OFF = "\x1b[0m"
_SENTENCE_END = re.compile(r"[.!?…:]\s+")


def merge_spans(spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sort spans and merge overlapping ones."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def best_window(text: str, spans: Sequence[tuple[int, int]], max_chars: int) -> tuple[int, int]:
    """The ``[start, end)`` window of ``text`` to show, at most ``max_chars`` long."""
    n = len(text)
    if n <= max_chars:
        return 0, n
    if not spans:
        return 0, _cut_end(text, 0, max_chars)
    best = (0, -1, 0)  # (distinct words, -first span index, start)
    for i, (s0, _) in enumerate(spans):
        limit = s0 + max_chars
        words = {text[s:e].lower() for s, e in spans[i:] if e <= limit}
        score = (len(words), -i, s0)
        if score > best:
            best = score
    first = best[2]
    # Lead in with up to a third of the window so the first mark has context.
    lead = max_chars // 3
    start = max(0, first - lead)
    sentence = [m.end() for m in _SENTENCE_END.finditer(text, start, first)]
    if sentence:
        start = sentence[-1]
    elif start > 0:
        space = text.find(" ", start, first)
        start = space + 1 if space >= 0 else first
    end = _cut_end(text, start, max_chars)
    return start, end


def _cut_end(text: str, start: int, max_chars: int) -> int:
    end = min(len(text), start + max_chars)
    if end < len(text):
        space = text.rfind(" ", start, end)
        if space > start:
            end = space
    return end


def render(
    text: str, spans: Sequence[tuple[int, int]], start: int, end: int, fmt: SnippetFormat = "text"
) -> str:
    """Render ``text[start:end]`` with ``spans`` marked, ``…`` where cut."""
    esc: Callable[[str], str]
    if fmt == "html":
        esc, on, off = html.escape, "<mark>", "</mark>"
    elif fmt == "ansi":
        # For a terminal: the text's own escape sequences are shown, never sent.
        esc, on, off = partial(terminal_safe, multiline=True), _ANSI_ON, _ANSI_OFF
    else:
        esc, on, off = str, "**", "**"
    out: list[str] = [ELLIPSIS] if start > 0 else []
    for piece, marked in marked_pieces(text, spans, start, end):
        out.append(on + esc(piece) + off if marked else esc(piece))
    if end < len(text):
        out.append(ELLIPSIS)
    return "".join(out).strip()


def marked_pieces(
    text: str, spans: Sequence[tuple[int, int]], start: int = 0, end: int | None = None
) -> Iterator[tuple[str, bool]]:
    """``text[start:end]`` cut at ``spans``: ``(piece, is_marked)`` in order.

    Spans may come in any order and overlap (they are merged); those reaching
    outside the window are clipped to it; unmarked pieces may be empty. Every
    renderer (text, HTML, ANSI, the terminal's rich text) joins these.
    """
    end = len(text) if end is None else end
    pos = start
    for s, e in merge_spans(spans):
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        yield text[pos:s], False
        yield text[s:e], True
        pos = e
    yield text[pos:end], False


def snippet_window(
    text: str, spans: Sequence[tuple[int, int]], max_chars: int = 240
) -> tuple[list[tuple[int, int]], int, int]:
    """The marks merged and the ``[start, end)`` window a snippet of ``text`` shows.

    ``start > 0`` and ``end < len(text)`` mean the snippet is cut there (shown with ``…``).
    """
    merged = merge_spans(spans)
    start, end = best_window(text, merged, max(20, max_chars))
    return merged, start, end


def snippet(
    text: str, spans: Sequence[tuple[int, int]], max_chars: int = 240, fmt: SnippetFormat = "text"
) -> str:
    """The best window of ``text`` around ``spans``, rendered in ``fmt``."""
    if fmt not in ("text", "html", "ansi"):
        raise ValueError(f"unknown snippet format {fmt!r}: use 'text', 'html' or 'ansi'")
    merged, start, end = snippet_window(text, spans, max_chars)
    return render(text, merged, start, end, fmt)
