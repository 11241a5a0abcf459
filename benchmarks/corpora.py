"""Locate and read the shared benchmark corpora (never copied into the repository)."""

from __future__ import annotations

import gzip
import json
import os
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

__all__ = [
    "CORPORA",
    "OUT_DIR",
    "Paragraph",
    "RawArticle",
    "corpora_dir",
    "corpus_path",
    "group_articles",
    "iter_articles",
    "sample_paragraphs",
    "to_newsindex_articles",
]

BENCH_DIR = Path(__file__).resolve().parent
OUT_DIR = BENCH_DIR / "out"

#: Short corpus names -> folder under the corpora directory.
CORPORA = {
    "adl": "adl_german_news_2024",
    "wikinews": "wikinews_de_1000",
    "gnad": "10kgnad_test",
}

#: The adl crawl stores outlet keys; map them to the web domains people type in ``source:``.
ADL_DOMAINS = {
    "krone": "krone.at",
    "ntv": "n-tv.de",
    "kurier": "kurier.at",
    "jungefreiheit": "jungefreiheit.de",
    "neues_deutschland": "nd-aktuell.de",
    "compact_online": "compact-online.de",
    "kritisches_netzwerk": "kritisches-netzwerk.de",
    "bild": "bild.de",
    "welt": "welt.de",
    "politplatschquatsch": "politplatschquatsch",
}


def corpora_dir() -> Path:
    """The shared corpora folder: ``$NEWSINDEX_CORPORA`` or ``<repo>/../shared/corpora``."""
    env = os.environ.get("NEWSINDEX_CORPORA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "shared" / "corpora"


def corpus_path(name: str) -> Path:
    """Path of ``articles.jsonl.gz`` for a short corpus name (``adl``, ``wikinews``, ``gnad``)."""
    folder = CORPORA.get(name, name)
    path = corpora_dir() / folder / "articles.jsonl.gz"
    if not path.exists():
        raise FileNotFoundError(f"corpus {name!r} not found at {path} (set NEWSINDEX_CORPORA)")
    return path


@dataclass(frozen=True, slots=True)
class RawArticle:
    """One corpus article as the benchmarks need it."""

    id: str
    title: str
    source: str
    published: date | None
    url: str | None
    paragraphs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Paragraph:
    """One paragraph with its article's metadata (the unit both systems index)."""

    article_id: str
    index: int
    title: str
    text: str
    source: str
    published: date | None

    @property
    def id(self) -> str:
        """The passage id used throughout the benchmarks: ``<article id>#<paragraph index>``."""
        return f"{self.article_id}#{self.index}"


def _parse_date(value: Any) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def iter_articles(name: str) -> Iterator[RawArticle]:
    """Yield the articles of a corpus in file order (empty paragraphs dropped)."""
    with gzip.open(corpus_path(name), "rt", encoding="utf-8") as fh:
        for line in fh:
            d = json.loads(line)
            source = d.get("source") or ""
            paragraphs = tuple(p.strip() for p in d.get("paragraphs") or () if p and p.strip())
            yield RawArticle(
                id=d["id"],
                title=(d.get("title") or "").strip(),
                source=ADL_DOMAINS.get(source, source),
                published=_parse_date(d.get("date")),
                url=d.get("url"),
                paragraphs=paragraphs,
            )


def sample_paragraphs(name: str, limit: int | None = None, seed: int = 13) -> list[Paragraph]:
    """Paragraphs of whole articles, articles in a seeded random order, up to ``limit`` paragraphs.

    Whole articles are kept together so article-level features stay realistic;
    ``limit=None`` returns every paragraph of the corpus (in file order). With a
    limit only the chosen articles are kept in memory (the file is read twice),
    so a sample does not inflate the peak RSS of the process measuring it.
    """
    if limit is None:
        chosen = None
    else:
        sizes = [(a.id, len(a.paragraphs)) for a in iter_articles(name)]
        random.Random(seed).shuffle(sizes)
        order: dict[str, int] = {}
        total = 0
        for aid, n in sizes:
            if total >= limit:
                break
            order[aid] = len(order)
            total += n
        chosen = order
    picked: list[RawArticle] = [a for a in iter_articles(name) if chosen is None or a.id in chosen]
    if chosen is not None:
        picked.sort(key=lambda a: chosen[a.id])
    out = [
        Paragraph(art.id, i, art.title, text, art.source, art.published)
        for art in picked
        for i, text in enumerate(art.paragraphs)
    ]
    return out if limit is None else out[:limit]


def group_articles(paragraphs: list[Paragraph]) -> list[RawArticle]:
    """Regroup paragraphs into articles (order kept; a cut-off article keeps its first paragraphs)."""
    grouped: dict[str, list[Paragraph]] = {}
    for p in paragraphs:
        grouped.setdefault(p.article_id, []).append(p)
    out = []
    for aid, ps in grouped.items():
        first = ps[0]
        out.append(
            RawArticle(aid, first.title, first.source, first.published, None, tuple(p.text for p in ps))
        )
    return out


def to_newsindex_articles(articles: list[RawArticle]) -> list[Any]:
    """Convert to ``newsindex.Article`` objects (imports newsindex lazily)."""
    from newsindex import Article

    return [
        Article.create(
            id=a.id,
            title=a.title,
            paragraphs=list(a.paragraphs),
            source=a.source or None,
            published=a.published,
            url=a.url,
        )
        for a in articles
    ]
