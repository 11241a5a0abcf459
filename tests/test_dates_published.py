"""Publication dates given as strings, and a day without a time staying a day through the index."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from newsindex import Article, NewsIndex

TEXT = ["Die neue Regierung in Den Haag wurde am Dienstag vereidigt.", "Sie stützt sich auf vier Parteien."]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("2024-01-02", date(2024, 1, 2)),
        ("2024-07-02T08:30", datetime(2024, 7, 2, 8, 30)),
        ("5. Juli 2024", date(2024, 7, 5)),
        ("02.07.2024", date(2024, 7, 2)),
        ("2. Juli 2024 08:30", datetime(2024, 7, 2, 8, 30)),
        (date(2024, 1, 2), date(2024, 1, 2)),
        ("", None),
    ],
)
def test_article_create_reads_iso_and_german_date_strings(given: object, expected: object) -> None:
    a = Article.create(title="Regierung vereidigt", paragraphs=TEXT, published=given)  # type: ignore[arg-type]
    assert a.published == expected and type(a.published) is type(expected)


@pytest.mark.parametrize("given", ["Juli 2024", "31.02.2024", "gestern", 20240102])
def test_an_unreadable_date_is_a_clear_value_error(given: object) -> None:
    with pytest.raises(ValueError, match="published"):
        Article.create(title="Regierung vereidigt", paragraphs=TEXT, published=given)  # type: ignore[arg-type]


def test_the_constructor_reads_a_date_string_too() -> None:
    a = Article(id="den-haag", title="Regierung vereidigt", paragraphs=tuple(TEXT), published="02.07.2024")  # type: ignore[arg-type]
    assert a.to_dict()["published"] == "2024-07-02"


def test_a_day_stays_a_day_and_a_time_stays_a_time_through_the_index(tmp_path: Path) -> None:
    day = Article.create(
        title="Regierung vereidigt", paragraphs=TEXT, source="Agentur", published="2024-07-02"
    )
    timed = Article.create(
        title="Aus im Viertelfinale", paragraphs=["Die Mannschaft schied im Viertelfinale der EM aus."],
        source="Sportdienst", published="5. Juli 2024 08:30",
    )
    cet = timezone(timedelta(hours=1))
    offset = Article.create(
        title="Streik bei der Bahn", paragraphs=["Die Gewerkschaft ruft zum Streik bei der Bahn auf."],
        published=datetime(2024, 7, 3, 0, 0, tzinfo=cet),  # midnight with an offset is a time
    )
    with NewsIndex.create(tmp_path / "ix", analysis="builtin") as ix:
        ix.add([day, timed, offset])
    with NewsIndex.open(tmp_path / "ix") as ix:
        hit = ix.search("Regierung").to_dict()["hits"][0]
        assert hit["published"] == "2024-07-02"
        assert ix.article(day.id).to_dict()["published"] == "2024-07-02"
        assert ix.article(day.id).published == date(2024, 7, 2)
        assert ix.search("Viertelfinale").to_dict()["hits"][0]["published"] == "2024-07-05T08:30:00"
        assert ix.article(timed.id).to_dict()["published"] == "2024-07-05T08:30:00"
        assert ix.article(offset.id).to_dict()["published"] == "2024-07-03T00:00:00+01:00"
        json.dumps(ix.search("Streik").to_dict())


def test_from_dict_reads_what_create_reads() -> None:
    # "T" decided date vs datetime before: "2024-07-05 08:30" raised, a German date too.
    cases = (("2024-07-05 08:30", datetime(2024, 7, 5, 8, 30)), ("5. Juli 2024", date(2024, 7, 5)))
    for given, expected in cases:
        d = {"id": "em", "title": "Aus im Viertelfinale", "paragraphs": TEXT, "published": given}
        assert Article.from_dict(d).published == expected
