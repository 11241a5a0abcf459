"""Global statistics: every shard scores with the figures of the whole collection.

Every score in newsindex comes from a Whoosh ``Searcher``'s statistics:
``doc_frequency`` and ``doc_count_all`` (through ``idf``) and ``field_length``
(through ``avg_field_length``), for the numpy scorer and for Whoosh's own BM25F
alike. :class:`GlobalSearcher` is a ``Searcher`` over one shard whose statistics
answer from a :class:`GlobalStatistics` gathered from all shards, as
Elasticsearch's ``dfs_query_then_fetch`` and Solr's ``ExactStatsCache`` do; the
formulas are untouched. Its reader (:class:`GlobalReader`) answers
``doc_frequency`` globally too, because the query builder decides by it which
readings and compound parts a word searches; everything else it reads locally
(postings, positions, stored fields, deletions).

:class:`UnionVocabularies` gives prefix (``Bundes*``), typo (``Merkl~``) and
"did you mean" expansion the union of every shard's vocabulary, so a sharded
query expands to exactly the terms the single index would.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from whoosh import scoring
from whoosh.reading import IndexReader
from whoosh.searching import Searcher

from ..index.vocabulary import SegmentVocabulary, Vocabularies
from ..search.suggest import _surface_form

__all__ = [
    "GlobalReader",
    "GlobalSearcher",
    "GlobalStatistics",
    "SummedReader",
    "UnionVocabularies",
    "shortest",
]

DocFrequency = Callable[[str, Any], int]


class GlobalStatistics:
    """Document count, field lengths and document frequencies summed over all shards.

    Built for one search from the shards' readers (in one process) or from
    figures gathered from remote shards (``doc_frequency`` then asks them).
    Document frequencies are looked up once per term and kept for the search.
    """

    def __init__(
        self,
        doc_count_all: int,
        field_lengths: dict[str, int],
        doc_frequency: DocFrequency,
        surface_form: Callable[[str], str | None] | None = None,
    ) -> None:
        self.doc_count_all = doc_count_all
        self.surface_form = surface_form
        self.field_lengths = field_lengths
        self._lookup = doc_frequency
        self._df: dict[tuple[str, Any], int] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_searchers(cls, searchers: Sequence[Searcher]) -> GlobalStatistics:
        """The statistics of shards open in this process."""
        readers = [s.reader() for s in searchers]
        fields: dict[str, int] = {}
        for reader in readers:
            for name, field in reader.schema.items():
                if field.scorable:
                    fields[name] = fields.get(name, 0) + int(reader.field_length(name))

        def df(fieldname: str, text: Any) -> int:
            return sum(int(r.doc_frequency(fieldname, text)) for r in readers)

        def surface(term: str) -> str | None:
            return shortest(_surface_form(s, term) for s in searchers)

        return cls(sum(int(r.doc_count_all()) for r in readers), fields, df, surface)

    def doc_frequency(self, fieldname: str, text: Any) -> int:
        """Documents of all shards holding the term (deleted ones too, as Whoosh counts)."""
        key = (fieldname, text)
        found = self._df.get(key)
        if found is None:
            found = self._lookup(fieldname, text)
            with self._lock:
                self._df[key] = found
        return found

    def field_length(self, fieldname: str) -> int:
        """Total length of ``fieldname`` over all shards."""
        return self.field_lengths.get(fieldname, 0)


def shortest(surfaces: Iterable[str | None]) -> str | None:
    """The shortest of the shards' surface forms of a term (ties: the first shard's)."""
    found = [s for s in surfaces if s]
    return min(found, key=len) if found else None


class GlobalReader:
    """One shard's reader whose ``doc_frequency`` is the collection's.

    Whoosh reads the shard's postings through it as through the reader itself.
    """

    def __init__(self, reader: IndexReader, statistics: GlobalStatistics) -> None:
        self._reader = reader
        self._statistics = statistics

    def doc_frequency(self, fieldname: str, text: Any) -> int:
        """The collection's document frequency of the term."""
        return self._statistics.doc_frequency(fieldname, text)

    def __contains__(self, term: object) -> bool:
        return term in self._reader

    def __iter__(self) -> Any:
        return iter(self._reader)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._reader, name)


class GlobalSearcher(Searcher):
    """A ``Searcher`` over one shard that scores with global statistics.

    Whoosh makes one sub-searcher per segment through ``self.__class__`` with a
    ``parent``; the scorers ask the top-level searcher (``get_parent()``) for
    their statistics, so only that one needs :attr:`statistics`.
    """

    def __init__(
        self,
        reader: Any,
        weighting: Any = scoring.BM25F,
        closereader: bool = True,
        fromindex: Any = None,
        parent: Searcher | None = None,
        statistics: GlobalStatistics | None = None,
    ) -> None:
        if parent is None and statistics is not None and not isinstance(reader, GlobalReader):
            reader = GlobalReader(reader, statistics)
        super().__init__(reader, weighting, closereader, fromindex, parent)
        self.statistics = statistics if parent is None else None

    def doc_count_all(self) -> int:
        """All documents of all shards (deleted ones too, as Whoosh counts)."""
        if self.statistics is None:
            return int(super().doc_count_all())
        return self.statistics.doc_count_all

    def field_length(self, fieldname: str) -> int:
        """Total length of ``fieldname`` over all shards."""
        if self.has_parent():
            return int(self.get_parent().field_length(fieldname))
        if self.statistics is None:
            return int(super().field_length(fieldname))
        return self.statistics.field_length(fieldname)

    def surface_form(self, term: str) -> str | None:
        """A word as written for ``term``, read from every shard ("did you mean")."""
        root = self.get_parent()
        stats = root.statistics if isinstance(root, GlobalSearcher) else None
        if stats is None or stats.surface_form is None:
            return _surface_form(self, term)
        return stats.surface_form(term)

    def avg_field_length(self, fieldname: str, default: float | None = None) -> float | None:
        """The collection's average length of ``fieldname`` (Whoosh's formula)."""
        if self.has_parent():
            return self.get_parent().avg_field_length(fieldname, default)  # type: ignore[no-any-return]
        if not self.schema[fieldname].scorable:
            return default
        return self.field_length(fieldname) / (self.doc_count_all() or 1)


class UnionVocabularies(Vocabularies):
    """The segment vocabularies of every shard, for prefix, typo and suggestion expansion.

    Each shard keeps its own cache (``vocabularies``); this only lists them all,
    whatever reader the query builder passes (the one shard's).
    """

    def __init__(self, shards: Sequence[tuple[Vocabularies, IndexReader]]) -> None:
        super().__init__()
        self._shards = list(shards)

    def segments(self, reader: IndexReader) -> list[SegmentVocabulary]:
        """Every segment vocabulary of every shard."""
        out: list[SegmentVocabulary] = []
        for vocabularies, shard_reader in self._shards:
            out.extend(vocabularies.segments(shard_reader))
        return out


class SummedReader:
    """One shard's reader whose collection figures are summed over every shard.

    Whoosh's key-term expansion (``classify.Expander``, used by ``more_like``) reads
    the document count, field length and term frequencies from a reader, not a
    searcher; this gives it the figures one index over all shards would have and
    the owning shard's documents (vectors, stored fields) for the rest.
    """

    def __init__(self, owner: IndexReader, readers: Sequence[IndexReader]) -> None:
        self._owner = owner
        self._readers = list(readers)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._owner, name)

    def __contains__(self, term: tuple[str, Any]) -> bool:
        return any(term in r for r in self._readers)

    def doc_count_all(self) -> int:
        """Documents in all shards, deleted ones included (as Whoosh counts them)."""
        return sum(r.doc_count_all() for r in self._readers)

    def field_length(self, fieldname: str) -> int:
        """The field's total length in all shards."""
        return sum(r.field_length(fieldname) for r in self._readers)

    def frequency(self, fieldname: str, text: Any) -> float:
        """The term's collection frequency in all shards."""
        return float(sum(r.frequency(fieldname, text) for r in self._readers if (fieldname, text) in r))

