"""CSV headers: which column is the text, the title, the date…, and which delimiter splits them.

Header names are matched after normalisation (surrounding whitespace, a BOM
and quotes removed, case folded, ``ue``/``ae``/``oe`` read as umlauts), in
German and English: ``titel``/``title``/``überschrift``/``headline``,
``quelle``/``source``/``zeitung``/``medium``, ``datum``/``date``,
``autor``/``author``, ``text``/``inhalt``/``body``, ``url``/``link`` and the
variants in :data:`CSV_COLUMN_NAMES`.

The delimiter of a file with a recognised header is read off that header line,
not sniffed from a sample: a quoted cell spanning lines (paragraphs) fools
``csv.Sniffer``, a header line does not.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass, replace

__all__ = [
    "CSV_COLUMN_NAMES",
    "CSV_FIELDS",
    "Column",
    "CsvOptions",
    "column_fields",
    "csv_options_from_columns",
    "header_delimiter",
    "is_header",
    "normalize_name",
    "parse_column_spec",
]

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



# The first name of each field that a header has wins; order is priority.
CSV_COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "text": (
        "text", "inhalt", "body", "content", "article", "artikel", "artikeltext", "fließtext",
        "volltext", "full_text", "fulltext", "paragraphs", "story",
    ),
    "title": ("title", "titel", "überschrift", "headline", "schlagzeile", "heading"),
    "date": (
        "date", "datum", "published", "veröffentlicht", "pubdate", "publication_date", "date_published",
        "erschienen", "erscheinungsdatum", "publiziert", "created",
    ),
    "source": (
        "source", "quelle", "zeitung", "medium", "publisher", "outlet", "news_outlet", "site", "sitename",
        "verlag", "publikation", "publication",
    ),
    "author": ("author", "autor", "authors", "autoren", "autorin", "verfasser", "by", "byline"),
    "url": ("url", "link", "href", "permalink", "provenance"),
    "id": ("id", "article_id", "artikel_id"),
    "category": ("category",),
}
CSV_FIELDS = tuple(CSV_COLUMN_NAMES)
_KNOWN = {name: field for field, names in CSV_COLUMN_NAMES.items() for name in names}
_DELIMITERS = ";,\t|"
_UMLAUTS = (("ae", "ä"), ("oe", "ö"), ("ue", "ü"))
_FIELD_ALIASES = {"published": "date", "body": "text", "headline": "title"}


def normalize_name(name: str) -> str:
    """A header cell as it is compared: no BOM, quotes or outer spaces; lower case; spaces collapsed."""
    return " ".join(name.replace("\ufeff", "").strip().strip("\"'").lower().split())


def _known_name(name: str) -> str | None:
    """The name in :data:`CSV_COLUMN_NAMES` that ``name`` spells (``ueberschrift`` → ``überschrift``)."""
    if name in _KNOWN:
        return name
    spelled = name.replace("-", "_").replace(" ", "_")
    for ascii_form, umlaut in _UMLAUTS:
        spelled = spelled.replace(ascii_form, umlaut)
    for candidate in (name.replace("-", "_").replace(" ", "_"), spelled):
        if candidate in _KNOWN:
            return candidate
    return None


def _field_of(name: str) -> str | None:
    known = _known_name(name)
    return None if known is None else _KNOWN[known]


def column_fields(names: list[str]) -> dict[str, int]:
    """Field → column index for the recognised names of a (normalised) header.

    When several columns name one field, the name earlier in its
    :data:`CSV_COLUMN_NAMES` list wins, then the column further left.
    """
    found: dict[str, tuple[int, int]] = {}
    for i, name in enumerate(names):
        known = _known_name(name)
        if known is None:
            continue
        field = _KNOWN[known]
        rank = CSV_COLUMN_NAMES[field].index(known)
        if field not in found or rank < found[field][1]:
            found[field] = (i, rank)
    return {field: i for field, (i, _) in found.items()}


def _looks_like_header(names: list[str]) -> bool:
    """At least two cells are known column names, or one names the text; none is a sentence."""
    if any(len(n) > 40 for n in names):
        return False
    fields = [_field_of(n) for n in names]
    return "text" in fields or sum(f is not None for f in fields) >= 2


def header_delimiter(first_line: str, candidates: str | None = None) -> str | None:
    """The delimiter that splits ``first_line`` into a recognisable header; ``None`` if none does."""
    best: tuple[int, str] | None = None
    for delimiter in candidates or _DELIMITERS:
        try:
            cells = next(csv.reader([first_line], delimiter=delimiter), [])
        except csv.Error:
            continue
        names = [normalize_name(c) for c in cells]
        if len(names) < 2 or not _looks_like_header(names):
            continue
        known = sum(_field_of(n) is not None for n in names)
        if best is None or known > best[0]:
            best = (known, delimiter)
    return None if best is None else best[1]


def is_header(names: list[str]) -> bool:
    """Whether a first row (normalised names) is a header by its names alone."""
    return _looks_like_header(names)


def csv_options_from_columns(
    columns: Mapping[str, str | int], base: CsvOptions | None = None
) -> CsvOptions:
    """CSV options naming columns: ``{"title": "Überschrift", "text": "Inhalt"}``.

    Keys are article fields (``text``, ``title``, ``date``, ``source``, ``url``,
    ``author``, ``category``, ``id``; also any column name of the field in
    :data:`CSV_COLUMN_NAMES`, so ``titel``, ``quelle``, ``datum`` work),
    values header names (case-insensitive) or 0-based column numbers (an
    ``int``, or a string of digits). An unknown field raises ``ValueError``.
    """
    opts = base or CsvOptions()
    changes: dict[str, str | int] = {}
    for key, value in columns.items():
        name = normalize_name(key)
        field = _FIELD_ALIASES.get(name, name)
        if field not in CSV_FIELDS:  # a German field name: titel=…, quelle=…, datum=…
            field = _field_of(name) or field
        if field not in CSV_FIELDS:
            known = ", ".join(CSV_FIELDS)
            raise ValueError(f"unknown CSV field {key!r}: use one of {known}")
        if isinstance(value, str):
            value = value.strip()
            if not value:
                raise ValueError(f"no column given for the CSV field {key!r}")
            if value.isdigit():
                value = int(value)
        changes[f"{field}_column"] = value
    return replace(opts, **changes)  # type: ignore[arg-type]


def parse_column_spec(spec: str) -> dict[str, str]:
    """``"title=Überschrift,text=Inhalt"`` as a mapping for ``add_path(csv_columns=…)``.

    A part that is not ``FIELD=COLUMN``, or an unknown field, raises ``ValueError``.
    """
    mapping: dict[str, str] = {}
    for part in spec.split(","):
        if not part.strip():
            continue
        field, sep, name = part.partition("=")
        if not sep or not field.strip() or not name.strip():
            raise ValueError(f"{part.strip()!r} is not FIELD=COLUMN (e.g. title=Überschrift,text=Inhalt)")
        mapping[field.strip()] = name.strip()
    csv_options_from_columns(mapping)  # the fields are checked now, not when a file is read
    return mapping
