"""What a search asks for (:class:`SearchRequest`) and how it ranks (:class:`SearchOptions`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from whoosh import scoring

from ..index.schema import TITLE
from .facets import check_facets
from .query_syntax import parse_date_bound
from .sorting import MAX_OFFSET, check_sort

__all__ = ["SearchOptions", "SearchRequest", "weighting"]


@dataclass(frozen=True, slots=True)
class SearchOptions:
    """Ranking knobs; the defaults are the tuned values (see benchmarks/tune.py and the
    README's "How ranking works")."""

    # The title field's weight in BM25F: a word's title and body occurrences are
    # weighed (a title occurrence as this many body ones), added and saturated once
    # (see newsindex.search.title_terms).
    title_boost: float = 2.0
    part_boost: float = 0.35
    # Weight of a query word's Snowball stem in the ``stems`` field (indexes built with stems).
    stem_boost: float = 0.3
    # Lower saturation and length normalisation than Lucene's 1.2/0.75: long encyclopaedic
    # passages beside short news paragraphs (the grid is in the README's "How ranking works").
    bm25_b: float = 0.3
    bm25_k1: float = 0.6
    # Length normalisation of the short title field (None: ``bm25_b``).
    title_bm25_b: float | None = None
    # Weight of query words typed in lowercase (in German mostly
    # verbs, adjectives and adverbs: the question's framing) against nouns and names.
    lowercase_weight: float = 0.5
    # Weight of the proximity bonus for query words standing close together
    # (0: off); only the best ``PROXIMITY_WINDOW`` passages are rescored.
    proximity_weight: float = 0.5
    # Weight of article evidence: each query word's best score in any paragraph of the
    # passage's article, summed over the words, is added at this weight (0: off).
    article_weight: float = 0.3
    # A year in the query multiplies the score of passages of articles published that
    # year by 1 + this (0: off); see newsindex.search.temporal.
    date_weight: float = 0.3
    # Weight of a question's nouns' synonyms from OpenThesaurus, where it is installed
    # (0: off); see newsindex.analysis.thesaurus.
    synonym_weight: float = 0.1
    # A passage's score is multiplied by 1 + this × the idf-weighted share of the query's
    # words it contains (0: off); see newsindex.search.coverage.
    coverage_weight: float = 1.0
    # A phrase no passage has word for word falls back to its words (with a note).
    phrase_fallback: bool = True
    # A query that finds nothing is searched again with the closest index words (noted).
    typo_fallback: bool = True
    # Score unions of terms with numpy (same scores as Whoosh, several times faster).
    term_at_a_time: bool = True


@dataclass(frozen=True, slots=True)
class SearchRequest:
    """One search: the query text and what to return (see :meth:`newsindex.NewsIndex.search`).

    ``max_per_article`` caps passages per article (``None``: no cap);
    ``group_by_article`` also fills ``results.groups``; ``source``, ``since`` and
    ``until`` filter like ``source:``/``date:`` in the query; they take dates or
    strings (``"2025"``, ``"2025-10"``, ``"2025-10-28"``, ``"28.10.2025"``: a
    month or year means its first day for ``since``, its last for ``until``).
    A string that is no date raises ``ValueError`` naming it. ``author`` filters like
    ``author:`` (every word of it must be in the article's author field).

    ``sort`` is ``"relevance"``, ``"newest"`` or ``"oldest"`` (``None``: relevance,
    and newest first for a browse, a query of filters alone); ``offset`` skips that many
    hits (articles with ``group_by_article``), so page *n* is ``offset=(n - 1) * limit``
    (``offset + limit`` at most 10,000); ``facets`` names the counts to fill in
    ``results.facets`` (``"source"``, ``"author"``, ``"year"``, ``"month"``; a list
    or a comma-separated string). Bad values raise ``ValueError``.
    """

    query: str
    limit: int = 10
    max_per_article: int | None = 3
    group_by_article: bool = False
    source: str | tuple[str, ...] | list[str] | None = None
    since: date | datetime | str | None = None
    until: date | datetime | str | None = None
    author: str | None = None
    sort: str | None = None
    offset: int = 0
    facets: tuple[str, ...] | Iterable[str] | str | None = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "sort", check_sort(self.sort))
        object.__setattr__(self, "facets", check_facets(self.facets))
        if isinstance(self.offset, bool) or not isinstance(self.offset, int) or self.offset < 0:
            raise ValueError(f"offset={self.offset!r} must be a whole number ≥ 0")
        if self.offset + max(1, int(self.limit)) > MAX_OFFSET:
            raise ValueError(
                f"offset + limit must be at most {MAX_OFFSET:,} (NewsIndex.export gives every match)"
            )
        for name, end in (("since", False), ("until", True)):
            value = getattr(self, name)
            if isinstance(value, str):
                parsed = parse_date_bound(value, end=end)
                if parsed is None:
                    raise ValueError(
                        f"{name}={value!r} is not a date (use 2025, 2025-10, 2025-10-28 or 28.10.2025)"
                    )
                object.__setattr__(self, name, parsed)


def weighting(options: SearchOptions) -> scoring.WeightingModel:
    """The BM25F model for ``options`` (per-field length normalisation)."""
    per_field = {} if options.title_bm25_b is None else {f"{TITLE}_B": options.title_bm25_b}
    return scoring.BM25F(B=options.bm25_b, K1=options.bm25_k1, **per_field)


def weighting_key(options: SearchOptions) -> tuple[float, float, float | None]:
    """What :func:`weighting` depends on: a searcher made for another key ranks differently."""
    return (options.bm25_k1, options.bm25_b, options.title_bm25_b)
