"""JSON Lines: one article per line (the interchange format; ``.jsonl.gz`` is read transparently).

Fields: ``title``, ``source``, ``published`` (or ``date``), ``author`` (a string
or a list), ``url``, ``id`` (kept as given), and ``paragraphs`` (a list of
strings) or ``text`` (split on blank lines). Other keys are kept in
``Article.extra``. A malformed line is reported with its line number and the
other lines are still read (``strict=True`` makes it fatal).

A ``.json`` file may also hold one article object or an array of them
(pretty-printed over many lines); then problems name the array position.

``.jsonl`` files are streamed (:func:`stream_jsonl`): one line in memory at a
time, each decoded on its own (UTF-8, or cp1252 for a line in a legacy
encoding), and a line longer than :data:`~.decoding.MAX_ARTICLE_BYTES` is
reported and skipped without being held. Values nested deeper than Python's
parser can follow, and numbers with more digits than Python converts, are
reported like any other malformed line. Lone surrogates (``"\\ud800"``, half an
emoji) become U+FFFD.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from ..article import Article
from ..errors import RecordError
from .decoding import MAX_ARTICLE_BYTES, LineDecoder, iter_lines, open_binary, repair_problems, size_text
from .extra import capped_metadata
from .fields import article_from_fields
from .paragraphs import split_blocks
from .problems import IngestError, Problem, ProblemHandler

__all__ = ["RecordError", "article_from_json", "read_jsonl", "stream_jsonl"]

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
    d = capped_metadata(d.items(), path=path, line=line, report=on_problem)
    return article_from_fields(d, paragraphs, path=path, line=line, report=on_problem)


def _whole_document(text: str) -> Any:
    """The parsed value if ``text`` is one JSON document spanning several lines, else ``None``."""
    head = text.lstrip()[:1]
    if head not in ("[", "{") or text.strip().count("\n") == 0:
        return None
    try:
        return _parse(text)
    except ValueError:
        return None  # not one document: read it line by line and report the bad lines


# A \uD800–\uDFFF escape: JSON may encode half of a surrogate pair on its own,
# which no UTF-8 text can hold (hashing or storing the article would fail).
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _mend_surrogates(value: Any) -> Any:
    """``value`` with every lone surrogate in its strings (keys too) replaced by U+FFFD."""

    def fix(x: Any) -> Any:
        if isinstance(x, str):
            return _SURROGATE.sub("\ufffd", x)
        if isinstance(x, dict | list):
            stack.append(x)
        return x

    stack: list[Any] = []
    value = fix(value)
    while stack:  # iterative: values may be nested as deeply as the parser allows
        container = stack.pop()
        if isinstance(container, list):
            container[:] = [fix(x) for x in container]
        else:
            items = [(fix(k), fix(v)) for k, v in container.items()]
            container.clear()
            container.update(items)
    return value


def _parse(line: str) -> Any:
    """``json.loads`` with every way it can fail as ``ValueError`` (the reason)."""
    try:
        value = json.loads(line)
    except RecursionError:
        raise ValueError("not valid JSON (nested too deeply to parse)") from None
    except ValueError as exc:  # JSONDecodeError, and integers longer than Python converts
        raise ValueError(f"not valid JSON ({str(exc)[:120]})") from None
    return _mend_surrogates(value) if _SURROGATE_ESCAPE.search(line) else value


def _records(
    path: Path,
    lines: Iterable[tuple[int, str | None]],
    problem: Callable[[int | None, str], None],
    on_problem: ProblemHandler,
) -> Iterator[Article]:
    """Articles from numbered lines; ``None`` for a line that was too long to read."""
    for number, line in lines:
        if line is None:
            problem(number, f"line longer than {size_text(MAX_ARTICLE_BYTES)}; skipped")
            continue
        if not line.strip():
            continue
        try:
            d = _parse(line)
            article = article_from_json(d, path=str(path), line=number, on_problem=on_problem)
        except ValueError as exc:  # RecordError too
            problem(number, str(exc))
            continue
        if article is not None:
            yield article


def _problem_reporter(
    path: Path, on_problem: ProblemHandler, strict: bool
) -> Callable[[int | None, str], None]:
    def problem(line: int | None, reason: str) -> None:
        p = Problem(str(path), line, reason, "error")
        if strict:
            raise IngestError(p)
        on_problem(p)

    return problem


def read_jsonl(
    path: Path, text: str, on_problem: ProblemHandler, strict: bool = False, **_: object
) -> Iterator[Article]:
    """Yield the articles of a JSON Lines text (or of a JSON array / object)."""
    problem = _problem_reporter(path, on_problem, strict)
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
    numbered = (
        (number, line if len(line) <= MAX_ARTICLE_BYTES else None)
        for number, line in enumerate(text.split("\n"), start=1)
    )
    yield from _records(path, numbered, problem, on_problem)


def stream_jsonl(
    path: Path, on_problem: ProblemHandler, strict: bool = False, **_: object
) -> Iterator[Article]:
    """Yield the articles of a JSON Lines file, reading it one line at a time.

    The caller has checked the file's head (no BOM other than UTF-8's, not
    binary). Lines that are not UTF-8 are decoded on their own and reported once
    per file as a warning; a file with no record at all is noted as empty.
    """
    problem = _problem_reporter(path, on_problem, strict)
    decoder = LineDecoder()
    seen_text = False

    def lines(fh: Any) -> Iterator[tuple[int, str | None]]:
        nonlocal seen_text
        for number, raw in iter_lines(fh, MAX_ARTICLE_BYTES):
            if raw is None:
                seen_text = True
                yield number, None
                continue
            if number == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8) :]
            if raw.strip():
                seen_text = True
                yield number, decoder(raw, number)

    with open_binary(path) as fh:
        yield from _records(path, lines(fh), problem, on_problem)
    if not seen_text:
        on_problem(Problem(str(path), None, "empty file; skipped", "note"))
    for p in repair_problems(str(path), decoder.first_line, decoder.replaced, decoder.legacy_lines):
        on_problem(p)
