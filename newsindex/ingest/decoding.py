"""Bytes → text: UTF-8 (with or without BOM), UTF-16/32 by BOM, legacy encodings detected, binaries refused.

Order of decisions, cheapest first:

1. a byte-order mark names the encoding (UTF-8, UTF-16, UTF-32);
2. NUL bytes or many control bytes in the first 8 KiB mean a binary file;
3. strict UTF-8 — nearly every modern file;
4. a file with some valid UTF-8 multi-byte characters but also invalid bytes is
   decoded line by line: a line that is not UTF-8 and has no UTF-8 character is
   read as cp1252 (latin-1 text pasted next to UTF-8 text: both stay readable),
   a line with UTF-8 characters and a few damaged bytes keeps U+FFFD replacements
   (a truncated download) — handing the whole file to a detector would turn every
   umlaut of its UTF-8 part into mojibake; both are counted and said so;
5. anything else (cp1252 and latin-1 archives) goes to charset-normalizer.

NUL characters are counted (the readers' paragraph clean-up removes them). Files
holding one article are read only up to :data:`MAX_ARTICLE_BYTES`; files read
whole because they hold many articles (CSV, a JSON array) up to
:data:`MAX_TEXT_BYTES`. JSON Lines files are streamed: :func:`iter_lines` holds one
line at a time and refuses lines longer than :data:`MAX_ARTICLE_BYTES` without
keeping them, and :class:`LineDecoder` decodes each line on its own.
"""

from __future__ import annotations

import codecs
import gzip
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ..errors import BinaryFileError
from .problems import Problem

__all__ = [
    "MAX_ARTICLE_BYTES",
    "MAX_TEXT_BYTES",
    "SNIFF_BYTES",
    "BinaryFileError",
    "Decoded",
    "LineDecoder",
    "decode",
    "decode_line",
    "iter_lines",
    "open_binary",
    "read_bytes",
    "repair_problems",
    "size_text",
    "sniff",
]

MAX_TEXT_BYTES = 512 * 1024 * 1024  # also caps what a .gz may unpack to (a "zip bomb")
# One article: a .txt/.md/.html file, one JSON Lines line. Real articles are far
# smaller; the cap keeps a 50 MB one-line file from being held, split and indexed.
MAX_ARTICLE_BYTES = 16 * 1024 * 1024
SNIFF_BYTES = _SNIFF = 8192  # the head checked for a BOM and binary content
_BOMS = (  # longest first: the UTF-32-LE BOM starts with the UTF-16-LE one
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# C0 control bytes that never occur in text files (tab, newlines, form feed and ESC excluded).
_CONTROL = bytes(b for b in range(32) if b not in b"\t\n\r\x0c\x1b")


@dataclass(frozen=True, slots=True)
class Decoded:
    """Decoded ``text``, the ``encoding`` used, how many damaged bytes were ``replaced`` by U+FFFD,
    how many lines were read as cp1252 and how many NUL characters the text holds."""

    text: str
    encoding: str
    replaced: int = 0
    legacy_lines: int = 0  # lines of a mostly UTF-8 file read as cp1252 (mixed encodings)
    nul: int = 0  # NUL characters in ``text``


def size_text(n: int) -> str:
    """``16 MiB`` for whole MiB, else ``2,000 bytes`` (for messages about the caps)."""
    return f"{n // 2**20} MiB" if n % 2**20 == 0 else f"{n:,} bytes"


def open_binary(path: Path) -> BinaryIO:
    """The file opened for reading bytes, through gunzip when its name ends in ``.gz``."""
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return path.open("rb")


def read_bytes(path: Path, limit: int = MAX_TEXT_BYTES) -> bytes:
    """A file's bytes, gunzipped when its name ends in ``.gz``.

    Raises ``OSError`` for unreadable or corrupt files (a damaged gzip stream
    included) and ``ValueError`` when the content is larger than ``limit``
    (checked before reading; a ``.gz`` is unpacked no further than ``limit``).
    """
    if path.name.lower().endswith(".gz"):
        try:
            with gzip.open(path, "rb") as fh:
                data = fh.read(limit + 1)
        except (EOFError, zlib.error) as exc:  # neither is an OSError
            raise OSError(f"damaged gzip file: {exc}") from exc
    else:
        if path.stat().st_size > limit:
            raise ValueError(f"larger than {size_text(limit)}")
        data = path.read_bytes()
    if len(data) > limit:
        raise ValueError(f"unpacks to more than {size_text(limit)}")
    return data


def iter_lines(fh: BinaryIO, limit: int = MAX_ARTICLE_BYTES) -> Iterator[tuple[int, bytes | None]]:
    """``(1-based line number, line bytes)`` of a binary stream, one line held at a time.

    A line longer than ``limit`` bytes is read past in 1 MiB pieces and given as
    ``None``: never held whole, however long. Gzip damage raises ``OSError``.
    """
    number = 0
    try:
        while True:
            raw = fh.readline(limit + 1)
            if not raw:
                return
            number += 1
            if len(raw) > limit and not raw.endswith(b"\n"):
                del raw
                while True:
                    piece = fh.readline(2**20)
                    if not piece or piece.endswith(b"\n"):
                        break
                yield number, None
                continue
            yield number, raw
    except (EOFError, zlib.error) as exc:  # neither is an OSError
        raise OSError(f"damaged gzip file: {exc}") from exc


def _looks_binary(head: bytes) -> bool:
    if b"\x00" in head:
        return True
    # Many control bytes: an image, archive or office file without NULs in its head.
    return len(head) >= 32 and len(head) - len(head.translate(None, _CONTROL)) > len(head) // 20


def sniff(head: bytes) -> str | None:
    """The encoding a byte-order mark at the start of ``head`` names, else ``None``.

    Raises :class:`BinaryFileError` when ``head`` (the first 8 KiB of a file)
    has no BOM and looks binary.
    """
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding
    if _looks_binary(head[:_SNIFF]):
        raise BinaryFileError("binary file (not text)")
    return None


def _utf8_chars(lenient: str, replaced: int) -> int:
    """Non-ASCII characters of ``lenient`` that were valid UTF-8 multi-byte sequences."""
    return len(lenient) - len(lenient.encode("ascii", errors="ignore")) - replaced


def _cp1252(raw: bytes) -> str:
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:  # the five bytes cp1252 leaves undefined
        return raw.decode("latin-1")


def decode_line(raw: bytes) -> tuple[str, int, bool]:
    """One line of a file that is not all UTF-8: ``(text, bytes replaced, read as cp1252?)``.

    UTF-8 if it is; a line with more valid UTF-8 characters than damaged bytes
    keeps U+FFFD replacements; any other line (latin-1/cp1252 text) is cp1252.
    """
    try:
        return raw.decode("utf-8"), 0, False
    except UnicodeDecodeError:
        pass
    lenient = raw.decode("utf-8", errors="replace")
    replaced = lenient.count("\ufffd")
    if _utf8_chars(lenient, replaced) >= replaced:
        return lenient, replaced, False
    return _cp1252(raw), 0, True


class LineDecoder:
    """Decodes a streamed file line by line (see :func:`decode_line`), counting what it repaired."""

    def __init__(self) -> None:
        self.replaced = 0
        self.legacy_lines = 0
        self.first_line: int | None = None  # the first line that was not clean UTF-8

    def __call__(self, raw: bytes, number: int) -> str:
        """The text of line ``number``."""
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            pass
        text, replaced, legacy = decode_line(raw)
        self.replaced += replaced
        self.legacy_lines += legacy
        if self.first_line is None:
            self.first_line = number
        return text


def repair_problems(
    path: str, line: int | None, replaced: int, legacy_lines: int, nul: int = 0
) -> list[Problem]:
    """Warnings for what decoding had to repair (nothing repaired: no problems)."""
    out: list[Problem] = []
    if legacy_lines:
        lines = "1 line" if legacy_lines == 1 else f"{legacy_lines} lines"
        reason = f"mixed encodings: {lines} not UTF-8, read as cp1252"
        out.append(Problem(path, line, reason, "warning"))
    if replaced:
        out.append(Problem(path, line, f"{replaced} undecodable bytes replaced by U+FFFD", "warning"))
    if nul:
        reason = f"{nul} NUL characters removed (binary data in a text file?)"
        out.append(Problem(path, None, reason, "warning"))
    return out


def _line_wise(data: bytes) -> Decoded:
    decoder = LineDecoder()
    text = "".join(decoder(raw, i) for i, raw in enumerate(data.splitlines(keepends=True), start=1))
    return Decoded(text, "utf-8", decoder.replaced, decoder.legacy_lines, text.count("\x00"))


def decode(data: bytes) -> Decoded:
    """Decode ``data`` to text (see the module docstring); raises :class:`BinaryFileError`."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(encoding)
                return Decoded(text, encoding, nul=text.count("\x00"))
            except UnicodeDecodeError:
                break  # a BOM followed by garbage: let the checks below decide
    if _looks_binary(data[:_SNIFF]):
        raise BinaryFileError("binary file (not text)")
    try:
        text = data.decode("utf-8")
        return Decoded(text, "utf-8", nul=text.count("\x00"))
    except UnicodeDecodeError:
        pass
    lenient = data.decode("utf-8", errors="replace")
    # Some valid UTF-8 multi-byte characters: UTF-8 with damaged spots, or with
    # lines in another encoding pasted in. Decide line by line.
    if _utf8_chars(lenient, lenient.count("\ufffd")):
        return _line_wise(data)
    from charset_normalizer import from_bytes  # imported on first need: most files are UTF-8

    best = from_bytes(data).best()
    if best is None:
        raise BinaryFileError("binary file (no text encoding fits)")
    text = str(best)
    # For short German texts the detector often names a sibling code page
    # (cp1250, latin-1) that decodes the same bytes to the same text; name the
    # one such files are actually written in when it gives an identical result.
    if best.encoding != "cp1252":
        try:
            if data.decode("cp1252") == text:
                return Decoded(text, "cp1252", nul=text.count("\x00"))
        except UnicodeDecodeError:
            pass
    return Decoded(text, best.encoding, nul=text.count("\x00"))
