"""JSON Lines: one article per line (the interchange format; ``.jsonl.gz`` is read transparently).

Fields: ``title``, ``source``, ``published`` (or ``date``), ``author``, ``url``,
``id``, and ``paragraphs`` (a list) or ``text`` (split on blank lines). Other
keys are kept in ``Article.extra``. A malformed line is reported with its line
number and the other lines are still read (``strict=True`` makes it fatal).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from ..article import Article
from .fields import article_from_fields
from .problems import IngestError, Problem, ProblemHandler

__all__ = ["read_jsonl"]

MAX_DEPTH = 50


def _depth(value: object, limit: int = MAX_DEPTH) -> int:
    depth = 0
    stack = [(value, 1)]
    while stack:
        v, d = stack.pop()
        depth = max(depth, d)
        if depth > limit:
            return depth
        if isinstance(v, dict):
            stack.extend((x, d + 1) for x in v.values())
        elif isinstance(v, list):
            stack.extend((x, d + 1) for x in v)
    return depth


def read_jsonl(
    path: Path, text: str, on_problem: ProblemHandler, strict: bool = False, **_: object
) -> Iterator[Article]:
    """Yield the articles of a JSON Lines text."""

    def problem(line: int, reason: str) -> None:
        p = Problem(str(path), line, reason, "error")
        if strict:
            raise IngestError(p)
        on_problem(p)

    # Split on "\n" only: JSON strings may hold U+2028 and other characters
    # that str.splitlines() would treat as line breaks.
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as exc:
            problem(number, f"not valid JSON ({str(exc)[:120]})")
            continue
        if not isinstance(d, dict):
            problem(number, f"expected a JSON object, got {type(d).__name__}")
            continue
        paragraphs = d.get("paragraphs")
        if paragraphs is None:
            body = d.get("text") or d.get("body") or ""
            if not isinstance(body, str):
                problem(number, "'text' must be a string")
                continue
            paragraphs = body.split("\n\n")
        if not isinstance(paragraphs, list) or not all(isinstance(p, str) for p in paragraphs):
            problem(number, "'paragraphs' must be a list of strings")
            continue
        if _depth(d) > MAX_DEPTH:
            problem(number, f"JSON nested deeper than {MAX_DEPTH} levels")
            continue
        article = article_from_fields(d, paragraphs, path=str(path), line=number, report=on_problem)
        if article is not None:
            yield article
