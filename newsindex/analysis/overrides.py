"""A user's own lemmas and compound splits, read from a plain TSV file.

One entry a line, ``word<TAB>value``; blank lines and lines starting with ``#``
are skipped. The value decides what the line means::

    Goldensons	Goldenson            # a lemma
    Bundesverfassungsgericht	Bund+Verfassung+Gericht   # a compound split
    Wagenknecht	-                    # never split this word

Words match case-insensitively. The file's content hash is part of the analysis
fingerprint (see :mod:`newsindex.analysis.info`), so an index built with other
overrides is refused like any other change of analysis.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import OverridesError

__all__ = ["NEVER_SPLIT", "Overrides", "OverridesError", "load_overrides", "overrides_digest"]

NEVER_SPLIT = "-"


@dataclass(frozen=True, slots=True)
class Overrides:
    """Parsed overrides: ``lemmas`` (lowercase word → lemma) and ``splits``
    (lowercase word → parts, or ``None`` for "never split")."""

    lemmas: dict[str, str] = field(default_factory=dict)
    splits: dict[str, tuple[str, ...] | None] = field(default_factory=dict)


def _read(path: str | Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise OverridesError(f"cannot read the analysis override file {str(path)!r}: {exc}") from None


def overrides_digest(path: str | Path | None) -> str:
    """SHA-256 of the file's content (``""`` when there is no file)."""
    if path is None:
        return ""
    return hashlib.sha256(_read(path)).hexdigest()


def load_overrides(path: str | Path | None) -> Overrides:
    """Parse the override file at ``path`` (no file: no overrides)."""
    out = Overrides()
    if path is None:
        return out
    try:
        text = _read(path).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise OverridesError(f"{path}: not UTF-8 ({exc})") from None
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) < 2:
            raise OverridesError(
                f"{path}:{number}: expected 'word<TAB>lemma', 'word<TAB>part+part' or 'word<TAB>-'"
            )
        word, value = fields[0].strip(), fields[1].split("#", 1)[0].strip()
        if not word or not value or any(ch.isspace() for ch in word):
            raise OverridesError(f"{path}:{number}: an empty or multi-word entry: {line!r}")
        key = word.lower()
        if value == NEVER_SPLIT:
            out.splits[key] = None
        elif "+" in value:
            parts = tuple(p.strip() for p in value.split("+"))
            if len(parts) < 2 or not all(parts):
                raise OverridesError(f"{path}:{number}: a split needs two or more non-empty parts: {value!r}")
            out.splits[key] = parts
        else:
            out.lemmas[key] = value
    return out
