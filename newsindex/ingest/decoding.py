"""Bytes → text: UTF-8 (with or without BOM), legacy encodings detected, binaries refused."""

from __future__ import annotations

import gzip
from pathlib import Path

__all__ = ["BinaryFileError", "decode", "read_bytes"]

_SNIFF = 8192


class BinaryFileError(ValueError):
    """The file is not text (NUL bytes or no plausible encoding)."""


def read_bytes(path: Path) -> bytes:
    """A file's bytes, gunzipped when its name ends in ``.gz``."""
    if path.name.lower().endswith(".gz"):
        with gzip.open(path, "rb") as fh:
            return fh.read()
    return path.read_bytes()


def decode(data: bytes) -> tuple[str, str]:
    """Decode ``data``; returns ``(text, encoding)``.

    UTF-8 is tried first (a BOM is dropped); anything else is detected with
    charset-normalizer (cp1252 and latin-1 news archives are common).
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b"\x00" in data[:_SNIFF]:
        raise BinaryFileError("binary file (contains NUL bytes)")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise BinaryFileError("not text in any known encoding")
    return str(best), best.encoding
