"""The plain-Whoosh baseline: the same fields and queries as newsindex, stock analysis.

Two analyzers: ``standard`` (``StandardAnalyzer``: lowercase + English stop list)
and ``de`` (``LanguageAnalyzer("de")``: Snowball German stemmer + German stop
list). Ranking is Whoosh's default BM25F. Queries are parsed fairly:

* ``natural`` mode (relevance runs): every query is a bag of words, OR-grouped;
  punctuation such as ``?``, ``:``, ``*`` and quotes is dropped, so
  ``Wer gewann die Wahl?`` never becomes a wildcard or a syntax error.
* ``syntax`` mode (speed runs): the query language newsindex offers, mapped to
  Whoosh: ``"phrase"``, ``word~``/``word~2``, ``prefix*``, ``+``/``-``,
  ``source:X`` and ``date:A..B`` filters. ``?`` is never a wildcard.

Also a tiny CLI for the cold-start measurement::

    python -m benchmarks.baseline search INDEX_DIR "Krieg"
"""

from __future__ import annotations

import calendar
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path
from typing import Any, Literal

from whoosh import fields, highlight, index, qparser, query
from whoosh.analysis import Analyzer, IDTokenizer, LanguageAnalyzer, LowercaseFilter, StandardAnalyzer
from whoosh.filedb.filestore import RamStorage

__all__ = ["ANALYZERS", "BaselineIndex", "ParsedQuery", "build_schema", "split_filters"]

AnalyzerName = Literal["standard", "de"]
ANALYZERS: dict[str, str] = {"standard": "StandardAnalyzer()", "de": 'LanguageAnalyzer("de")'}

_GERMAN_QUOTES = str.maketrans({"„": '"', "“": '"', "”": '"', "»": '"', "«": '"'})
_SOURCE_RE = re.compile(r"(?<!\S)source:(\S+)")
_DATE_RE = re.compile(r"(?<!\S)date:(\S*)\.\.(\S*)")
_YEAR_RE = re.compile(r"(?<!\S)date:(\d{4})(?!\S)")
# Characters that are punctuation in a natural query (kept: letters, digits, hyphen).
_NATURAL_DROP = re.compile(r"[^\w\s\-]")
# In syntax mode only these are syntax; everything else that is not a word char is dropped.
_SYNTAX_DROP = re.compile(r"[^\w\s\-\"~*+]")


def _make_analyzer(name: str) -> Analyzer:
    if name == "standard":
        return StandardAnalyzer()
    if name == "de":
        return LanguageAnalyzer("de")
    raise ValueError(f"unknown baseline analyzer {name!r} (choose from {sorted(ANALYZERS)})")


def build_schema(analyzer: str = "de") -> fields.Schema:
    """Paragraph schema with the fields newsindex has: title, body, source, date."""
    ana = _make_analyzer(analyzer)
    return fields.Schema(
        doc_id=fields.ID(unique=True, stored=True),
        article_id=fields.ID(stored=True),
        paragraph=fields.STORED(),
        title=fields.TEXT(analyzer=ana, stored=True),
        body=fields.TEXT(analyzer=ana, stored=True),
        source=fields.ID(stored=True, analyzer=IDTokenizer() | LowercaseFilter()),
        date=fields.DATETIME(stored=True),
    )


@dataclass(slots=True)
class ParsedQuery:
    """A query string split into the text part and Whoosh filter queries."""

    text: str
    filters: list[query.Query]

    def filter_query(self) -> query.Query | None:
        """All filters ANDed, or None."""
        if not self.filters:
            return None
        return self.filters[0] if len(self.filters) == 1 else query.And(self.filters)


def _date_bound(value: str, *, end: bool) -> datetime | None:
    value = value.strip()
    if not value:
        return None
    parts = [int(p) for p in value.split("-") if p.isdigit()]
    try:
        if not parts:
            return None
        if len(parts) == 1:
            d = datetime(parts[0], 12 if end else 1, 31 if end else 1)
        elif len(parts) == 2:
            last = calendar.monthrange(parts[0], parts[1])[1]
            d = datetime(parts[0], parts[1], last if end else 1)
        else:
            d = datetime(parts[0], parts[1], parts[2])
    except ValueError:
        return None
    return datetime.combine(d.date(), time.max if end else time.min)


def split_filters(text: str) -> ParsedQuery:
    """Pull ``source:X`` and ``date:A..B`` / ``date:YYYY`` out of a query as Whoosh filters."""
    filters: list[query.Query] = []
    for m in _SOURCE_RE.finditer(text):
        filters.append(query.Term("source", m.group(1).lower()))
    for m in _DATE_RE.finditer(text):
        start, end = _date_bound(m.group(1), end=False), _date_bound(m.group(2), end=True)
        filters.append(query.DateRange("date", start, end))
    for m in _YEAR_RE.finditer(text):
        year = m.group(1)
        filters.append(query.DateRange("date", _date_bound(year, end=False), _date_bound(year, end=True)))
    rest = _YEAR_RE.sub(" ", _DATE_RE.sub(" ", _SOURCE_RE.sub(" ", text)))
    return ParsedQuery(" ".join(rest.split()), filters)


def _parser(schema: fields.Schema, mode: str, title_boost: float) -> qparser.QueryParser:
    p = qparser.MultifieldParser(
        ["title", "body"], schema, fieldboosts={"title": title_boost, "body": 1.0}, group=qparser.OrGroup
    )
    for cls in (
        qparser.WildcardPlugin,  # '?' would be a single-character wildcard
        qparser.FieldsPlugin,  # 'Zeit:' in a question is not a field
        qparser.RangePlugin,
        qparser.BoostPlugin,  # '^'
        qparser.EveryPlugin,
        qparser.SingleQuotePlugin,
        qparser.GroupPlugin,  # parentheses
        qparser.OperatorsPlugin,  # AND/OR/NOT words
    ):
        p.remove_plugin_class(cls)
    if mode == "natural":
        p.remove_plugin_class(qparser.PhrasePlugin)
    else:
        p.add_plugin(qparser.PrefixPlugin())
        p.add_plugin(qparser.FuzzyTermPlugin())
        p.add_plugin(qparser.PlusMinusPlugin())
    return p


class BaselineIndex:
    """A plain-Whoosh paragraph index (on disk or in RAM) with the baseline query parser."""

    def __init__(self, ix: index.Index, *, mode: str = "natural", title_boost: float = 1.0) -> None:
        self.ix = ix
        self.mode = mode
        self._parser = _parser(ix.schema, mode, title_boost)
        self._searcher: Any = None

    @classmethod
    def create(cls, path: str | Path | None, analyzer: str = "de", **kwargs: Any) -> BaselineIndex:
        """A new empty index in ``path`` (a folder, replaced) or in RAM when ``path`` is None."""
        schema = build_schema(analyzer)
        if path is None:
            ix = RamStorage().create_index(schema)
        else:
            Path(path).mkdir(parents=True, exist_ok=True)
            ix = index.create_in(str(path), schema)
        return cls(ix, **kwargs)

    @classmethod
    def open(cls, path: str | Path, **kwargs: Any) -> BaselineIndex:
        """Open an existing baseline index folder."""
        return cls(index.open_dir(str(path)), **kwargs)

    def add(self, docs: Iterable[dict[str, Any]], *, procs: int = 1, limitmb: int = 256) -> int:
        """Index paragraph dicts (keys: doc_id, article_id, paragraph, title, body, source, date)."""
        n = 0
        writer = self.ix.writer(procs=procs, limitmb=limitmb)
        for d in docs:
            writer.add_document(**{k: v for k, v in d.items() if v is not None})
            n += 1
        writer.commit()
        self._searcher = None
        return n

    def parse(self, text: str) -> ParsedQuery:
        """Translate a user query into a Whoosh query string plus filters (see module doc)."""
        text = text.translate(_GERMAN_QUOTES)
        if self.mode == "natural":
            return ParsedQuery(" ".join(_NATURAL_DROP.sub(" ", text).split()), [])
        pq = split_filters(text)
        cleaned = _SYNTAX_DROP.sub(" ", pq.text)
        if cleaned.count('"') % 2:
            cleaned = cleaned.replace('"', " ")
        return ParsedQuery(" ".join(cleaned.split()), pq.filters)

    def searcher(self) -> Any:
        """A shared searcher (opened on first use)."""
        if self._searcher is None:
            self._searcher = self.ix.searcher()
        return self._searcher

    def search(
        self, text: str, limit: int = 10, *, snippets: bool = False, max_chars: int = 240
    ) -> list[dict[str, Any]]:
        """Top ``limit`` paragraphs as dicts (``doc_id``, ``score``, and ``snippet`` when asked)."""
        pq = self.parse(text)
        if not pq.text:
            return []
        q = self._parser.parse(pq.text)
        results = self.searcher().search(q, limit=limit, filter=pq.filter_query())
        if snippets:
            results.fragmenter = highlight.ContextFragmenter(maxchars=max_chars, surround=60)
            results.formatter = highlight.UppercaseFormatter()
        out = []
        for hit in results:
            row = {"doc_id": hit["doc_id"], "score": hit.score}
            if snippets:
                row["snippet"] = hit.highlights("body", top=2)
            out.append(row)
        return out

    def close(self) -> None:
        """Release the searcher and the index."""
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None
        self.ix.close()


def _main(argv: Sequence[str]) -> int:
    if len(argv) < 3 or argv[0] != "search":
        print("usage: python -m benchmarks.baseline search INDEX_DIR QUERY", file=sys.stderr)
        return 2
    bi = BaselineIndex.open(argv[1], mode="syntax")
    for row in bi.search(" ".join(argv[2:]), snippets=True):
        print(f"{row['score']:.3f}\t{row['doc_id']}\t{row['snippet']}")
    bi.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))
