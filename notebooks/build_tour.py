"""Write ``tour.ipynb`` (no outputs) from the cells below: ``python notebooks/build_tour.py``.

The notebook is generated so that its JSON never needs hand editing and stays
free of outputs in git; ``tests/test_notebook.py`` executes it top to bottom.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

CELLS: list[tuple[str, str]] = [
    (
        "md",
        """# A tour of newsindex

German full-text search over news articles, in five minutes: build an index from
the two example articles in `seeds/`, search with inflected words, compounds and
a plain question, look at the highlighted passages, filter, and see what the
German analysis chain makes of a sentence.

Run it top to bottom (*Run → Run All Cells*); it needs nothing but `make install`.""",
    ),
    (
        "code",
        """from datetime import date
from html import escape
from pathlib import Path

from IPython.display import HTML, display

from newsindex import NewsIndex, analyze

# seeds/ sits next to this notebook's folder in a checkout
SEEDS = next(p for p in (Path("seeds"), Path("..") / "seeds") if p.is_dir())
sorted(p.name for p in SEEDS.iterdir())""",
    ),
    (
        "md",
        """## 1. Build an index

`NewsIndex.in_memory()` keeps everything in memory; `NewsIndex.create("some/folder")`
writes the same index to disk (the `newsindex` command uses that). `add_path` reads
files or whole folders (`.txt`, `.md`, `.jsonl(.gz)`, `.html`, `.csv`) and splits
each article into paragraphs: **passages** are what the index ranks.""",
    ),
    (
        "code",
        """index = NewsIndex.in_memory()
summary = index.add_path(SEEDS)
print(summary.added, "articles added,", summary.paragraphs, "paragraphs")
index.stats()""",
    ),
    (
        "md",
        """A small helper shows results as HTML: each hit's title, source, date and its
snippet, where `hit.snippet(format="html")` wraps the matched words in `<mark>`
(and escapes the text, so an article's own markup is shown, not run).""",
    ),
    (
        "code",
        """def show(results):
    \"\"\"Render search results as HTML with the matched words marked.\"\"\"
    items = []
    for hit in results:
        day = hit.published.date().isoformat() if hit.published else "no date"
        meta = f"{escape(hit.source or '')} · {day} · ¶ {hit.paragraph + 1} · score {hit.score:.2f}"
        items.append(
            f"<li><b>{escape(hit.title)}</b> <small>{meta}</small>"
            f"<br>{hit.snippet(max_chars=220, format='html')}</li>"
        )
    head = f"<p><b>{results.total}</b> passages match <i>{escape(results.query)}</i></p>"
    if results.suggestion:
        head += f"<p>Did you mean <b>{escape(results.suggestion)}</b>?</p>"
    display(HTML(head + "<ol>" + "".join(items) + "</ol>"))""",
    ),
    (
        "md",
        """## 2. Inflected words

The index stores lemmas, so `Krieg` also finds *Kriege*, and compound parts, so
it finds *Kriegspfad* and *Drogenkrieg* too. The marks are on the words as written.""",
    ),
    ("code", """show(index.search("Krieg", limit=5))"""),
    (
        "md",
        """## 3. Compounds

German glues nouns together. `Kartell` is not a word of either article, but
*Drogenkartelle* is: the analysis splits it into *Droge* + *Kartell*.""",
    ),
    (
        "code",
        """results = index.search("Kartell")
show(results)
results[0].marked_words""",
    ),
    (
        "md",
        """## 4. A question

Plain questions are bags of words: the question word and *an* are stop words, `?`
is punctuation (never syntax), and *liefert* / *Waffen* meet *liefern* and
*Waffenlieferant* through their lemmas and compound parts.""",
    ),
    ("code", """show(index.search("Wer liefert Waffen an Venezuela?", limit=4))"""),
    (
        "md",
        """## 5. Filters and query syntax

Keyword filters (`source=`, `since=`, `until=`) or the same in the query:
`date:2025-10`, `source:DerWesten.de`, plus `"phrases"`, `+required`, `-excluded`,
`prefix*` and `typo~`. A misspelt word gets a *did you mean*.""",
    ),
    (
        "code",
        """show(index.search("Putin", since=date(2025, 10, 30)))
show(index.search("Putin date:..2025-10-29"))
show(index.search('"Krieg gegen Drogenbanden"'))""",
    ),
    ("code", """show(index.search("Venezuella"))"""),
    (
        "md",
        """## 6. The analysis chain

`analyze(text)` shows what the index sees: each surface word with its offsets,
its lemma (lowercased and folded: *ä* → *a*, *ß* → *ss*) and its compound parts.
Stop words are kept for phrases but not ranked.""",
    ),
    (
        "code",
        """def token_table(text):
    \"\"\"An HTML table: surface, lemma, compound parts, stop word.\"\"\"
    rows = "".join(
        f"<tr><td>{escape(t.text)}</td><td>{t.start}–{t.end}</td><td><b>{escape(t.lemma)}</b></td>"
        f"<td>{escape(', '.join(t.parts))}</td><td>{'✓' if t.is_stop else ''}</td></tr>"
        for t in analyze(text)
    )
    head = "<tr><th>surface</th><th>offsets</th><th>lemma</th><th>compound parts</th><th>stop</th></tr>"
    display(HTML(f"<table>{head}{rows}</table>"))


token_table("Die Drogenkartelle lieferten Waffen an US-Präsidenten und Straßenhändler.")""",
    ),
    (
        "md",
        """The index records which analysis built it, and analyses queries the same way
(an index built with spaCy's trained `de_core_news_sm` refuses to open where that
model is missing, rather than silently searching with different lemmas):""",
    ),
    ("code", """index.analysis.describe()"""),
    (
        "md",
        """## 7. Results as data

`results.to_dict()` is JSON-ready: the same shape `newsindex search QUERY --json`
prints for programs in any language.""",
    ),
    (
        "code",
        """import json

print(json.dumps(index.search("Atomwaffen", limit=1).to_dict(), ensure_ascii=False, indent=2)[:900])""",
    ),
    (
        "md",
        """## Next

* `newsindex index FOLDER` builds an on-disk index with a progress bar;
* `newsindex shell` opens the search prompt (`:open N`, `:filter`, `:help`);
* `newsindex demo` does both with `seeds/`.""",
    ),
]


def build() -> nbformat.NotebookNode:
    """The tour notebook, without outputs."""
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    for kind, source in CELLS:
        nb.cells.append(new_markdown_cell(source) if kind == "md" else new_code_cell(source))
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"tour-{i:02d}"
    return nb


if __name__ == "__main__":
    target = Path(__file__).with_name("tour.ipynb")
    nbformat.write(build(), target)
    print(f"wrote {target}")
