"""The rich renderers and the whole-article marks, checked on what a console records."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import datetime

import pytest
from conftest import SEEDS
from rich.console import Console
from rich.text import Text

from newsindex import NewsIndex
from newsindex.interfaces import render
from newsindex.search.marks import mark_spans, query_terms
from newsindex.search.results import Hit, Results

TRUMP_TITLE = "Trump droht mit Krieg! Venezuela bittet Putin um Unterstützung"


def record(renderable: object, *, width: int = 120, color: bool = True) -> Console:
    console = Console(
        record=True,
        width=width,
        force_terminal=color,
        color_system="truecolor" if color else None,
        no_color=not color,
        highlight=False,
    )
    console.print(renderable)
    return console


def make_hit(text: str = "Im Krieg gegen Drogenkartelle und Kriege.", **kw: object) -> Hit:
    fields: dict[str, object] = {
        "rank": 1,
        "score": 3.5,
        "article_id": "a1",
        "paragraph": 0,
        "text": text,
        "title": "Ein [Titel] mit Klammern",
        "source": "DerWesten.de",
        "published": datetime(2025, 11, 1, 8, 30),
        "url": None,
        "author": None,
        "highlights": ((3, 8), (34, 40)),
        "paragraphs_total": 4,
    }
    fields.update(kw)
    return Hit(**fields)  # type: ignore[arg-type]


def marked_html_words(html: str) -> list[str]:
    """Words printed with the mark style (a background colour) in a console's HTML export."""
    return re.findall(r'<span style="[^"]*background-color[^"]*">([^<]+)</span>', html)


# -- text with marks -----------------------------------------------------------------
def test_marked_text_styles_exactly_the_spans() -> None:
    text = render.marked_text("Im Krieg gegen Kriege", [(3, 8), (15, 21)])
    assert text.plain == "Im Krieg gegen Kriege"
    styled = [(s.start, s.end, str(s.style)) for s in text.spans]
    assert styled == [(3, 8, render.MARK_STYLE), (15, 21, render.MARK_STYLE)]


def test_marked_text_plain_stars_and_window_clipping() -> None:
    starred = render.marked_text("Im Krieg gegen Kriege", [(3, 8)], plain=True)
    assert starred.plain == "Im **Krieg** gegen Kriege"
    clipped = render.marked_text("Im Krieg gegen Kriege", [(3, 8), (15, 21)], 5, 18, plain=True)
    assert clipped.plain == "**ieg** gegen **Kri**"


def test_overlapping_spans_are_merged() -> None:
    text = render.marked_text("Drogenkartelle", [(0, 14), (6, 14)], plain=True)
    assert text.plain == "**Drogenkartelle**"


def test_snippet_text_is_the_library_snippet_with_styles(seed_index: NewsIndex) -> None:
    for hit in seed_index.search("Wer liefert Waffen an Venezuela?", limit=5):
        plain = render.snippet_text(hit.text, hit.highlights, 120, plain=True)
        assert plain.plain.strip() == hit.snippet(120)
        styled = render.snippet_text(hit.text, hit.highlights, 120)
        assert {styled.plain[s.start : s.end] for s in styled.spans} <= set(hit.marked_words)


# -- hits and results --------------------------------------------------------------------
def test_hit_panel_shows_rank_title_source_date_score_and_marks() -> None:
    console = record(render.hit_renderable(make_hit()))
    text = console.export_text(clear=False)
    assert "1. Ein [Titel] mit Klammern" in text  # markup characters in titles are shown, not parsed
    assert "DerWesten.de · 2025-11-01 · ¶ 1 of 4 · score 3.50" in text  # hit.paragraph 0, shown 1-based
    assert "Im Krieg gegen Drogenkartelle und Kriege." in text
    assert marked_html_words(console.export_html(inline_styles=True)) == ["Krieg", "Kriege"]


def test_plain_hit_has_no_escape_codes_and_starred_marks() -> None:
    out = io.StringIO()  # what a pipe gets: not a terminal
    Console(file=out, width=120, highlight=False).print(render.hit_renderable(make_hit(), plain=True))
    text = out.getvalue()
    assert "\x1b[" not in text
    assert "Im **Krieg** gegen Drogenkartelle und **Kriege**." in text
    assert "╭" not in text  # no boxes in pipes


def test_hit_without_date_or_source() -> None:
    text = record(render.hit_renderable(make_hit(published=None, source=None)), color=False).export_text()
    assert "unknown source · — ·" in text


def test_results_page_on_real_hits(seed_index: NewsIndex) -> None:
    results = seed_index.search("Krieg", limit=10)
    console = record(render.results_renderable(results, start=1, count=2, more_hint="n: next page"))
    text = console.export_text(clear=False)
    assert f"{results.total} passages match Krieg — showing 2–3" in text
    assert "1. " not in text and "2. " in text and "3. " in text and "4. " not in text
    assert "n: next page" in text
    marked = set(marked_html_words(console.export_html(inline_styles=True)))
    assert marked and all("rieg" in w for w in marked)


def test_first_result_for_krieg_is_the_trump_article(seed_index: NewsIndex) -> None:
    results = seed_index.search("Krieg")
    text = record(render.results_renderable(results, plain=True), color=False).export_text()
    assert f"1. {TRUMP_TITLE}" in text
    assert "**Krieg**" in text or "**Kriege**" in text


def test_no_results_shows_did_you_mean() -> None:
    from newsindex import SearchOptions

    # Without the typo fallback (issue 14), a typo finds nothing and the suggestion is shown.
    with NewsIndex.in_memory(analysis="builtin", search_options=SearchOptions(typo_fallback=False)) as ix:
        ix.add_path(SEEDS)
        results = ix.search("Kriek")
    assert not results.hits
    text = record(render.results_renderable(results), color=False).export_text()
    assert "No passages for Kriek." in text
    assert "Did you mean: Krieg?" in text


def test_notes_are_shown() -> None:
    results = Results("source:x", (), 0, 0.5, None, ("the query has no searchable words",))
    text = record(render.no_results_renderable(results), color=False).export_text()
    assert "note: the query has no searchable words" in text


# -- whole articles ------------------------------------------------------------------
def test_article_shows_every_paragraph_with_marks(seed_index: NewsIndex) -> None:
    hit = seed_index.search("Krieg")[0]
    article = seed_index.article(hit.article_id)
    assert article is not None
    wanted = query_terms(seed_index.chain, "Krieg")
    marks = [mark_spans(seed_index.chain, p, wanted) for p in article.paragraphs]
    console = record(render.article_renderable(article, marks, focus=hit.paragraph))
    text = console.export_text(clear=False)
    assert TRUMP_TITLE in text
    for i in range(len(article.paragraphs)):
        assert re.search(rf"¶\s+{i + 1}\s", text)
    assert re.search(rf"▶ ¶\s+{hit.paragraph + 1}\s", text)
    marked = marked_html_words(console.export_html(inline_styles=True))
    assert {"Krieg", "Kriege", "Drogenkrieg"} <= set(marked)


# -- marks for whole articles ----------------------------------------------------------
def test_query_marks_follow_the_index_rules(seed_index: NewsIndex) -> None:
    chain = seed_index.chain
    text = "Überall Kriege und Konflikte, ein Drogenkrieg und der Krieg."

    def words(query: str) -> list[str]:
        return [text[s:e] for s, e in mark_spans(chain, text, query_terms(chain, query))]

    assert words("Krieg") == ["Kriege", "Drogenkrieg", "Krieg"]
    assert words("krieg") == ["Kriege", "Drogenkrieg", "Krieg"]  # lowercase nouns read as nouns
    assert words("Konflikt") == ["Konflikte"]
    assert words("Drogen*") == ["Drogenkrieg"]
    assert words("und der") == []  # stop words are never marked
    assert words("source:DerWesten.de") == []  # filters mark nothing
    assert words('"der Krieg"') == ["Kriege", "Drogenkrieg", "Krieg"]


def test_marks_agree_with_the_index_highlights(seed_index: NewsIndex) -> None:
    chain = seed_index.chain
    for query in ("Krieg", "Kartell", "Wer liefert Waffen an Venezuela?", "Atomwaffen Russland"):
        wanted = query_terms(chain, query)
        for hit in seed_index.search(query, limit=5):
            assert set(hit.highlights) <= set(mark_spans(chain, hit.text, wanted)), (query, hit.rank)


# -- statistics, summaries, tokens -----------------------------------------------------------
def test_stats_table(seed_index: NewsIndex) -> None:
    stats = seed_index.stats()
    text = record(render.stats_renderable(stats), color=False).export_text()
    assert re.search(r"articles\s+2\b", text)
    assert re.search(rf"paragraphs\s+{stats['paragraphs']}\b", text)
    assert "analysis" in text and stats["analysis"][:20] in text
    assert "size on disk" in text


@dataclass
class FakeProblem:
    path: str
    line: int | None
    reason: str
    severity: str = "error"


@dataclass
class FakeSummary:
    added: int
    updated: int
    skipped: int
    paragraphs: int
    problems: list[FakeProblem]


def test_summary_table_lists_problems_with_file_and_line() -> None:
    summary = FakeSummary(3, 1, 2, 40, [FakeProblem("data/bad.jsonl", 7, "invalid JSON")])
    text = record(render.summary_renderable(summary, elapsed_s=1.25), color=False).export_text()
    assert re.search(r"3\s+1\s+2\s+40\s+1\s+1\.2 s", text)
    assert re.search(r"error\s+data/bad\.jsonl\s+7\s+invalid JSON", text)
    interrupted = record(render.summary_renderable(summary, interrupted=True), color=False).export_text()
    assert "interrupted" in interrupted


def test_tokens_table_shows_surface_lemma_and_parts(seed_index: NewsIndex) -> None:
    tokens = seed_index.chain.analyze("Die Drogenkartelle")
    text = record(render.tokens_table(tokens), color=False).export_text()
    assert re.search(r"Drogenkartelle\s+4–18\s+drogenkartell\s+droge, kartell", text)
    assert re.search(r"Die\s+0–3\s+\S+\s+✓", text)


@pytest.mark.parametrize(
    ("n", "expected"), [(None, "—"), (512, "512 B"), (2_048, "2.0 kB"), (3_500_000, "3.5 MB")]
)
def test_format_size(n: int | None, expected: str) -> None:
    assert render.format_size(n) == expected


def test_format_date() -> None:
    assert render.format_date(datetime(2025, 10, 28, 12)) == "2025-10-28"
    assert render.format_date(None) == "—"
    assert isinstance(render.marked_text("x", []), Text)


# -- terminal safety (issue 12, finding 4) -------------------------------------------
CRAFT = "\x1b]0;pwned\x07\x1b[2J\x9b2J\x9d0;x\x9c\u202e"


def test_marks_stay_on_their_words_when_the_text_holds_escapes() -> None:
    text = "Im " + CRAFT + " Krieg gegen Kriege"
    start = text.index("Krieg")
    starred = render.marked_text(text, [(start, start + 5)], plain=True)
    assert starred.plain == "Im \\x1b]0;pwned\\x07\\x1b[2J\\x9b2J\\x9d0;x\\x9c\\u202e **Krieg** gegen Kriege"
    styled = render.marked_text(text, [(start, start + 5)])
    [mark] = styled.spans
    assert styled.plain[mark.start : mark.end] == "Krieg"


def test_a_crafted_hit_and_article_print_no_control_characters() -> None:
    text = "Im Krieg " + CRAFT + " gegen Drogenkartelle und Kriege."
    hit = make_hit(text, title="Titel " + CRAFT, source="Quelle" + CRAFT, highlights=((3, 8),))
    results = Results(query="Krieg" + CRAFT, hits=(hit,), total=1, elapsed_ms=1.0, notes=("n" + CRAFT,))
    empty = Results(query="Kriek" + CRAFT, hits=(), total=0, elapsed_ms=1.0, suggestion="Krieg" + CRAFT)

    @dataclass
    class RawArticle:  # as an index built before articles were cleaned may return
        title: str = "Titel " + CRAFT
        source: str = "Quelle" + CRAFT
        author: str = "Autor" + CRAFT
        url: str = "https://example.org/" + CRAFT
        published: None = None
        paragraphs: tuple[str, ...] = (text,)

    stats = {"path": "/tmp/ix" + CRAFT, "sources": ["Quelle" + CRAFT], "analysis": "builtin"}
    for renderable in (
        render.results_renderable(results),
        render.results_renderable(results, plain=True),
        render.no_results_renderable(empty),
        render.article_renderable(RawArticle(), [((3, 8),)]),
        render.article_renderable(RawArticle(), [((3, 8),)], plain=True),
        render.stats_renderable(stats),
    ):
        out = io.StringIO()
        Console(file=out, width=120, force_terminal=True, color_system="truecolor").print(renderable)
        printed = out.getvalue()
        for raw in ("\x1b]", "\x1b[2J", "\x07", "\x9b", "\x9c", "\x9d", "\u202e"):
            assert raw not in printed, (raw, printed)
        assert "\\x1b]0;pwned" in printed

