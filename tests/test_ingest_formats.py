"""Input formats are data: one registry entry gives dispatch, ``--format`` names and help text."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsindex.article import Article
from newsindex.ingest import (
    FORMATS,
    INPUT_FORMATS,
    InputFormat,
    describe_formats,
    detect_format,
    format_name,
    read_all,
    register_format,
)
from newsindex.ingest.problems import ProblemHandler


def read_tab(path: Path, text: str, on_problem: ProblemHandler, **_: object) -> Iterator[Article]:
    """A toy format: one article per line, ``title<TAB>paragraph``."""
    for line in text.splitlines():
        title, _, body = line.partition("\t")
        yield Article.create(title=title, paragraphs=[body], source="Tabelle")


@pytest.fixture
def tab_format() -> Iterator[InputFormat]:
    """The toy format, registered for one test."""
    saved = dict(INPUT_FORMATS)
    fmt = InputFormat("tab", (".tab",), read_tab, 1_000, aliases=("tsv",))
    register_format(fmt)
    try:
        yield fmt
    finally:
        INPUT_FORMATS.clear()
        INPUT_FORMATS.update(saved)


LINES = (
    "Neue Brücke eröffnet\tDie Stadt hat am Montag die neue Rheinbrücke für den Verkehr freigegeben.\n"
    "Zoo bekommt Pandas\tZwei Große Pandas sind aus China in Berlin angekommen.\n"
)


@pytest.mark.usefixtures("tab_format")
def test_a_registered_format_is_read_by_name_alias_gzip_and_capped(tmp_path: Path) -> None:
    (tmp_path / "meldungen.tab").write_text(LINES, encoding="utf-8")
    with gzip.open(tmp_path / "mehr.tab.gz", "wt", encoding="utf-8") as fh:
        fh.write(LINES.replace("Montag", "Dienstag"))
    (tmp_path / "notiz.dat").write_text(LINES, encoding="utf-8")
    (tmp_path / "zu_gross.tab").write_text("Titel\t" + "Wort " * 300, encoding="utf-8")
    articles, problems = read_all(tmp_path)
    assert sorted(a.title for a in articles) == sorted(["Neue Brücke eröffnet", "Zoo bekommt Pandas"] * 2)
    assert {a.source for a in articles} == {"Tabelle"}
    reasons = {Path(p.path).name: p.reason for p in problems}
    assert "not a known article file type" in reasons["notiz.dat"]
    assert "the limit for one article" in reasons["zu_gross.tab"]  # the format's own size cap
    assert detect_format("x.TAB.gz") == "tab" and format_name("TSV") == "tab"
    assert "tab" in FORMATS and FORMATS["tab"] is read_tab
    assert ".tab" in describe_formats()
    forced, _ = read_all(tmp_path / "notiz.dat", format="tsv")
    assert len(forced) == 2


def test_the_builtin_registry_matches_what_readers_accepted_before() -> None:
    """The tables the dispatch used to hold, now read from the registry."""
    by_suffix = {s: f.name for f in INPUT_FORMATS.values() for s in f.suffixes}
    assert by_suffix == {
        ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".html": "html", ".htm": "html",
        ".csv": "csv", ".md": "markdown", ".markdown": "markdown", ".txt": "text",
    }  # fmt: skip
    aliases = {a: f.name for f in INPUT_FORMATS.values() for a in f.aliases}
    assert aliases == {"txt": "text", "md": "markdown", "ndjson": "jsonl", "json": "jsonl", "htm": "html"}
    whole = {f.name for f in INPUT_FORMATS.values() if f.size_cap > INPUT_FORMATS["text"].size_cap}
    assert whole == {"csv", "jsonl"}
    jsonl = INPUT_FORMATS["jsonl"]
    assert jsonl.streams(Path("a.jsonl.gz")) and not jsonl.streams(Path("a.JSON"))
    for suffix in (".txt", ".md", ".jsonl", ".html", ".csv", ".gz"):  # what the CLI help lists today
        assert suffix in describe_formats()
