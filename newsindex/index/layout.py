"""The names of the files in an index folder: what newsindex and Whoosh write there.

One place for them, because storage, locking, signing, the leftover-file sweep and
the integrity check all need to recognise them (and importing them from one another
tied those modules in a knot).
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path

__all__ = [
    "FORMAT_VERSION",
    "INDEX_NAME",
    "LOCK_SUFFIX",
    "MANIFEST",
    "FilePatterns",
    "file_patterns",
    "looks_like_index",
]

MANIFEST = "newsindex.json"
FORMAT_VERSION = 6  # 2: a "day" field for date filters; 3: calendar "period" terms;
# 4: "stops" instead of "phrase", compound parts on their own position lane, doc_id stored only;
# 5: compound parts carry half a word's weight in their postings, recursive splits, separable verbs
# 6: a "stems" field (each word's Snowball stem, frequencies only) when AnalysisConfig(stems=True)
INDEX_NAME = "paragraphs"  # Whoosh's "indexname": every Whoosh file name starts with it
LOCK_SUFFIX = "_WRITELOCK"  # Whoosh names the lock file "<indexname>_WRITELOCK"


class FilePatterns:
    """Regular expressions for Whoosh's file names of the index ``indexname``."""

    def __init__(self, indexname: str) -> None:
        name = re.escape(indexname)
        # Whoosh's segment files: "<indexname>_<16 random chars>.<ext>" (see whoosh.index.clean_files)
        self.segment = re.compile(rf"^({name}_[0-9a-z]+)\.[A-Za-z0-9_.]+$")
        # a table of contents: "_<indexname>_<generation>.toc"
        self.toc = re.compile(rf"^_{name}_([0-9]+)\.toc$")
        # a table of contents being written: "_<indexname>_<generation>.toc.<time()>", renamed when done
        self.toc_temp = re.compile(rf"^_{name}_[0-9]+\.toc\.[0-9]+(?:\.[0-9]+)?(?:e[-+]?[0-9]+)?$")


@cache
def file_patterns(indexname: str = INDEX_NAME) -> FilePatterns:
    """The (cached) :class:`FilePatterns` of ``indexname``."""
    return FilePatterns(indexname)


def looks_like_index(path: Path) -> bool:
    """A manifest or a table of contents is in ``path`` (without reading either)."""
    if (path / MANIFEST).exists():
        return True
    try:
        names = os.listdir(path)
    except OSError:
        return False
    toc = file_patterns().toc
    return any(toc.match(n) for n in names)
