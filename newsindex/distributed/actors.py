"""Shards on other machines: one shard searcher per Dask worker (an actor), scatter-gather.

The coordinator (the client) cannot read the shards, so the global statistics
are gathered in rounds, as Elasticsearch's ``dfs_query_then_fetch`` does: every
shard runs the search with the figures gathered so far (a :class:`StatsTable`)
and reports which ones it missed (a document frequency, a vocabulary slice for a
prefix or typo, a surface form for "did you mean"); the coordinator asks every
shard for those, sums them, and runs again. A query settles in two or three
rounds (the terms a query searches depend on frequencies: readings, compound
parts, expansions); only then are the shards' results merged. Each round is one
call per shard; no article text crosses the scheduler, only passages in results.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from whoosh.reading import IndexReader

from ..engine import NewsIndex
from ..index.vocabulary import Near, SegmentVocabulary, Vocabularies
from ..search.query_syntax import QueryPlan
from ..search.request import SearchOptions, SearchRequest, weighting
from ..search.results import Results
from ..search.searching import _Search
from ..search.suggest import _surface_form
from .coordinate import Scatter, shard_head_scores, shard_search, shard_searcher
from .layout import ShardError
from .statistics import GlobalSearcher, GlobalStatistics, shortest

__all__ = ["MAX_ROUNDS", "Needs", "RemoteShards", "ShardSearcher", "StatsTable"]

MAX_ROUNDS = 8
Term = tuple[str, Any]


@dataclass(slots=True)
class StatsTable:
    """The collection's figures gathered so far for one query."""

    doc_count_all: int
    field_lengths: dict[str, int]
    df: dict[Term, int] = field(default_factory=dict)
    slices: dict[str, list[SegmentVocabulary]] = field(default_factory=dict)  # by span prefix
    surfaces: dict[str, str | None] = field(default_factory=dict)


@dataclass(slots=True)
class Needs:
    """What a shard's search missed in the table (it then returns this, not results)."""

    terms: set[Term] = field(default_factory=set)
    prefixes: set[str] = field(default_factory=set)
    surfaces: set[str] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.terms or self.prefixes or self.surfaces)

    def update(self, other: Needs) -> None:
        """Add ``other``'s needs."""
        self.terms |= other.terms
        self.prefixes |= other.prefixes
        self.surfaces |= other.surfaces


class _TableVocabularies(Vocabularies):
    """Prefix and typo expansion over the vocabulary slices of every shard in the table."""

    def __init__(self, table: StatsTable, needs: Needs) -> None:
        super().__init__()
        self._table = table
        self._needs = needs
        self._current: list[SegmentVocabulary] = []

    def _use(self, prefix: str) -> bool:
        found = self._table.slices.get(prefix)
        if found is None:
            self._needs.prefixes.add(prefix)
            return False
        self._current = found
        return True

    def segments(self, reader: IndexReader) -> list[SegmentVocabulary]:
        """The slices chosen by the last lookup (every shard's)."""
        return self._current

    def prefixed_df(self, reader: IndexReader, prefix: str, cap: int, scan_cap: int) -> dict[str, int]:
        """As for one index, over the union of the shards' terms starting with ``prefix``."""
        return super().prefixed_df(reader, prefix, cap, scan_cap) if self._use(prefix) else {}

    def near_terms(
        self,
        reader: IndexReader,
        word: str,
        maxdist: int,
        cap: int,
        prefix: int = 1,
        candidate_cap: int | None = None,
    ) -> Near:
        """As for one index, over the union of the shards' terms sharing ``word``'s first letters."""
        if not word or not self._use(word[:prefix]):
            return Near([])
        return super().near_terms(reader, word, maxdist, cap, prefix, candidate_cap)


def _slice(vocab: SegmentVocabulary, prefix: str) -> SegmentVocabulary:
    lo, hi = vocab.span(prefix)
    return SegmentVocabulary(vocab.terms[lo:hi], vocab.df[lo:hi])


class ShardSearcher:
    """One shard, open on the Dask worker that hosts this actor."""

    def __init__(self, path: str, options: dict[str, Any] | None = None) -> None:
        self.path = path
        self.index = NewsIndex.open(path, **(options or {}))

    def figures(self) -> tuple[int, dict[str, int]]:
        """Documents (deleted ones too) and each scorable field's total length."""
        reader = self.index._current_searcher().reader()
        lengths = {n: int(reader.field_length(n)) for n, f in reader.schema.items() if f.scorable}
        return int(reader.doc_count_all()), lengths

    def doc_frequencies(self, terms: list[Term]) -> list[int]:
        """This shard's document frequency of each term."""
        reader = self.index._current_searcher().reader()
        return [int(reader.doc_frequency(f, t)) for f, t in terms]

    def vocabulary_slices(self, prefixes: list[str]) -> dict[str, list[SegmentVocabulary]]:
        """Per prefix, this shard's segment vocabularies cut to the terms starting with it."""
        reader = self.index._current_searcher().reader()
        vocabs = self.index._vocabularies.segments(reader)
        return {p: [_slice(v, p) for v in vocabs] for p in prefixes}

    def surface_forms(self, terms: list[str]) -> list[str | None]:
        """A word as written in this shard for each term (``None``: not here)."""
        searcher = self.index._current_searcher()
        return [_surface_form(searcher, t) for t in terms]

    def _search(
        self, request: SearchRequest, options: SearchOptions, table: StatsTable, needs: Needs
    ) -> _Search:
        """This shard's search scored with the table's figures (noting in ``needs`` what it lacks)."""

        def df(fieldname: str, text: Any) -> int:
            found = table.df.get((fieldname, text))
            if found is None:
                needs.terms.add((fieldname, text))
                return 0  # provisional: this round's results are thrown away
            return found

        def surface(term: str) -> str | None:
            if term not in table.surfaces:
                needs.surfaces.add(term)
                return None
            return table.surfaces[term]

        stats = GlobalStatistics(table.doc_count_all, table.field_lengths, df, surface)
        local = self.index._current_searcher()
        # The coordinator's options decide the BM25 parameters, not this actor's defaults.
        searcher = GlobalSearcher(
            local.reader(), weighting=weighting(options), closereader=False, statistics=stats
        )
        vocabularies = _TableVocabularies(table, needs)
        ix = self.index
        return shard_searcher(searcher, ix.chain, request, options, vocabularies, ix._lengths, ix._columns)

    def head_scores(
        self, request: SearchRequest, plan: QueryPlan, options: SearchOptions, table: StatsTable
    ) -> list[float] | Needs:
        """This shard's best scores before the proximity bonus, or what the table lacks."""
        needs = Needs()
        scores = shard_head_scores(self._search(request, options, table, needs), plan)
        return needs if needs else scores

    def search(
        self,
        request: SearchRequest,
        plan: QueryPlan,
        options: SearchOptions,
        suggest_words: bool,
        floor: float | None,
        table: StatsTable,
    ) -> Results | Needs:
        """This shard's results with the table's figures, or what the table lacks."""
        needs = Needs()
        results = shard_search(self._search(request, options, table, needs), plan, suggest_words, floor)
        return needs if needs else results

    def close(self) -> None:
        """Close the shard."""
        self.index.close()


class RemoteShards:
    """The actors of a served sharded index and the rounds that gather its statistics."""

    def __init__(self, actors: Sequence[Any], names: Sequence[str]) -> None:
        self.actors = list(actors)
        self.names = list(names)

    @classmethod
    def start(
        cls,
        client: Any,
        paths: Sequence[str | os.PathLike[str]],
        names: Sequence[str],
        *,
        workers: Sequence[str] | None = None,
        options: dict[str, Any] | None = None,
    ) -> RemoteShards:
        """One :class:`ShardSearcher` actor per shard, shard ``i`` on ``workers[i % len(workers)]``
        (default: the client's workers in address order)."""
        if workers is None:
            workers = sorted(client.scheduler_info()["workers"])
        if not workers:
            raise ShardError("the Dask cluster has no workers to serve the shards")
        futures = [
            client.submit(
                ShardSearcher, str(p), options, actor=True, workers=[workers[i % len(workers)]], pure=False
            )
            for i, p in enumerate(paths)
        ]
        return cls([f.result() for f in futures], names)

    def _gather(self, method: str, *args: Any) -> list[Any]:
        calls = [getattr(actor, method)(*args) for actor in self.actors]
        out = []
        for name, call in zip(self.names, calls, strict=True):
            try:
                out.append(call.result())
            except Exception as exc:  # any failure on the worker: name the shard
                raise ShardError(
                    f"shard {name} failed on its Dask worker: {type(exc).__name__}: {exc}"
                ) from exc
        return out

    def scatter(self, request: SearchRequest) -> Scatter:
        """The scatter step of ``coordinate`` for ``request`` over the actors."""
        return _RemoteScatter(self, request)

    def gather_settled(self, table: StatsTable, query: str, method: str, *args: Any) -> list[Any]:
        """Every actor's ``method(*args, table)``, asked again with the figures the table
        lacked until no actor lacks any."""
        for _round in range(MAX_ROUNDS):
            outs = self._gather(method, *args, table)
            needs = Needs()
            for out in outs:
                if isinstance(out, Needs):
                    needs.update(out)
            if not needs:
                return outs
            self._fill(table, needs)
        raise ShardError(f"the shards' statistics for {query!r} did not settle in {MAX_ROUNDS} rounds")

    def table(self) -> StatsTable:
        """A statistics table holding the collection's size and field lengths."""
        figures = self._gather("figures")
        lengths: dict[str, int] = {}
        for _count, fields in figures:
            for name, n in fields.items():
                lengths[name] = lengths.get(name, 0) + n
        return StatsTable(sum(count for count, _ in figures), lengths)

    def _fill(self, table: StatsTable, needs: Needs) -> None:
        if needs.terms:
            terms = sorted(needs.terms, key=repr)
            counts = self._gather("doc_frequencies", terms)
            for i, term in enumerate(terms):
                table.df[term] = sum(c[i] for c in counts)
        if needs.prefixes:
            prefixes = sorted(needs.prefixes)
            slices = self._gather("vocabulary_slices", prefixes)
            for p in prefixes:
                table.slices[p] = [v for shard in slices for v in shard[p]]
        if needs.surfaces:
            terms_s = sorted(needs.surfaces)
            forms = self._gather("surface_forms", terms_s)
            for i, t in enumerate(terms_s):
                table.surfaces[t] = shortest(f[i] for f in forms)


class _RemoteScatter:
    """The scatter step of one search over the actors (see :class:`.coordinate.Scatter`);
    the figures gathered for its first step serve the second and the fallbacks."""

    def __init__(self, shards: RemoteShards, request: SearchRequest) -> None:
        self.shards = shards
        self.request = request
        self._table: StatsTable | None = None

    def _figures(self) -> StatsTable:
        if self._table is None:
            self._table = self.shards.table()
        return self._table

    def heads(self, plan: QueryPlan, options: SearchOptions) -> list[list[float]]:
        """Each shard's best scores before the proximity bonus."""
        q = self.request.query
        return self.shards.gather_settled(self._figures(), q, "head_scores", self.request, plan, options)

    def __call__(
        self, plan: QueryPlan, options: SearchOptions, suggest_words: bool, floor: float | None
    ) -> list[Results]:
        """Each shard's results."""
        return self.shards.gather_settled(
            self._figures(), self.request.query, "search", self.request, plan, options, suggest_words, floor
        )
