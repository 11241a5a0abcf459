"""CSV files: one article per row, with configurable columns.

Without options the dialect is sniffed and a header row (``title``, ``text``,
``date``, ``source``, ``url``, ``author``…, German names too) names the columns;
without a header the longest cell of each row is the text. Every other named
column goes to ``Article.extra``, within the caps of :mod:`.extra` (a row of a
million columns costs what its first 64 cost). Files are streamed one row at a
time (:func:`stream_csv`); cells are capped at 16 MiB whatever
``csv.field_size_limit`` the process set.

The 10kGNAD layout (``;``-separated, quote char ``'``, no header, columns
``category;text``) is recognised by its first cell being one of the corpus's
nine categories; it is read with :data:`LABEL_TEXT`. :data:`GNAD10K` is the
same plus ``source="derstandard.at"`` (where the corpus comes from), for callers
who know they are reading that corpus; the automatic recognition does not claim
a source. 10kGNAD has no titles, dates or paragraph breaks: its articles have
an empty title (the text's opening sentence is its teaser, so copying it into
the title would only duplicate it), the category in ``extra["category"]``, and
text longer than 1,500 characters split at sentence ends like any other.
"""

from __future__ import annotations

import bisect
import codecs
import csv
import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO

from ..article import Article
from .decoding import MAX_ARTICLE_BYTES, LineDecoder, iter_lines, open_binary, repair_problems, size_text
from .extra import MAX_EXTRA_KEYS, capped_metadata
from .fields import KNOWN_KEYS, article_from_fields
from .paragraphs import split_blocks
from .problems import IngestError, Problem, ProblemHandler

__all__ = ["GNAD10K", "LABEL_TEXT", "MAX_LINE_BYTES", "CsvOptions", "read_csv", "stream_csv"]

_FIELD_LIMIT = MAX_ARTICLE_BYTES  # one article per cell: far above csv's 128 KiB default
# A physical line of a streamed file: one article's cell and its metadata.
MAX_LINE_BYTES = 2 * MAX_ARTICLE_BYTES
_TEXT_NAMES = ("text", "body", "content", "article", "inhalt", "paragraphs")
_GNAD_CATEGORIES = frozenset(
    {"Web", "Panorama", "International", "Wirtschaft", "Sport", "Inland", "Etat", "Wissenschaft", "Kultur"}
)

Column = int | str | None


@dataclass(frozen=True, slots=True)
class CsvOptions:
    """Layout of a CSV file. Columns are 0-based indexes or header names (case-insensitive).

    ``delimiter``/``quotechar``/``header`` left ``None`` are sniffed from the
    file. ``source`` is a fixed source for rows without a source column.
    """

    delimiter: str | None = None
    quotechar: str | None = None
    header: bool | None = None
    text_column: Column = None
    title_column: Column = None
    date_column: Column = None
    source_column: Column = None
    url_column: Column = None
    author_column: Column = None
    category_column: Column = None
    id_column: Column = None
    source: str | None = None


LABEL_TEXT = CsvOptions(delimiter=";", quotechar="'", header=False, text_column=1, category_column=0)
GNAD10K = replace(LABEL_TEXT, source="derstandard.at")


def _looks_like_gnad(sample: str) -> bool:
    first = sample.split("\n", 1)[0]
    label, sep, rest = first.partition(";")
    return bool(sep) and label in _GNAD_CATEGORIES and rest.startswith("'")


def _dialect(sample: str, opts: CsvOptions) -> tuple[str, str, bool]:
    delimiter, quotechar, header = opts.delimiter, opts.quotechar, opts.header
    sniffer = csv.Sniffer()
    if delimiter is None or quotechar is None:
        try:
            dialect = sniffer.sniff(sample, delimiters=",;\t|")
            delimiter = delimiter or dialect.delimiter
            quotechar = quotechar or dialect.quotechar or '"'
        except csv.Error:
            delimiter, quotechar = delimiter or ",", quotechar or '"'
    if header is None:
        try:
            header = sniffer.has_header(sample)
        except csv.Error:
            header = False
    return delimiter, quotechar, header


_LINE = re.compile(r"[^\r\n]*(?:\r\n?|\n)|[^\r\n]+\Z")
_SAMPLE_CHARS = 20_000


def _lines(text: str) -> Iterator[str]:
    """``text`` one line at a time, line ends kept (``io.StringIO`` would copy it, four bytes a character)."""
    return (m.group() for m in _LINE.finditer(text))


def _limited(rows: Iterator[list[str]]) -> Iterator[list[str]]:
    """``rows`` parsed under this reader's field size limit, whatever the process set it to.

    The limit is global to the ``csv`` module: it is set for each row and put
    back, so neither a caller's larger limit lifts this cap nor ours leaks out.
    """
    while True:
        previous = csv.field_size_limit(_FIELD_LIMIT)
        try:
            row = next(rows, None)
        finally:
            csv.field_size_limit(previous)
        if row is None:
            return
        yield row


def read_csv(
    path: Path,
    text: str | Iterable[str],
    on_problem: ProblemHandler,
    strict: bool = False,
    csv_options: CsvOptions | None = None,
    **_: object,
) -> Iterator[Article]:
    """Yield one article per CSV row (``origin_line`` is the row's number, 1-based, header included).

    ``text`` is the whole decoded file or its lines (streamed: one row held at a time).
    """
    lines = _lines(text) if isinstance(text, str) else iter(text)
    head: list[str] = []
    size = 0
    for line in lines:  # the first lines, enough to sniff the dialect
        head.append(line)
        size += len(line)
        if size >= _SAMPLE_CHARS:
            break
    sample = "".join(head)[:_SAMPLE_CHARS]
    opts = csv_options or (LABEL_TEXT if _looks_like_gnad(sample) else CsvOptions())
    delimiter, quotechar, header = _dialect(sample, opts)
    reader = csv.reader(itertools.chain(head, lines), delimiter=delimiter, quotechar=quotechar)
    rows = _limited(reader)
    names: list[str] = [n.strip().lower() for n in next(rows, [])] if header else []

    def index(spec: Column) -> int | None:
        if isinstance(spec, int):
            return spec
        if isinstance(spec, str) and spec.lower() in names:
            return names.index(spec.lower())
        return None

    configured = [opts.text_column, opts.title_column, opts.date_column, opts.source_column,
                  opts.url_column, opts.author_column, opts.category_column, opts.id_column]
    for spec in configured:
        if isinstance(spec, str) and spec.lower() not in names:
            header_names = ", ".join(names) or "no header"
            p = Problem(str(path), 1, f"no column {spec!r} in the header ({header_names})", "error")
            if strict:
                raise IngestError(p)
            on_problem(p)
    text_col = index(opts.text_column)
    if text_col is None and names:
        text_col = next((names.index(n) for n in _TEXT_NAMES if n in names), None)
    fields = ("text", "title", "date", "source", "url", "author", "category", "id")
    columns = {field: index(spec) for field, spec in zip(fields, configured, strict=True) if field != "text"}
    chosen_fields = frozenset(f for f, col in columns.items() if col is not None)
    named_columns = [(i, n) for i, n in enumerate(names) if n and i != text_col]
    always = [(i, n) for i, n in named_columns if n in KNOWN_KEYS or n in chosen_fields]
    optional = [(i, n) for i, n in named_columns if not (n in KNOWN_KEYS or n in chosen_fields)]
    optional_at = [i for i, _ in optional]  # sorted: for counting a short row's columns
    # csv.reader counts physical lines; a row starts on the line after the previous
    # one ended, which keeps row numbers right when a quoted cell spans lines.
    start = reader.line_num + 1
    for row in rows:
        number, start = start, reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue
        # No text column known: the longest cell holds the article.
        body = max(row, key=len) if text_col is None else (row[text_col] if text_col < len(row) else "")
        if not body.strip():
            p = Problem(str(path), number, "row has no text", "error")
            if strict:
                raise IngestError(p)
            on_problem(p)
            continue
        # Only the columns that can be kept are looked at: a row of a million
        # columns must not become a million-key dict, nor a million-step loop.
        present = bisect.bisect_left(optional_at, len(row))
        candidates = itertools.chain(always, optional[: min(present, MAX_EXTRA_KEYS + 1)])
        named = ((name, row[i]) for i, name in candidates if i < len(row) and row[i] is not body)
        chosen = ((f, row[col]) for f, col in columns.items() if col is not None and col < len(row))
        more = max(0, present - MAX_EXTRA_KEYS - 1)
        pairs = itertools.chain(named, chosen)
        meta = capped_metadata(
            pairs, path=str(path), line=number, report=on_problem, fields=chosen_fields, more=more
        )
        if opts.source and not meta.get("source"):
            meta["source"] = opts.source
        paragraphs = split_blocks(body)
        article = article_from_fields(meta, paragraphs, path=str(path), line=number, report=on_problem)
        if article is not None:
            yield article


def stream_csv(
    path: Path,
    on_problem: ProblemHandler,
    strict: bool = False,
    csv_options: CsvOptions | None = None,
    **_: object,
) -> Iterator[Article]:
    """Yield the articles of a CSV file, reading it one line at a time.

    The caller has checked the file's head (no BOM other than UTF-8's, not
    binary, not a legacy encoding). Lines that are not UTF-8 are decoded on
    their own and reported once per file; a physical line longer than
    :data:`MAX_LINE_BYTES` ends the file with an error (a CSV cannot be
    resynchronised past it), and a file with no text at all is noted as empty.
    """
    decoder = LineDecoder()
    seen_text = False
    nul = 0

    def lines(fh: BinaryIO) -> Iterator[str]:
        nonlocal seen_text, nul
        for number, raw in iter_lines(fh, MAX_LINE_BYTES):
            if raw is None:
                reason = f"line longer than {size_text(MAX_LINE_BYTES)}; the rest of the file skipped"
                p = Problem(str(path), number, reason, "error")
                if strict:
                    raise IngestError(p)
                on_problem(p)
                return
            if number == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8) :]
            line = decoder(raw, number)
            seen_text = seen_text or bool(line.strip())
            nul += line.count("\x00")
            yield line

    with open_binary(path) as fh:
        yield from read_csv(path, lines(fh), on_problem, strict=strict, csv_options=csv_options)
    if not seen_text:
        on_problem(Problem(str(path), None, "empty file; skipped", "note"))
    for p in repair_problems(str(path), decoder.first_line, decoder.replaced, decoder.legacy_lines, nul):
        on_problem(p)
