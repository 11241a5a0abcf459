"""Export: every match, streamed, as passages or whole articles; articles round-trip through ``index``."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_browse import Newsroom, newsroom  # noqa: F401 - the shared fixture

from newsindex import Article, Hit, NewsIndex
from newsindex.interfaces.cli import main


def _same(a: Article | None, b: Article | None) -> bool:
    assert a is not None and b is not None
    fields = ("id", "title", "paragraphs", "source", "author", "published", "url")
    return all(getattr(a, f) == getattr(b, f) for f in fields)


@pytest.mark.slow
def test_export_gives_every_matching_passage_in_rank_order(newsroom: Newsroom) -> None:  # noqa: F811
    ix = newsroom.index
    everything = ix.search("Regierung", limit=1000, max_per_article=None)
    exported = ix.export("Regierung")
    assert isinstance(exported, Iterator)  # streamed, not a list
    hits = list(exported)
    assert all(isinstance(h, Hit) for h in hits)
    assert [(h.article_id, h.paragraph) for h in hits] == [(h.article_id, h.paragraph) for h in everything]
    assert [h.highlights for h in hits] == [h.highlights for h in everything]
    assert len(hits) == everything.total > 10  # not the top 10


@pytest.mark.slow
def test_export_of_articles_gives_each_matching_article_once_whole(newsroom: Newsroom) -> None:  # noqa: F811
    ix = newsroom.index
    matching = {h.article_id for h in ix.search("Regierung", limit=1000, max_per_article=None)}
    articles = list(ix.export("Regierung", articles=True))
    assert len(articles) == len({a.id for a in articles}) == len(matching)
    assert {a.id for a in articles} == matching
    assert all(_same(a, ix.article(a.id)) for a in articles)
    assert list(ix.article_ids("Regierung")) == [a.id for a in articles]


@pytest.mark.slow
def test_export_of_filters_alone_gives_every_paragraph_of_the_articles(newsroom: Newsroom) -> None:  # noqa: F811
    ix = newsroom.index
    expected = [a for a in newsroom.articles if a.source == "Sportdienst"]
    passages = list(ix.export("", source="Sportdienst"))
    assert len(passages) == sum(len(a.paragraphs) for a in expected)
    by_article: dict[str, list[int]] = {}
    for h in passages:
        by_article.setdefault(h.article_id, []).append(h.paragraph)
    assert all(ps == list(range(len(ps))) for ps in by_article.values())  # each article whole, in order
    assert list(ix.article_ids(source="Sportdienst")) == list(by_article)
    assert list(by_article) == [h.article_id for h in ix.search("source:Sportdienst", limit=1000)]


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_exported_articles_reindex_to_the_same_articles(
    newsroom: Newsroom,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    fmt: str,
) -> None:
    ix = newsroom.index
    assert ix.path is not None
    out = tmp_path / f"derwesten.{fmt}"
    code = main(
        [
            "export",
            "source:DerWesten.de",
            "--articles",
            "--format",
            fmt,
            "-o",
            str(out),
            "--index",
            str(ix.path),
        ]
    )
    expected = [a.id for a in newsroom.articles if a.source == "DerWesten.de"]
    assert code == 0, capsys.readouterr()
    assert f"exported {len(expected)} articles" in capsys.readouterr().err
    if fmt == "csv":
        with out.open(encoding="utf-8", newline="") as fh:
            assert next(csv.reader(fh)) == ["id", "title", "source", "date", "author", "url", "text"]
    copy = tmp_path / "copy"
    assert main(["index", str(out), "--index", str(copy)]) == 0, capsys.readouterr()
    with NewsIndex.open(copy) as again:
        assert again.stats()["articles"] == len(expected)
        for aid in expected:
            assert _same(again.article(aid), ix.article(aid)), aid


@pytest.mark.slow
def test_export_streams_passages_as_json_lines_to_stdout(
    newsroom: Newsroom,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    ix = newsroom.index
    assert ix.path is not None
    assert main(["export", "Regierung", "--index", str(ix.path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    rows = [json.loads(line) for line in lines]
    total = ix.search("Regierung").total
    assert len(rows) == total and rows[0]["rank"] == 1 and rows[-1]["rank"] == total
    assert {"article_id", "paragraph", "text", "title", "source", "date"} <= set(rows[0])


def test_export_usage_errors(seed_index_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "Krieg", "--format", "xml", "--index", str(seed_index_dir)]) == 2
    assert "--format" in capsys.readouterr().err
    assert main(["export", "Krieg", "--sort", "latest", "--index", str(seed_index_dir)]) == 2
    assert "unknown sort" in capsys.readouterr().err
    assert main(["export", "Xylophonwerkstatt", "--index", str(seed_index_dir)]) == 1
