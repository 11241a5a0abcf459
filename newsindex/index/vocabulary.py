"""Per-segment term lists for fast prefix and typo expansion.

Whoosh expands ``Klima*`` and ``Migrazion~`` by walking the term dictionary of
every segment in pure Python (its fuzzy search even computes an edit distance
per term). newsindex instead keeps, for each segment, the sorted list of its
``body`` terms with their document frequencies: a prefix is a bisection, a typo
search is one call into RapidFuzz's C++ edit distance over the terms that share
the first letter and are within the edit distance in length (so a 2,000-letter
word compares against nothing). That call is bounded too: at most
:data:`NEAR_CANDIDATE_CAP` terms per segment are compared (the ones closest in
length first), and ``near`` reports whether the cap cut any.

The list of a segment is written next to it at commit time as plain text
(``<segment>.vocab``, one ``term<TAB>df`` line per term; never pickle, so a file
from elsewhere cannot run code). Whoosh deletes it together with its segment,
since it carries the segment's name. A segment without one (an index written
by an older newsindex, or a crash between commit and writing it) has its list
read from the segment itself, once per process.
"""

from __future__ import annotations

import heapq
import threading
from array import array
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from itertools import pairwise
from typing import Any

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA
from whoosh.filedb.filestore import Storage
from whoosh.reading import IndexReader, SegmentReader

from .schema import BODY
from .segments import segment_of

__all__ = [
    "NEAR_CANDIDATE_CAP",
    "Near",
    "SegmentVocabulary",
    "Vocabularies",
    "distances",
    "vocab_filename",
    "write_vocabularies",
    "write_vocabulary",
]

VOCAB_EXT = "vocab"
# Terms compared with the edit distance per segment and call: a typo search of a
# common first letter in a large index has tens of thousands of same-length terms.
NEAR_CANDIDATE_CAP = 20_000


def distances(word: str, candidates: list[str], maxdist: int) -> list[tuple[str, int, int]]:
    """(term, distance, index) of the ``candidates`` within ``maxdist`` OSA edits of ``word``.

    The one place an edit distance is computed (tests count the candidates here).
    """
    return process.extract(word, candidates, scorer=OSA.distance, score_cutoff=maxdist, limit=None)


@dataclass(slots=True)
class Near:
    """Terms close to a word, closest first, and whether the candidate cap cut the search."""

    terms: list[str]
    compared: int = 0
    capped: bool = False
    df: dict[str, int] = field(default_factory=dict)  # document frequency of each term


def vocab_filename(segment: Any) -> str:
    """The sidecar file of a Whoosh segment (named so Whoosh cleans it up with it)."""
    return f"{segment.segment_id()}.{VOCAB_EXT}"


@dataclass(frozen=True)
class SegmentVocabulary:
    """The sorted terms of one field of one segment, with document frequencies."""

    terms: list[str]
    df: array[int]  # array("I"), parallel to terms

    @cached_property
    def lengths(self) -> np.ndarray:
        """Each term's length (computed on first use, then kept with the list)."""
        return np.fromiter(map(len, self.terms), dtype=np.int32, count=len(self.terms))

    def same_length(
        self, lo: int, hi: int, word: str, maxdist: int, cap: int
    ) -> tuple[list[int], bool]:
        """Indexes in ``[lo, hi)`` of the terms whose length is within ``maxdist`` of
        ``word``'s, at most ``cap`` of them, and whether ``cap`` cut some.

        When cut, the closest in length are kept, then those nearest ``word`` in
        sorted order (sharing the longest beginning with it).
        """
        gap = np.abs(self.lengths[lo:hi] - len(word))
        picked = np.flatnonzero(gap <= maxdist)
        capped = picked.size > cap
        if capped:
            centre = bisect_left(self.terms, word, lo, hi) - lo
            order = np.lexsort((np.abs(picked - centre), gap[picked]))
            picked = np.sort(picked[order[:cap]])
        return (picked + lo).tolist(), capped

    @classmethod
    def from_reader(cls, reader: SegmentReader, field: str = BODY) -> SegmentVocabulary:
        """Read the list from the segment's term dictionary (sorted already)."""
        terms: list[str] = []
        df = array("I")
        if field in reader.schema:
            for btext, info in reader.iter_field(field):
                terms.append(btext.decode("utf-8") if isinstance(btext, bytes) else btext)
                df.append(info.doc_frequency())
        return cls(terms, df)

    def dumps(self) -> bytes:
        """The sidecar file's content."""
        return "".join(f"{t}\t{n}\n" for t, n in zip(self.terms, self.df, strict=True)).encode("utf-8")

    @classmethod
    def loads(cls, data: bytes) -> SegmentVocabulary:
        """Parse :meth:`dumps` output (raises ``ValueError`` on a damaged file)."""
        terms: list[str] = []
        df = array("I")
        for line in data.decode("utf-8").splitlines():
            term, _, n = line.rpartition("\t")
            terms.append(term)
            df.append(int(n))
        if any(a > b for a, b in pairwise(terms)):
            raise ValueError("terms are not sorted")
        return cls(terms, df)

    def span(self, prefix: str) -> tuple[int, int]:
        """Index range of the terms starting with ``prefix``."""
        lo = bisect_left(self.terms, prefix)
        hi = bisect_left(self.terms, prefix + "\U0010ffff", lo)
        return lo, hi


def write_vocabulary(storage: Storage, segment: Any, vocabulary: SegmentVocabulary) -> str:
    """Write ``segment``'s sidecar (via a temporary file and a rename); returns its name."""
    name = vocab_filename(segment)
    tmp = f".{name}.tmp"
    with storage.create_file(tmp) as fh:
        fh.write(vocabulary.dumps())
    storage.rename_file(tmp, name, safe=False)
    return name


def write_vocabularies(storage: Storage, schema: Any, segments: Iterable[Any]) -> list[str]:
    """Write the sidecar of every segment that lacks one (the segment writer writes its
    own on the fast postings path); returns the file names written."""
    written = []
    existing = set(storage.list())
    for seg in segments:
        if vocab_filename(seg) in existing:
            continue
        with SegmentReader(storage, schema, seg) as reader:
            vocabulary = SegmentVocabulary.from_reader(reader)
        written.append(write_vocabulary(storage, seg, vocabulary))
    return written


class Vocabularies:
    """A thread-safe cache of segment vocabularies, owned by one ``NewsIndex``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # Keyed by segment id alone (unique within an index): every thread's searcher
        # opens the index's storage anew, and keyed by storage each thread would load
        # its own copy and evict the others' (see segments).
        self._cache: dict[str, SegmentVocabulary] = {}

    def _load(self, leaf: Any) -> SegmentVocabulary:
        segment = segment_of(leaf)
        storage = getattr(leaf, "_storage", None)
        if segment is None or storage is None:
            return SegmentVocabulary.from_reader(leaf)
        key = segment.segment_id()
        with self._lock:
            found = self._cache.get(key)
        if found is not None:
            return found
        vocab = None
        try:
            if storage.file_exists(vocab_filename(segment)):
                with storage.open_file(vocab_filename(segment)) as fh:
                    vocab = SegmentVocabulary.loads(fh.read())
        except (OSError, ValueError, UnicodeDecodeError):
            vocab = None  # damaged or unreadable: read the segment instead
        if vocab is None:
            vocab = SegmentVocabulary.from_reader(leaf)
        with self._lock:
            self._cache[key] = vocab
        return vocab

    def segments(self, reader: IndexReader) -> list[SegmentVocabulary]:
        """The vocabularies of ``reader``'s segments (loaded on first use)."""
        leaves = [leaf for leaf, _offset in reader.leaf_readers()]
        vocabs = [self._load(leaf) for leaf in leaves]
        segments = [(leaf, segment_of(leaf)) for leaf in leaves]
        live = {segment.segment_id() for _leaf, segment in segments if segment is not None}
        with self._lock:  # forget segments merged away
            for key in [k for k in self._cache if k not in live]:
                del self._cache[key]
        return vocabs

    def prefixed(self, reader: IndexReader, prefix: str, cap: int, scan_cap: int) -> list[str]:
        """The ``cap`` most frequent terms starting with ``prefix`` (ties alphabetical;
        scanning at most ``scan_cap`` terms per segment)."""
        return list(self.prefixed_df(reader, prefix, cap, scan_cap))

    def prefixed_df(self, reader: IndexReader, prefix: str, cap: int, scan_cap: int) -> dict[str, int]:
        """:meth:`prefixed` with each term's document frequency, most frequent first."""
        df: dict[str, int] = {}
        for vocab in self.segments(reader):
            lo, hi = vocab.span(prefix)
            for i in range(lo, min(hi, lo + scan_cap)):
                t = vocab.terms[i]
                df[t] = df.get(t, 0) + vocab.df[i]
        # Ties go alphabetically: the order the segments were read in (which differs
        # between one index and shards, or after a merge) must not pick the terms.
        return {t: df[t] for t in heapq.nsmallest(cap, df, key=lambda t: (-df[t], t))}

    def near(self, reader: IndexReader, word: str, maxdist: int, cap: int, prefix: int = 1) -> list[str]:
        """The terms of :meth:`near_terms` (closest first, then most frequent)."""
        return self.near_terms(reader, word, maxdist, cap, prefix).terms

    def near_terms(
        self,
        reader: IndexReader,
        word: str,
        maxdist: int,
        cap: int,
        prefix: int = 1,
        candidate_cap: int | None = None,
    ) -> Near:
        """Up to ``cap`` terms within ``maxdist`` edits (optimal string alignment,
        as Lucene counts: a swap of neighbours is one edit) sharing ``word``'s first
        ``prefix`` letters; closest first, then most frequent, then alphabetical.

        Only terms whose length is within ``maxdist`` of the word's can be that
        close, so only those are compared, at most ``candidate_cap`` per segment
        (default :data:`NEAR_CANDIDATE_CAP`), the closest in length first.
        """
        if candidate_cap is None:
            candidate_cap = NEAR_CANDIDATE_CAP
        found: dict[str, tuple[int, int]] = {}
        out = Near([])
        if not word:
            return out
        for vocab in self.segments(reader):
            lo, hi = vocab.span(word[:prefix])
            if lo == hi:
                continue
            picked, capped = vocab.same_length(lo, hi, word, maxdist, candidate_cap)
            out.capped |= capped
            if not picked:
                continue
            out.compared += len(picked)
            terms = vocab.terms
            for term, dist, i in distances(word, [terms[j] for j in picked], maxdist):
                d, n = found.get(term, (dist, 0))
                found[term] = (min(d, dist), n + vocab.df[picked[i]])
        out.terms = sorted(found, key=lambda t: (found[t][0], -found[t][1], t))[:cap]  # ties: alphabetical
        out.df = {t: found[t][1] for t in out.terms}
        return out
