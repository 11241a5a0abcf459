"""``ShardedIndex``: a folder of shards behind the same API as one ``NewsIndex``.

Searches are scattered to every shard with global statistics (see
:mod:`.statistics`) and merged (:mod:`.merge`, :mod:`.coordinate`); writes,
``article()`` and ``delete()`` go to the one shard that owns the article
(:func:`.layout.shard_of`). Shards open in this process by default (one machine,
a shared disk); :meth:`ShardedIndex.serve` puts one shard searcher on each Dask
worker instead (:mod:`.actors`).
"""

from __future__ import annotations

import heapq
import itertools
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any, cast

from whoosh.searching import Searcher

from ..article import Article
from ..engine import NewsIndex
from ..errors import NewsIndexError
from ..index.documents import stored_ids
from ..index.integrity import CheckReport
from ..index.repair import RepairReport
from ..index.writing import AddSummary
from ..search.more_like import key_terms, related
from ..search.query_syntax import QueryPlan, parse_query
from ..search.request import SearchOptions, SearchRequest, weighting
from ..search.results import Hit, Results
from ..search.searching import _Search
from .coordinate import coordinate, shard_head_scores, shard_request, shard_search, shard_searcher
from .layout import ShardError, ShardLayout, shard_of
from .merge import date_order_key, hit_order
from .statistics import GlobalSearcher, GlobalStatistics, SummedReader, UnionVocabularies

__all__ = ["ShardedIndex", "open_sharded"]


def open_sharded(path: str | os.PathLike[str], **options: Any) -> ShardedIndex:
    """Open the sharded index at ``path`` (``options`` as for ``NewsIndex.open``).

    Raises :class:`ShardError` naming the shard when one is missing, cannot be
    opened or was built with another analysis than ``shards.json`` records.
    """
    root = Path(path)
    layout = ShardLayout.read(root)
    shards: list[NewsIndex] = []
    try:
        for name in layout.names:
            folder = root / name
            if not folder.is_dir():
                raise ShardError(f"shard {name} of the sharded index at {root} is missing ({folder})")
            try:
                shard = NewsIndex.open(folder, **options)
            except NewsIndexError as exc:
                raise ShardError(
                    f"shard {name} of the sharded index at {root} cannot be opened: {exc}"
                ) from exc
            shards.append(shard)
            if shard.analysis.fingerprint != layout.analysis_fingerprint:
                raise ShardError(
                    f"shard {name} of the sharded index at {root} was built with another analysis "
                    f"(fingerprint {shard.analysis.fingerprint}, shards.json: {layout.analysis_fingerprint})"
                )
    except BaseException:
        for shard in shards:
            shard.close()
        raise
    return ShardedIndex(root, layout, shards)


def _scoring(searcher: Searcher, options: SearchOptions, stats: GlobalStatistics | None) -> Searcher:
    """``searcher`` scoring with the statistics of all shards (itself when ``stats`` is None)."""
    if stats is None:
        return searcher
    model = weighting(options)
    return GlobalSearcher(searcher.reader(), weighting=model, closereader=False, statistics=stats)


class ShardedIndex(NewsIndex):
    """Several newsindex shards searched as one index (same hits, scores and totals).

    Open one with ``NewsIndex.open(folder)`` on a folder that :func:`newsindex.distributed.build`
    made. ``global_statistics=False`` scores each shard with its own figures, as a
    naive merge would (only for comparisons: the scores then depend on the sharding).
    """

    path: Path

    def __init__(
        self,
        path: Path,
        layout: ShardLayout,
        shards: Sequence[NewsIndex],
        *,
        global_statistics: bool = True,
    ) -> None:
        # Not NewsIndex.__init__: there is no one Whoosh index; the inherited
        # methods that only analyse (mark, mark_article) need the manifest alone.
        first = shards[0]
        self._manifest = first._manifest
        self.path = path
        self.layout = layout
        self.shards = list(shards)
        self.names = layout.names
        self.global_statistics = global_statistics
        self.batch_size = first.batch_size
        self.workers = first.workers
        self.lock_timeout = first.lock_timeout
        self._search_options = first.search_options
        self.remote: Any = None  # the shards' actors when served on a Dask cluster (see serve())

    @property
    def search_options(self) -> SearchOptions:
        """The ranking options (the same on every shard)."""
        return self._search_options

    @search_options.setter
    def search_options(self, options: SearchOptions) -> None:
        self._search_options = options
        for shard in self.shards:
            shard.search_options = options

    # -- routing -------------------------------------------------------------------
    def shard_for(self, article_id: str) -> int:
        """The number of the shard that holds (or will hold) ``article_id``."""
        return shard_of(article_id, len(self.shards))

    def _owner(self, article_id: str) -> NewsIndex:
        return self.shards[self.shard_for(article_id)]

    # -- writing -------------------------------------------------------------------
    def add(
        self, articles: Iterable[Article], *, progress: Callable[[AddSummary], None] | None = None
    ) -> AddSummary:
        """Add articles, each to the shard that owns its id (in batches per shard)."""
        total = AddSummary()
        buffers: list[list[Article]] = [[] for _ in self.shards]

        def flush(i: int) -> None:
            batch, buffers[i] = buffers[i], []
            if batch:
                total.merge(self.shards[i].add(batch))
                if progress is not None:
                    progress(total)

        for article in articles:
            i = self.shard_for(article.id)
            buffers[i].append(article)
            if len(buffers[i]) >= self.batch_size:
                flush(i)
        for i in range(len(self.shards)):
            flush(i)
        return total

    def delete(self, article_id: str) -> bool:
        """Delete an article from its shard; ``True`` if it was there."""
        return self._owner(article_id).delete(article_id)

    # -- reading -------------------------------------------------------------------
    def article(self, article_id: str) -> Article | None:
        """The stored article, read from its shard."""
        return self._owner(article_id).article(article_id)

    def search(
        self,
        query: str | SearchRequest,
        *,
        limit: int = 10,
        max_per_article: int | None = 3,
        group_by_article: bool = False,
        source: str | list[str] | None = None,
        since: date | datetime | str | None = None,
        until: date | datetime | str | None = None,
        author: str | None = None,
        sort: str | None = None,
        offset: int = 0,
        facets: Iterable[str] | str | None = None,
    ) -> Results:
        """Ranked passages over all shards: the hits, scores, totals, pages and facet
        counts one index gives (see :meth:`NewsIndex.search`)."""
        request = query if isinstance(query, SearchRequest) else SearchRequest(
            query, limit, max_per_article, group_by_article, source, since, until,
            author, sort, offset, facets,
        )
        each = shard_request(request)
        if self.remote is not None:
            return coordinate(request, self.search_options, self.remote.scatter(each))
        return coordinate(request, self.search_options, _LocalScatter(self, each))

    def export(
        self, query: str = "", *, source: str | list[str] | None = None, author: str | None = None,
        since: date | datetime | str | None = None, until: date | datetime | str | None = None,
        sort: str | None = None, articles: bool = False,
    ) -> Iterator[Hit] | Iterator[Article]:
        """Every match of every shard, streamed (see :meth:`NewsIndex.export`).

        Date orders (and queries of filters alone) are merged exactly; passages of a
        relevance export are merged by each shard's own scores (per-shard statistics:
        an export is for taking matches out, not for ranking them).
        """
        filters: dict[str, Any] = {
            "source": source, "author": author, "since": since, "until": until, "sort": sort,
        }
        if articles:
            per_shard = (shard.export(query, articles=True, **filters) for shard in self.shards)
            return itertools.chain.from_iterable(cast("Iterator[Article]", found) for found in per_shard)
        streams = [cast("Iterator[Hit]", shard.export(query, **filters)) for shard in self.shards]
        by_date = sort in ("newest", "oldest") or (sort is None and parse_query(query).is_empty)
        key = date_order_key(newest=sort != "oldest") if by_date else hit_order
        return heapq.merge(*streams, key=key)

    def article_ids(self, query: str = "", **filters: Any) -> Iterator[str]:
        """The distinct ids of the articles ``query`` matches, shard after shard."""
        return itertools.chain.from_iterable(shard.article_ids(query, **filters) for shard in self.shards)

    def delete_many(self, article_ids: Iterable[str]) -> list[str]:
        """Delete several articles, one commit per shard that holds some of them."""
        per_shard: list[list[str]] = [[] for _ in self.shards]
        for article_id in dict.fromkeys(article_ids):
            per_shard[self.shard_for(article_id)].append(article_id)
        deleted: list[str] = []
        for shard, ids in zip(self.shards, per_shard, strict=True):
            if ids:
                deleted.extend(shard.delete_many(ids))
        return deleted

    def _shard_call(self, i: int, call: Callable[[], Any]) -> Any:
        """``call()``, with any failure of the shard's files as a :class:`ShardError` naming it."""
        try:
            return call()
        except ShardError:
            raise
        except (NewsIndexError, OSError, ValueError, KeyError, EOFError, IndexError, TypeError) as exc:
            raise ShardError(
                f"shard {self.names[i]} of the sharded index at {self.path} is damaged or missing: "
                f"{type(exc).__name__}: {exc}"
            ) from exc

    def serve(
        self,
        client: Any,
        *,
        paths: Sequence[str | os.PathLike[str]] | None = None,
        workers: Sequence[str] | None = None,
    ) -> None:
        """Search through one shard searcher per Dask worker from now on (shards on other machines).

        ``client`` is a ``distributed.Client``; shard ``i`` opens on ``workers[i % n]``
        (default: every worker of the cluster) at ``paths[i]`` (default: this folder's
        shard paths, for a shared disk; give each machine's own path otherwise).
        Results equal the in-process search's; writes still go through this object.
        """
        from .actors import RemoteShards

        where = list(paths) if paths is not None else [self.path / name for name in self.names]
        if len(where) != len(self.names):
            raise ValueError(f"{len(where)} paths for {len(self.names)} shards")
        self.remote = RemoteShards.start(client, where, self.names, workers=workers)

    def more_like(self, article_id: str, paragraph: int = 0, *, limit: int = 10) -> Results:
        """Passages of other articles related to one paragraph, as one index finds them: the
        key terms from the owning shard, weighted and scored with global statistics on every
        shard, merged by score (ties by article id and paragraph)."""
        started = time.perf_counter()
        searchers = [self._shard_call(i, shard._current_searcher) for i, shard in enumerate(self.shards)]
        stats = GlobalStatistics.from_searchers(searchers) if self.global_statistics else None
        scoring = [_scoring(s, self.search_options, stats) for s in searchers]
        owner = self.shard_for(article_id)
        collection = SummedReader(searchers[owner].reader(), [s.reader() for s in searchers])
        stored, weights = key_terms(
            scoring[owner], stored_ids(article_id), paragraph, collection if stats is not None else None
        )
        found: list[Hit] = []
        total = 0
        for i, searcher in enumerate(scoring):
            hits, count = self._shard_call(i, partial(related, searcher, stored, weights, limit))
            found.extend(hits)
            total += count
        merged = sorted(found, key=hit_order)[:limit]
        return Results(
            query=f"more like {stored}#{paragraph}",
            hits=tuple(replace(h, rank=i + 1) for i, h in enumerate(merged)),
            total=total,
            elapsed_ms=(time.perf_counter() - started) * 1000,
        )

    # -- maintenance -----------------------------------------------------------------
    def check(self, *, repair: bool = False) -> CheckReport:
        """Check every shard, that each carries the analysis ``shards.json`` records and
        that each article is in the shard its id hashes to; problems name their shard."""
        report = CheckReport(path=str(self.path))
        repaired = 0
        for i, (name, shard) in enumerate(zip(self.names, self.shards, strict=True)):
            part = self._shard_call(i, partial(shard.check, repair=repair))
            repaired += part.repaired
            report.segments += part.segments
            report.documents += part.documents
            report.deleted_documents += part.deleted_documents
            report.articles += part.articles
            if part.lock is not None and (report.lock is None or part.lock.held):
                report.lock = part.lock
            report.notes.extend(f"{name}: {note}" for note in part.notes)
            report.problems.extend(replace(p, message=f"{name}: {p.message}") for p in part.problems)
            fingerprint = shard.analysis.fingerprint
            if fingerprint != self.layout.analysis_fingerprint:
                report.add(
                    "shard-analysis",
                    f"{name} was built with analysis {fingerprint}; shards.json records "
                    f"{self.layout.analysis_fingerprint}",
                )
            reader = self._shard_call(i, shard._current_searcher).reader()
            for aid in reader.lexicon("article_id"):
                text = aid.decode("utf-8") if isinstance(aid, bytes) else aid
                if shard_of(text, len(self.shards)) != i:
                    report.add("misplaced-article", f"{name} holds {text!r}, which belongs in another shard",
                               article_id=text)
        report.repaired = repaired
        return report

    def repair(self) -> RepairReport:
        """Repair every shard (see ``NewsIndex.repair``)."""
        out = RepairReport()
        for shard in self.shards:
            part = shard.repair()
            out.removed += part.removed
            out.articles.extend(part.articles)
        return out

    def stats(self) -> dict[str, Any]:
        """The figures of ``NewsIndex.stats`` over all shards, plus ``shards``."""
        parts = [self._shard_call(i, shard.stats) for i, shard in enumerate(self.shards)]
        firsts = [p["first_date"] for p in parts if p["first_date"]]
        lasts = [p["last_date"] for p in parts if p["last_date"]]
        return {
            "path": str(self.path),
            "articles": sum(p["articles"] for p in parts),
            "paragraphs": sum(p["paragraphs"] for p in parts),
            "sources": sorted({s for p in parts for s in p["sources"]}),
            "first_date": min(firsts) if firsts else None,
            "last_date": max(lasts) if lasts else None,
            "analysis": self.analysis.describe(),
            "analysis_fingerprint": self.analysis.fingerprint,
            "size_bytes": sum(p["size_bytes"] or 0 for p in parts),
            "shards": len(self.shards),
        }

    # -- lifecycle -------------------------------------------------------------------
    def close(self) -> None:
        """Close every shard (and forget the cluster's shard searchers)."""
        self.remote = None
        for shard in self.shards:
            shard.close()

    def __repr__(self) -> str:
        return f"ShardedIndex({str(self.path)!r}, shards={len(self.shards)})"


class _LocalScatter:
    """The scatter step of one search over shards open in this process (see
    :class:`.coordinate.Scatter`): each shard's search is kept from the first step to the
    second, so its scorer reads each term once."""

    def __init__(self, index: ShardedIndex, request: SearchRequest) -> None:
        self.index = index
        self.request = request
        self._searches: dict[SearchOptions, list[_Search]] = {}

    def _shards(self, options: SearchOptions) -> list[_Search]:
        found = self._searches.get(options)
        if found is not None:
            return found
        ix = self.index
        searchers = [ix._shard_call(i, shard._current_searcher) for i, shard in enumerate(ix.shards)]
        readers = [s.reader() for s in searchers]
        stats = GlobalStatistics.from_searchers(searchers) if ix.global_statistics else None
        pairs = [(shard._vocabularies, r) for shard, r in zip(ix.shards, readers, strict=True)]
        union = UnionVocabularies(pairs) if stats is not None else None
        searches = [
            ix._shard_call(i, partial(
                shard_searcher, _scoring(searcher, options, stats), shard.chain, self.request, options,
                union or shard._vocabularies, shard._lengths, shard._columns,
            ))
            for i, (shard, searcher) in enumerate(zip(ix.shards, searchers, strict=True))
        ]
        self._searches = {options: searches}  # the fallbacks search with the same options
        return searches

    def heads(self, plan: QueryPlan, options: SearchOptions) -> list[list[float]]:
        """Each shard's best scores before the proximity bonus."""
        return [
            self.index._shard_call(i, partial(shard_head_scores, search, plan))
            for i, search in enumerate(self._shards(options))
        ]

    def __call__(
        self, plan: QueryPlan, options: SearchOptions, suggest_words: bool, floor: float | None
    ) -> list[Results]:
        """Each shard's results."""
        return [
            self.index._shard_call(i, partial(shard_search, search, plan, suggest_words, floor))
            for i, search in enumerate(self._shards(options))
        ]
