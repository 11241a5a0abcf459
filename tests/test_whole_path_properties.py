"""Random articles and random queries through the whole path: files → ingest → index → search → output.

Article texts mix German words with punctuation, markup, emoji, right-to-left
text, control characters, NUL and lone surrogates (as JSON escapes). They are
written as JSON Lines and Markdown files, read by ``add_path`` into an
in-memory index, and searched with queries drawn from the query grammar and
from raw random text. Properties:

* nothing raises, whatever the article or query;
* every hit is a paragraph of an indexed article, with its stored text;
* no markup from an article reaches HTML output unescaped, and no control
  character (ESC, NUL…) reaches any output;
* a word taken from an article finds that article.
"""

from __future__ import annotations

import html
import json
import re
import tempfile
import unicodedata
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsindex import NewsIndex

WORDS = [
    "Regierung", "Bundestag", "Haushalt", "Verhandlung", "Ministerin", "Straßenbahn", "Bürger",
    "Wahlkampf", "Gemeinderat", "Hochwasser", "Feuerwehr", "Innenstadt", "Rathaus", "Polizei", "Gericht",
    "Urteil", "Drogenkartelle", "Waffenlieferant", "Krieg", "Kriege", "Venezuela", "Präsident", "Größe",
    "Übergang", "Ärger", "Fußball", "Mannschaft", "Trainer", "Schule", "Wohnung", "Miete", "Energie",
    "Strompreis", "Klimaschutz", "Bahnstreik", "Gewerkschaft", "laufen", "gingen", "schnell",
]
NOISE = [
    "<script>alert(1)</script>", "<b>fett</b>", "<mark>", "</mark>", "&amp;", "&lt;", "<", ">", "&",
    "\"", "'", "„", "“", "»", "«", "(", ")", "[", "]", "*", "~", "+", "-", ":", "?", "!", ".", ",",
    "😀", "🇩🇪", "👨‍👩‍👧", "🔥", "مرحبا", "שלום", "\u202e", "\u200f", "\u200b", "\u00ad",
    "\x00", "\x1b[31m", "\x07", "\x7f", "\x9b", "\t", "\ud800", "\udfff", "z. B.", "28. Oktober",
]
CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")

words = st.sampled_from(WORDS)
tokens = st.one_of(words, words, words, st.sampled_from(NOISE), st.text(max_size=6))
paragraph = st.lists(tokens, min_size=1, max_size=30).map(" ".join)
article = st.fixed_dictionaries(
    {
        "title": st.one_of(paragraph, st.just("")),
        "paragraphs": st.lists(paragraph, min_size=1, max_size=4),
        "source": st.sampled_from(["DerWesten.de", "<b>Quelle</b>", "t-online", "\x1bQuelle", "😀"]),
    }
)
grammar_word = st.one_of(
    words,
    words.map(lambda w: f"+{w}"),
    words.map(lambda w: f"-{w}"),
    words.map(lambda w: f"{w}~"),
    words.map(lambda w: f"{w}~2"),
    words.map(lambda w: f"{w[:3]}*"),
    st.lists(words, min_size=1, max_size=3).map(lambda ws: '"' + " ".join(ws) + '"'),
    st.sampled_from(["source:DerWesten.de", "title:Krieg", "author:Maier", "date:2025", "date:..2025-10"]),
    st.sampled_from(['"', "„", "*", "~", "(", ")", "foo:bar", "\x00", "\ud800", "😀", "שלום"]),
)
query = st.one_of(st.lists(grammar_word, min_size=1, max_size=8).map(" ".join), st.text(max_size=60))


def _assert_clean_output(ix: NewsIndex, results_dict: dict, ids: set[str]) -> None:
    json.dumps(results_dict)  # JSON-ready, lone surrogates in the query or not
    document = json.dumps(results_dict["hits"])  # (the query is echoed as the caller gave it)
    for hit in results_dict["hits"]:
        assert hit["article_id"] in ids
        stored = ix.article(hit["article_id"])
        assert stored is not None and stored.paragraphs[hit["paragraph"]] == hit["text"]
        bare = hit["snippet_html"].replace("<mark>", "").replace("</mark>", "")
        assert "<" not in bare and ">" not in bare  # article markup is escaped
        for piece in html.unescape(bare).split("…"):
            assert piece.strip() in hit["text"]
        for value in (hit["text"], hit["title"], hit["snippet"], hit["snippet_html"], hit["source"] or ""):
            assert not CONTROL.search(value), value
    assert "\\u001b" not in document and "\\u0000" not in document


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    articles=st.lists(article, min_size=1, max_size=5),
    queries=st.lists(query, min_size=1, max_size=4),
    pick=st.integers(min_value=0),
)
def test_random_articles_and_queries_through_the_whole_path(
    articles: list[dict], queries: list[str], pick: int
) -> None:
    with tempfile.TemporaryDirectory() as tmp, NewsIndex.in_memory(analysis="builtin") as ix:
        folder = Path(tmp)
        jsonl = [dict(a, url=f"https://example.org/{i}") for i, a in enumerate(articles)]
        # JSON escapes carry any character, lone surrogates included.
        (folder / "feed.jsonl").write_text("\n".join(json.dumps(a) for a in jsonl) + "\n", encoding="utf-8")
        first = articles[0]
        markdown = f"# {first['title']}\n\n" + "\n\n".join(first["paragraphs"])
        (folder / "notiz.md").write_bytes(markdown.encode("utf-8", errors="replace"))
        summary = ix.add_path(folder)
        ids = {aid for aid in ix._current_searcher().reader().lexicon("article_id")}
        ids = {a.decode() if isinstance(a, bytes) else a for a in ids}
        assert summary.added == len(ids)

        for q in queries:
            results = ix.search(q, limit=20, max_per_article=None)
            _assert_clean_output(ix, results.to_dict(), ids)

        # A word of an article (as the generator wrote it, between spaces) finds it.
        target = pick % len(jsonl)
        text_words = [w for p in jsonl[target]["paragraphs"] for w in p.split(" ") if w in WORDS]
        if text_words:
            word = text_words[pick % len(text_words)]
            found = ix.search(word, limit=1000, max_per_article=None)
            wanted = [aid for aid in ids if (s := ix.article(aid)) and any(
                word in unicodedata.normalize("NFC", p).split() for p in s.paragraphs
            )]
            assert wanted, (word, jsonl[target])
            assert set(wanted) <= {h.article_id for h in found}, (word, q)
