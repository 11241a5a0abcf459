"""CSV files: one article per row, with configurable columns.

Without options the dialect is sniffed and a header row (``title``, ``text``,
``date``, ``source``, ``url``, ``author``…) names the columns; without a header
the longest column is the text. ``GNAD10K`` is the preset for the 10kGNAD
corpus (``;``-separated, quote char ``'``, columns category;text): it has no
titles, dates or paragraph breaks, so its articles have an empty title, the
category in ``extra["category"]``, and long texts split at sentence ends.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..article import Article
from .fields import article_from_fields
from .problems import IngestError, Problem, ProblemHandler

__all__ = ["GNAD10K", "CsvOptions", "read_csv"]

csv.field_size_limit(50 * 1024 * 1024)
_TEXT_NAMES = ("text", "body", "content", "article", "inhalt")


@dataclass(frozen=True, slots=True)
class CsvOptions:
    """Column layout of a CSV file; column values are 0-based indexes or header names."""

    delimiter: str | None = None  # None: sniff
    quotechar: str | None = None
    header: bool | None = None  # None: sniff
    text_column: int | str | None = None
    title_column: int | str | None = None
    date_column: int | str | None = None
    source_column: int | str | None = None
    url_column: int | str | None = None
    author_column: int | str | None = None
    category_column: int | str | None = None
    source: str | None = None  # a fixed source for every row


GNAD10K = CsvOptions(delimiter=";", quotechar="'", header=False, text_column=1, category_column=0,
                     source="derstandard.at")


def _is_gnad(sample: str) -> bool:
    first = sample.split("\n", 1)[0]
    return first.count(";") >= 1 and first.split(";", 1)[0] in {
        "Web", "Panorama", "International", "Wirtschaft", "Sport", "Inland", "Etat", "Wissenschaft", "Kultur"
    }


def read_csv(
    path: Path,
    text: str,
    on_problem: ProblemHandler,
    strict: bool = False,
    csv_options: CsvOptions | None = None,
    **_: object,
) -> Iterator[Article]:
    """Yield one article per CSV row."""
    sample = text[:20_000]
    opts = csv_options or (GNAD10K if _is_gnad(sample) else CsvOptions())
    delimiter, quotechar = opts.delimiter, opts.quotechar
    if delimiter is None or quotechar is None:
        try:
            dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
            delimiter = delimiter or dialect.delimiter
            quotechar = quotechar or dialect.quotechar
        except csv.Error:
            delimiter, quotechar = delimiter or ",", quotechar or '"'
    header = opts.header
    if header is None:
        try:
            header = csv.Sniffer().has_header(sample)
        except csv.Error:
            header = False
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar=quotechar)
    names: list[str] = []
    if header:
        names = [n.strip().lower() for n in next(rows, [])]

    def col(spec: int | str | None, row: list[str]) -> str | None:
        if spec is None:
            return None
        named = names.index(spec.lower()) if isinstance(spec, str) and spec.lower() in names else -1
        index = spec if isinstance(spec, int) else named
        return row[index] if 0 <= index < len(row) else None

    text_spec = opts.text_column
    if text_spec is None and names:
        text_spec = next((n for n in _TEXT_NAMES if n in names), None)
    for number, row in enumerate(rows, start=2 if header else 1):
        if not any(cell.strip() for cell in row):
            continue
        body = col(text_spec, row) if text_spec is not None else max(row, key=len)
        if not body:
            p = Problem(str(path), number, "row has no text column", "error")
            if strict:
                raise IngestError(p)
            on_problem(p)
            continue
        meta = {key: row[i] for i, key in enumerate(names) if i < len(row)} if names else {}
        for field, spec in (("title", opts.title_column), ("date", opts.date_column),
                            ("source", opts.source_column), ("url", opts.url_column),
                            ("author", opts.author_column), ("category", opts.category_column)):
            value = col(spec, row)
            if value is not None:
                meta[field] = value
        if opts.source and not meta.get("source"):
            meta["source"] = opts.source
        for key in _TEXT_NAMES:
            meta.pop(key, None)
        paragraphs = body.replace("\r\n", "\n").split("\n\n")
        article = article_from_fields(meta, paragraphs, path=str(path), line=number, report=on_problem)
        if article is not None:
            yield article
