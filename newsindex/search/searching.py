"""Run a search: build the query, rank with BM25F, collapse per article, highlight."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from whoosh import query as wq
from whoosh import scoring
from whoosh.reading import TermNotFound
from whoosh.searching import Searcher

from ..analysis import AnalysisChain
from ..index.schema import BODY
from ..index.vocabulary import Vocabularies
from .highlights import highlight_many
from .phrases import PhraseBudget, phrase_cost, phrase_docs
from .query_builder import BuiltQuery, QueryBuilder
from .query_syntax import QueryPlan, parse_query
from .results import ArticleGroup, Hit, Results
from .term_scoring import FieldLengths, Scored, TermScorer, admit, top

__all__ = ["SearchOptions", "run_search", "weighting"]

MAX_LIMIT = 1_000
# Like Elasticsearch's track_total_hits: count matches exactly up to this many,
# then report "at least" (counting every match of a common word costs more
# than the search itself).
TOTAL_COUNT_CAP = 1_000
_PUNCT = "?!.,;:()[]{}\"'„“»«"
# The "did you mean" budget: unknown words looked up, their length, the edits
# allowed, and the suggestions tried per word (each read from stored passages).
SUGGEST_MAX_WORDS = 8
SUGGEST_MAX_CHARS = 40
SUGGEST_MAX_EDITS = 2
SUGGEST_CANDIDATES = 3


@dataclass(frozen=True, slots=True)
class SearchOptions:
    """Ranking knobs; the defaults are the tuned values (see benchmarks/)."""

    title_boost: float = 1.5
    part_boost: float = 0.35
    bm25_b: float = 0.75
    bm25_k1: float = 1.2
    # A phrase no passage has word for word falls back to its words (with a note).
    phrase_fallback: bool = True
    # Score unions of terms with numpy (same scores as Whoosh, several times faster).
    term_at_a_time: bool = True


def weighting(options: SearchOptions) -> scoring.WeightingModel:
    """The BM25F model for ``options``."""
    return scoring.BM25F(B=options.bm25_b, K1=options.bm25_k1)


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


def _surface_form(searcher: Searcher, term: str, look_at: int = 20) -> str | None:
    """A word as written in the index for a folded lemma, read at its postings' offsets.

    A compound part shares its compound's offsets, so the shortest surface among
    the first few occurrences is taken: "Präsident", not "US-Präsident".
    """
    try:
        m = searcher.reader().postings(BODY, term)
    except TermNotFound:
        return None
    best: str | None = None
    while m.is_active() and look_at > 0:
        text = searcher.stored_fields(m.id()).get("body", "")
        for _pos, start, end in m.value_as("characters"):
            word = text[start:end]
            if word and (best is None or len(word) < len(best)):
                best = word
        look_at -= 1
        m.next()
    return best


def _suggest(
    searcher: Searcher, plan: QueryPlan, chain: AnalysisChain, original: str, vocabularies: Vocabularies
) -> tuple[str | None, list[str]]:
    """A corrected query when some word is unknown to the index and a close word exists,
    and notes on the words the suggestion budget left out.

    Candidates come from the ``body`` terms (folded lemmas) and are shown as a
    surface word from the index, so the suggestion reads "Venezuela", not "venezula".
    Only :data:`SUGGEST_MAX_WORDS` unknown words of at most :data:`SUGGEST_MAX_CHARS`
    letters are looked up, each against the terms of about its length sharing its
    first letter (RapidFuzz's edit distance, capped per segment by the vocabulary).
    """
    reader = searcher.reader()
    corrected = original
    changed = False
    looked_up = 0
    too_long = skipped = capped = False
    for word in plan.text + plan.required:
        clean = word.strip(_PUNCT)
        if len(clean) < 4 or not clean.isalpha():
            continue
        if len(clean) > SUGGEST_MAX_CHARS:
            too_long = True  # no index term is that long but a typo away
            continue
        toks = chain.analyze(clean, query=True)
        if not toks or toks[0].is_stop:
            continue
        readings = (toks[0].lemma, *toks[0].alternatives)
        if any(reader.doc_frequency(BODY, t) for t in readings):
            continue
        if looked_up >= SUGGEST_MAX_WORDS:
            skipped = True
            continue
        looked_up += 1
        near = vocabularies.near_terms(reader, toks[0].lemma, SUGGEST_MAX_EDITS, SUGGEST_CANDIDATES)
        capped |= near.capped
        for candidate in near.terms:
            surface = _surface_form(searcher, candidate)
            if surface and surface.lower() != clean.lower():
                corrected = corrected.replace(clean, surface, 1)
                changed = True
                break
    notes = []
    if too_long:
        notes.append(f"words over {SUGGEST_MAX_CHARS} letters get no spelling suggestion")
    if skipped:
        notes.append(f"spelling suggestions were looked up for the first {SUGGEST_MAX_WORDS} unknown words")
    if capped:
        notes.append("the spelling suggestion compared only the index words closest in length")
    return (corrected if changed else None), notes


def admitted_docs(searcher: Searcher, filter_q: Any) -> set[int] | None:
    """The document numbers a filter admits (``None``: no filter).

    Unions and intersections of terms (``source:``, the calendar terms of a date
    range) are read term by term from the postings: Whoosh's own ``filter=``
    walks them through a tree of union matchers, several times slower.
    """
    if filter_q is None:
        return None
    if isinstance(filter_q, wq.Or):
        out: set[int] = set()
        for sub in filter_q.subqueries:
            out |= admitted_docs(searcher, sub) or set()
        return out
    if isinstance(filter_q, wq.And):
        parts = sorted((admitted_docs(searcher, sub) or set() for sub in filter_q.subqueries), key=len)
        return set.intersection(*parts) if parts else set()
    return set(searcher.docs_for_query(filter_q))


def top_matches(
    searcher: Searcher, query: Any, admitted: set[int] | None, limit: int, rejected: set[int] | None = None
) -> Any:
    """Whoosh's top ``limit`` matches of ``query`` among the ``admitted``, not ``rejected``, documents."""
    # Sets of documents rather than an intersection inside the matcher
    # (query.And, query.Require): Whoosh's matcher replacement then loses
    # top-scoring matches (see tests/test_query_expansion.py).
    return searcher.search(query, limit=limit, filter=admitted, mask=rejected or None)


@dataclass(slots=True)
class Match:
    """A ranked document and its stored fields (read when first needed)."""

    docnum: int
    score: float
    _searcher: Searcher
    _fields: dict[str, Any] | None = None

    def fields(self) -> dict[str, Any]:
        """The stored fields of the paragraph."""
        if self._fields is None:
            self._fields = self._searcher.stored_fields(self.docnum)
        return self._fields


class Ranking:
    """A query's matches in rank order, among the admitted documents.

    Unions of terms (every bag-of-words, prefix and typo query) are scored term
    at a time with numpy (:mod:`.term_scoring`); other queries (phrases) go
    through Whoosh's matchers. Both give Whoosh's BM25F scores.
    """

    def __init__(
        self,
        searcher: Searcher,
        query: Any,
        admitted: set[int] | None,
        lengths: FieldLengths | None = None,
        *,
        rejected: set[int] | None = None,
        term_at_a_time: bool = True,
        scorer: TermScorer | None = None,
    ) -> None:
        self.searcher = searcher
        self.query = query
        self.admitted = admitted
        self.rejected = rejected or None
        self._scored: Scored | None = None
        if term_at_a_time:
            # A shared scorer reads each term once for all the rankings of one search.
            scored = (scorer or TermScorer(searcher, lengths)).score(query)
            self._scored = admit(scored, admitted, self.rejected) if scored is not None else None
        self._whoosh_results: Any = None
        self._window = 0

    @property
    def term_at_a_time(self) -> bool:
        """Whether the numpy scorer ranked this query."""
        return self._scored is not None

    def top(self, n: int) -> list[Match]:
        """The ``n`` best matches (fewer when fewer match)."""
        if self._scored is not None:
            ranked = top(self._scored, n)
            return [Match(d, s, self.searcher) for d, s in zip(ranked.docnums, ranked.scores, strict=True)]
        self._whoosh_results = top_matches(self.searcher, self.query, self.admitted, n, self.rejected)
        self._window = n
        # iter() first: list() would call len(results), which counts every match.
        return [Match(h.docnum, h.score, self.searcher) for h in iter(self._whoosh_results)]

    def count(self) -> tuple[int, bool]:
        """(number of matches, exact?): Whoosh's are counted up to ``TOTAL_COUNT_CAP``."""
        if self._scored is not None:
            return len(self._scored), True
        results = self._whoosh_results
        if results is not None and results.scored_length() < self._window:
            return results.scored_length(), True  # the search already saw every match
        n = 0
        for docnum in self.searcher.docs_for_query(self.query):
            if self.admitted is not None and docnum not in self.admitted:
                continue
            if self.rejected is not None and docnum in self.rejected:
                continue
            n += 1
            if n >= TOTAL_COUNT_CAP:
                return n, False
        return n, True


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
    window = wanted if not max_per_article else min(MAX_LIMIT * 4, wanted * 2)
    while True:
        matches = ranking.top(window)
        kept = _collapse(matches, max_per_article, wanted)
        # Widen the window only when collapsing threw away hits we still need.
        if len(kept) >= wanted or len(matches) < window or window >= MAX_LIMIT * 4:
            return kept
        window *= 4


def _with_phrases(
    searcher: Searcher, admitted: set[int] | None, built: BuiltQuery
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
    for words, text in sorted(unique.items(), key=lambda item: phrase_cost(reader, list(item[0]))):
        docs = phrase_docs(reader, list(words), admitted, budget)
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
    query: str,
    *,
    limit: int = 10,
    max_per_article: int | None = 3,
    group_by_article: bool = False,
    source: str | list[str] | None = None,
    since: date | datetime | None = None,
    until: date | datetime | None = None,
    options: SearchOptions | None = None,
    vocabularies: Vocabularies | None = None,
    lengths: FieldLengths | None = None,
) -> Results:
    """Search ``searcher`` for ``query``; see :meth:`newsindex.NewsIndex.search`."""
    t0 = time.perf_counter()
    options = options or SearchOptions()
    limit = max(1, min(int(limit), MAX_LIMIT))
    plan = parse_query(query)
    builder = QueryBuilder(
        chain,
        searcher.reader(),
        title_boost=options.title_boost,
        part_boost=options.part_boost,
        vocabularies=vocabularies,
    )
    built = builder.build(plan, source=source, since=since, until=until)
    notes = tuple(built.notes)
    if built.query is None:
        if not plan.is_empty or query.strip():
            notes = (*notes, "the query has no searchable words")
        return Results(query, (), 0, (time.perf_counter() - t0) * 1000, None, notes)

    wanted = min(MAX_LIMIT, limit * (max_per_article or 3)) if group_by_article else limit
    filtered = admitted_docs(searcher, built.filter)
    if filtered is not None and not filtered:  # Whoosh reads an empty filter as none
        return Results(query, (), 0, (time.perf_counter() - t0) * 1000, None, notes)
    admitted, phrase_notes = _with_phrases(searcher, filtered, built)
    notes = (*notes, *phrase_notes)
    taat = options.term_at_a_time
    scorer = TermScorer(searcher, lengths) if taat else None
    rejected = _rejected(searcher, built.exclude, scorer)
    ranking = Ranking(
        searcher, built.query, admitted, lengths, rejected=rejected, term_at_a_time=taat, scorer=scorer
    )
    kept = _top_collapsed(ranking, wanted, max_per_article) if admitted is None or admitted else []
    if not kept and plan.phrases and options.phrase_fallback:
        # Quotation marks in pasted text ("sagte, „wir …“") make phrases that rarely
        # match word for word: rather than nothing, rank by the phrases' words.
        loose = replace(plan, text=[*plan.text, *plan.phrases], phrases=[])
        relaxed = builder.build(loose, source=source, since=since, until=until)
        if relaxed.query is not None:
            loose_ranking = Ranking(
                searcher,
                relaxed.query,
                filtered,
                lengths,
                rejected=rejected,
                term_at_a_time=taat,
                scorer=scorer,
            )
            loose_kept = _top_collapsed(loose_ranking, wanted, max_per_article)
            if loose_kept:
                built, ranking, kept = relaxed, loose_ranking, loose_kept
                quoted = ", ".join(f"„{p}“" for p in plan.phrases)
                fallback = f"no passage has the exact wording {quoted}; showing passages with its words"
                notes = (*notes, fallback)
    spans = highlight_many(searcher.reader(), [m.docnum for m in kept], built.highlight_terms)
    hits = tuple(_hit(m.fields(), m.score, i + 1, spans[m.docnum]) for i, m in enumerate(kept))
    total, exact = ranking.count()
    groups: tuple[ArticleGroup, ...] = ()
    if group_by_article:
        order: dict[str, list[Hit]] = {}
        for h in hits:
            order.setdefault(h.article_id, []).append(h)
        groups = tuple(
            ArticleGroup(aid, hs[0].title, hs[0].score, tuple(hs)) for aid, hs in list(order.items())[:limit]
        )
        hits = tuple(h for g in groups for h in g.hits)
    suggestion = None
    if total == 0 or len(hits) < 3:
        suggestion, suggest_notes = _suggest(searcher, plan, chain, query, builder.vocabularies)
        notes = (*notes, *suggest_notes)
    elapsed = (time.perf_counter() - t0) * 1000
    return Results(query, hits, int(total), elapsed, suggestion, notes, groups, total_exact=exact)
