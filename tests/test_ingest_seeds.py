"""Golden tests: the two seed articles, read exactly as a reader expects them."""

from __future__ import annotations

from datetime import date

from conftest import SEEDS
from hypothesis import given, settings
from hypothesis import strategies as st

from newsindex.ingest import read_all
from newsindex.ingest.credits import split_credits
from newsindex.ingest.seedformat import BOILERPLATE, parse_seed


def _seed(name: str):
    text = (SEEDS / name).read_text(encoding="utf-8")
    article = parse_seed(text, name)
    assert article is not None
    return text, article


def test_seed_000_metadata_and_gallery_slides() -> None:
    _, a = _seed("000_ca04f8b1e94478b8.txt")
    assert a.published == date(2025, 11, 1)
    assert a.source == "DerWesten.de"
    assert a.title == "Trump droht mit Krieg! Venezuela bittet Putin um Unterstützung"
    assert a.author == "Yury Malakhov"
    assert len(a.paragraphs) == 13
    assert a.paragraphs[0].startswith("Im Krieg gegen Drogenkartelle konfrontiert Trump")
    assert a.paragraphs[4] == "Darum ist Maduro auf Putin angewiesen:"
    # each gallery slide is one paragraph: heading, newline, caption without its credit
    assert a.paragraphs[5] == (
        "USA führen einen Krieg gegen Drogenbanden in der Karibik\nIn der Karibik und im Pazifik soll es "
        "seit Wochen zu tödlichen Zusammenstößen zwischen der US-Marine und Drogenschmugglern gekommen sein. "
        "In diesem Drogenkrieg spannt die Trump-Regierung den Bogen bis nach Venezuela."
    )
    assert a.paragraphs[-1].startswith("Feste Partnerschaft mit Russland\nVenezuela pflegt")
    assert a.paragraphs[-1].endswith("eine mögliche Raketenlieferung nach Caracas höchst fraglich.")
    assert all("Foto:" not in p for p in a.paragraphs)
    assert a.photo_credits[0] == "IMAGO / Zoonar; IMAGO / ZUMA Press Wire"
    assert "imago images/Agencia EFE" in a.photo_credits
    assert a.title not in a.paragraphs  # the title (listed twice in the file) is not a paragraph


def test_seed_003_run_on_gallery_is_split_at_the_credits() -> None:
    _, a = _seed("003_6dc3690066260e37.txt")
    assert a.published == date(2025, 10, 28)
    assert a.title == "Während Trump in Venezuela operiert: Umstrittener Deal von Putin"
    assert a.source is None and a.author is None
    assert len(a.paragraphs) == 9
    assert a.paragraphs[0].startswith("Donald Trump versprach im Wahlkampf")  # the teaser on the date line
    assert a.paragraphs[1].endswith("Doch jetzt grätscht Putin dazwischen.")
    assert a.paragraphs[2].startswith("Venezuela ist ein wichtiges Transitland")
    assert a.paragraphs[-1] == (
        "Russland ist zudem der wichtigste Waffenlieferant für Venezuela. Russische Kriegsschiffe und Bomber "
        "haben wiederholt in Venezuela operiert, um militärische Präsenz und Solidarität zu demonstrieren."
    )
    assert a.photo_credits == (
        "IMAGO/ABACAPRESS; ZUMA Press; Anadolu Agency", "imago/Xinhua", "IMAGO/Bestimage",
        "IMAGO/APAimages", "IMAGO/SNA", "IMAGO/ZUMA Press", "IMAGO/Anadolu Agency",
    )
    assert not any("Weitere Nachrichten" in p for p in a.paragraphs)


def test_no_seed_text_is_lost_or_duplicated() -> None:
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        a = parse_seed(text, path.name)
        assert a is not None
        joined = "\n".join(a.paragraphs)
        body = text
        for credit in a.photo_credits:
            body = body.replace(credit, "")
        for word in set(body.split()) - {"Foto:", "date", "Nachrichten:", "Weitere", "von", "1.", "3."}:
            if word[:1].isdigit() or word in a.title.split():
                continue
            assert word in joined or word in (a.author or "") or word in (a.source or ""), word
        assert len(set(a.paragraphs)) == len(a.paragraphs)


def test_ids_are_stable_across_reads() -> None:
    first, _ = read_all(SEEDS)
    again, problems = read_all(SEEDS)
    assert [a.id for a in first] == [a.id for a in again]
    assert len({a.id for a in first}) == 2
    assert problems == []


def test_credit_without_a_known_agency_ends_where_a_sentence_starts() -> None:
    pieces = split_credits("Der Hafen bei Nacht. Foto: Max Mustermann Die Stadt wächst weiter.")
    assert [(p.text, p.credit) for p in pieces] == [
        ("Der Hafen bei Nacht.", "Max Mustermann"), ("Die Stadt wächst weiter.", None)
    ]


_LINE = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs", "Cc"), blacklist_characters="\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
    ),
    max_size=80,
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_LINE, max_size=12), st.booleans())
def test_seed_reader_never_raises_and_keeps_every_content_line(lines: list[str], with_title: bool) -> None:
    header = " date 2025-10-28" + ("   1. Quelle.de\n  3. Ein Titel" if with_title else "")
    text = header + "\n\n" + "\n\n".join(lines)
    article = parse_seed(text, "prop.txt")
    if article is None:
        return
    joined = " ".join(" ".join(p.split()) for p in (*article.paragraphs, article.title, article.author or ""))
    for line in lines:
        words = line.split()
        if not words or BOILERPLATE.match(line.strip()) or "Foto" in line or ":" in line:
            continue
        for word in words:
            assert word in joined or word.strip("\u00ad\u200b\u200c\u200d\u2060\ufeff") == "" or any(
                c in word for c in "\u00ad\u200b\u200c\u200d\u2060\ufeff\u00a0"
            ) or word.startswith("von"), (word, article.paragraphs)
