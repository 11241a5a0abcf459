"""Files in, articles out: ``read(path)`` walks files and folders and yields :class:`Article`.

Formats, chosen by file name or by ``format=``:

============  ===========================================  ==================
format        files                                        module
============  ===========================================  ==================
``seed``      ``.txt`` starting with `` date YYYY-MM-DD``   :mod:`.seedformat`
``jsonl``     ``.jsonl``, ``.ndjson``, ``.json``             :mod:`.jsonl`
``text``      other ``.txt``                               :mod:`.plaintext`
``markdown``  ``.md``, ``.markdown``                       :mod:`.plaintext`
``html``      ``.html``, ``.htm``                          :mod:`.html`
``csv``       ``.csv``                                     :mod:`.csvfile`
============  ===========================================  ==================

The table is data: :data:`INPUT_FORMATS` in :mod:`.formats`, which
:func:`register_format` extends and :func:`describe_formats` lists for help texts;
:mod:`.dispatch` reads files with it. Any of them may be gzipped
(``name.jsonl.gz``); files with other names are skipped with a note.

Bytes are decoded by :mod:`.decoding` (UTF-8 with or without BOM, UTF-16 by
BOM, legacy encodings detected, binaries skipped), and every reader's
paragraphs go through :func:`.paragraphs.clean_paragraphs`.

Limits, so that no file can exhaust memory or time: a file of a one-article
format (``.txt``, ``.md``, ``.html``, also gzipped) larger than
:data:`MAX_ARTICLE_BYTES` (16 MiB) is skipped without being read; JSON Lines
JSON Lines
and CSV files are streamed one line at a time (a JSON line longer than 16 MiB
is skipped without being held); CSV files in a legacy encoding and ``.json``
files, read whole, may be up to :data:`MAX_TEXT_BYTES` (512 MiB). A ``.gz``
unpacks to at most :func:`~.decoding.gzip_limit` (100 times its size, at least
512 MiB). ``Article.extra`` keeps at most 64 keys and 64 KiB (:mod:`.extra`).
Only regular files are opened: FIFOs, sockets and devices are notes, symlink
loops warnings (:mod:`.walk`). Title, source, author and URL are cut at
1,000 characters (they are stored with every paragraph), an ``id`` longer than
256 characters is replaced by a derived one, and paragraphs are split at 1,500
characters. NUL and other control characters are removed from all text.

Problems (binary or undecodable files, malformed lines, unreadable dates,
empty files, skipped symlinks) are :class:`Problem` records passed to ``on_problem``; with no
handler they go to the ``newsindex.ingest`` logger (errors and warnings at
their level, notes at INFO), so a library user sees errors and warnings on
stderr without configuring anything. Problems never stop the walk, unless
``strict=True``, which raises :class:`IngestError` at the first *error*
(warnings and notes are still only reported).
"""

from __future__ import annotations

from .csvcolumns import CSV_COLUMN_NAMES, csv_options_from_columns, parse_column_spec
from .csvfile import GNAD10K, LABEL_TEXT, CsvOptions
from .decoding import MAX_ARTICLE_BYTES, MAX_TEXT_BYTES
from .dispatch import read, read_all, read_file
from .formats import (
    FORMATS,
    INPUT_FORMATS,
    InputFormat,
    Reader,
    describe_formats,
    detect_format,
    format_name,
    register_format,
)
from .problems import IngestError, Problem, ProblemHandler, Severity
from .walk import iter_files

__all__ = [
    "CSV_COLUMN_NAMES",
    "FORMATS",
    "GNAD10K",
    "INPUT_FORMATS",
    "LABEL_TEXT",
    "MAX_ARTICLE_BYTES",
    "MAX_TEXT_BYTES",
    "CsvOptions",
    "IngestError",
    "InputFormat",
    "Problem",
    "ProblemHandler",
    "Reader",
    "Severity",
    "csv_options_from_columns",
    "describe_formats",
    "detect_format",
    "format_name",
    "iter_files",
    "parse_column_spec",
    "read",
    "read_all",
    "read_file",
    "register_format",
]
