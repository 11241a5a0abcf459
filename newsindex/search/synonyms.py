"""Query-side synonyms from OpenThesaurus (an experiment, off by default).

Reads a MyThes thesaurus (Debian's ``mythes-de``: ``/usr/share/mythes/th_de_DE_v2.dat``,
LGPL, from OpenThesaurus) when ``SearchOptions.synonym_weight`` is above zero. Only
single-word synonyms without usage labels are kept; each is searched at the low
weight next to the word typed.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

__all__ = ["THESAURUS", "synonyms"]

THESAURUS = Path("/usr/share/mythes/th_de_DE_v2.dat")
_LABEL = re.compile(r"\((männl|weibl)\.\)")
MAX_SYNONYMS = 4


@functools.cache
def _table(path: Path) -> dict[str, tuple[str, ...]]:
    table: dict[str, tuple[str, ...]] = {}
    if not path.is_file():
        return table
    with path.open(encoding="utf-8", errors="replace") as f:
        f.readline()  # the encoding
        head = ""
        for line in f:
            line = line.rstrip("\n")
            if not line.startswith("-|") and not line.startswith("("):
                head = line.split("|", 1)[0]
                continue
            found = list(table.get(head, ()))
            for entry in line.split("|")[1:]:
                word = _LABEL.sub("", entry).strip()
                if (
                    word
                    and " " not in word
                    and "(" not in word
                    and word.lower() != head
                    and word not in found
                ):
                    found.append(word)
            table[head] = tuple(found)
    return table


def synonyms(word: str, path: Path = THESAURUS) -> tuple[str, ...]:
    """Up to :data:`MAX_SYNONYMS` single-word synonyms of ``word`` (as written in the thesaurus)."""
    return _table(path).get(word.lower(), ())[:MAX_SYNONYMS]
