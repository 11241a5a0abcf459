"""Input formats as data: one :class:`InputFormat` per format, in :data:`INPUT_FORMATS`.

Dispatch (which reader, which size cap, streamed or read whole), the names
``--format`` accepts and the CLI's help all read this registry: a new format is
one :func:`register_format` call, not an edit of several tables.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from ..article import Article
from .csvfile import read_csv, stream_csv
from .decoding import MAX_ARTICLE_BYTES, MAX_TEXT_BYTES
from .html import read_html
from .jsonl import read_jsonl, stream_jsonl
from .plaintext import read_markdown, read_plaintext
from .problems import ProblemHandler
from .seedformat import is_seed_text, read_seed

__all__ = [
    "FORMATS",
    "INPUT_FORMATS",
    "InputFormat",
    "Reader",
    "Streamer",
    "describe_formats",
    "detect_format",
    "format_name",
    "register_format",
]


class Reader(Protocol):
    """A format reader: decoded file text in, articles out.

    Problems go to ``on_problem`` (which raises :class:`IngestError` for errors
    in strict mode); ``strict`` is passed for readers that check it themselves.
    """

    def __call__(
        self, path: Path, text: str, on_problem: ProblemHandler, *, strict: bool = ..., **options: Any
    ) -> Iterator[Article]: ...


class Streamer(Protocol):
    """A reader that reads the file itself, a record at a time (never holding it whole)."""

    def __call__(
        self, path: Path, on_problem: ProblemHandler, *, strict: bool = ..., **options: Any
    ) -> Iterator[Article]: ...


@dataclass(frozen=True, slots=True)
class InputFormat:
    """One input format.

    ``suffixes`` choose it by file name (lower case, ignoring ``.gz``); a format
    with none is chosen by content only (``refine`` of another format names it).
    ``size_cap`` is the largest file read whole. ``stream`` (optional) reads a
    UTF-8 file a record at a time instead, except files ending in one of
    ``whole_suffixes`` (and, with ``legacy_read_whole``, except files whose head
    looks like a legacy encoding). ``refine(text)`` may name another format for a file
    chosen by name (a ``.txt`` in the seed layout is a seed file).
    """

    name: str
    suffixes: tuple[str, ...]
    reader: Reader
    size_cap: int
    aliases: tuple[str, ...] = ()
    stream: Streamer | None = None
    whole_suffixes: tuple[str, ...] = ()
    # A file without a BOM whose first 64 KiB look like a legacy encoding is read whole
    # (the encoding is then judged on the whole file, line by line).
    legacy_read_whole: bool = False
    refine: Callable[[str], str | None] | None = None

    def streams(self, file: Path) -> bool:
        """Whether ``file`` is read by :attr:`stream` (tried first; UTF-16 files are read whole)."""
        if self.stream is None:
            return False
        name = file.name.lower().removesuffix(".gz")
        return not name.endswith(self.whole_suffixes) if self.whole_suffixes else True


INPUT_FORMATS: dict[str, InputFormat] = {}


def register_format(fmt: InputFormat) -> None:
    """Add (or replace) an input format; its suffixes and aliases then choose it."""
    INPUT_FORMATS[fmt.name] = fmt


def _seed_or_none(text: str) -> str | None:
    return "seed" if is_seed_text(text) else None


for _fmt in (
    InputFormat("seed", (), read_seed, MAX_ARTICLE_BYTES),
    InputFormat(
        "jsonl",
        (".jsonl", ".ndjson", ".json"),
        read_jsonl,
        MAX_TEXT_BYTES,
        aliases=("ndjson", "json"),
        stream=stream_jsonl,
        whole_suffixes=(".json",),
    ),
    InputFormat("text", (".txt",), read_plaintext, MAX_ARTICLE_BYTES, aliases=("txt",), refine=_seed_or_none),
    InputFormat("markdown", (".md", ".markdown"), read_markdown, MAX_ARTICLE_BYTES, aliases=("md",)),
    InputFormat("html", (".html", ".htm"), read_html, MAX_ARTICLE_BYTES, aliases=("htm",)),
    InputFormat("csv", (".csv",), read_csv, MAX_TEXT_BYTES, stream=stream_csv, legacy_read_whole=True),
):
    register_format(_fmt)


class _Readers(Mapping[str, Reader]):
    """``FORMATS``: format name → reader, a live view of :data:`INPUT_FORMATS`."""

    def __getitem__(self, name: str) -> Reader:
        return INPUT_FORMATS[name].reader

    def __iter__(self) -> Iterator[str]:
        return iter(INPUT_FORMATS)

    def __len__(self) -> int:
        return len(INPUT_FORMATS)


FORMATS: Mapping[str, Reader] = _Readers()


def detect_format(path: str | os.PathLike[str]) -> str | None:
    """The format name for a file name, ignoring a ``.gz`` suffix; ``None`` if unknown.

    ``.txt`` gives ``"text"``: whether it is the seed format depends on the
    content, which :func:`read_file` checks.
    """
    suffix = os.path.splitext(Path(path).name.lower().removesuffix(".gz"))[1]
    if not suffix:
        return None
    for fmt in INPUT_FORMATS.values():
        if suffix in fmt.suffixes:
            return fmt.name
    return None


def format_name(fmt: str) -> str:
    """The format a user's ``--format`` value names (aliases such as ``md`` included).

    Raises ``ValueError`` naming the choices for an unknown one.
    """
    wanted = fmt.lower()
    for candidate in INPUT_FORMATS.values():
        if wanted == candidate.name or wanted in candidate.aliases:
            return candidate.name
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(INPUT_FORMATS)}")


def describe_formats() -> str:
    """The file types read by name, for help texts: ``.jsonl .ndjson .json .txt … (also .gz)``."""
    suffixes = [s for fmt in INPUT_FORMATS.values() for s in fmt.suffixes]
    return " ".join(suffixes) + " (also gzipped: .gz)"
