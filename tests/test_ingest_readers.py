"""Each reader on small German samples (tests/data/ingest), bad input, paragraphs, dates and the walk."""

from __future__ import annotations

import gzip
import json
import logging
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsindex.article import Article
from newsindex.ingest import (
    FORMATS,
    GNAD10K,
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
from newsindex.ingest.decoding import decode
from newsindex.ingest.paragraphs import (
    MAX_PARAGRAPH_CHARS,
    clean_paragraphs,
    normalize_text,
    split_long,
    split_sentences,
)

DATA = Path(__file__).resolve().parent / "data" / "ingest"

CET = timezone(timedelta(hours=1))
BERICHT = [
    "Der Stadtrat hat am Dienstag den Haushalt für das kommende Jahr beschlossen.",
    "Die Opposition kritisierte die geplanten Kürzungen bei den Schwimmbädern scharf.",
]


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def one(path: Path, **kwargs: object) -> tuple[Article, list[Problem]]:
    articles, problems = read_all(path, **kwargs)  # type: ignore[arg-type]
    assert len(articles) == 1, (articles, problems)
    return articles[0], problems


# -- JSON Lines ----------------------------------------------------------------------


def test_jsonl_fields_date_alias_id_and_extra() -> None:
    articles, _ = read_all(DATA / "feed.jsonl")
    first, second, third = articles
    assert (first.id, first.title, first.source, first.published, first.url) == (
        "lok-001", "Stadtrat beschließt Haushalt", "stadtblatt.de", date(2024, 3, 5), "https://stadtblatt.de/haushalt"
    )
    assert first.author == "Eva Beispiel, Jan Muster"
    assert first.paragraphs == tuple(BERICHT)
    assert first.extra == {"ressort": "Lokales"}
    # "text" split on blank lines; "published" in German; no id given: a derived, stable one
    assert second.paragraphs == (
        "Der Pegel in Köln stieg über sieben Meter.", "Die Altstadt wurde teilweise gesperrt."
    )
    assert second.published == date(2024, 3, 5)
    assert second.id == read_all(DATA / "feed.jsonl")[0][1].id != "lok-001"
    assert [a.origin_line for a in articles] == [1, 2, 4]
    assert third.published is None


def test_jsonl_broken_line_is_an_error_naming_file_and_line_and_the_rest_is_read() -> None:
    articles, problems = read_all(DATA / "feed.jsonl")
    titles = ["Stadtrat beschließt Haushalt", "Hochwasser am Rhein", "Neue Radwege"]
    assert [a.title for a in articles] == titles
    errors = [p for p in problems if p.severity == "error"]
    assert len(errors) == 1
    assert (Path(errors[0].path).name, errors[0].line) == ("feed.jsonl", 3)
    assert str(errors[0]).startswith(f"{DATA / 'feed.jsonl'}:3: error: not valid JSON")
    assert errors[0].to_dict()["line"] == 3


def test_jsonl_strict_makes_the_broken_line_fatal() -> None:
    seen: list[str] = []
    with pytest.raises(IngestError) as err:
        seen.extend(a.title for a in read(DATA / "feed.jsonl", strict=True))
    assert err.value.problem.line == 3
    assert seen == ["Stadtrat beschließt Haushalt", "Hochwasser am Rhein"]  # read up to the bad line


def test_unparseable_date_is_a_warning_not_a_crash() -> None:
    articles, problems = read_all(DATA / "feed.jsonl")
    warning = next(p for p in problems if p.severity == "warning")
    assert warning.line == 4 and "gestern" in warning.reason
    assert articles[-1].title == "Neue Radwege" and articles[-1].published is None


def test_jsonl_gzip_is_read_transparently_and_a_json_array_too(tmp_path: Path) -> None:
    rows = [{"title": "Hochwasser", "date": "28.10.2025", "paragraphs": ["Der Rhein tritt über die Ufer."]},
            {"title": "Sturm", "text": "Ein Sturm zieht auf.\n  \nBäume stürzen um."}]
    with gzip.open(tmp_path / "feed.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.write("\n".join(json.dumps(r, ensure_ascii=False) for r in rows))
    write(tmp_path / "bundle.json", json.dumps(rows, ensure_ascii=False, indent=2))
    gz, problems = read_all(tmp_path / "feed.jsonl.gz")
    assert problems == [] and [a.title for a in gz] == ["Hochwasser", "Sturm"]
    assert gz[1].paragraphs == ("Ein Sturm zieht auf.", "Bäume stürzen um.")
    bundle, problems = read_all(tmp_path / "bundle.json")
    assert problems == [] and [a.paragraphs for a in bundle] == [a.paragraphs for a in gz]


def test_jsonl_records_that_are_not_articles(tmp_path: Path) -> None:
    lines = ["[1, 2]", json.dumps({"title": "T", "paragraphs": "Ein einzelner Absatz als Text."}),
             json.dumps({"title": "T", "paragraphs": [1, 2]}), "{" * 5000 + "}" * 5000,
             json.dumps({"title": "Nur eine Schlagzeile"})]
    articles, problems = read_all(write(tmp_path / "odd.jsonl", "\n".join(lines)))
    expected = [("Ein einzelner Absatz als Text.",), ("Nur eine Schlagzeile",)]
    assert [a.paragraphs for a in articles] == expected
    assert [(p.line, p.severity) for p in problems] == [(1, "error"), (3, "error"), (4, "error"), (5, "note")]


# -- plain text and Markdown -------------------------------------------------------------


def test_markdown_front_matter_headings_and_markup() -> None:
    a, problems = one(DATA / "streik.md")
    assert problems == []
    assert (a.title, a.source, a.published, a.author) == (
        "Bahnstreik legt den Nahverkehr lahm", "Lokalzeitung Musterstadt", date(2025, 10, 28), "Eva Beispiel"
    )
    assert a.extra == {"ressort": "Lokales", "tags": ["Streik", "Verkehr"]}
    assert a.paragraphs == (
        "Am Dienstagmorgen standen in Musterstadt alle S-Bahnen still. Die Gewerkschaft hatte kurzfristig zu "
        "einem Warnstreik aufgerufen.",
        "Pendler mussten auf Busse und Fahrräder umsteigen; vor dem Hauptbahnhof bildeten sich lange "
        "Schlangen an den Taxiständen.",
        "Was die Gewerkschaft fordert\nDie Gewerkschaft verlangt acht Prozent mehr Lohn und eine kürzere "
        "Wochenarbeitszeit für Schichtarbeiter.",
        "Erhöhung der Löhne um acht Prozent\n35-Stunden-Woche für Schichtdienste",
        "Fazit\nEin Ende des Streits ist nicht in Sicht: Beide Seiten wollen sich erst im November wieder "
        "treffen.",
    )
    assert a.origin_line == 11  # the first line after the front matter


def test_markdown_title_from_the_first_heading(tmp_path: Path) -> None:
    md = (
        "# Hitzewelle in Bayern\n\nIn München wurden 36 Grad gemessen.\n\n"
        "Unterüberschrift\n---------------\n\nMehr Text."
    )
    a, _ = one(write(tmp_path / "hitze.md", md))
    assert a.title == "Hitzewelle in Bayern"
    assert a.paragraphs == ("In München wurden 36 Grad gemessen.", "Unterüberschrift\nMehr Text.")


def test_plain_text_cp1252_title_from_the_first_line() -> None:
    a, problems = one(DATA / "hitze_cp1252.txt")
    assert a.title == "Große Hitze in Süddeutschland"
    assert a.paragraphs == (
        "Die Temperaturen stiegen am Montag auf über 38 Grad – ein Rekord für den Monat März. Ärzte raten, "
        "viel Wasser zu trinken.",
    )
    assert [(p.severity, p.reason) for p in problems] == [("note", "decoded as cp1252")]


def test_plain_text_without_a_title_line_keeps_every_line(tmp_path: Path) -> None:
    text = "Die Regierung hat sich am Montag geeinigt,\nnach langen Verhandlungen.\n\nZweiter Absatz."
    a, problems = one(write(tmp_path / "ohne_titel.txt", text))
    assert a.title == ""  # a wrapped first sentence is not a title
    assert a.paragraphs[0] == "Die Regierung hat sich am Montag geeinigt,\nnach langen Verhandlungen."
    assert problems == []


def test_encodings_bom_latin1_utf16_and_damaged_utf8(tmp_path: Path) -> None:
    a, _ = one(write(tmp_path / "bom.txt", "\ufeffÜberschrift\n\nÄrger über den Straßenbau in Köln."))
    assert a.title == "Überschrift"
    latin = "Überschrift\n\nÄrger über die Straßenbahn: Die Fahrgäste warteten lange auf ihre Züge."
    b, _ = one(write(tmp_path / "latin.txt", latin, encoding="latin-1"))
    assert b.paragraphs == ("Ärger über die Straßenbahn: Die Fahrgäste warteten lange auf ihre Züge.",)
    c, _ = one(write(tmp_path / "utf16.txt", "\ufeff" + latin, encoding="utf-16-le"))
    assert c.paragraphs == b.paragraphs
    damaged = ("Überschrift\n\nÄrger über die Straßenbahn in Köln. " * 5).encode() + b"\xff Ende der Meldung."
    (tmp_path / "kaputt.txt").write_bytes(damaged)
    d, problems = one(tmp_path / "kaputt.txt")
    assert "Ärger über die Straßenbahn" in d.text and "\ufffd Ende der Meldung." in d.text
    assert [(p.severity, p.reason) for p in problems] == [
        ("warning", "1 undecodable bytes replaced by U+FFFD")
    ]
    assert decode(b"Gr\xfc\xdfe aus M\xfcnchen und K\xf6ln, sch\xf6ne Gr\xfc\xdfe!").text == (
        "Grüße aus München und Köln, schöne Grüße!"
    )


def test_binary_empty_boilerplate_and_unknown_files_are_skipped_with_a_record(tmp_path: Path) -> None:
    (tmp_path / "bild.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    write(tmp_path / "leer.md", "  \n\n")
    write(tmp_path / "nur_kopf.txt", " date 2025-10-28\n\nWeitere Nachrichten:\n")
    (tmp_path / "daten.xlsx").write_bytes(b"PK\x03\x04")
    (tmp_path / "kaputt.jsonl.gz").write_bytes(b"\x1f\x8b\x08\x00kein gzip")
    write(tmp_path / "gut.txt", "Titel\n\n" + BERICHT[0])
    articles, problems = read_all(tmp_path)
    assert [a.title for a in articles] == ["Titel"]
    reasons = {Path(p.path).name: (p.severity, p.reason) for p in problems}
    assert reasons["bild.txt"] == ("warning", "binary file (not text); skipped")
    assert reasons["leer.md"] == ("note", "empty file; skipped")
    assert reasons["nur_kopf.txt"][0] == "note" and "no article text" in reasons["nur_kopf.txt"][1]
    assert reasons["daten.xlsx"] == ("note", "not a known article file type; skipped")
    assert reasons["kaputt.jsonl.gz"][0] == "error" and "gzip" in reasons["kaputt.jsonl.gz"][1]
    assert len(problems) == 5


def test_problems_go_to_the_logger_without_a_handler(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="newsindex.ingest"):
        titles = [a.title for a in read(DATA / "feed.jsonl")]
    assert len(titles) == 3
    assert [r.levelname for r in caplog.records] == ["ERROR", "WARNING"]
    assert "feed.jsonl:3: error: not valid JSON" in caplog.records[0].getMessage()


# -- HTML --------------------------------------------------------------------------------


def test_html_page_through_trafilatura_keeps_paragraph_boundaries() -> None:
    a, problems = one(DATA / "artikel.html")
    assert problems == []
    assert (a.title, a.author, a.source, a.published) == (
        "Schnellboote vor Venezuela zerstört", "Anna Muster", "Beispiel-Kurier",
        datetime(2025, 10, 28, 10, 15, tzinfo=CET),  # the page's article:published_time, not only its day
    )
    assert a.url == "https://www.beispiel-kurier.de/politik/schnellboote-venezuela-100.html"
    assert a.paragraphs == (
        "Die US-Marine hat vor der Küste Venezuelas erneut mehrere Boote angegriffen. Washington spricht von "
        "Drogenschmugglern, Caracas von einer Provokation.",
        # a source line break is a space; <br> stays a line break inside the paragraph
        "Nach Angaben des Pentagons sollen die Schnellboote Kokain in Richtung Florida geschmuggelt haben. "
        "Beweise legte das Ministerium zunächst nicht vor.\nEin Sprecher kündigte weitere Einsätze an.",
        # a subheading is the first line of the paragraph after it
        "Maduro ordnet Manöver an\nPräsident Nicolás Maduro sprach von einer „gefährlichen Eskalation“ und "
        "ordnete Militärübungen an der Küste an. Zugleich bat er Russland und China um Unterstützung.",
        "Beobachter in Caracas rechnen mit weiteren Angriffen in der Karibik & im Pazifik. Die Preise für "
        "Treibstoff sind in den vergangenen Tagen um 12 Prozent gestiegen.",
    )
    boilerplate = ("Cookies", "Impressum", "Startseite", "Teilen", "Ölpreis", "Mehr zum Thema")
    assert not any(word in a.text for word in boilerplate)


def test_html_without_an_article_is_a_note(tmp_path: Path) -> None:
    articles, problems = read_all(write(tmp_path / "leer.html", "<html><body><nav>Menü</nav></body></html>"))
    assert articles == []
    assert [(p.severity, p.reason) for p in problems] == [
        ("note", "no article text found in the HTML page; skipped")
    ]


# -- CSV ---------------------------------------------------------------------------------


def test_csv_with_a_german_header_and_a_multiline_cell() -> None:
    first, second = read_all(DATA / "meldungen.csv")[0]
    assert (first.title, first.published, first.source, first.origin_line) == (
        "Neue Straßenbahnlinie eröffnet", date(2025, 10, 28), "Stadtanzeiger", 2
    )
    assert first.paragraphs == (
        "Die Linie 7 verbindet seit Montag den Hauptbahnhof mit dem Uni-Campus.",
        "Im ersten Jahr erwartet der Verkehrsbetrieb 12.000 Fahrgäste pro Tag.",
    )
    assert first.extra == {"ressort": "Lokales"}
    assert second.origin_line == 5  # the quoted cell above spans lines 2–4


def test_csv_label_text_layout_explicit_and_recognised(tmp_path: Path) -> None:
    rows = ("Inland;'Die Regierung plant eine Reform der Pflege, heißt es aus dem Ministerium.'\n"
            "Sport;'Der Verein gewann das Derby mit 3:1 und steht nun auf Platz 2 der Tabelle.'\n")
    path = write(tmp_path / "gnad.csv", rows)
    recognised, problems = read_all(path)
    assert problems == []
    assert [(a.title, a.source, a.extra["category"]) for a in recognised] == [
        ("", None, "Inland"), ("", None, "Sport")
    ]
    assert recognised[1].paragraphs == (
        "Der Verein gewann das Derby mit 3:1 und steht nun auf Platz 2 der Tabelle.",
    )
    (explicit,) = list(read_file(path, csv_options=GNAD10K))[:1]
    assert explicit.source == "derstandard.at"


def test_csv_configured_columns_and_a_missing_one(tmp_path: Path) -> None:
    text = "kopf|wann|inhalt\nStau auf der A7|2025-10-28|Zwischen Hamburg und Kiel staut es sich.\n"
    path = write(tmp_path / "stau.csv", text)
    opts = CsvOptions(
        delimiter="|", header=True, title_column="kopf", date_column="wann", text_column="inhalt"
    )
    (a,) = list(read_file(path, csv_options=opts))
    assert (a.title, a.published) == ("Stau auf der A7", date(2025, 10, 28))
    problems: list[Problem] = []
    wrong = CsvOptions(delimiter="|", header=True, title_column="titel", text_column="inhalt")
    assert len(list(read_file(path, csv_options=wrong, on_problem=problems.append))) == 1
    assert problems[0].reason.startswith("no column 'titel' in the header")


# -- a folder of mixed files --------------------------------------------------------------


def test_the_sample_folder_reads_every_format_in_a_stable_order() -> None:
    articles, problems = read_all(DATA)
    names = [Path(a.origin_path or "").name for a in articles]
    assert names == [
        "artikel.html", "feed.jsonl", "feed.jsonl", "feed.jsonl", "galerie.txt", "hitze_cp1252.txt",
        "meldungen.csv", "meldungen.csv", "streik.md",
    ]
    assert [p.severity for p in problems] == ["error", "warning", "note"]  # broken line, "gestern", cp1252
    assert all(json.loads(json.dumps(a.to_dict())) == a.to_dict() for a in articles)
    assert all(Article.from_dict(a.to_dict()) == a for a in articles)


def test_a_seed_written_for_the_tests_unknown_photographer_and_trailing_links() -> None:
    a, problems = one(DATA / "galerie.txt")
    assert problems == []
    assert (a.title, a.author, a.source, a.published) == (
        "Sturmtief „Zoe“ zieht über Norddeutschland", "Max Beispiel", "Beispiel-Nachrichten",
        date(2025, 10, 30),
    )
    assert a.paragraphs == (
        "Orkanböen haben in der Nacht zu Donnerstag Bäume entwurzelt und den Bahnverkehr im Norden gestoppt.",
        "Umgestürzte Bäume in Hamburg\nDie Feuerwehr rückte in Hamburg zu mehr als 300 Einsätzen aus. "
        "Verletzt wurde niemand.",
        "Bahnverkehr eingestellt\nDie Bahn stellte den Fernverkehr zwischen Hamburg und Berlin ein.",
    )
    assert a.photo_credits == ("dpa", "IMAGO/Chris Emil Janßen")
    assert a.extra["related"] == ["Wetter am Wochenende: Es wird wieder milder"]


def test_explicit_format_and_aliases(tmp_path: Path) -> None:
    path = write(tmp_path / "notiz.dat", "# Kurzmeldung\n\nDer Zoo bekommt zwei neue Pandas.")
    assert read_all(path)[0] == []
    (a,) = list(read(path, format="md"))
    assert (a.title, a.paragraphs) == ("Kurzmeldung", ("Der Zoo bekommt zwei neue Pandas.",))
    with pytest.raises(ValueError, match="unknown format 'pdf'"):
        read_file(path, format="pdf")
    assert set(FORMATS) == {"seed", "jsonl", "text", "markdown", "html", "csv"}


# -- paragraphs ---------------------------------------------------------------------------


def test_normalisation_nfc_soft_hyphens_nbsp_zero_width() -> None:
    assert normalize_text("Ver\u00adhand\u00adlung\u00a0in\u200b  Berlin\t!") == "Verhandlung in Berlin !"
    assert normalize_text("Mu\u0308nchen") == "München"  # decomposed umlaut → NFC
    assert normalize_text("28.\u202fOktober\r\n\r\n  zweite Zeile ") == "28. Oktober\nzweite Zeile"


def test_clean_paragraphs_drops_empties_merges_strays_and_repeats() -> None:
    assert clean_paragraphs(["", "  ", "Erster Absatz hier.", "Anzeige", "Zweiter Absatz folgt."]) == [
        "Erster Absatz hier.", "Anzeige\nZweiter Absatz folgt."
    ]
    assert clean_paragraphs(["Der Bericht endet hier.", "(dpa)"]) == ["Der Bericht endet hier.\n(dpa)"]
    assert clean_paragraphs(["Der Text geht weiter.", "Ende.", "Neuer Absatz."]) == [
        "Der Text geht weiter.\nEnde.", "Neuer Absatz."
    ]
    assert clean_paragraphs(["Gleicher Absatz.", "Anderer Absatz.", "Gleicher Absatz."]) == [
        "Gleicher Absatz.", "Anderer Absatz."
    ]


def test_sentences_respect_abbreviations_initials_and_ordinals() -> None:
    text = ("Am 28. Oktober sagte Dr. Maier, die Lage sei z. B. in Caracas angespannt. Donald J. Trump "
            "widersprach. Nr. 5 der Liste fehlt! Warum? „Das ist gut“, sagte sie. 3 Tage später kam sie.")
    assert split_sentences(text) == [
        "Am 28. Oktober sagte Dr. Maier, die Lage sei z. B. in Caracas angespannt.",
        "Donald J. Trump widersprach.",
        "Nr. 5 der Liste fehlt!",
        "Warum?",
        "„Das ist gut“, sagte sie.",
        "3 Tage später kam sie.",
    ]


def test_long_paragraphs_split_at_sentence_ends_into_balanced_chunks() -> None:
    sentence = "Am 28. Oktober sagte Dr. Beispiel, die Lage sei z. B. in Caracas sehr angespannt. "
    text = (sentence * 20).strip()  # about 1,660 characters
    parts = split_long(text)
    assert len(parts) == 2
    assert all(p.startswith("Am 28. Oktober") and p.endswith("angespannt.") for p in parts)
    assert abs(len(parts[0]) - len(parts[1])) <= len(sentence)
    assert " ".join(parts) == text
    long_parts = split_long((sentence * 100).strip())
    assert all(len(p) <= MAX_PARAGRAPH_CHARS for p in long_parts) and len(long_parts) == 6
    assert split_long("x" * 3200) == ["x" * 1500, "x" * 1500, "x" * 200]  # no sentence end: a hard cut


# -- dates --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-10-28", date(2025, 10, 28)),
        ("28.10.2025", date(2025, 10, 28)),
        ("28.10.25", date(2025, 10, 28)),
        ("28. Oktober 2025", date(2025, 10, 28)),
        ("28. Okt. 2025", date(2025, 10, 28)),
        ("1. Jänner 2024", date(2024, 1, 1)),
        ("3. März 2024", date(2024, 3, 3)),
        ("Dienstag, 28. Oktober 2025, 14:05 Uhr", datetime(2025, 10, 28, 14, 5)),
        ("Stand: 28.10.2025 um 14.05 Uhr", datetime(2025, 10, 28, 14, 5)),
        ("2025-10-28T14:05:00Z", datetime(2025, 10, 28, 14, 5, tzinfo=UTC)),
        ("Tue, 28 Oct 2025 14:05:00 +0100", datetime(2025, 10, 28, 14, 5, tzinfo=CET)),
        ("31.02.2025", None),
        ("gestern", None),
        ("Platz 3 von 2025", None),
        ("", None),
    ],
)
def test_german_dates(text: str, expected: object) -> None:
    assert parse_date(text) == expected


# -- walking folders ------------------------------------------------------------------------


def test_format_detection() -> None:
    assert detect_format("a/b.JSONL.gz") == "jsonl"
    assert detect_format("x.ndjson") == "jsonl"
    assert detect_format("x.htm") == "html"
    assert detect_format("x.csv.gz") == "csv"
    assert detect_format("x.md") == "markdown"
    assert detect_format("x.txt") == "text"  # seed or not is decided by the content
    assert detect_format("x.pdf") is None
    assert detect_format("MANIFEST.tsv") is None


def test_walk_order_skips_hidden_files_and_folders(tmp_path: Path) -> None:
    for name in ["b/2.txt", "a.txt", "b/1.md", ".git/x.txt", ".hidden.txt", "b/c/3.txt", "B.txt"]:
        write(tmp_path / name, "T\n\nText.")
    found = [p.relative_to(tmp_path).as_posix() for p in iter_files(tmp_path)]
    assert found == ["B.txt", "a.txt", "b/1.md", "b/2.txt", "b/c/3.txt"]
    assert list(iter_files(tmp_path / "a.txt")) == [tmp_path / "a.txt"]
    with pytest.raises(FileNotFoundError):
        list(read(tmp_path / "fehlt"))


def test_symlinks_out_of_the_folder_are_not_followed_and_cycles_end(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    write(outside / "geheim.txt", "Geheim\n\nNicht lesen.")
    root = tmp_path / "root"
    write(root / "a.txt", "A\n\nText.")
    (root / "link.txt").symlink_to(outside / "geheim.txt")
    (root / "linkdir").symlink_to(outside)
    (root / "inner").symlink_to(root)  # a cycle
    assert [p.name for p in iter_files(root)] == ["a.txt"]
    assert [p.relative_to(root).as_posix() for p in iter_files(root, follow_symlinks=True)] == [
        "a.txt", "link.txt", "linkdir/geheim.txt"
    ]


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=2_000))
def test_any_bytes_in_any_format_never_raise(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    for name in ("x.txt", "x.jsonl", "x.csv", "x.md", "x.json"):
        (folder / name).write_bytes(data)
    problems: list[Problem] = []
    for article in read(folder, on_problem=problems.append):
        assert article.paragraphs and all(article.paragraphs)
    assert all(p.severity in ("error", "warning", "note") for p in problems)
