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
from dataclasses import replace
from pathlib import Path
from typing import BinaryIO

from ..article import Article
from .csvcolumns import Column, CsvOptions, column_fields, header_delimiter, is_header, normalize_name
from .decoding import MAX_ARTICLE_BYTES, LineDecoder, iter_lines, open_binary, repair_problems, size_text
from .extra import MAX_EXTRA_KEYS, capped_metadata
from .fields import KNOWN_KEYS, article_from_fields
from .paragraphs import split_blocks
from .problems import IngestError, Problem, ProblemHandler

__all__ = ["GNAD10K", "LABEL_TEXT", "MAX_LINE_BYTES", "CsvOptions", "read_csv", "stream_csv"]

_FIELD_LIMIT = MAX_ARTICLE_BYTES  # one article per cell: far above csv's 128 KiB default
# A physical line of a streamed file: one article's cell and its metadata.
MAX_LINE_BYTES = 2 * MAX_ARTICLE_BYTES
_MAX_NAME_CHARS = 40  # a longer header cell is a sentence: the "header" is a row of data
_GNAD_CATEGORIES = frozenset(
    {"Web", "Panorama", "International", "Wirtschaft", "Sport", "Inland", "Etat", "Wissenschaft", "Kultur"}
)

LABEL_TEXT = CsvOptions(delimiter=";", quotechar="'", header=False, text_column=1, category_column=0)
GNAD10K = replace(LABEL_TEXT, source="derstandard.at")


def _looks_like_gnad(sample: str) -> bool:
    first = sample.split("\n", 1)[0]
    label, sep, rest = first.partition(";")
    return bool(sep) and label in _GNAD_CATEGORIES and rest.startswith("'")


def _first_line(sample: str) -> str:
    return sample.split("\n", 1)[0].rstrip("\r")


def _dialect(sample: str, opts: CsvOptions) -> tuple[str, str, bool]:
    """Delimiter, quote character and whether there is a header row.

    A first line of known column names (:mod:`.csvcolumns`) is a header and
    gives the delimiter; only otherwise is ``csv.Sniffer`` asked, which quoted
    cells spanning lines can mislead.
    """
    delimiter, quotechar, header = opts.delimiter, opts.quotechar, opts.header
    first = _first_line(sample)
    from_header = header_delimiter(first, delimiter) if header is not False else None
    if from_header is not None:
        delimiter = from_header
        header = True if header is None else header
        quotechar = quotechar or '"'
    sniffer = csv.Sniffer()
    if delimiter is None or quotechar is None:
        try:
            dialect = sniffer.sniff(sample, delimiters=delimiter or ",;\t|")
            delimiter = delimiter or dialect.delimiter
            quotechar = quotechar or dialect.quotechar or '"'
        except csv.Error:
            delimiter, quotechar = delimiter or ",", quotechar or '"'
    if header is None and _names_columns(opts):
        header = True  # columns named by header name: the file must have one
    if header is None:
        try:
            header = sniffer.has_header(sample)
        except csv.Error:
            header = False
    return delimiter, quotechar, header


def _configured(opts: CsvOptions) -> dict[str, Column]:
    return {
        "text": opts.text_column, "title": opts.title_column, "date": opts.date_column,
        "source": opts.source_column, "url": opts.url_column, "author": opts.author_column,
        "category": opts.category_column, "id": opts.id_column,
    }


def _names_columns(opts: CsvOptions) -> bool:
    return any(isinstance(spec, str) for spec in _configured(opts).values())


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


def _columns(
    path: Path, names: list[str], opts: CsvOptions, on_problem: ProblemHandler, strict: bool
) -> dict[str, int] | None:
    """Field → column index; ``None`` (after an error) when a header names no text column.

    Configured columns win; the others are recognised by header name. A
    configured name missing from the header is an error, and so is a header
    without a text column: its rows would be guessed at, the header row
    itself read as an article.
    """

    def fail(reason: str) -> None:
        p = Problem(str(path), 1, reason, "error")
        if strict:
            raise IngestError(p)
        on_problem(p)

    found = ", ".join(names) or "no header"
    columns = column_fields(names) if names else {}
    for field, spec in _configured(opts).items():
        if isinstance(spec, int):
            columns[field] = spec
        elif isinstance(spec, str):
            wanted = normalize_name(spec)
            if wanted in names:
                columns[field] = names.index(wanted)
            else:
                columns.pop(field, None)
                fail(f"no column {spec!r} in the header ({found})")
    if names and "text" not in columns:
        fail(f"no text column in the header ({found}); name it with text=COLUMN (--csv-columns); skipped")
        return None
    return columns


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
    names: list[str] = []
    start = 1
    if header:
        first = next(rows, [])
        names = [normalize_name(n) for n in first]
        if opts.header is None and not is_header(names) and any(len(n) > _MAX_NAME_CHARS for n in names):
            # The sniffer's guess, but a sentence is no column name: the row is an article.
            names, rows = [], itertools.chain([first], rows)
        else:
            start = reader.line_num + 1
    columns = _columns(path, names, opts, on_problem, strict)
    if columns is None:
        return
    text_col = columns.pop("text", None)
    # Metadata goes to article_from_fields under its own names ("published" for the date).
    keys = {"date": "published"}
    chosen = {keys.get(f, f): col for f, col in columns.items()}
    chosen_fields = frozenset(chosen)
    taken = set(chosen.values())
    named_columns = [(i, n) for i, n in enumerate(names) if n and i != text_col and i not in taken]
    always = [(i, n) for i, n in named_columns if n in KNOWN_KEYS]
    optional = [(i, n) for i, n in named_columns if n not in KNOWN_KEYS]
    optional_at = [i for i, _ in optional]  # sorted: for counting a short row's columns
    # csv.reader counts physical lines; a row starts on the line after the previous
    # one ended, which keeps row numbers right when a quoted cell spans lines.
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
        mapped = ((f, row[col]) for f, col in chosen.items() if col < len(row))
        more = max(0, present - MAX_EXTRA_KEYS - 1)
        pairs = itertools.chain(named, mapped)
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
