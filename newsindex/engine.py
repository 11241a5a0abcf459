"""``NewsIndex``: the public facade over storage, writing and search."""

from __future__ import annotations

import importlib
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from whoosh.index import Index
from whoosh.searching import Searcher

from .analysis import AnalysisChain, AnalysisConfig, AnalysisInfo, get_chain
from .article import Article
from .index.documents import article_from_documents, stored_ids
from .index.storage import Manifest, create_index, folder_identity, memory_index, open_index
from .index.vocabulary import Vocabularies
from .index.writing import DEFAULT_BATCH, AddSummary, ArticleWriter
from .reading import FileProgress, PathsArg, as_paths, read_paths
from .search.columns import ColumnCache
from .search.index_stats import content_stats
from .search.marks import article_marks, mark_spans, query_terms
from .search.more_like import more_like
from .search.request import SearchRequest, weighting_key
from .search.results import Hit, Results
from .search.searching import SearchOptions, run_search, weighting
from .search.term_scoring import FieldLengths

if TYPE_CHECKING:  # pragma: no cover
    # Imported where used: a one-off search should not pay for maintenance and export code.
    from .index.maintenance import CheckReport
    from .index.repair import RepairReport
    from .ingest import Problem

__all__ = ["NewsIndex"]

AnalysisArg = AnalysisConfig | dict[str, Any] | str | None


def _config(analysis: AnalysisArg) -> AnalysisConfig:
    if analysis is None:
        return AnalysisConfig()
    if isinstance(analysis, AnalysisConfig):
        return analysis
    if isinstance(analysis, str):
        return AnalysisConfig(lemmatizer=analysis)
    return AnalysisConfig(**analysis)


class NewsIndex:
    """A searchable index of German news paragraphs.

    Make one with :meth:`create`, :meth:`open` or :meth:`in_memory`. An instance
    is safe to share between threads: each thread searches with its own searcher
    on the last committed state, writes are serialised (and other processes'
    writes wait for the index's write lock). Use it as a context manager (or call
    :meth:`close`) to release files.
    """

    def __init__(
        self,
        ix: Index,
        manifest: Manifest,
        path: Path | None,
        *,
        batch_size: int = DEFAULT_BATCH,
        workers: int | None = None,
        lock_timeout: float = 10.0,
        search_options: SearchOptions | None = None,
    ) -> None:
        self._ix = ix
        # The folder this index was opened in: a write refuses to go into another one
        # put at ``path`` meanwhile (``--overwrite`` by another process).
        self._identity = folder_identity(path) if path is not None else None
        self.lock_timeout = lock_timeout
        self.workers = workers if workers is not None else min(2, os.cpu_count() or 1)
        self._manifest = manifest
        self.path = path
        self.batch_size = batch_size
        self.search_options = search_options or SearchOptions()
        self._write_lock = threading.Lock()
        self._searcher_lock = threading.Lock()
        self._local = threading.local()
        self._searchers: list[Searcher] = []  # every searcher handed out, closed by close()
        self._vocabularies = Vocabularies()  # segment term lists for prefix and typo words
        self._lengths = FieldLengths()  # per-segment field lengths for term-at-a-time scoring
        self._columns = ColumnCache()  # per-segment metadata for facets, date sorts, browsing

    # -- construction --------------------------------------------------------
    @classmethod
    def create(
        cls,
        path: str | os.PathLike[str],
        *,
        overwrite: bool = False,
        analysis: AnalysisArg = None,
        batch_size: int = DEFAULT_BATCH,
        workers: int | None = None,
        lock_timeout: float = 10.0,
        search_options: SearchOptions | None = None,
    ) -> NewsIndex:
        """Create a new index in the folder ``path``.

        Raises :class:`IndexExistsError` if an index is there, unless ``overwrite``:
        then the old index is replaced atomically once its write lock is free
        (:class:`IndexLockedError` after ``lock_timeout`` seconds).
        ``batch_size`` is the number of paragraphs per commit (a crash loses at
        most the batch in progress); ``workers`` the processes that index large
        batches (default: up to 2 cores; ``1`` never starts subprocesses);
        ``lock_timeout`` how long a write waits for another writer before
        raising :class:`IndexLockedError`.
        ``analysis`` is an :class:`AnalysisConfig`, a dict of its fields, or a
        lemmatizer name (``"auto"``, ``"builtin"``, ``"de_core_news_sm"``, a path).
        """
        ix, manifest = create_index(
            Path(path), _config(analysis), overwrite=overwrite, lock_timeout=lock_timeout
        )
        return cls(
            ix,
            manifest,
            Path(path),
            batch_size=batch_size,
            workers=workers,
            lock_timeout=lock_timeout,
            search_options=search_options,
        )

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        *,
        allow_version_drift: bool = False,
        trust: bool = False,
        batch_size: int = DEFAULT_BATCH,
        workers: int | None = None,
        lock_timeout: float = 10.0,
        search_options: SearchOptions | None = None,
    ) -> NewsIndex:
        """Open an existing index; it analyses queries exactly as it analysed text.

        Raises :class:`IndexNotFoundError` if there is none,
        :class:`AnalysisUnavailableError` / :class:`AnalysisMismatchError` if the
        analysis it was built with cannot be reproduced here, and
        :class:`UntrustedIndexError` if its commits were not signed with your key:
        Whoosh keeps an index's contents as pickles, so reading a foreign index
        can run code. ``trust=True`` opens it anyway and signs it with your key.
        A folder of shards (``newsindex.distributed.build``) opens as a
        ``ShardedIndex`` with the same API (needs ``newsindex[dask]``).
        """
        if (Path(path) / "shards.json").is_file():
            # A sharded index (newsindex[dask]): loaded by name so that `import newsindex`
            # and every unsharded index never import Dask.
            sharded = importlib.import_module("newsindex.distributed")
            opened: NewsIndex = sharded.open_sharded(
                path, allow_version_drift=allow_version_drift, trust=trust, batch_size=batch_size,
                workers=workers, lock_timeout=lock_timeout, search_options=search_options,
            )
            return opened
        identity = folder_identity(Path(path))  # before opening: a later swap then refuses writes
        ix, manifest = open_index(
            Path(path), allow_version_drift=allow_version_drift, trust=trust, lock_timeout=lock_timeout
        )
        index = cls(
            ix,
            manifest,
            Path(path),
            batch_size=batch_size,
            workers=workers,
            lock_timeout=lock_timeout,
            search_options=search_options,
        )
        index._identity = identity
        return index

    @classmethod
    def in_memory(
        cls,
        *,
        analysis: AnalysisArg = None,
        batch_size: int = DEFAULT_BATCH,
        workers: int | None = None,
        lock_timeout: float = 10.0,
        search_options: SearchOptions | None = None,
    ) -> NewsIndex:
        """A new index held in memory (for tests and embedding)."""
        ix, manifest = memory_index(_config(analysis))
        return cls(
            ix,
            manifest,
            None,
            batch_size=batch_size,
            workers=workers,
            lock_timeout=lock_timeout,
            search_options=search_options,
        )

    # -- properties ------------------------------------------------------------
    @property
    def analysis(self) -> AnalysisInfo:
        """The analysis this index was built with (and analyses queries with)."""
        return self._manifest.analysis

    @property
    def chain(self) -> AnalysisChain:
        """The analysis chain in use."""
        return get_chain(self._manifest.analysis.config)

    # -- writing -------------------------------------------------------------------
    def add(
        self, articles: Iterable[Article], *, progress: Callable[[AddSummary], None] | None = None
    ) -> AddSummary:
        """Add articles (re-adding one updates it; unchanged ones are skipped)."""
        with self._write_lock:
            return self._article_writer().add(articles, progress=progress)

    def add_path(
        self,
        path: PathsArg,
        *,
        format: str | None = None,  # noqa: A002 - the user-facing name
        strict: bool = False,
        follow_symlinks: bool = False,
        progress: Callable[[AddSummary], None] | None = None,
        on_file: Callable[[FileProgress], None] | None = None,
        on_problem: Callable[[Problem], None] | None = None,
        csv_columns: Mapping[str, str | int] | None = None,
    ) -> AddSummary:
        """Read files or folders (one path or several; see :mod:`newsindex.ingest`) and add their articles.

        Per-file problems do not stop the run; they are in the summary's ``problems``.
        Symlinks leading out of a folder are skipped unless ``follow_symlinks``.
        ``progress`` gets the summary after each committed batch; ``on_file`` a
        :class:`FileProgress` (files listed and done, articles and paragraphs read)
        before the first file and after each one; ``on_problem`` each problem as it
        is met (it is in the summary too, but a run stopped by an exception returns
        none). Several paths go into the same batches, as one run. ``csv_columns``
        names the columns of CSV files, e.g. ``{"title": "Überschrift", "text": "Inhalt"}``
        (header names or 0-based numbers; unnamed ones are still recognised by header).
        ``KeyboardInterrupt`` cancels the batch in progress only: batches already
        committed stay.
        """
        problems: list[Problem] = []
        if csv_columns:  # a wrong field name fails now, not after the first batch
            from .ingest import csv_options_from_columns

            csv_options_from_columns(csv_columns)

        def note(problem: Problem) -> None:
            problems.append(problem)
            if on_problem is not None:
                on_problem(problem)

        articles = read_paths(
            as_paths(path),
            format=format,
            strict=strict,
            follow_symlinks=follow_symlinks,
            on_problem=note,
            on_file=on_file,
            csv_columns=csv_columns,
        )
        summary = self.add(articles, progress=progress)
        summary.problems.extend(problems)
        return summary

    def update(self, article: Article) -> AddSummary:
        """Replace a stored article with ``article`` (same as :meth:`add`)."""
        return self.add([article])

    def delete(self, article_id: str) -> bool:
        """Delete an article; ``True`` if it was there."""
        with self._write_lock:
            return sum(self._article_writer().delete(aid) for aid in stored_ids(article_id)) > 0

    def delete_many(self, article_ids: Iterable[str]) -> list[str]:
        """Delete several articles in one commit; returns the ids of those that were there."""
        wanted = [stored for aid in dict.fromkeys(article_ids) for stored in stored_ids(aid)]
        with self._write_lock:
            return self._article_writer().delete_many(wanted)

    def _article_writer(self) -> ArticleWriter:
        return ArticleWriter(
            self._ix,
            self.analysis.config,
            batch_size=self.batch_size,
            workers=self.workers,
            lock_timeout=self.lock_timeout,
            name=f"the index at {self.path}" if self.path else "the in-memory index",
            identity=self._identity,
        )

    # -- reading -------------------------------------------------------------------
    def _current_searcher(self) -> Searcher:
        """This thread's searcher on the latest committed state.

        One searcher per thread, because Whoosh's file readers seek and read and
        are not safe to share; renewed when a commit changes the index generation.
        Not ``Searcher.refresh()``: it reuses segment readers and misses deletions
        committed to an existing segment (a deleted article kept turning up).
        """
        local = self._local
        current: Searcher | None = getattr(local, "searcher", None)
        # The BM25 parameters live in the searcher: new ones (``search_options``
        # replaced on an open index) need a new searcher, like a new commit does.
        key = weighting_key(self.search_options)
        if (
            current is None
            or current.reader().generation() != self._ix.latest_generation()
            or getattr(local, "weighting_key", None) != key
        ):
            current = self._ix.searcher(weighting=weighting(self.search_options))
            local.searcher = current
            local.weighting_key = key
            self._lengths.keep_only(current.reader())  # segments merged away need no lengths
            self._columns.keep_only(current.reader())
            with self._searcher_lock:
                self._searchers.append(current)
        return current

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
        """Ranked passages for ``query`` (never raises on the query text).

        ``max_per_article`` caps passages per article (``None`` for no cap);
        ``group_by_article`` also fills ``results.groups``. ``source``, ``author``,
        ``since`` and ``until`` filter like ``source:``/``author:``/``date:`` in the
        query (dates, or strings such as ``"2025-10"``). A query of filters alone (or
        ``""``) lists the matching articles, newest first. ``sort``, ``offset`` and
        ``facets``: see :class:`SearchRequest` (bad values raise ``ValueError``). A
        :class:`SearchRequest` carries all of them (the keywords are then ignored).
        """
        request = query if isinstance(query, SearchRequest) else SearchRequest(
            query, limit, max_per_article, group_by_article, source, since, until,
            author, sort, offset, facets,
        )
        # Loading is timed apart (elapsed_ms is the query's own time): the analysis,
        # and the index's readers, opened on a thread's first search and after a commit.
        started = time.perf_counter()
        previous = getattr(self._local, "searcher", None)
        loaded = self.chain.load() is not None
        searcher = self._current_searcher()
        loaded = loaded or searcher is not previous
        load_ms = (time.perf_counter() - started) * 1000 if loaded else None
        results = run_search(searcher, self.chain, request, **self._search_context())
        return results if load_ms is None else replace(results, load_ms=load_ms)

    def _search_context(self) -> dict[str, Any]:
        return {"options": self.search_options, "vocabularies": self._vocabularies,
                "lengths": self._lengths, "columns": self._columns}

    def export(
        self, query: str = "", *, source: str | list[str] | None = None, author: str | None = None,
        since: date | datetime | str | None = None, until: date | datetime | str | None = None,
        sort: str | None = None, articles: bool = False,
    ) -> Iterator[Hit] | Iterator[Article]:
        """Every match, streamed: passages as :class:`Hit` (best first; a query of filters
        alone gives every paragraph of its articles, newest first), or with ``articles``
        each matching :class:`Article` once. Reads one commit, whatever is written meanwhile.
        """
        request = SearchRequest(query, 1, None, False, source, since, until, author, sort)
        from .search.export import all_matches, export_articles, export_passages

        found = all_matches(self._current_searcher(), self.chain, request, **self._search_context())
        return export_articles(found) if articles else export_passages(found)

    def article_ids(self, query: str = "", **filters: Any) -> Iterator[str]:
        """The distinct ids of the articles ``query`` matches (filters as for :meth:`export`)."""
        request = SearchRequest(query, 1, None, **filters)
        from .search.export import all_matches, article_ids

        found = all_matches(self._current_searcher(), self.chain, request, **self._search_context())
        return article_ids(found)

    def more_like(self, article_id: str, paragraph: int = 0, *, limit: int = 10) -> Results:
        """Passages of other articles related to one paragraph (its key terms marked), as
        :class:`Results` like :meth:`search` (``query`` names the article and paragraph)."""
        return more_like(self._current_searcher(), stored_ids(article_id), paragraph, limit)

    def mark(self, text: str, query: str) -> tuple[tuple[int, int], ...]:
        """``(start, end)`` spans of the words of ``text`` that ``query`` matches.

        The index's own rule without a search: a word is marked when its lemma or
        compound parts meet the query words' (``Krieg`` marks *Kriege* and
        *Kriegspfad*), or it starts with a ``prefix*``; stop words, ``-excluded``
        words and filters mark nothing. See :mod:`newsindex.search.marks`.
        """
        return mark_spans(self.chain, text, query_terms(self.chain, query))

    def mark_article(
        self, article: Article, query: str, hits: Iterable[Hit] = ()
    ) -> list[tuple[tuple[int, int], ...]]:
        """:meth:`mark` for every paragraph of ``article`` (the query analysed once), plus
        the index's highlights of those ``hits`` that show one of its paragraphs."""
        return article_marks(self.chain, article.id, article.paragraphs, query, hits)

    def article(self, article_id: str) -> Article | None:
        """The stored article (paragraphs in order), or ``None``."""
        s = self._current_searcher()
        for stored in stored_ids(article_id):
            found = article_from_documents(
                stored, [s.stored_fields(n) for n in s.document_numbers(article_id=stored)]
            )
            if found is not None:
                return found
        return None

    def check(self, *, repair: bool = False) -> CheckReport:
        """Verify the index; ``report.ok`` when nothing is wrong (see :class:`CheckReport`).

        Every segment opens, every stored paragraph reads, each article has each of
        its paragraphs exactly once, doc ids are unique, the manifest is valid, and
        no files of a killed writer are left. Reads everything, so it takes about as
        long as reading the stored text. Changes nothing unless ``repair``: then
        :meth:`repair` runs first (``report.repaired`` says how many paragraph
        copies went). ``newsindex unlock`` removes a killed writer's files.
        """
        repaired = self.repair().removed if repair else 0
        from .index.maintenance import check_open_index

        report = check_open_index(self._ix, self.path)
        report.repaired = repaired
        return report

    def repair(self) -> RepairReport:
        """Keep one copy of each paragraph stored more than once (see :mod:`newsindex.index.repair`).

        Such copies were left by writers that ran at the same time before they
        decided under the write lock. One commit, under the write lock.
        """
        from .index.repair import remove_duplicates

        with self._write_lock:
            return remove_duplicates(self._article_writer())

    def stats(self) -> dict[str, Any]:
        """Articles, paragraphs, sources, date range, analysis and size on disk."""
        size = sum(f.stat().st_size for f in self.path.iterdir() if f.is_file()) if self.path else None
        return {
            "path": str(self.path) if self.path else None,
            **content_stats(self._current_searcher()),
            "analysis": self.analysis.describe(),
            "analysis_fingerprint": self.analysis.fingerprint,
            "size_bytes": size,
        }

    # -- lifecycle -------------------------------------------------------------------
    def close(self) -> None:
        """Release the searcher and the index files."""
        with self._searcher_lock:
            for searcher in self._searchers:
                searcher.close()
            self._searchers.clear()
        self._local = threading.local()
        self._ix.close()

    def __enter__(self) -> NewsIndex:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        where = str(self.path) if self.path else "memory"
        return f"NewsIndex({where!r}, analysis={self.analysis.lemmatizer!r})"
