"""Run a search: build the query, rank with BM25F, collapse per article, highlight."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from whoosh import query as wq
from whoosh.searching import Searcher

from ..analysis import AnalysisChain
from ..analysis.thesaurus import default_thesaurus
from ..index.schema import BODY
from ..index.vocabulary import Vocabularies
from .browse import browse_leads
from .columns import ColumnCache
from .facets import check_facets, count_facets
from .fallbacks import looser_plans, phrase_note, with_author, with_correction
from .highlights import BodyReads, highlight_many
from .phrases import PhraseBudget, phrase_cost, phrase_docs
from .proximity import QueryWord
from .query_builder import BuiltQuery, QueryBuilder
from .query_syntax import QueryPlan, parse_query
from .ranking import Match, Ranking
from .request import SearchOptions, SearchRequest, weighting
from .results import ArticleGroup, Hit, Results
from .sorting import MAX_OFFSET, date_order
from .suggest import SUGGEST_CANDIDATES, SUGGEST_MAX_CHARS, SUGGEST_MAX_EDITS, SUGGEST_MAX_WORDS, suggest
from .temporal import date_factors
from .term_infos import TermInfos
from .term_scoring import FieldLengths, TermScorer

__all__ = [
    "SUGGEST_CANDIDATES",
    "SUGGEST_MAX_CHARS",
    "SUGGEST_MAX_EDITS",
    "SUGGEST_MAX_WORDS",
    "SearchOptions",
    "SearchRequest",
    "run_search",
    "weighting",
]

MAX_LIMIT = 1_000


def _hit(fields: dict[str, Any], score: float, rank: int, spans: tuple[tuple[int, int], ...]) -> Hit:
    return Hit(
        rank=rank,
        score=float(score or 0.0),
        article_id=fields["article_id"],
        paragraph=int(fields["paragraph"]),
        text=fields.get("body", ""),
        title=fields.get("title", ""),
        source=fields.get("source"),
        published=fields.get("published"),
        url=fields.get("url"),
        author=fields.get("author"),
        highlights=spans,
        paragraphs_total=fields.get("paragraphs_total"),
    )


def admitted_docs(searcher: Searcher, filter_q: Any, scorer: TermScorer | None = None) -> set[int] | None:
    """The document numbers a filter admits (``None``: no filter).

    Unions and intersections of terms (``source:``, the calendar terms of a date
    range) are read term by term from the postings: Whoosh's own ``filter=``
    walks them through a tree of union matchers, several times slower. With a
    ``scorer``, a term's documents are read as arrays, block by block (the same
    live documents Whoosh's matcher walks one at a time: a year is 100,000 of them).
    """
    if filter_q is None:
        return None
    if isinstance(filter_q, wq.Or):
        out: set[int] = set()
        for sub in filter_q.subqueries:
            out |= admitted_docs(searcher, sub, scorer) or set()
        return out
    if isinstance(filter_q, wq.And):
        subs = filter_q.subqueries
        parts = sorted((admitted_docs(searcher, sub, scorer) or set() for sub in subs), key=len)
        return set.intersection(*parts) if parts else set()
    if scorer is not None and type(filter_q) is wq.Term and filter_q.fieldname in searcher.schema:
        found = scorer.score(filter_q)
        if found is not None:
            return set(found.ids.tolist())
    return set(searcher.docs_for_query(filter_q))


def _collapse(matches: list[Match], max_per_article: int | None, limit: int) -> list[Match]:
    """Keep at most ``max_per_article`` passages per article, in rank order."""
    if not max_per_article:
        return matches[:limit]
    per: dict[str, int] = {}
    kept = []
    for m in matches:
        aid = m.fields()["article_id"]
        if per.get(aid, 0) < max_per_article:
            per[aid] = per.get(aid, 0) + 1
            kept.append(m)
            if len(kept) >= limit:
                break
    return kept


def _top_collapsed(ranking: Ranking, wanted: int, max_per_article: int | None) -> list[Match]:
    """The ``wanted`` best matches after collapsing."""
    # Collapsing needs more than `wanted` candidates; start at twice as many and
    # widen only if one article's passages crowded the window.
    cap = max(MAX_LIMIT, wanted) * 4  # deep pages (offset) need wider windows
    window = wanted if not max_per_article else min(cap, wanted * 2)
    while True:
        matches = ranking.top(window)
        kept = _collapse(matches, max_per_article, wanted)
        # Widen the window only when collapsing threw away hits we still need.
        if len(kept) >= wanted or len(matches) < window or window >= cap:
            return kept
        window *= 4


def _with_phrases(
    searcher: Searcher,
    admitted: set[int] | None,
    built: BuiltQuery,
    infos: TermInfos | None = None,
    scorer: TermScorer | None = None,
) -> tuple[set[int] | None, list[str]]:
    """The admitted documents that also contain every phrase of the query word for word,
    and notes on the phrases too common to check within the phrase budget."""
    reader = searcher.reader()
    budget = PhraseBudget()
    notes: list[str] = []
    texts = built.phrase_texts or tuple("" for _ in built.phrases)
    # Rarest first: later phrases are then read only for the passages still admitted.
    # A phrase typed twice is checked once.
    unique = dict(zip(built.phrases, texts, strict=True))
    for words, text in sorted(unique.items(), key=lambda item: phrase_cost(reader, list(item[0]), infos)):
        scored = scorer.read_body if scorer is not None else None  # (it ranks these words next)
        docs = phrase_docs(reader, list(words), admitted, budget, infos, scored)
        if docs is None:
            notes.append(f"„{text}“ is too common to check word for word; showing passages with its words")
            continue
        admitted = docs if admitted is None else admitted & docs
    return admitted, notes


def _rejected(searcher: Searcher, exclude: Any, scorer: TermScorer | None) -> set[int] | None:
    """The documents an exclusion (``-word``) removes.

    Read as arrays of postings when the numpy scorer is on: walking a union of
    up to 64 common words through Whoosh's matchers costs seconds on a large index.
    """
    if exclude is None:
        return None
    scored = scorer.score(exclude) if scorer is not None else None
    if scored is not None:
        return set(scored.ids.tolist())
    return set(searcher.docs_for_query(exclude))


def run_search(
    searcher: Searcher,
    chain: AnalysisChain,
    request: SearchRequest,
    *,
    options: SearchOptions | None = None,
    vocabularies: Vocabularies | None = None,
    lengths: FieldLengths | None = None,
    columns: ColumnCache | None = None,
) -> Results:
    """Search ``searcher`` for ``request``; see :meth:`newsindex.NewsIndex.search`."""
    t0 = time.perf_counter()
    options = options or SearchOptions()
    search = _Search(searcher, chain, request, options, vocabularies, lengths, columns)
    results = search.run(parse_query(request.query))
    if results.total == 0 and results.suggestion and options.typo_fallback:
        # Nothing matched and a close index word exists: search for it rather than
        # show nothing (Meilisearch does the same), and say so.
        again = search.run(parse_query(results.suggestion), suggest_words=False)
        if again.total:
            results = with_correction(results, again, request.query)
    return replace(results, elapsed_ms=(time.perf_counter() - t0) * 1000)


@dataclass(slots=True)
class _Prepared:
    """A plan made ready to rank: its query, the documents its filters and phrases admit,
    those its exclusions reject, and its ranking (``None``: a filter admits nothing)."""

    built: BuiltQuery
    filtered: set[int] | None = None
    admitted: set[int] | None = None
    phrase_notes: tuple[str, ...] = ()
    rejected: set[int] | None = None
    ranking: Ranking | None = None


class _Search:
    """One request's searcher, query builder and scorer, for its query and its retries."""

    def __init__(
        self,
        searcher: Searcher,
        chain: AnalysisChain,
        request: SearchRequest,
        options: SearchOptions,
        vocabularies: Vocabularies | None,
        lengths: FieldLengths | None,
        columns: ColumnCache | None = None,
    ) -> None:
        self.searcher = searcher
        self.column_cache = columns or ColumnCache()
        self.facet_names = check_facets(request.facets)
        self.chain = chain
        self.request = request
        self.options = options
        self.lengths = lengths
        self.limit = max(1, min(int(request.limit), MAX_LIMIT))
        self.builder = QueryBuilder(
            chain,
            searcher.reader(),
            title_boost=options.title_boost,
            part_boost=options.part_boost,
            lowercase_weight=options.lowercase_weight,
            vocabularies=vocabularies,
            stem_boost=options.stem_boost,
            synonyms=(options.synonym_weight, default_thesaurus),
            term_infos=lengths.term_infos if lengths is not None else None,
        )
        self.scorer = TermScorer(searcher, lengths) if options.term_at_a_time else None
        self.body_reads = BodyReads(
            searcher.reader(), self.scorer.body_values if self.scorer is not None else None
        )
        # A sharded search's first step (head_scores) leaves its plan ready for the second (run).
        self._pending: tuple[QueryPlan, _Prepared] | None = None
        source = request.source
        self.filters: dict[str, Any] = {
            "source": list(source) if isinstance(source, tuple) else source,
            "since": request.since,
            "until": request.until,
        }

    def _ranking(self, built: BuiltQuery, admitted: set[int] | None, rejected: set[int] | None) -> Ranking:
        weight = self.options.proximity_weight
        words: tuple[QueryWord, ...] = ()
        # (Whoosh's idf is undefined on an index with no documents.)
        if weight and len(built.word_terms) > 1 and self.searcher.doc_count_all():
            searcher = self.searcher
            words = tuple(
                (max(searcher.idf(BODY, t) for t in terms), terms) for terms in built.word_terms if terms
            )
        return Ranking(
            self.searcher,
            built.query,
            admitted,
            self.lengths,
            rejected=rejected,
            term_at_a_time=self.scorer is not None,
            scorer=self.scorer,
            proximity=(weight, words),
            article_context=self._article_context(built),
            coverage=self._coverage(built),
            body_reads=self.body_reads,
            dates=self._dates(built),
        )

    def _coverage(self, built: BuiltQuery) -> tuple[float, tuple[tuple[Any, float], ...]]:
        """The coverage weight and each query word's query and weight: its idf (global on a
        sharded index) times its own weight (see .coverage)."""
        weight = self.options.coverage_weight
        heads = built.word_heads
        if not weight or len(heads) < 2 or not self.searcher.doc_count_all():
            return (0.0, ())
        idf = self.searcher.idf
        words = tuple(
            (q, idf(BODY, lemma) * w) for q, (lemma, w) in zip(built.word_queries, heads, strict=True)
        )
        return (weight, words)

    def _dates(self, built: BuiltQuery) -> Callable[[np.ndarray], np.ndarray] | None:
        """The date factor of the query's years (``None``: no year, or the option is off)."""
        weight, years = self.options.date_weight, built.years
        if not weight or not years:
            return None
        columns = self.column_cache.get(self.searcher.reader())
        return lambda docnums: date_factors(columns, docnums, years, weight)

    def _article_context(self, built: BuiltQuery) -> tuple[float, tuple[Any, ...], np.ndarray | None]:
        weight = self.options.article_weight
        if not weight or not built.word_queries:
            return (0.0, (), None)
        return (weight, built.word_queries, self.column_cache.articles(self.searcher.reader()))

    def _empty(self, notes: tuple[str, ...], sort: str | None = None) -> Results:
        facets: dict[str, dict[str, int]] = {name: {} for name in self.facet_names}
        sort = sort or self.request.sort or "relevance"
        offset = self.request.offset
        return Results(self.request.query, (), 0, 0.0, None, notes, offset=offset, sort=sort, facets=facets)

    def _browse(self, built: BuiltQuery, notes: tuple[str, ...]) -> Results:
        """A query of filters alone: the matching articles' lead paragraphs, newest first."""
        request, searcher = self.request, self.searcher
        sort = "oldest" if request.sort == "oldest" else "newest"  # a browse has no relevance
        filtered = admitted_docs(searcher, built.filter, self.scorer)
        if filtered is not None and not filtered:
            return replace(self._empty(notes, sort), browse=True)
        columns = self.column_cache.get(searcher.reader())
        leads = browse_leads(columns, filtered, _rejected(searcher, built.exclude, self.scorer))
        start = request.offset
        page = date_order(columns, leads, newest=sort == "newest")[start : start + self.limit].tolist()
        hits = tuple(_hit(searcher.stored_fields(d), 0.0, start + i + 1, ()) for i, d in enumerate(page))
        groups: tuple[ArticleGroup, ...] = ()
        if request.group_by_article:
            groups = tuple(ArticleGroup(h.article_id, h.title, 0.0, (h,)) for h in hits)
        facets = count_facets(columns, leads, self.facet_names)
        return Results(
            request.query, hits, int(leads.size), 0.0, None, notes, groups,
            offset=request.offset, sort=sort, facets=facets, browse=True,
        )

    def _prepare(self, plan: QueryPlan) -> _Prepared:
        """``plan`` (its author filter added) built, filtered and ranked."""
        searcher = self.searcher
        built = self.builder.build(with_author(plan, self.request.author), **self.filters)
        if built.query is None:
            return _Prepared(built)
        filtered = admitted_docs(searcher, built.filter, self.scorer)
        if filtered is not None and not filtered:  # Whoosh reads an empty filter as none
            return _Prepared(built, filtered)
        infos = self.lengths.term_infos if self.lengths is not None else None
        admitted, phrase_notes = _with_phrases(searcher, filtered, built, infos, self.scorer)
        rejected = _rejected(searcher, built.exclude, self.scorer)
        ranking = self._ranking(built, admitted, rejected)
        return _Prepared(built, filtered, admitted, tuple(phrase_notes), rejected, ranking)

    def head_scores(self, plan: QueryPlan) -> list[float]:
        """The best scores of ``plan``'s ranking before the proximity bonus, if the bonus
        applies (see :func:`newsindex.search.ranking.proximity_floor`; ``[]`` otherwise).

        The prepared plan is kept for :meth:`run` of the same plan, which then only
        finishes it: the query is built, filtered, checked for phrases and scored once.
        """
        prepared = self._prepare(plan)
        self._pending = (plan, prepared)
        ranking, admitted = prepared.ranking, prepared.admitted
        if ranking is None or self.request.sort not in (None, "relevance"):
            return []
        if not ranking.rescores or (admitted is not None and not admitted):
            return []
        return ranking.head_scores()

    def run(
        self, plan: QueryPlan, *, suggest_words: bool = True, proximity_floor: float | None = None
    ) -> Results:
        """The results of ``plan`` (with a spelling suggestion when it finds little).

        ``proximity_floor``: the lowest score (before the bonus) that the proximity bonus
        rescores, when a sharded search has decided it over every shard.
        """
        searcher, request, options = self.searcher, self.request, self.options
        query = request.query
        pending, self._pending = self._pending, None
        prepared = pending[1] if pending is not None and pending[0] is plan else self._prepare(plan)
        plan = with_author(plan, request.author)
        built = prepared.built
        notes = tuple(built.notes)
        if built.query is None:
            if plan.is_empty:
                return self._browse(built, notes)
            return self._empty((*notes, "the query has no searchable words"))
        max_per_article = request.max_per_article
        offset = request.offset
        sort = request.sort or "relevance"
        wanted = offset + self.limit
        if request.group_by_article:
            wanted = min(MAX_OFFSET * 3, wanted * (max_per_article or 3))
        ranking = prepared.ranking
        if ranking is None:
            return self._empty(notes)
        ranking.proximity_floor = proximity_floor  # before its window is taken (top)
        filtered, admitted, rejected = prepared.filtered, prepared.admitted, prepared.rejected
        notes = (*notes, *prepared.phrase_notes)
        kept = _top_collapsed(ranking, wanted, max_per_article) if admitted is None or admitted else []
        if not kept and plan.phrases and options.phrase_fallback:
            for loose, which in looser_plans(plan):
                relaxed = self.builder.build(loose, **self.filters)
                if relaxed.query is None:
                    continue
                loose_ranking = self._ranking(relaxed, filtered, rejected)
                loose_kept = _top_collapsed(loose_ranking, wanted, max_per_article)
                if loose_kept:
                    built, ranking, kept = relaxed, loose_ranking, loose_kept
                    notes = (*notes, phrase_note(plan, which))
                    break
        facets: dict[str, dict[str, int]] = {}
        needs_columns = sort != "relevance" or bool(self.facet_names)
        columns = self.column_cache.get(searcher.reader()) if needs_columns else None
        if columns is not None and sort != "relevance" and kept:
            kept = ranking.in_order(columns, sort, wanted, max_per_article)
        if not request.group_by_article:
            kept = kept[offset:]
        docnums = [m.docnum for m in kept]
        spans = highlight_many(searcher.reader(), docnums, built.highlight_terms, self.body_reads)
        first = 0 if request.group_by_article else offset
        hits = tuple(_hit(m.fields(), m.score, first + i + 1, spans[m.docnum]) for i, m in enumerate(kept))
        if columns is not None:  # every match is at hand: count them exactly
            everything = ranking.everything()[0]
            total, exact = int(everything.size), True
            facets = count_facets(columns, everything, self.facet_names)
        else:
            total, exact = ranking.count()
        groups: tuple[ArticleGroup, ...] = ()
        if request.group_by_article:
            order: dict[str, list[Hit]] = {}
            for h in hits:
                order.setdefault(h.article_id, []).append(h)
            groups = tuple(
                ArticleGroup(aid, hs[0].title, hs[0].score, tuple(hs))
                for aid, hs in list(order.items())[offset : offset + self.limit]
            )
            hits = tuple(h for g in groups for h in g.hits)
        suggestion = None
        if suggest_words and (total == 0 or len(hits) < 3):
            suggestion, suggest_notes = suggest(
                searcher, plan, self.chain, query, self.builder.vocabularies, self.builder.term_infos
            )
            notes = (*notes, *suggest_notes)
        return Results(
            query, hits, int(total), 0.0, suggestion, notes, groups,
            total_exact=exact, offset=offset, sort=sort, facets=facets,
        )
