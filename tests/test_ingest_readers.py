"""Each reader on small real-looking German samples, plus bad input and the shared corpora."""

from __future__ import annotations

import gzip
import json
from datetime import date, datetime
from pathlib import Path

import pytest
from conftest import CORPORA
from hypothesis import given, settings
from hypothesis import strategies as st

from newsindex.ingest import (
    CsvOptions,
    IngestError,
    Problem,
    detect_format,
    iter_files,
    read,
    read_all,
    read_file,
)
from newsindex.ingest.dates import parse_date
from newsindex.ingest.paragraphs import MAX_PARAGRAPH_CHARS, clean_paragraphs, normalize_text, split_long

BERICHT = [
    "Der Stadtrat hat am Dienstag den Haushalt für das kommende Jahr beschlossen.",
    "Die Opposition kritisierte die geplanten Kürzungen bei den Schwimmbädern scharf.",
]


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_jsonl_reads_fields_text_and_gzip(tmp_path: Path) -> None:
    rows = [
        {"id": "a1", "title": "Haushalt beschlossen", "source": "stadtblatt.de", "date": "2024-03-05",
         "author": ["Eva Beispiel", "Jan Muster"], "url": "https://stadtblatt.de/a1", "paragraphs": BERICHT,
         "ressort": "Lokales"},
        {"title": "Zweiter Bericht", "published": "5. März 2024",
         "text": "Absatz eins ist hier.\n\nAbsatz zwei."},
    ]
    path = tmp_path / "feed.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write("\n".join(json.dumps(r, ensure_ascii=False) for r in rows))
    articles, problems = read_all(path)
    assert problems == []
    first, second = articles
    assert (first.id, first.title, first.source, first.published) == ("a1", "Haushalt beschlossen",
                                                                       "stadtblatt.de", date(2024, 3, 5))
    assert first.author == "Eva Beispiel, Jan Muster"
    assert first.paragraphs == tuple(BERICHT)
    assert first.extra == {"ressort": "Lokales"}
    assert (first.origin_line, second.origin_line) == (1, 2)
    assert second.paragraphs == ("Absatz eins ist hier.", "Absatz zwei.")
    assert second.published == date(2024, 3, 5)


def test_jsonl_broken_line_is_reported_and_the_rest_read(tmp_path: Path) -> None:
    lines = [
        json.dumps({"title": "Gut", "paragraphs": ["Ein gültiger Artikel über den Bahnstreik."]}),
        '{"title": "Kaputt", "paragraphs": ["ohne Ende',
        json.dumps({"title": "Auch gut", "paragraphs": ["Noch ein Artikel mit\u2028Zeilentrenner im Text."]}),
    ]
    path = write(tmp_path / "mixed.jsonl", "\n".join(lines))
    articles, problems = read_all(path)
    assert [a.title for a in articles] == ["Gut", "Auch gut"]
    assert len(problems) == 1 and problems[0].line == 2 and problems[0].severity == "error"
    assert "mixed.jsonl:2" in str(problems[0])
    with pytest.raises(IngestError) as err:
        list(read(path, strict=True))
    assert err.value.problem.line == 2


def test_unparseable_date_is_a_warning_not_a_crash(tmp_path: Path) -> None:
    path = write(tmp_path / "d.jsonl", json.dumps({"title": "T", "date": "gestern", "paragraphs": BERICHT}))
    articles, problems = read_all(path)
    assert articles[0].published is None
    assert [p.severity for p in problems] == ["warning"] and "gestern" in problems[0].reason


def test_markdown_with_front_matter(tmp_path: Path) -> None:
    md = (
        "---\ntitle: Bahnstreik legt Verkehr lahm\nsource: Lokalzeitung\ndate: 28.10.2025\n"
        "author: Eva Beispiel\n---\n\n# Überschrift im Text\n\n" + "\n\n".join(BERICHT)
        + "\n\n## Hintergrund\n\nDie Gewerkschaft fordert mehr Lohn.\n"
    )
    (a,), problems = read_all(write(tmp_path / "streik.md", md))
    assert problems == []
    assert (a.title, a.source, a.published, a.author) == (
        "Bahnstreik legt Verkehr lahm", "Lokalzeitung", date(2025, 10, 28), "Eva Beispiel"
    )
    hintergrund = "Hintergrund Die Gewerkschaft fordert mehr Lohn."  # a one-word heading joins its text
    assert a.paragraphs == ("Überschrift im Text", *BERICHT, hintergrund)


def test_plain_text_title_from_first_line_and_cp1252(tmp_path: Path) -> None:
    text = "Große Hitze in Süddeutschland\n\nDie Temperaturen stiegen über 38 Grad – ein Rekord für März.\n"
    path = write(tmp_path / "hitze.txt", text, encoding="cp1252")
    (a,), problems = read_all(path)
    assert a.title == "Große Hitze in Süddeutschland"
    assert a.paragraphs == ("Die Temperaturen stiegen über 38 Grad – ein Rekord für März.",)
    assert any("decoded as" in p.reason for p in problems)


def test_utf8_bom_and_latin1(tmp_path: Path) -> None:
    (a,), _ = read_all(write(tmp_path / "bom.txt", "\ufeffÜberschrift\n\nÄrger über Straßenbau in Köln."))
    assert a.title == "Überschrift"
    latin = "Überschrift\n\nÄrger über die Straßenbahn: Die Fahrgäste warteten lange auf ihre Züge."
    (b,), _ = read_all(write(tmp_path / "latin.txt", latin, encoding="latin-1"))
    assert b.paragraphs == ("Ärger über die Straßenbahn: Die Fahrgäste warteten lange auf ihre Züge.",)


def test_binary_empty_and_unknown_files_are_skipped_with_a_record(tmp_path: Path) -> None:
    (tmp_path / "bild.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (tmp_path / "leer.md").write_text("  \n\n")
    (tmp_path / "daten.xlsx").write_bytes(b"PK\x03\x04")
    write(tmp_path / "gut.txt", "Titel\n\n" + BERICHT[0])
    articles, problems = read_all(tmp_path)
    assert [a.title for a in articles] == ["Titel"]
    reasons = {Path(p.path).name: (p.severity, p.reason) for p in problems}
    assert reasons["bild.txt"][0] == "warning" and "binary" in reasons["bild.txt"][1]
    assert "empty" in reasons["leer.md"][1]
    assert "unknown file type" in reasons["daten.xlsx"][1]


def test_html_page_through_trafilatura(tmp_path: Path) -> None:
    page = """<!doctype html><html lang="de"><head><meta charset="utf-8">
<title>Schnellboote zerstört | Beispiel-Zeitung</title>
<meta name="author" content="Anna Muster">
<meta property="article:published_time" content="2025-10-28T10:00:00+01:00">
<meta property="og:site_name" content="Beispiel-Zeitung">
<meta property="og:title" content="Schnellboote vor Venezuela zerstört">
</head><body>
<nav><a href="/">Startseite</a> | <a href="/politik">Politik</a> | <a href="/sport">Sport</a></nav>
<div class="cookie">Wir verwenden Cookies. <button>Akzeptieren</button></div>
<article><h1>Schnellboote vor Venezuela zerstört</h1>
<p class="teaser">Die US-Marine hat vor der Küste Venezuelas erneut mehrere Boote angegriffen.</p>
<p>Nach Angaben des Pentagons sollen die Schnellboote Drogen geschmuggelt haben. Beweise legte das
Ministerium zunächst nicht vor.</p>
<p>Präsident Nicolás Maduro sprach von einer Provokation und kündigte Militärübungen an der Küste an.</p>
<p>Beobachter in Caracas rechnen mit weiteren Einsätzen in der Karibik &amp; im Pazifik.</p>
</article>
<aside><h3>Mehr zum Thema</h3><ul><li><a href="/a">Ölpreis steigt</a></li></ul></aside>
<footer>© Beispiel-Zeitung · Impressum · Datenschutz</footer>
</body></html>"""
    (a,), _ = read_all(write(tmp_path / "artikel.html", page))
    assert a.title == "Schnellboote vor Venezuela zerstört"
    assert a.author == "Anna Muster"
    assert a.source == "Beispiel-Zeitung"
    assert a.published == date(2025, 10, 28)
    assert a.paragraphs[0] == "Die US-Marine hat vor der Küste Venezuelas erneut mehrere Boote angegriffen."
    last = "Beobachter in Caracas rechnen mit weiteren Einsätzen in der Karibik & im Pazifik."
    assert a.paragraphs[-1] == last
    assert len(a.paragraphs) == 4
    assert not any("Cookies" in p or "Impressum" in p or "Startseite" in p for p in a.paragraphs)


def test_csv_with_header_and_with_explicit_columns(tmp_path: Path) -> None:
    with_header = 'titel,datum,text\n"Haushalt","05.03.2024","Der Stadtrat hat den Haushalt beschlossen."\n'
    (a,), _ = read_all(write(tmp_path / "a.csv", with_header))
    assert (a.title, a.published) == ("Haushalt", date(2024, 3, 5))
    assert a.paragraphs == ("Der Stadtrat hat den Haushalt beschlossen.",)
    rows = "Inland;'Die Regierung plant eine Reform der Pflege, heißt es aus dem Ministerium.'\n"
    opts = CsvOptions(delimiter=";", quotechar="'", header=False, text_column=1, category_column=0)
    (b,) = list(read_file(write(tmp_path / "b.csv", rows), csv_options=opts))
    assert b.extra["category"] == "Inland"
    assert b.paragraphs == ("Die Regierung plant eine Reform der Pflege, heißt es aus dem Ministerium.",)


def test_paragraph_normalisation() -> None:
    assert normalize_text("Ver\u00adhand\u00adlung\u00a0in\u200b  Berlin\t!") == "Verhandlung in Berlin !"
    assert clean_paragraphs(["", "  ", "Erster Absatz hier.", "Anzeige", "Zweiter Absatz folgt."]) == [
        "Erster Absatz hier.", "Anzeige Zweiter Absatz folgt."
    ]
    assert clean_paragraphs(["Erster Absatz hier.", "Ende"]) == ["Erster Absatz hier. Ende"]


def test_long_paragraphs_split_at_sentence_ends_not_at_abbreviations() -> None:
    sentence = "Am 28. Oktober sagte Dr. Beispiel, die Lage sei z. B. in Caracas sehr angespannt. "
    parts = split_long(sentence * 40)
    assert len(parts) > 1
    assert all(len(p) <= MAX_PARAGRAPH_CHARS for p in parts)
    assert all(p.startswith("Am 28. Oktober") and p.endswith("angespannt.") for p in parts)
    assert " ".join(parts) == (sentence * 40).strip()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-10-28", date(2025, 10, 28)),
        ("28.10.2025", date(2025, 10, 28)),
        ("28. Oktober 2025", date(2025, 10, 28)),
        ("1. Jänner 2024", date(2024, 1, 1)),
        ("28.10.2025, 14:05 Uhr", datetime(2025, 10, 28, 14, 5)),
        ("2025-10-28T14:05:00Z", datetime.fromisoformat("2025-10-28T14:05:00+00:00")),
        ("31.02.2025", None),
        ("gestern", None),
    ],
)
def test_german_dates(text: str, expected: object) -> None:
    assert parse_date(text) == expected


def test_format_detection_and_walk_order(tmp_path: Path) -> None:
    assert detect_format("a/b.JSONL.gz") == "jsonl"
    assert detect_format("x.htm") == "html"
    assert detect_format("x.pdf") is None
    (tmp_path / "b").mkdir()
    (tmp_path / ".git").mkdir()
    for name in ["b/2.txt", "a.txt", "b/1.md", ".git/x.txt", ".hidden.txt"]:
        write(tmp_path / name, "T\n\nText.")
    found = [p.relative_to(tmp_path).as_posix() for p in iter_files(tmp_path)]
    assert found == ["a.txt", "b/1.md", "b/2.txt"]


def test_symlinks_out_of_the_folder_are_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    write(outside / "geheim.txt", "Geheim\n\nNicht lesen.")
    root = tmp_path / "root"
    root.mkdir()
    write(root / "a.txt", "A\n\nText.")
    (root / "link.txt").symlink_to(outside / "geheim.txt")
    assert [p.name for p in iter_files(root)] == ["a.txt"]
    assert [p.name for p in iter_files(root, follow_symlinks=True)] == ["a.txt", "link.txt"]


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=2_000))
def test_any_bytes_never_raise(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    for name in ("x.txt", "x.jsonl", "x.csv", "x.md"):
        (folder / name).write_bytes(data)
    problems: list[Problem] = []
    for article in read(folder, on_problem=problems.append):
        assert article.paragraphs


@pytest.mark.slow
def test_all_shared_corpora_are_readable() -> None:
    if not CORPORA.is_dir():
        pytest.skip("../shared/corpora is not beside the repository")
    expected = {"wikinews_de_1000": 998, "adl_german_news_2024": 7238, "10kgnad_test": 1028}
    for folder, count in expected.items():
        jsonl, problems = read_all(CORPORA / folder / "articles.jsonl.gz")
        assert len(jsonl) == count, folder
        assert not [p for p in problems if p.severity == "error"], problems[:3]
    gnad, problems = read_all(CORPORA / "10kgnad_test" / "test.csv")
    assert len(gnad) == 1028 and not problems
    assert gnad[0].extra["category"] in {"Web", "Panorama", "International", "Wirtschaft", "Sport",
                                         "Inland", "Etat", "Wissenschaft", "Kultur"}
    assert all(len(p) <= MAX_PARAGRAPH_CHARS for a in gnad for p in a.paragraphs)
