"""Synonyms of nouns from OpenThesaurus, for questions worded otherwise than their answer.

*Warum stecken sich Neugeborene in Kliniken an?* is answered by a passage on
*Säuglinge* in *Krankenhäusern*. OpenThesaurus (LGPL) is read from the MyThes files that
Debian's ``mythes-de`` installs (``/usr/share/mythes/th_de_DE_v2.dat``), or from the file
``$NEWSINDEX_THESAURUS`` names (``off`` turns synonyms off). Without one, queries are
searched as typed: the thesaurus is optional, like a trained spaCy pipeline.

Only single capitalised words (nouns and names) are kept, and only true synonyms: the
broader and narrower terms (``(Oberbegriff)``, ``(Unterbegriff)``), antonyms and marked
variants (``(ugs.)``, ``(österr.)``) are left out. The parsed table is kept in the cache
folder beside the lemma table (written once, atomically; about 1 s to parse, 0.05 s to load).
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path

from .folding import fold
from .lemma_table import _write_atomically, cache_dir

__all__ = [
    "DEBIAN_THESAURUS",
    "THESAURUS_ENV",
    "Thesaurus",
    "default_thesaurus",
    "find_thesaurus",
    "load_thesaurus",
    "parse_mythes",
]

DEBIAN_THESAURUS = Path("/usr/share/mythes/th_de_DE_v2.dat")
THESAURUS_ENV = "NEWSINDEX_THESAURUS"
_FORMAT = 1
_LEFT_OUT = ("Oberbegriff", "Unterbegriff", "Gegenteil", "Antonym")


def find_thesaurus() -> Path | None:
    """The MyThes file to use: ``$NEWSINDEX_THESAURUS``, else Debian's (``None``: none, or ``off``)."""
    named = os.environ.get(THESAURUS_ENV, "").strip()
    if named:
        return None if named.lower() in ("off", "none", "0") else Path(named)
    return DEBIAN_THESAURUS if DEBIAN_THESAURUS.is_file() else None


def _items(line: str) -> Iterator[str]:
    """The synonyms of one meaning line (``(pos)|word|word (ugs.)|…``) that are kept."""
    for item in line.split("|")[1:]:
        if "(" in item:
            if any(mark in item for mark in _LEFT_OUT):
                continue
            item = item.replace(" (Hauptform)", "")
            if "(" in item:  # a usage mark or an optional part
                continue
        if item[:1].isupper() and item.isalpha():
            yield item


def parse_mythes(text: str) -> dict[str, tuple[str, ...]]:
    """Folded headword → its kept synonyms (as written), from a MyThes ``.dat`` text."""
    lines = text.split("\n")
    table: dict[str, dict[str, None]] = {}
    i = 1  # the first line names the encoding
    while i < len(lines):
        head, _, count = lines[i].rpartition("|")
        if not count.isdigit():
            i += 1
            continue
        n = int(count)
        if head.isalpha():
            kept = table.setdefault(fold(head), {})
            for line in lines[i + 1 : i + 1 + n]:
                kept.update(dict.fromkeys(w for w in _items(line) if fold(w) != fold(head)))
        i += 1 + n
    return {head: tuple(words) for head, words in table.items() if words}


class Thesaurus:
    """Synonyms of a word, looked up by its folded form."""

    def __init__(self, table: dict[str, tuple[str, ...]], source: str) -> None:
        self.table = table
        self.source = source

    def synonyms(self, *forms: str) -> tuple[str, ...]:
        """The synonyms (as written) of any of ``forms`` (folded lemma, or the word as typed)."""
        found: dict[str, None] = {}
        for form in forms:
            found.update(dict.fromkeys(self.table.get(fold(form.lower()), ())))
        return tuple(found)

    def __len__(self) -> int:
        return len(self.table)


_loaded: dict[tuple[str, int, int], Thesaurus] = {}
_lock = threading.Lock()


def load_thesaurus(path: Path) -> Thesaurus:
    """The thesaurus in ``path`` (parsed once per user and file version, kept per process).

    Raises ``OSError`` when it cannot be read and ``ValueError`` when it is no MyThes file.
    """
    stat = path.stat()
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    with _lock:
        found = _loaded.get(key)
        if found is not None:
            return found
        digest = hashlib.sha1(repr((key, _FORMAT)).encode()).hexdigest()[:16]
        cached = cache_dir() / f"thesaurus-{digest}.marshal"
        table = None
        try:
            table = marshal.loads(cached.read_bytes())
        except (OSError, EOFError, ValueError, TypeError):
            table = None
        if not isinstance(table, dict):
            raw = path.read_bytes()
            encoding = raw.split(b"\n", 1)[0].strip().decode("ascii", "replace") or "utf-8"
            table = parse_mythes(raw.decode(encoding.lower().replace("iso8859", "iso-8859"), "replace"))
            if not table:
                raise ValueError(f"{path} is not a MyThes thesaurus (no entries found)")
            with contextlib.suppress(OSError):  # a read-only cache folder: parse again next time
                _write_atomically(cached, marshal.dumps(table))
        thesaurus = Thesaurus(table, str(path))
        _loaded[key] = thesaurus
        return thesaurus


_unusable: set[str] = set()


def default_thesaurus() -> Thesaurus | None:
    """The thesaurus :func:`find_thesaurus` finds, loaded (``None``: none). A file that
    cannot be read is reported once as a warning naming it; searches go on without synonyms."""
    path = find_thesaurus()
    if path is None or str(path) in _unusable:
        return None
    try:
        return load_thesaurus(path)
    except (OSError, ValueError, UnicodeError) as exc:
        _unusable.add(str(path))
        warnings.warn(f"thesaurus {path} cannot be used ({exc}); searching without synonyms", stacklevel=2)
        return None
