"""JSON Lines: one article per line (the interchange format; ``.jsonl.gz`` is read transparently).

Fields: ``title``, ``source``, ``published`` (or ``date``), ``author`` (a string
or a list), ``url``, ``id`` (kept as given), and ``paragraphs`` (a list of
strings) or ``text`` (split on blank lines). Other keys are kept in
``Article.extra``. A malformed line is reported with its line number and the
other lines are still read (``strict=True`` makes it fatal).

A ``.json`` file may also hold one article object or an array of them
(pretty-printed over many lines); then problems name the array position.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..article import Article
from .fields import article_from_fields
from .paragraphs import split_blocks
from .problems import IngestError, Problem, ProblemHandler

__all__ = ["RecordError", "article_from_json", "read_jsonl"]

MAX_DEPTH = 50  # deeper "extra" values would make every later json.dumps of the article fragile


def _too_deep(value: object, limit: int = MAX_DEPTH) -> bool:
    stack = [(value, 1)]
    while stack:
        v, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(v, dict):
            stack.extend((x, depth + 1) for x in v.values() if isinstance(x, dict | list))
        elif isinstance(v, list):
            stack.extend((x, depth + 1) for x in v if isinstance(x, dict | list))
    return False


class RecordError(ValueError):
    """A JSON value that is not an article record; the message is the reason."""


def article_from_json(d: Any, *, path: str, line: int | None, on_problem: ProblemHandler) -> Article | None:
    """One decoded JSON value → an article, or ``None`` when it has no text (noted).

    Raises :class:`RecordError` when the value is not an article record.
    """
    if not isinstance(d, dict):
        raise RecordError(f"expected a JSON object, got {type(d).__name__}")
    paragraphs = d.get("paragraphs")
    if paragraphs is None:
        body = d.get("text") or d.get("body") or ""
        if not isinstance(body, str):
            raise RecordError("'text' must be a string")
        paragraphs = split_blocks(body)
    if isinstance(paragraphs, str):  # a single paragraph given as a string
        paragraphs = [paragraphs]
    if not isinstance(paragraphs, list) or not all(isinstance(p, str) for p in paragraphs):
        raise RecordError("'paragraphs' must be a list of strings")
    # Only nested metadata can be deep; the common flat record skips the walk.
    if any(isinstance(v, dict | list) and k != "paragraphs" for k, v in d.items()) and _too_deep(d):
        raise RecordError(f"JSON nested deeper than {MAX_DEPTH} levels")
    return article_from_fields(d, paragraphs, path=path, line=line, report=on_problem)


def _whole_document(text: str) -> Any:
    """The parsed value if ``text`` is one JSON document spanning several lines, else ``None``."""
    head = text.lstrip()[:1]
    if head not in ("[", "{") or text.strip().count("\n") == 0:
        return None
    try:
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        return None  # not one document: read it line by line and report the bad lines


def read_jsonl(
    path: Path, text: str, on_problem: ProblemHandler, strict: bool = False, **_: object
) -> Iterator[Article]:
    """Yield the articles of a JSON Lines text (or of a JSON array / object)."""

    def problem(line: int | None, reason: str) -> None:
        p = Problem(str(path), line, reason, "error")
        if strict:
            raise IngestError(p)
        on_problem(p)

    document = _whole_document(text) if path.name.lower().removesuffix(".gz").endswith(".json") else None
    if document is not None:
        records = document if isinstance(document, list) else [document]
        for position, d in enumerate(records):
            try:
                article = article_from_json(d, path=str(path), line=None, on_problem=on_problem)
            except RecordError as exc:
                problem(None, f"array item {position}: {exc}")
                continue
            if article is not None:
                yield article
        return

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
        try:
            article = article_from_json(d, path=str(path), line=number, on_problem=on_problem)
        except RecordError as exc:
            problem(number, str(exc))
            continue
        if article is not None:
            yield article
