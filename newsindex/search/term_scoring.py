"""Term-at-a-time BM25F scoring with numpy, for the queries people type.

Whoosh ranks document at a time through a tree of Python matchers, one node per
query term, and asks every node for its bounds at every step. A typed question
is an OR of a dozen terms (each word's lemma in ``body`` and ``title``, its noun
reading, its compound parts) and ``Bundes*`` an OR of 64; walking such trees
dominates the slow queries (p95 82 ms; ``Bundes*`` 300 ms on 110k passages).

Here each term's postings are read block by block (Whoosh's own on-disk
blocks) into arrays and its BM25F scores are computed for all its documents at
once, then summed per document: the same formula and float arithmetic as
Whoosh's ``BM25F``, so the scores are Whoosh's. Every match is seen, so the
total is exact. Ties go to the lower document number, as in Whoosh.

Only unions and intersections of single terms are compiled here;
a query with anything else (a phrase) returns ``None`` and is left to Whoosh.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from itertools import chain
from math import log
from typing import Any

import numpy as np
from whoosh import query as wq
from whoosh.reading import IndexReader
from whoosh.scoring import BM25F, WeightingModel
from whoosh.searching import Searcher

from ..index.schema import BODY
from ..index.segments import segment_ids, segment_of
from .bm25 import bm25f_scores
from .postings_read import decode_lengths, read_postings
from .term_infos import TermInfos, leaf_segment_id, plain_counts
from .title_terms import TitleTerm, title_gains

__all__ = ["FieldLengths", "Ranked", "ReadPostings", "Scored", "TermScorer", "admit", "locate", "top"]

# A ``body`` term's postings as a search's scorer read them (:meth:`TermScorer.body_values`):
# documents (global numbers, ascending, deleted ones too) and each one's encoded value;
# ``None``: not read.
ReadPostings = Callable[[str], "tuple[np.ndarray, list[Any]] | None"]


def locate(ids: np.ndarray, wanted: np.ndarray) -> tuple[list[int], list[int]]:
    """The documents of ``wanted`` that ``ids`` holds (both ascending) and their indexes in ``ids``."""
    at = np.searchsorted(ids, wanted)
    has = at < ids.size
    has[has] = ids[at[has]] == wanted[has]
    return wanted[has].tolist(), at[has].tolist()

# A union writes into dense arrays when its postings fill this share of the index.
_DENSE_SHARE = 1 / 16


@dataclass(slots=True)
class Scored:
    """Matching documents (global numbers, ascending) and their scores."""

    ids: np.ndarray
    scores: np.ndarray

    @classmethod
    def empty(cls) -> Scored:
        """No documents."""
        return cls(np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64))

    def __len__(self) -> int:
        return int(self.ids.size)


class FieldLengths:
    """Per segment, each document's length of a field, decoded once and kept.

    Segment files never change, so the arrays are keyed by segment id and stay
    valid for every searcher of the index (deletions are applied per query).
    """

    def __init__(self) -> None:
        self._arrays: dict[tuple[str, str], np.ndarray] = {}
        self._lock = threading.Lock()
        #: The segments' term dictionary lookups, kept across searches the same way.
        self.term_infos = TermInfos()

    def get(self, segment_reader: IndexReader, fieldname: str, segment_id: str | None = None) -> np.ndarray:
        """The decoded lengths of ``fieldname`` for every document of the segment
        (``segment_id``: the segment's id, when the caller knows it)."""
        if segment_id is None:
            segment = segment_of(segment_reader)
            segment_id = segment.segment_id() if segment is not None else None
        key = (segment_id, fieldname) if segment_id is not None else None
        if key is not None:
            cached = self._arrays.get(key)
            if cached is not None:
                return cached
        lengths = decode_lengths(segment_reader, fieldname)
        if key is not None:
            with self._lock:
                self._arrays[key] = lengths
        return lengths

    def keep_only(self, reader: IndexReader) -> None:
        """Drop the arrays of segments that ``reader`` (the latest commit) no longer has."""
        live = segment_ids(reader)
        with self._lock:
            for key in [k for k in self._arrays if k[0] not in live]:
                del self._arrays[key]
        self.term_infos.keep_only(reader)


@dataclass(slots=True)
class _Postings:
    """A term's postings as read for one search: documents (global numbers, ascending,
    deleted ones left out), frequencies, the documents' field lengths (``None``: an
    unscorable field), the summed document frequency and the term's bytes."""

    ids: np.ndarray
    tf: np.ndarray
    lengths: np.ndarray | None
    df: int | None
    btext: bytes


class _Unsupported(Exception):
    """The query has a part this scorer does not compile (left to Whoosh)."""


class TermScorer:
    """Scores unions and intersections of terms over one searcher."""

    def __init__(self, searcher: Searcher, lengths: FieldLengths | None = None) -> None:
        weighting = searcher.weighting
        if type(weighting) is not BM25F:
            raise TypeError("TermScorer reproduces Whoosh's BM25F only")
        self.searcher = searcher
        self.weighting = weighting
        self.lengths = lengths or FieldLengths()
        reader = searcher.reader()
        self.leaves: list[tuple[IndexReader, int]] = reader.leaf_readers()
        self._segment_ids = [leaf_segment_id(leaf) for leaf, _offset in self.leaves]
        self._avg_length: dict[str, float] = {}
        self._deleted_all: np.ndarray | None = None
        self.size = reader.doc_count_all()
        self._deleted: dict[int, np.ndarray] = {}
        # A word typed many times ("der der der …", a phrase repeated) is read once:
        # the postings read are bounded by the distinct terms, not the query's length.
        # Unboosted, so a term in the query at two weights (a word and a synonym's
        # reading) is read once too; boosted copies are kept by weight.
        self._raw: dict[tuple[str, str | bytes], Scored] = {}
        self._read: dict[tuple[str, str | bytes, float], Scored] = {}
        # The ``body`` terms read so far: every posting's document (deleted ones too) and
        # encoded value, so the proximity bonus and the highlights need not read them again.
        self._body_values: dict[str, tuple[np.ndarray, list[Any]]] = {}
        # Each term's postings, read once: a word's title term scores with its body term's.
        self._postings_read: dict[tuple[str, str | bytes], _Postings | None] = {}
        # Unions and intersections too: the article evidence scores each query word's
        # union again, which the whole query has just computed (results are never mutated).
        self._combined: dict[wq.Query, Scored] = {}

    # -- public ------------------------------------------------------------
    def score(self, query: wq.Query) -> Scored | None:
        """All matches of ``query`` with Whoosh's BM25F scores, or ``None`` if not compilable."""
        try:
            return self._eval(query)
        except _Unsupported:
            return None

    # -- query nodes -------------------------------------------------------------
    def _eval(self, q: wq.Query) -> Scored:
        if type(q) is TitleTerm:
            done = self._combined.get(q)
            if done is None:
                done = self._combined[q] = self._title_gain(q)
            return done
        if isinstance(q, wq.Term):
            key = (q.fieldname, q.text, q.boost)
            found = self._read.get(key)
            if found is None:
                raw = self._raw.get(key[:2])
                if raw is None:
                    raw = self._raw[key[:2]] = self._term(q.fieldname, q.text)
                # The same product Whoosh's boosted term gives, document by document.
                found = raw if q.boost == 1.0 else Scored(raw.ids, raw.scores * q.boost)
                self._read[key] = found
            return found
        if q is wq.NullQuery:
            return Scored.empty()
        if getattr(q, "boost", 1.0) != 1.0:
            raise _Unsupported  # Whoosh does not apply a compound query's boost uniformly
        done = self._combined.get(q)
        if done is not None:
            return done
        if type(q) is wq.Or:
            done = self._union([self._eval(s) for s in q.subqueries])
        elif type(q) is wq.And:
            done = self._intersection([self._eval(s) for s in q.subqueries])
        elif type(q) is wq.AndMaybe:
            done = self._and_maybe(self._eval(q.a), self._eval(q.b))
        else:
            raise _Unsupported
        self._combined[q] = done
        return done

    def body_values(self, term: str) -> tuple[np.ndarray, list[Any]] | None:
        """A ``body`` term's postings if a query of this scorer has read them: the documents
        (global numbers, ascending, deleted ones too) and each one's encoded value, as
        ``matcher.value()`` gives it; ``None``: not read."""
        return self._body_values.get(term)

    def read_body(self, term: str) -> tuple[np.ndarray, list[Any]] | None:
        """:meth:`body_values` of ``term``, read now if no query has read it yet."""
        self._eval(wq.Term(BODY, term))
        return self._body_values.get(term)

    def _term(self, fieldname: str, text: str | bytes) -> Scored:
        read = self._postings(fieldname, text)
        if read is None or not read.ids.size:
            return Scored.empty()
        if read.lengths is None:
            return Scored(read.ids, read.tf)  # Whoosh scores unscorable fields by the posting's weight
        weighting = self.weighting
        idf = self._idf(fieldname, read.btext, read.df)
        avgfl = self._avg_field_length(fieldname)
        B = weighting._field_B.get(fieldname, weighting.B)
        # Element by element, the same operations as one segment at a time: the same floats.
        return Scored(read.ids, bm25f_scores(read.tf, read.lengths, avgfl, idf, weighting.K1, B))

    def _title_gain(self, q: TitleTerm) -> Scored:
        """:class:`TitleTerm`: what the title adds to the word's body score under BM25F,
        from the postings the word's body term has read (or reads now)."""
        title = self._postings(q.fieldname, q.text)
        body = self._postings(BODY, q.body_text)
        if title is None or body is None or not title.ids.size or title.lengths is None:
            return Scored.empty()
        if body.lengths is None:
            raise _Unsupported  # (the body field is always scorable)
        gains = title_gains(
            title.ids,
            title.tf,
            title.lengths,
            body.ids,
            body.tf,
            body.lengths,
            title_avg=self._avg_field_length(q.fieldname),
            body_avg=self._avg_field_length(BODY),
            idf=self._idf(BODY, body.btext, body.df),
            weighting=self.weighting,
            title_weight=q.title_weight,
        )
        return Scored(title.ids, gains * q.word_weight if q.word_weight != 1.0 else gains)

    def _postings(self, fieldname: str, text: str | bytes) -> _Postings | None:
        """A term's postings over every segment, deleted documents left out, read once per
        search (``None``: no such field, or ``text`` is no term of it)."""
        key = (fieldname, text)
        if key in self._postings_read:
            return self._postings_read[key]
        read = self._read_term(fieldname, text)
        self._postings_read[key] = read
        return read

    def _read_term(self, fieldname: str, text: str | bytes) -> _Postings | None:
        searcher = self.searcher
        schema = searcher.schema
        if fieldname not in schema:
            return None
        field = schema[fieldname]
        try:
            btext = field.to_bytes(text)
        except ValueError:
            return None
        fmt = field.format
        # Keep the encoded values of body terms (characters): they were decoded with the
        # postings anyway, and the search's proximity bonus and highlights read them next.
        keep_values = fieldname == BODY and isinstance(text, str)
        values: list[Any] | None = [] if keep_values else None
        # Every segment's postings are gathered first, then scored in one array operation
        # per step: a prefix's rare terms have a few postings in each of many segments.
        id_lists: list[list[int]] = []
        tf_lists: list[list[float]] = []
        offsets: list[int] = []
        segments: list[tuple[IndexReader, str | None]] = []
        df: int | None = 0  # summed from the term infos (None: a reader without them)
        infos = self.lengths.term_infos
        for (segment, offset), segment_id in zip(self.leaves, self._segment_ids, strict=True):
            try:
                info = infos.info(segment, fieldname, btext, segment_id)
            except LookupError:  # any other reader (an empty index's)
                df = None
                postings = infos.matcher(segment, fieldname, btext, fmt, segment_id)
            else:
                if info is None:
                    continue
                if df is not None:
                    df += info.doc_frequency()
                postings = infos.postings(segment, info, fieldname, btext, fmt)
            if postings is None:
                continue
            ids_list, weights_list = read_postings(postings, values)
            if ids_list:
                id_lists.append(ids_list)
                tf_lists.append(weights_list)
                offsets.append(offset)
                segments.append((segment, segment_id))
        counts = [len(x) for x in id_lists]
        total = sum(counts)
        ids = np.fromiter(chain.from_iterable(id_lists), dtype=np.int64, count=total)
        if len(offsets) > 1 or (offsets and offsets[0]):
            ids += np.repeat(np.array(offsets, dtype=np.int64), counts)
        if keep_values and values is not None:
            self._body_values[str(text)] = (ids, values)  # (deleted documents too)
        if not total:  # (a title word no body has: its title term still scores, from zero)
            nothing = np.empty(0, dtype=np.float64)
            return _Postings(ids, nothing, nothing if field.scorable else None, df, btext)
        tf = np.fromiter(chain.from_iterable(tf_lists), dtype=np.float64, count=total)
        # Each posting's document length, read from its own segment's lengths (an array
        # of the whole index's would be copied per search: 800 MB at 10⁸ paragraphs).
        lengths: np.ndarray | None = None
        if field.scorable:
            parts, start = [], 0
            for (segment, segment_id), offset, count in zip(segments, offsets, counts, strict=True):
                local = ids[start : start + count] - offset
                parts.append(self.lengths.get(segment, fieldname, segment_id)[local])
                start += count
            lengths = parts[0] if len(parts) == 1 else np.concatenate(parts)
        deleted = self._all_deleted()
        if deleted.size:
            keep = ~np.isin(ids, deleted, assume_unique=True)
            ids, tf = ids[keep], tf[keep]
            lengths = lengths[keep] if lengths is not None else None
        return _Postings(ids, tf, lengths, df, btext)

    def _all_deleted(self) -> np.ndarray:
        """The deleted documents of every segment (global numbers, ascending)."""
        if self._deleted_all is None:
            parts = [self._deleted_in(leaf, offset) + offset for leaf, offset in self.leaves]
            self._deleted_all = np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)
        return self._deleted_all

    def _avg_field_length(self, fieldname: str) -> float:
        found = self._avg_length.get(fieldname)
        if found is None:  # (Whoosh's sums the field's length over every segment per call)
            found = self._avg_length[fieldname] = self.searcher.avg_field_length(fieldname) or 1
        return found

    def _idf(self, fieldname: str, btext: bytes, df: int | None) -> float:
        """``searcher.idf``: the same formula, on ``df``, the document frequency summed from
        the segments' term infos (Whoosh's would look the term up in every segment again)."""
        searcher = self.searcher
        if (
            df is None
            or type(self.weighting).idf is not WeightingModel.idf
            or type(searcher) is not Searcher  # (a shard's GlobalSearcher counts the collection)
            or searcher.get_parent() is not searcher
            or not plain_counts(searcher.reader())
        ):
            return float(searcher.idf(fieldname, btext))
        return log(searcher.doc_count_all() / (df + 1)) + 1

    def _deleted_in(self, segment: IndexReader, offset: int) -> np.ndarray:
        found = self._deleted.get(offset)
        if found is None:
            docs = segment.deleted_docs_set if segment.has_deletions() else ()
            found = np.fromiter(sorted(docs), dtype=np.int64, count=len(docs))
            self._deleted[offset] = found
        return found

    def _union(self, parts: list[Scored]) -> Scored:
        parts = [p for p in parts if len(p)]
        if not parts:
            return Scored.empty()
        if len(parts) == 1:
            return parts[0]
        total = sum(len(p) for p in parts)
        if total >= self.size * _DENSE_SHARE:
            acc = np.zeros(self.size, dtype=np.float64)
            hit = np.zeros(self.size, dtype=np.bool_)
            for p in parts:  # ids are unique within a part
                acc[p.ids] += p.scores
                hit[p.ids] = True
            ids = np.flatnonzero(hit)
            return Scored(ids, acc[ids])
        all_ids = np.concatenate([p.ids for p in parts])
        all_scores = np.concatenate([p.scores for p in parts])
        ids, where = np.unique(all_ids, return_inverse=True)
        return Scored(ids, np.bincount(where, weights=all_scores, minlength=ids.size))

    @staticmethod
    def _intersection(parts: list[Scored]) -> Scored:
        if not parts:
            return Scored.empty()
        out = parts[0]
        for p in parts[1:]:
            ids, i, j = np.intersect1d(out.ids, p.ids, assume_unique=True, return_indices=True)
            out = Scored(ids, out.scores[i] + p.scores[j])
        return out

    @staticmethod
    def _and_maybe(required: Scored, optional: Scored) -> Scored:
        scores = required.scores.copy()
        _, i, j = np.intersect1d(required.ids, optional.ids, assume_unique=True, return_indices=True)
        scores[i] += optional.scores[j]
        return Scored(required.ids, scores)


@dataclass(slots=True)
class Ranked:
    """Matches in rank order (best first; ties to the lower document number)."""

    docnums: list[int]
    scores: list[float]


def admit(scored: Scored, admitted: set[int] | None, rejected: set[int] | None = None) -> Scored:
    """Only the matches in ``admitted`` (``None``: all) and not in ``rejected``."""
    keep = np.ones(scored.ids.size, dtype=np.bool_)
    if admitted is not None:
        keep &= np.isin(scored.ids, np.fromiter(admitted, dtype=np.int64, count=len(admitted)))
    if rejected:
        keep &= ~np.isin(scored.ids, np.fromiter(rejected, dtype=np.int64, count=len(rejected)))
    if keep.all():
        return scored
    return Scored(scored.ids[keep], scored.scores[keep])


def top(scored: Scored, n: int) -> Ranked:
    """The ``n`` best matches in rank order."""
    ids, scores = scored.ids, scored.scores
    if ids.size > n:
        # Everything scoring at least the n-th best score, then an exact sort of those.
        kth = np.partition(scores, ids.size - n)[ids.size - n]
        keep = scores >= kth
        ids, scores = ids[keep], scores[keep]
    order = np.lexsort((ids, -scores))[:n]
    return Ranked(ids[order].tolist(), scores[order].tolist())
