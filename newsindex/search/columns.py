"""Per-document metadata as numpy columns, for facets, date sorting and browsing.

Facets, ``sort="newest"`` and browsing need each matching passage's article,
source, authors and date. Reading stored fields per match costs about 20 µs a
passage (a broad query matches tens of thousands), so each segment's metadata is
read once into arrays indexed by document number and kept: segment files never
change (like :class:`~newsindex.search.term_scoring.FieldLengths`), and a
deletion only removes documents from the postings every match comes from.

Per segment the article of each document comes from the ``article_id``
postings, and the article-level fields (source, author, date) from one stored
paragraph per article; paragraph numbers are read from the first and last
stored paragraph of the article's run of documents (the writer adds an article's
paragraphs in order), and from every paragraph when those disagree.
"""

from __future__ import annotations

import itertools
import re
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
from whoosh.reading import IndexReader

from ..index.segments import segment_ids, segment_of

__all__ = ["ColumnCache", "Columns", "SegmentColumns", "split_authors"]

_EPOCH = datetime(1970, 1, 1)
# "Anna Schmidt; Tom Berg", "Anna Schmidt und Tom Berg", "A. Schmidt / T. Berg".
_AUTHOR_SEPARATORS = re.compile(r"\s*(?:;|/|&|\bund\b|\band\b)\s*")


def split_authors(author: str | None) -> tuple[str, ...]:
    """The authors named in an article's author field.

    Split at ``;``, ``/``, ``&``, *und* and *and*, and at commas only when every
    comma-separated part has two words or more ("Anna Schmidt, Tom Berg" is two
    authors; "Schmidt, Anna" is one).
    """
    if not author or not author.strip():
        return ()
    names: list[str] = []
    for part in _AUTHOR_SEPARATORS.split(author):
        pieces = [p.strip() for p in part.split(",")]
        if len(pieces) > 1 and all(len(p.split()) > 1 for p in pieces):
            names.extend(pieces)
        elif part.strip():
            names.append(part.strip())
    return tuple(dict.fromkeys(n for n in names if n))


def _timestamp(value: Any) -> float:
    """Seconds since 1970 (naive datetimes read as UTC); NaN for no date."""
    if not isinstance(value, datetime):
        return float("nan")
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return float((value - _EPOCH).total_seconds())


@dataclass(frozen=True, slots=True)
class SegmentColumns:
    """One segment's metadata by local document number (``-1``: no article, a deleted document)."""

    article: np.ndarray  # int32 local article ordinal per document
    paragraph: np.ndarray  # int32 paragraph number per document
    ids: tuple[str, ...]  # per local article
    sources: tuple[str | None, ...]
    authors: tuple[str | None, ...]
    published: tuple[float, ...]  # timestamps, NaN when undated


def _term(t: bytes | str) -> str:
    return t.decode("utf-8") if isinstance(t, bytes) else t


def _article_of_docs(leaf: IndexReader) -> list[str]:
    """Each document's article id (deleted documents included): the sortable column, or the postings."""
    try:
        return [_term(v) for v in leaf.column_reader("article_id")]
    except Exception:  # an index without the column: read the postings instead
        out = [""] * leaf.doc_count_all()
        for term in leaf.lexicon("article_id"):
            for d in leaf.postings("article_id", term).all_ids():
                out[d] = _term(term)
        return out


def read_segment(leaf: IndexReader) -> SegmentColumns:
    """Read one segment's columns: the ``article_id`` column plus one stored paragraph per article
    (two or more only when an article's paragraphs are not one run in order)."""
    n = leaf.doc_count_all()
    if not n:
        return SegmentColumns(np.empty(0, np.int32), np.empty(0, np.int32), (), (), (), ())
    number: dict[str, int] = {}
    local = np.fromiter((number.setdefault(v, len(number)) for v in _article_of_docs(leaf)), np.int32, n)
    order = np.argsort(local, kind="stable")  # each article's documents together, ascending
    bounds = np.flatnonzero(np.r_[True, local[order][1:] != local[order][:-1], True]).tolist()
    article = np.full(n, -1, dtype=np.int32)
    paragraph = np.full(n, -1, dtype=np.int32)
    ids: list[str] = []
    sources: list[str | None] = []
    authors: list[str | None] = []
    published: list[float] = []
    names = list(number)
    for start, end in itertools.pairwise(bounds):
        docs = order[start:end]
        aid = names[int(local[docs[0]])]
        if not aid:  # a document without an article id (none are written so)
            continue
        article[docs] = len(ids)
        first = leaf.stored_fields(int(docs[0]))
        p0, k = int(first.get("paragraph", 0)), docs.size
        # Paragraphs are written in order, each once: a run from p0 reaching the
        # article's last paragraph is p0, p0 + 1, …
        in_run = p0 + k == first.get("paragraphs_total") or k == 1
        if not in_run:
            in_run = int(leaf.stored_fields(int(docs[-1])).get("paragraph", -1)) == p0 + k - 1
        if in_run:
            paragraph[docs] = np.arange(p0, p0 + k, dtype=np.int32)
        else:
            for d in docs.tolist():
                paragraph[d] = int(leaf.stored_fields(d).get("paragraph", -1))
        ids.append(aid)
        sources.append(first.get("source"))
        authors.append(first.get("author"))
        published.append(_timestamp(first.get("published")))
    return SegmentColumns(article, paragraph, tuple(ids), tuple(sources), tuple(authors), tuple(published))


def _codes(values: list[str | None], table: dict[str, int]) -> np.ndarray:
    """Each value's id in ``table`` (added when new); ``-1`` for none."""
    out = np.empty(len(values), dtype=np.int32)
    for i, v in enumerate(values):
        out[i] = -1 if not v else table.setdefault(v, len(table))
    return out


@dataclass(frozen=True, slots=True)
class Columns:
    """Metadata of every document of one reader, by global document number.

    Articles are numbered across segments (an article's paragraphs in two
    segments share one number). ``article_rank`` orders articles by id, the
    deterministic tie-break of date sorting. Authors are multi-valued:
    ``author_ptr``/``author_ids`` list each article's author ids (CSR layout).
    """

    article: np.ndarray  # int64 per document, -1 none
    paragraph: np.ndarray  # int32 per document
    article_ids: tuple[str, ...]
    article_rank: np.ndarray  # int64 per article
    source: np.ndarray  # int32 per article, -1 none
    published: np.ndarray  # float64 per article, NaN none
    month: np.ndarray  # int64 per article: year * 12 + month - 1, -1 none
    author_ptr: np.ndarray  # int64, len(articles) + 1
    author_ids: np.ndarray  # int32
    source_names: tuple[str, ...]
    author_names: tuple[str, ...]

    @property
    def doc_count(self) -> int:
        """Documents (deleted ones included) the columns cover."""
        return int(self.article.size)


def _deleted(leaf: IndexReader) -> np.ndarray:
    """The deleted local document numbers of a segment."""
    if not leaf.has_deletions():
        return np.empty(0, dtype=np.int64)
    deleted = getattr(leaf, "deleted_docs_set", None)
    if deleted is None:
        return np.array([d for d in range(leaf.doc_count_all()) if leaf.is_deleted(d)], dtype=np.int64)
    return np.fromiter(deleted, dtype=np.int64, count=len(deleted))


def combine(parts: list[tuple[SegmentColumns, int, np.ndarray]], doc_count: int) -> Columns:
    """The reader-wide columns from each segment's columns, document offset and deleted documents.

    An article's fields come from a segment where it has live paragraphs: an
    updated article's old copy (deleted) may still sit in an older segment.
    """
    article = np.full(doc_count, -1, dtype=np.int64)
    paragraph = np.full(doc_count, -1, dtype=np.int32)
    number: dict[str, int] = {}
    sources: list[str | None] = []
    authors: list[str | None] = []
    published: list[float] = []
    for seg, offset, deleted in parts:
        local = seg.article.copy()
        if deleted.size:
            local[deleted] = -1
        local_to_global = np.full(len(seg.ids), -1, dtype=np.int64)
        for i in np.unique(local[local >= 0]).tolist():
            aid = seg.ids[i]
            g = number.get(aid)
            if g is None:
                g = number[aid] = len(number)
                sources.append(seg.sources[i])
                authors.append(seg.authors[i])
                published.append(seg.published[i])
            local_to_global[i] = g
        span = slice(offset, offset + local.size)
        has = local >= 0
        article[span][has] = local_to_global[local[has]]
        paragraph[span] = seg.paragraph
    ids = tuple(number)
    rank = np.empty(len(ids), dtype=np.int64)
    rank[np.argsort(np.array(ids, dtype=object), kind="stable")] = np.arange(len(ids))
    source_table: dict[str, int] = {}
    author_table: dict[str, int] = {}
    per_article = [[author_table.setdefault(a, len(author_table)) for a in split_authors(x)] for x in authors]
    stamps = np.array(published, dtype=np.float64)
    month = np.full(stamps.shape, -1, dtype=np.int64)
    dated = ~np.isnan(stamps)
    # numpy counts months from 1970-01
    month[dated] = stamps[dated].astype("datetime64[s]").astype("datetime64[M]").astype(np.int64) + 1970 * 12
    ptr = np.zeros(len(ids) + 1, dtype=np.int64)
    ptr[1:] = np.cumsum([len(a) for a in per_article])
    flat = [a for names in per_article for a in names]
    return Columns(
        article=article,
        paragraph=paragraph,
        article_ids=ids,
        article_rank=rank,
        source=_codes(sources, source_table),
        published=stamps,
        month=month,
        author_ptr=ptr,
        author_ids=np.array(flat, dtype=np.int32),
        source_names=tuple(source_table),
        author_names=tuple(author_table),
    )


class ColumnCache:
    """Segment columns read once per segment, reader-wide columns once per commit."""

    def __init__(self) -> None:
        self._segments: dict[str, SegmentColumns] = {}
        self._combined: dict[tuple[str, ...], Columns] = {}
        self._segment_articles: dict[str, np.ndarray] = {}
        self._articles: dict[tuple[str, ...], np.ndarray] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _keys(reader: IndexReader) -> tuple[list[tuple[IndexReader, int]], tuple[str, ...], tuple[str, ...]]:
        leaves = reader.leaf_readers()
        seg_keys = tuple(
            s.segment_id() if (s := segment_of(leaf)) is not None else f"?{id(leaf)}" for leaf, _ in leaves
        )
        # Deletions change a commit's documents without changing its segments.
        return leaves, seg_keys, (str(reader.generation()), *seg_keys)

    def articles(self, reader: IndexReader) -> np.ndarray:
        """Each document's article number (-1: deleted), read from the ``article_id`` column
        alone, a quarter of what :meth:`get` reads (no stored fields).

        Numbers are per segment: an article's live paragraphs are always in one segment
        (whole articles are written to a segment, and an update deletes the old copy).
        """
        leaves, seg_keys, key = self._keys(reader)
        with self._lock:
            cached = self._articles.get(key)
            if cached is not None:
                return cached
            out = np.full(reader.doc_count_all(), -1, dtype=np.int64)
            base = 0
            for (leaf, offset), seg_key in zip(leaves, seg_keys, strict=True):
                local = self._segment_articles.get(seg_key)
                if local is None:
                    number: dict[str, int] = {}
                    values = _article_of_docs(leaf)
                    codes = (number.setdefault(v, len(number)) for v in values)
                    local = np.fromiter(codes, np.int64, len(values))
                    if not seg_key.startswith("?"):
                        self._segment_articles[seg_key] = local
                numbers = local + base
                base += int(local.max()) + 1 if local.size else 0
                numbers[_deleted(leaf)] = -1
                out[offset : offset + numbers.size] = numbers
            if not any(k.startswith("?") for k in seg_keys) and reader.generation() is not None:
                self._articles = {key: out}  # only the latest commit's view is kept
            return out

    def get(self, reader: IndexReader) -> Columns:
        """The columns of ``reader`` (built on first use)."""
        leaves, seg_keys, key = self._keys(reader)
        with self._lock:
            cached = self._combined.get(key)
            if cached is not None:
                return cached
            parts = []
            for (leaf, offset), seg_key in zip(leaves, seg_keys, strict=True):
                seg = self._segments.get(seg_key)
                if seg is None:
                    seg = read_segment(leaf)
                    if not seg_key.startswith("?"):
                        self._segments[seg_key] = seg
                parts.append((seg, offset, _deleted(leaf)))
            columns = combine(parts, reader.doc_count_all())
            if not any(k.startswith("?") for k in seg_keys) and reader.generation() is not None:
                self._combined = {key: columns}  # only the latest commit's view is kept
            return columns

    def keep_only(self, reader: IndexReader) -> None:
        """Forget the segments ``reader`` (the latest commit) no longer has."""
        live = segment_ids(reader)
        with self._lock:
            for k in [k for k in self._segments if k not in live]:
                del self._segments[k]
            for k in [k for k in self._segment_articles if k not in live]:
                del self._segment_articles[k]
