"""CSV headers in German and English, `;` with multi-line quoted cells, no text column, named columns."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from newsindex import NewsIndex
from newsindex.ingest import Problem, csv_options_from_columns, parse_column_spec, read_all, read_file

# The file of issue 15: read as three untitled articles, with no problem reported, before.
ISSUE_15 = (
    "titel;quelle;datum;text\n"
    '"Neue Regierung in Den Haag";Agentur;02.07.2024;"Die neue Regierung wurde vereidigt.\n'
    "\n"
    'Sie stützt sich auf vier Parteien."\n'
    '"Fußball-EM: Aus im Viertelfinale";Sportdienst;5. Juli 2024;"Die Mannschaft schied aus."\n'
)


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path


def test_semicolons_and_a_multiline_quoted_cell_give_two_titled_articles(tmp_path: Path) -> None:
    articles, problems = read_all(write(tmp_path / "meldungen.csv", ISSUE_15))
    assert problems == []
    assert [(a.title, a.source, a.published, a.origin_line) for a in articles] == [
        ("Neue Regierung in Den Haag", "Agentur", date(2024, 7, 2), 2),
        ("Fußball-EM: Aus im Viertelfinale", "Sportdienst", date(2024, 7, 5), 5),
    ]
    assert articles[0].paragraphs == (
        "Die neue Regierung wurde vereidigt.", "Sie stützt sich auf vier Parteien."
    )
    assert articles[1].paragraphs == ("Die Mannschaft schied aus.",)


@pytest.mark.parametrize(
    "header",
    [
        "Überschrift;Zeitung;Datum;Inhalt",
        "\ufeffTITLE ; Source ; Date ; Body",  # a BOM, capitals and spaces
        "headline;medium;datum;text",
        "Ueberschrift;Quelle;Veroeffentlicht;Artikel",
        '"Titel";"Medium";"Date";"Content"',
    ],
)
def test_header_names_in_german_and_english(tmp_path: Path, header: str) -> None:
    body = ISSUE_15.split("\n", 1)[1]
    articles, problems = read_all(write(tmp_path / "a.csv", f"{header}\n{body}"))
    assert problems == []
    assert [(a.title, a.source, a.published) for a in articles] == [
        ("Neue Regierung in Den Haag", "Agentur", date(2024, 7, 2)),
        ("Fußball-EM: Aus im Viertelfinale", "Sportdienst", date(2024, 7, 5)),
    ]


def test_commas_and_a_time_and_an_author_and_a_link(tmp_path: Path) -> None:
    text = (
        "Autor,Link,Datum,Titel,Text\n"
        'Anna Berg,https://example.org/a,2. Juli 2024 08:30,Streik bei der Bahn,"Die Gewerkschaft ruft\n'
        'zum Streik auf.\n\nPendler müssen mit Ausfällen rechnen."\n'
    )
    (a,), problems = read_all(write(tmp_path / "b.csv", text))
    assert problems == []
    assert (a.author, a.url, a.title) == ("Anna Berg", "https://example.org/a", "Streik bei der Bahn")
    assert a.published is not None and a.to_dict()["published"] == "2024-07-02T08:30:00"
    assert len(a.paragraphs) == 2


def test_a_header_without_a_text_column_is_reported_and_never_an_article(tmp_path: Path) -> None:
    text = "titel;quelle;datum;notiz\nNeue Regierung in Den Haag;Agentur;02.07.2024;vier Parteien\n"
    path = write(tmp_path / "ohne.csv", text)
    articles, problems = read_all(path)
    assert articles == []
    assert [(p.path, p.line, p.severity) for p in problems] == [(str(path), 1, "error")]
    assert problems[0].reason.startswith("no text column in the header (titel, quelle, datum, notiz)")


def test_columns_named_by_the_caller(tmp_path: Path) -> None:
    text = "Kopfzeile;Wortlaut;Wann\nStau auf der A7;Zwischen Hamburg und Kiel staut es sich.;28.10.2025\n"
    path = write(tmp_path / "stau.csv", text)
    # Without the mapping there is no text column: an error, not an article made of the header.
    assert read_all(path)[0] == []
    opts = csv_options_from_columns(parse_column_spec("titel=Kopfzeile, text=wortlaut,date=Wann"))
    (a,) = list(read_file(path, csv_options=opts))
    assert (a.title, a.paragraphs, a.published) == (
        "Stau auf der A7", ("Zwischen Hamburg und Kiel staut es sich.",), date(2025, 10, 28)
    )
    with NewsIndex.in_memory(analysis="builtin") as ix:
        problems: list[Problem] = []
        columns = {"title": "Kopfzeile", "text": "Wortlaut"}
        summary = ix.add_path(path, csv_columns=columns, on_problem=problems.append)
        assert (summary.added, problems) == (1, [])
        assert ix.search("Stau").hits[0].title == "Stau auf der A7"
        with pytest.raises(ValueError, match="unknown CSV field 'kopf'"):
            ix.add_path(path, csv_columns={"kopf": "Kopfzeile"})


def test_a_column_spec_must_be_field_equals_column() -> None:
    assert parse_column_spec("title=Überschrift,text=Inhalt") == {"title": "Überschrift", "text": "Inhalt"}
    with pytest.raises(ValueError, match="is not FIELD=COLUMN"):
        parse_column_spec("Überschrift")


def test_a_sniffed_header_of_sentences_is_a_row_of_data(tmp_path: Path) -> None:
    # csv.Sniffer calls the first of identical rows a header; a sentence is no column name.
    row = "Meldung,Die Landesregierung kündigte am Montag neue Hilfen für die Landwirtschaft an.\n"
    articles, problems = read_all(write(tmp_path / "c.csv", row * 3))
    assert problems == [] and [a.origin_line for a in articles] == [1, 2, 3]


def test_json_lines_know_the_same_german_names(tmp_path: Path) -> None:
    line = (
        '{"schlagzeile": "Streik bei der Bahn", "zeitung": "Agentur", "veröffentlicht": "3. Juli 2024", '
        '"verfasser": "Anna Berg", "text": "Die Gewerkschaft ruft zum Streik auf."}\n'
    )
    (a,), problems = read_all(write(tmp_path / "a.jsonl", line))
    assert problems == [] and a.extra == {}
    assert (a.title, a.source, a.published, a.author) == (
        "Streik bei der Bahn", "Agentur", date(2024, 7, 3), "Anna Berg"
    )
