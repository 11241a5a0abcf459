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
from collections.abc import Sequence
from functools import partial
from typing import Literal

from ..safe_text import terminal_safe

__all__ = ["SnippetFormat", "best_window", "merge_spans", "render", "snippet"]

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
    if fmt == "html":
        esc, on, off = html.escape, "<mark>", "</mark>"
    elif fmt == "ansi":
        # For a terminal: the text's own escape sequences are shown, never sent.
        esc, on, off = partial(terminal_safe, multiline=True), _ANSI_ON, _ANSI_OFF
    else:
        esc, on, off = (lambda s: s), "**", "**"
    out: list[str] = [ELLIPSIS] if start > 0 else []
    pos = start
    for s, e in spans:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        out.append(esc(text[pos:s]))
        out.append(on + esc(text[s:e]) + off)
        pos = e
    out.append(esc(text[pos:end]))
    if end < len(text):
        out.append(ELLIPSIS)
    return "".join(out).strip()


def snippet(
    text: str, spans: Sequence[tuple[int, int]], max_chars: int = 240, fmt: SnippetFormat = "text"
) -> str:
    """The best window of ``text`` around ``spans``, rendered in ``fmt``."""
    if fmt not in ("text", "html", "ansi"):
        raise ValueError(f"unknown snippet format {fmt!r}: use 'text', 'html' or 'ansi'")
    merged = merge_spans(spans)
    start, end = best_window(text, merged, max(20, max_chars))
    return render(text, merged, start, end, fmt)
