"""Bytes → text: UTF-8 (with or without BOM), UTF-16/32 by BOM, legacy encodings detected, binaries refused.

Order of decisions, cheapest first:

1. a byte-order mark names the encoding (UTF-8, UTF-16, UTF-32);
2. NUL bytes or many control bytes in the first 8 KiB mean a binary file;
3. strict UTF-8 — nearly every modern file;
4. mostly valid UTF-8 with a few damaged bytes (a truncated download, two files
   pasted together) is decoded with U+FFFD replacements, and said so — handing it
   to a detector would turn every umlaut of the file into mojibake;
5. anything else (cp1252 and latin-1 archives) goes to charset-normalizer.
"""

from __future__ import annotations

import codecs
import gzip
import zlib
from dataclasses import dataclass
from pathlib import Path

__all__ = ["MAX_TEXT_BYTES", "BinaryFileError", "Decoded", "decode", "read_bytes"]

MAX_TEXT_BYTES = 512 * 1024 * 1024  # also caps what a .gz may unpack to (a "zip bomb")
_SNIFF = 8192
_BOMS = (  # longest first: the UTF-32-LE BOM starts with the UTF-16-LE one
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# C0 control bytes that never occur in text files (tab, newlines, form feed and ESC excluded).
_CONTROL = bytes(b for b in range(32) if b not in b"\t\n\r\x0c\x1b")


class BinaryFileError(ValueError):
    """The file is not text (NUL bytes, control bytes or no plausible encoding)."""


@dataclass(frozen=True, slots=True)
class Decoded:
    """Decoded ``text``, the ``encoding`` used, and how many damaged bytes were ``replaced`` by U+FFFD."""

    text: str
    encoding: str
    replaced: int = 0


def read_bytes(path: Path, limit: int = MAX_TEXT_BYTES) -> bytes:
    """A file's bytes, gunzipped when its name ends in ``.gz``.

    Raises ``OSError`` for unreadable or corrupt files (a damaged gzip stream
    included) and ``ValueError`` when the content is larger than ``limit``.
    """
    if path.name.lower().endswith(".gz"):
        try:
            with gzip.open(path, "rb") as fh:
                data = fh.read(limit + 1)
        except (EOFError, zlib.error) as exc:  # neither is an OSError
            raise OSError(f"damaged gzip file: {exc}") from exc
    else:
        if path.stat().st_size > limit:
            raise ValueError(f"larger than {limit // 2**20} MiB")
        data = path.read_bytes()
    if len(data) > limit:
        raise ValueError(f"unpacks to more than {limit // 2**20} MiB")
    return data


def _looks_binary(head: bytes) -> bool:
    if b"\x00" in head:
        return True
    # Many control bytes: an image, archive or office file without NULs in its head.
    return len(head) >= 32 and len(head) - len(head.translate(None, _CONTROL)) > len(head) // 20


def decode(data: bytes) -> Decoded:
    """Decode ``data`` to text (see the module docstring); raises :class:`BinaryFileError`."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return Decoded(data[len(bom) :].decode(encoding), encoding)
            except UnicodeDecodeError:
                break  # a BOM followed by garbage: let the checks below decide
    if _looks_binary(data[:_SNIFF]):
        raise BinaryFileError("binary file (not text)")
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    lenient = data.decode("utf-8", errors="replace")
    replaced = lenient.count("\ufffd")
    # Non-ASCII characters that did decode as UTF-8 multi-byte sequences: if they
    # far outnumber the damaged bytes, the file is UTF-8 with a few broken spots.
    non_ascii = len(lenient) - len(lenient.encode("ascii", errors="ignore")) - replaced
    if non_ascii >= 10 * replaced:
        return Decoded(lenient, "utf-8", replaced)
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
                return Decoded(text, "cp1252")
        except UnicodeDecodeError:
            pass
    return Decoded(text, best.encoding)
