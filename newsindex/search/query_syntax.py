"""Parse what people type into a :class:`QueryPlan`. Never raises on any string.

Syntax is recognised only where it is well formed; everything else is text:

* ``"exact phrase"`` (also „German quotes“); an unbalanced quote is text, and so are
  quotes inside a hyphenated word (``„Model C“-Schulen`` is the word ``Model-C-Schulen``);
* ``+word`` required, ``-word`` excluded (a ``-`` inside a word is a hyphen);
* ``word~`` typo-tolerant (edit distance 1 for 4–7 letters, 2 beyond), ``word~N``;
* ``prefix*`` with at least two letters before the ``*``;
* ``source:X``, ``author:X``, ``title:X``, ``date:2025-10-01..2025-10-31``
  (also ``date:2025-10``, ``date:2025``, open ends ``date:..2025-10-31``);
  an unknown ``field:`` is text.

So ``Wer liefert Waffen an Venezuela?`` is five words: ``?``, ``:``, ``/`` and
brackets in plain text are punctuation, never wildcards or syntax errors.

Caps, so that any string builds a small query (each cut is a note in
``QueryPlan.problems``):

* the query is cut to :data:`MAX_QUERY_CHARS` characters (at a space when one is
  near the cut, so the last word is not left as a fragment);
* control characters, NUL, lone surrogates and other unprintable characters are spaces;
* at most :data:`MAX_QUERY_WORDS` words are used, counting every kind (plain,
  ``+``/``-``, ``~``, ``*``, ``field:`` and the words of phrases);
* at most :data:`MAX_EXPANDED_WORDS` of them are prefix or typo-tolerant words
  (each expands to up to 64 index terms); later ``word*``/``word~`` are plain words.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date

__all__ = [
    "FIELDS",
    "MAX_EXPANDED_WORDS",
    "MAX_QUERY_CHARS",
    "MAX_QUERY_WORDS",
    "QueryPlan",
    "parse_date_bound",
    "parse_query",
]

FIELDS = ("source", "author", "title", "date")
MAX_QUERY_CHARS = 2_000
MAX_QUERY_WORDS = 64
MAX_EXPANDED_WORDS = 8
_CUT_AT_SPACE_WITHIN = 100  # look this far back from the character cap for a space

_QUOTES = {'"': '"', "„": "“", "“": "”", "»": "«", "«": "»"}
_FIELD_RE = re.compile(r"^(?P<field>[A-Za-z]+):(?P<value>.+)$")
_FUZZY_RE = re.compile(r"^(?P<word>\w[\w\-]*?)~(?P<dist>[012])?$")
_PREFIX_RE = re.compile(r"^(?P<word>\w{2,}[\w\-]*)\*$")
_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


@dataclass(slots=True)
class QueryPlan:
    """A parsed query: what to rank by, what to require, exclude and filter."""

    text: list[str] = field(default_factory=list)
    required: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    phrases: list[str] = field(default_factory=list)
    fuzzy: list[tuple[str, int | None]] = field(default_factory=list)
    prefixes: list[str] = field(default_factory=list)
    source: list[str] = field(default_factory=list)
    author: list[str] = field(default_factory=list)
    title: list[str] = field(default_factory=list)
    since: date | None = None
    until: date | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        """True when nothing would be searched for (filters alone do not count)."""
        return not (self.text or self.required or self.phrases or self.fuzzy or self.prefixes or self.title)


def parse_date_bound(value: str, *, end: bool) -> date | None:
    """``2025``, ``2025-10`` or ``2025-10-28`` (also ``28.10.2025``) as the first or last day meant."""
    value = value.strip()
    m = re.match(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$", value)
    if m:
        value = f"{m.group(3)}-{m.group(2)}-{m.group(1)}"
    m = _DATE_RE.match(value)
    if not m:
        return None
    year = int(m.group(1))
    month = int(m.group(2)) if m.group(2) else (12 if end else 1)
    if not 1 <= month <= 12 or not 1 <= year <= 9999:
        return None
    last = calendar.monthrange(year, month)[1]
    day = int(m.group(3)) if m.group(3) else (last if end else 1)
    if not 1 <= day <= last:
        return None
    return date(year, month, day)


def _split_quoted(query: str) -> list[tuple[str, bool]]:
    """Split into (chunk, is_phrase); only balanced quotes make phrases."""
    out: list[tuple[str, bool]] = []
    buf: list[str] = []
    i = 0
    n = len(query)
    while i < n:
        ch = query[i]
        closer = _QUOTES.get(ch)
        if closer is not None:
            j = query.find(closer, i + 1)
            if ch != '"' and j < 0:
                j = query.find('"', i + 1)
            if j > i + 1 and _glued(query, i, j):
                # „Model C“-Schulen, Anti-„Terror“-Gesetz: quotes inside a compound
                # word, not a phrase (and the hyphen then is not an exclusion).
                buf.append("-".join(query[i + 1 : j].split()))
                i = j + 1
                continue
            if j > i + 1:
                out.append(("".join(buf), False))
                buf = []
                out.append((query[i + 1 : j], True))
                i = j + 1
                continue
            buf.append(" ")  # a lone quote is punctuation
            i += 1
            continue
        buf.append(ch)
        i += 1
    out.append(("".join(buf), False))
    return [(c, p) for c, p in out if c.strip()]


def _glued(query: str, opener: int, closer: int) -> bool:
    """Whether the quoted text at ``opener``..``closer`` is part of a hyphenated word:
    a hyphen touches the opening quote from before or the closing quote from after."""
    return (opener > 0 and query[opener - 1] == "-") or query[closer + 1 : closer + 2] == "-"


def parse_query(query: str) -> QueryPlan:
    """Parse a user query. Any string is accepted; bad syntax degrades to text."""
    plan = QueryPlan()
    if not isinstance(query, str):
        query = str(query)
    if len(query) > MAX_QUERY_CHARS:
        plan.problems.append(f"query cut to its first {MAX_QUERY_CHARS} characters")
        lo, hi = MAX_QUERY_CHARS - _CUT_AT_SPACE_WITHIN, MAX_QUERY_CHARS + 1
        space = max(query.rfind(c, lo, hi) for c in " \t\n")
        query = query[: space if space > 0 else MAX_QUERY_CHARS]
    if not query.isprintable():
        query = "".join(ch if ch.isprintable() else " " for ch in query)
    budget = MAX_QUERY_WORDS
    for chunk, is_phrase in _split_quoted(query):
        words = chunk.split()
        if len(words) > budget:
            words = words[:budget]
            plan.problems.append(f"the query was cut to its first {MAX_QUERY_WORDS} words")
        budget -= len(words)
        if is_phrase:
            if words:
                plan.phrases.append(" ".join(words))
        else:
            for word in words:
                _classify(word, plan)
        if budget <= 0:
            break
    return plan


def _classify(word: str, plan: QueryPlan) -> None:
    m = _FIELD_RE.match(word)
    if m and m.group("field").lower() in FIELDS:
        _field(m.group("field").lower(), m.group("value"), plan)
        return
    if len(word) > 1 and word[0] in "+-" and word[1].isalpha():
        target = plan.required if word[0] == "+" else plan.excluded
        rest = word[1:]
        if rest.rstrip("?!.,;:"):
            target.append(rest.rstrip("?!.,;:"))
        return
    fuzzy = _FUZZY_RE.match(word)
    prefix = None if fuzzy else _PREFIX_RE.match(word)
    if (fuzzy or prefix) and len(plan.fuzzy) + len(plan.prefixes) >= MAX_EXPANDED_WORDS:
        note = f"only the first {MAX_EXPANDED_WORDS} prefix/typo-tolerant words were expanded"
        if note not in plan.problems:
            plan.problems.append(note)
        plan.text.append((fuzzy or prefix).group("word"))  # type: ignore[union-attr]
        return
    if fuzzy:
        plan.fuzzy.append((fuzzy.group("word"), int(fuzzy.group("dist")) if fuzzy.group("dist") else None))
        return
    if prefix:
        plan.prefixes.append(prefix.group("word"))
        return
    plan.text.append(word)


def _field(name: str, value: str, plan: QueryPlan) -> None:
    value = value.strip()
    if name == "date":
        lo, sep, hi = value.partition("..")
        since = parse_date_bound(lo, end=False) if lo else None
        until = parse_date_bound(hi if sep else lo, end=True) if (hi or not sep) else None
        if (lo and since is None) or ((hi or not sep) and until is None):
            plan.problems.append(f"could not read the date {value!r} (use YYYY-MM-DD..YYYY-MM-DD)")
            return
        plan.since, plan.until = since, until
    elif name == "source":
        plan.source.append(value)
    elif name == "author":
        plan.author.append(value)
    else:
        plan.title.append(value)
