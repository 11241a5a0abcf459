"""A cap on the metadata kept in ``Article.extra``.

Every key a reader does not map to an article field is kept in ``extra``, and
``extra`` is held with the article until its batch is indexed. A CSV row with a
million columns (or a JSON line with a million keys) would otherwise hold
tens of megabytes per article: the first :data:`MAX_EXTRA_KEYS` keys, up to
:data:`MAX_EXTRA_CHARS` characters of keys and values together, are kept, the
rest dropped with one warning per article naming file and line.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from .fields import KNOWN_KEYS
from .problems import Problem, ProblemHandler

__all__ = ["MAX_EXTRA_CHARS", "MAX_EXTRA_KEYS", "capped_metadata"]

MAX_EXTRA_KEYS = 64
MAX_EXTRA_CHARS = 64 * 1024


def _size(key: str, value: Any) -> int:
    if isinstance(value, str):
        return len(key) + len(value)
    if value is None or isinstance(value, bool | int | float):
        return len(key) + 8
    # Nested JSON: its serialised length, which is what storing it costs.
    return len(key) + len(json.dumps(value, ensure_ascii=False, default=str))


def capped_metadata(
    pairs: Iterable[tuple[str, Any]],
    *,
    path: str,
    line: int | None,
    report: ProblemHandler,
    fields: frozenset[str] = frozenset(),
    more: int = 0,
) -> dict[str, Any]:
    """``pairs`` as a dict, keeping article fields whole and extra keys within the caps.

    Keys in :data:`~.fields.KNOWN_KEYS` or ``fields`` are never dropped (the
    article fields have their own caps). ``more`` counts further extra keys
    the caller did not pass because they could never be kept (a CSV row's
    columns past the cap), so that the warning gives the true number.
    """
    out: dict[str, Any] = {}
    kept = chars = 0
    dropped = more
    for key, value in pairs:
        if key in KNOWN_KEYS or key in fields:
            out[key] = value
            continue
        size = _size(key, value)
        if kept >= MAX_EXTRA_KEYS or chars + size > MAX_EXTRA_CHARS:
            dropped += 1
            continue
        out[key] = value
        kept += 1
        chars += size
    if dropped:
        reason = (
            f"{dropped:,} extra fields beyond the first {kept} dropped "
            f"(at most {MAX_EXTRA_KEYS} fields and {MAX_EXTRA_CHARS:,} characters are kept)"
        )
        report(Problem(path, line, reason, "warning"))
    return out
