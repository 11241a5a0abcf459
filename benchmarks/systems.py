"""Retrieval systems for the relevance benchmark: ``build(passages)`` + ``search(query, k)``.

* :class:`WhooshSystem` — plain Whoosh (``standard`` or ``de`` analyzer), BM25F,
  bag-of-words OR queries (see :mod:`benchmarks.baseline`).
* :class:`NewsIndexSystem` — newsindex through its public API. Ablations are
  configuration variants: ``create_kwargs`` go to ``NewsIndex.in_memory`` /
  ``NewsIndex.create`` (a ``search_options`` dict becomes ``SearchOptions``),
  ``search_kwargs`` to ``NewsIndex.search``.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from .baseline import BaselineIndex

__all__ = [
    "ABLATIONS",
    "NewsIndexSystem",
    "Passage",
    "System",
    "SystemUnavailable",
    "WhooshSystem",
    "default_systems",
    "newsindex_available",
]


@dataclass(frozen=True, slots=True)
class Passage:
    """One retrievable unit: ``id`` is ``<article id>#<paragraph index>`` in our sets."""

    id: str
    title: str
    text: str
    published: str | None = None  # the article's date (ISO), where the corpus has one


class System(Protocol):
    """What the evaluation needs from a retrieval system."""

    name: str

    def build(self, passages: list[Passage]) -> None:
        """Index ``passages`` (replacing anything built before)."""

    def search(self, query: str, k: int) -> list[str]:
        """The ids of the top ``k`` passages for ``query``, best first."""

    def close(self) -> None:
        """Release resources."""


class SystemUnavailable(RuntimeError):
    """The system cannot run here (e.g. the newsindex API is not importable yet)."""


class WhooshSystem:
    """Plain Whoosh over title + body, in RAM."""

    def __init__(self, analyzer: str = "de", *, title_boost: float = 1.0, name: str | None = None) -> None:
        self.analyzer = analyzer
        self.title_boost = title_boost
        self.name = name or f"whoosh-{analyzer}"
        self._index: BaselineIndex | None = None

    def build(self, passages: list[Passage]) -> None:
        """Index the passages (``article_id`` = id before ``#``)."""
        self.close()
        self._index = BaselineIndex.create(None, self.analyzer, mode="natural", title_boost=self.title_boost)
        self._index.add(
            {
                "doc_id": p.id,
                "article_id": p.id.rsplit("#", 1)[0],
                "title": p.title or None,
                "body": p.text,
            }
            for p in passages
        )

    def search(self, query: str, k: int) -> list[str]:
        """Top-k passage ids."""
        if self._index is None:
            raise RuntimeError("build() first")
        return [row["doc_id"] for row in self._index.search(query, limit=k)]

    def close(self) -> None:
        """Drop the index."""
        if self._index is not None:
            self._index.close()
            self._index = None


def newsindex_available() -> str | None:
    """None when ``from newsindex import NewsIndex, Article`` works, else the reason it does not."""
    try:
        from newsindex import Article, NewsIndex  # noqa: F401
    except Exception as exc:  # any import-time failure means "skip", with the reason
        return f"{type(exc).__name__}: {exc}"
    return None


def _split_id(pid: str) -> tuple[str, int | None]:
    art, sep, num = pid.rpartition("#")
    if sep and num.isdigit():
        return art, int(num)
    return pid, None


def newsindex_kwargs(create_kwargs: dict[str, Any]) -> dict[str, Any]:
    """Resolve plain-data ablation options into what ``NewsIndex.create`` takes.

    HOOK: ``{"search_options": {...}}`` becomes ``newsindex.SearchOptions(**...)``;
    ``{"analysis": {...}}`` is passed as is (``NewsIndex`` accepts a dict of
    ``AnalysisConfig`` fields). Everything else is passed through unchanged.
    """
    kwargs = dict(create_kwargs)
    opts = kwargs.get("search_options")
    if isinstance(opts, dict):
        from newsindex import SearchOptions

        kwargs["search_options"] = SearchOptions(**opts)
    return kwargs


@dataclass
class NewsIndexSystem:
    """newsindex via its public API; one Article per source article, one paragraph per passage."""

    name: str = "newsindex"
    create_kwargs: dict[str, Any] = field(default_factory=dict)
    search_kwargs: dict[str, Any] = field(default_factory=dict)
    on_disk: bool = False
    _index: Any = None
    _paragraph_ids: dict[str, list[str]] = field(default_factory=dict)
    _tmp: Path | None = None

    def build(self, passages: list[Passage]) -> None:
        """Group ``<article>#<n>`` passages into articles (others: one article each) and add them."""
        reason = newsindex_available()
        if reason:
            raise SystemUnavailable(f"newsindex API not importable yet ({reason})")
        from newsindex import Article, NewsIndex

        self.close()
        groups: dict[str, list[tuple[int, Passage]]] = {}
        for p in passages:
            art, num = _split_id(p.id)
            if num is None:  # not "<article>#<n>": the passage is an article of its own
                art, num = p.id, 0
            groups.setdefault(art, []).append((num, p))
        articles = []
        self._paragraph_ids = {}
        for art, items in groups.items():
            items.sort(key=lambda t: t[0])
            self._paragraph_ids[art] = [p.id for _, p in items]
            title = next((p.title for _, p in items if p.title), "")
            published = next((p.published for _, p in items if p.published), None)
            paragraphs = [p.text for _, p in items]
            articles.append(Article.create(id=art, title=title, paragraphs=paragraphs, published=published))
        kwargs = newsindex_kwargs(self.create_kwargs)
        if self.on_disk:
            self._tmp = Path(tempfile.mkdtemp(prefix="newsindex-rel-"))
            self._index = NewsIndex.create(self._tmp / "ix", overwrite=True, **kwargs)
        else:
            self._index = NewsIndex.in_memory(**kwargs)
        self._index.add(articles)

    def search(self, query: str, k: int) -> list[str]:
        """Top-k passage ids, mapped back from (article id, paragraph index)."""
        if self._index is None:
            raise RuntimeError("build() first")
        out = []
        for hit in self._index.search(query, limit=k, **self.search_kwargs):
            ids = self._paragraph_ids.get(hit.article_id)
            if ids is not None and 0 <= hit.paragraph < len(ids):
                out.append(ids[hit.paragraph])
            else:
                out.append(f"{hit.article_id}#{hit.paragraph}")
        return out

    def close(self) -> None:
        """Close the index and remove its temp folder."""
        if self._index is not None:
            self._index.close()
            self._index = None
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None


#: Ablation variants (HOOK: option names as in AnalysisConfig / SearchOptions today).
ABLATIONS: dict[str, dict[str, Any]] = {
    "newsindex -lemmatize": {"analysis": {"lemmatize": False}},
    "newsindex -fold": {"analysis": {"fold": False}},
    "newsindex -decompound": {"analysis": {"decompound": False}},
    "newsindex -stopwords": {"analysis": {"stopwords": False}},
    "newsindex builtin lemmatizer": {"analysis": {"lemmatizer": "builtin"}},
    "newsindex +stems": {"analysis": {"stems": True}},
    "newsindex title_boost=0": {"search_options": {"title_boost": 0.0}},
}


def default_systems(*, ablations: bool = False) -> list[System]:
    """The systems a run compares: both Whoosh baselines, newsindex, and optionally its ablations."""
    systems: list[System] = [WhooshSystem("standard"), WhooshSystem("de"), NewsIndexSystem()]
    if ablations:
        systems += [NewsIndexSystem(name=n, create_kwargs=kw) for n, kw in ABLATIONS.items()]
    return systems
