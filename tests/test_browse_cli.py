"""Browse, sort, paging and facets from the command line and the prompt."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.console import Console
from test_browse import Newsroom, newsroom  # noqa: F401 - the shared fixture

from newsindex import NewsIndex
from newsindex.interfaces.cli import main
from newsindex.interfaces.shell import Shell

TRUMP_TITLE = "Trump droht mit Krieg! Venezuela bittet Putin um Unterstützung"


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict]:
    code = main([*args, "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_search_with_filters_alone_lists_articles(
    seed_index_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, d = _json(capsys, "search", "--source", "DerWesten.de", "--index", str(seed_index_dir))
    assert code == 0 and d["browse"] is True and d["total"] == 1 and d["sort"] == "newest"
    assert d["hits"][0]["title"] == TRUMP_TITLE and d["hits"][0]["paragraph"] == 0
    code, d = _json(capsys, "search", "author:Malakhov", "--index", str(seed_index_dir))
    assert code == 0 and d["total"] == 1
    code, d = _json(capsys, "search", "--author", "Malakhov", "--index", str(seed_index_dir))
    assert code == 0 and d["total"] == 1


def test_search_without_a_query_lists_everything(
    seed_index_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["search", "--index", str(seed_index_dir)]) == 0
    out = capsys.readouterr().out
    assert "2 articles — showing 1–2" in out and "score" not in out


def test_search_flags_reach_the_json(seed_index_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ("search", "Krieg", "--sort", "newest", "--page", "2", "-n", "1", "--facets", "source,year")
    code, d = _json(capsys, *args, "--index", str(seed_index_dir))
    assert code == 0 and d["offset"] == 1 and d["sort"] == "newest"
    assert d["hits"][0]["rank"] == 2
    assert set(d["facets"]) == {"source", "year"} and sum(d["facets"]["source"].values()) == d["total"]
    code, first = _json(
        capsys, "search", "Krieg", "--sort", "newest", "-n", "2", "--index", str(seed_index_dir)
    )
    assert first["hits"][1]["article_id"] == d["hits"][0]["article_id"]
    assert first["hits"][1]["paragraph"] == d["hits"][0]["paragraph"]


def test_search_shows_facet_tables(seed_index_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "Krieg", "--facets", "source", "--index", str(seed_index_dir)]) == 0
    out = capsys.readouterr().out
    assert "source" in out and "DerWesten.de" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--sort", "latest"), "unknown sort 'latest'"),
        (("--facets", "topic"), "unknown facet 'topic'"),
        (("--page", "2", "--offset", "3"), "--page and --offset"),
    ],
)
def test_bad_options_are_one_line_usage_errors(
    seed_index_dir: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], message: str
) -> None:
    assert main(["search", "Krieg", *args, "--index", str(seed_index_dir)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("newsindex: error: ") and message in err and len(err.strip().splitlines()) == 1


@pytest.fixture
def shell(seed_index: NewsIndex) -> Shell:
    console = Console(record=True, width=120, force_terminal=False, no_color=True, highlight=False)
    return Shell(seed_index, console, plain=True, page_size=2)


def screen(shell: Shell, *lines: str) -> str:
    for line in lines:
        assert shell.handle(line) is True, line
    return shell.console.export_text()


def test_prompt_sort_size_and_facets(shell: Shell) -> None:
    out = screen(shell, ":size 1", "Krieg")
    assert "showing 1–1" in out
    out = screen(shell, ":sort oldest")
    assert shell.sort == "oldest" and shell.results is not None and shell.results.sort == "oldest"
    out = screen(shell, ":facets source,year")
    assert shell.results is not None and set(shell.results.facets) == {"source", "year"}
    assert "DerWesten.de" in out.split("source")[-1]
    out = screen(shell, ":sort latest", ":size 0", ":facets topic")
    assert ":sort takes relevance, newest, oldest, not 'latest'" in out
    assert ":size takes a number of hits per page (1–100), not 0" in out
    assert ":facets takes source, author, year, month, not 'topic'" in out


def test_prompt_browses_with_filters_alone(shell: Shell) -> None:
    out = screen(shell, "source:DerWesten.de")
    assert "1 article matches source:DerWesten.de" in out and TRUMP_TITLE in out


@pytest.mark.slow
def test_prompt_pages_a_browse_newest_first(newsroom: Newsroom) -> None:  # noqa: F811
    console = Console(record=True, width=120, force_terminal=False, no_color=True, highlight=False)
    sh = Shell(newsroom.index, console, plain=True, page_size=3)
    out = screen(sh, "source:Agentur", "n")
    assert sh.results is not None
    ids = [h.article_id for h in sh.results.hits[:6]]
    assert ids == [h.article_id for h in newsroom.index.search("source:Agentur", limit=6)]
    assert "showing 1–3" in out and "showing 4–6" in out
