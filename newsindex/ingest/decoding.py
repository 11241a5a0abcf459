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
keeping them, and :class:`LineDecoder` decodes each line on its own. A ``.gz``
unpacks to at most :func:`gzip_limit` bytes (:class:`UnpackLimitError`), and
only regular files are opened (:class:`NotAFileError` for FIFOs and devices).
"""

from __future__ import annotations

import codecs
import errno
import gzip
import io
import os
import stat
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from ..errors import BinaryFileError, NotAFileError, UnpackLimitError
from .problems import Problem

__all__ = [
    "GZIP_MAX_RATIO",
    "GZIP_MIN_BYTES",
    "MAX_ARTICLE_BYTES",
    "MAX_TEXT_BYTES",
    "SNIFF_BYTES",
    "BinaryFileError",
    "Decoded",
    "LineDecoder",
    "NotAFileError",
    "UnpackLimitError",
    "bomb_reason",
    "decode",
    "decode_line",
    "gzip_limit",
    "iter_lines",
    "legacy_head",
    "open_binary",
    "read_bytes",
    "repair_problems",
    "size_text",
    "sniff",
]

MAX_TEXT_BYTES = 512 * 1024 * 1024
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



# A .gz may unpack to GZIP_MAX_RATIO times its own size, and never less than
# GZIP_MIN_BYTES whatever its ratio. News text compresses 3-10 times; zeros or
# one repeated line 1,000 times, which is how a small file unpacks to gigabytes.
GZIP_MAX_RATIO = 100
GZIP_MIN_BYTES = MAX_TEXT_BYTES


def gzip_limit(path: Path, compressed: int | None = None) -> int:
    """How many bytes the ``.gz`` file ``path`` may unpack to (see :data:`GZIP_MAX_RATIO`)."""
    size = path.stat().st_size if compressed is None else compressed
    return max(GZIP_MIN_BYTES, GZIP_MAX_RATIO * size)


def _open_regular(path: Path) -> BinaryIO:
    """``path`` opened for reading bytes, refusing anything but a regular file.

    Opened non-blocking first: opening a FIFO for reading would wait for a
    writer forever. Raises :class:`NotAFileError` for FIFOs, sockets and devices.
    """
    from .walk import special_kind

    mode = os.stat(path).st_mode
    if stat.S_ISSOCK(mode):  # open() would fail with a puzzling "no such device or address"
        raise NotAFileError(errno.EINVAL, f"{special_kind(mode)}, not a file")
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        mode = os.fstat(fd).st_mode  # what was opened, whatever the path pointed to before
        if not stat.S_ISREG(mode):
            raise NotAFileError(errno.EINVAL, f"{special_kind(mode)}, not a file")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


class _CappedGzip(io.RawIOBase):
    """A gunzipped stream that raises :class:`UnpackLimitError` past ``limit`` unpacked bytes.

    Its message is :func:`bomb_reason`: callers passing a lower limit of their
    own (one article) give their own reason.
    """

    def __init__(self, raw: BinaryIO, limit: int) -> None:
        self._raw = raw
        self._gz = gzip.GzipFile(fileobj=raw, mode="rb")
        self._limit = limit
        self.unpacked = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = self._gz.readinto(buffer)
        self.unpacked += n
        if self.unpacked > self._limit:
            raise UnpackLimitError(bomb_reason(self._limit))
        return n

    def close(self) -> None:
        try:
            self._gz.close()
        finally:
            self._raw.close()
            super().close()


def open_binary(path: Path, limit: int | None = None) -> BinaryIO:
    """The file opened for reading bytes, through gunzip when its name ends in ``.gz``.

    Only regular files are opened (``OSError`` otherwise, without blocking on a
    FIFO). A ``.gz`` stream raises :class:`UnpackLimitError` once it has given
    more than ``limit`` bytes (default: :func:`gzip_limit`).
    """
    raw = _open_regular(path)
    if not path.name.lower().endswith(".gz"):
        return raw
    try:
        cap = gzip_limit(path, os.fstat(raw.fileno()).st_size) if limit is None else limit
        return io.BufferedReader(_CappedGzip(raw, cap), buffer_size=2**16)
    except BaseException:
        raw.close()
        raise


def read_bytes(path: Path, limit: int = MAX_TEXT_BYTES) -> bytes:
    """A file's bytes, gunzipped when its name ends in ``.gz``.

    Raises ``OSError`` for unreadable or corrupt files (a damaged gzip stream,
    a FIFO or device included) and ``ValueError`` when the content is larger
    than ``limit`` (checked before reading). A ``.gz`` is unpacked no further
    than ``limit``, nor than :func:`gzip_limit`; one that may unpack to more
    than one article is first unpacked without keeping anything, so that a
    bomb is refused before any of it is held.
    """
    with _open_regular(path) as fh:
        size = os.fstat(fh.fileno()).st_size
        if not path.name.lower().endswith(".gz"):
            if size > limit:
                raise ValueError(f"larger than {size_text(limit)}")
            data = fh.read()  # not read(limit + 1): that would allocate the whole limit first
            if len(data) > limit:  # grown since the stat
                raise ValueError(f"larger than {size_text(limit)}")
            return data
    cap = min(limit, gzip_limit(path, size))
    try:
        if cap > MAX_ARTICLE_BYTES:
            with open_binary(path, cap) as gz:
                while gz.read(2**20):
                    pass
        with open_binary(path, cap) as gz:
            data = gz.read()  # the stream itself stops past ``cap``
    except (EOFError, zlib.error) as exc:  # neither is an OSError
        raise OSError(f"damaged gzip file: {exc}") from exc
    except UnpackLimitError:
        if cap < limit:
            raise UnpackLimitError(bomb_reason(cap)) from None
        raise ValueError(f"unpacks to more than {size_text(limit)}") from None
    return data


def bomb_reason(cap: int) -> str:
    """The reason given for a ``.gz`` stopped at :func:`gzip_limit`."""
    return f"unpacks to more than {size_text(cap)}, {GZIP_MAX_RATIO} times its packed size (a gzip bomb?)"


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


def legacy_head(head: bytes) -> bool:
    """Whether ``head`` (a file's first bytes) is in a legacy encoding: not UTF-8 and
    without a single UTF-8 multi-byte character (a character cut at its end is fine).

    Such a file is decoded whole (its encoding detected); any other text file can be
    decoded line by line as it streams (:class:`LineDecoder`).
    """
    try:
        head.decode("utf-8")
        return False
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data" and exc.start >= len(head) - 3:
            return False  # the head cut a UTF-8 character in two
    lenient = head.decode("utf-8", errors="replace")
    return _utf8_chars(lenient, lenient.count("\ufffd")) == 0


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
