"""Golden tests for the two seed articles, and the seed reader's invariants."""

from __future__ import annotations

import unicodedata
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsindex.article import Article
from newsindex.ingest import read_all
from newsindex.ingest.credits import split_credits
from newsindex.ingest.paragraphs import normalize_text
from newsindex.ingest.seedformat import BOILERPLATE, is_seed_text, parse_seed

SEEDS = Path(__file__).resolve().parents[1] / "seeds"

SEED_000_PARAGRAPHS = (
    "Im Krieg gegen Drogenkartelle konfrontiert Trump den venezolanischen Diktator. Dieser wendet sich an "
    "China und Russland.",
    # two related-article links, unlabelled in the file: kept, one paragraph per line
    "Trumps Eskalation in der Karibik: Venezuela holt Unterstützung von Putin.",
    "Ukraine, Pakistan, Iran: Überall Kriege und Konflikte - kein Frieden in Sicht",
    "Neue Eskalation in der Karibik! Der US-Präsident Donald Trump, der sich sonst um Frieden in der Ukraine "
    "und im Nahen Osten bemüht, ist auf dem Kriegspfad mit dem venezolanischen Präsidenten Nicolás Maduro. "
    "Die USA ziehen eine militärische Intervention in Betracht, um die Drogenflut aus Venezuela zu stoppen. "
    "Doch Maduro denkt einen Schritt voraus und sichert sich Unterstützung von seinen Diktator-Kollegen.",
    "Darum ist Maduro auf Putin angewiesen:",
    "USA führen einen Krieg gegen Drogenbanden in der Karibik\nIn der Karibik und im Pazifik soll es seit "
    "Wochen zu tödlichen Zusammenstößen zwischen der US-Marine und Drogenschmugglern gekommen sein. In "
    "diesem Drogenkrieg spannt die Trump-Regierung den Bogen bis nach Venezuela.",
    "Trump gibt seinen Geheimdiensten grünes Licht\nDonald Trump verdächtigt den venezolanischen Diktator "
    "Maduro, hinter den Drogenbanden zu stehen. Venezuela wies die Vorwürfe zurück. Außerdem hat Trump "
    "verkündet, dass der US-Auslandsgeheimdienst CIA in Venezuela bereits aktiv ist.",
    "US-Angriff auf Venezuela nicht ausgeschlossen\nJegliche Vermutungen über geplante Angriffe oder "
    "Manöver gegen Venezuela wies der US-Präsident zurück. Ob er damit auch künftige Angriffe meint, bleibt "
    "unklar.",
    "Maduro bittet Russland, China und den Iran um Hilfe – per Brief\nMaduro soll Briefe an den Kremlchef "
    "Wladimir Putin, den chinesischen Machthaber Xi Jinping und den Religionsführer Irans Ayatollah Ali "
    "Chamenei geschrieben haben. Darin bittet er um Verteidigungsradargeräte, Flugzeugreparaturen und um "
    "Raketen.",
    "Ausgesprochene Bitte an China\nIm Brief an die chinesische Führung bittet der venezolanische Präsident "
    "um „ausgeweitete militärische Zusammenarbeit“, um der „Eskalation zwischen den USA und Venezuela“ "
    "vorzubeugen.",
    "Der Iran soll Militärtechnik liefern\nOrtungsgeräte, GPS-Störsender und Drohnen soll Venezuela beim "
    "Iran angefragt haben. Die Lieferung soll bereits in Kürze erfolgen, beim nächsten Iran-Besuch des "
    "venezolanischen Verkehrsministers Ramón Celestino Velásquez.",
    "Maduro will seine Verbündeten in den Konflikt hineinziehen\nIn den Briefen betont Maduro die "
    "„Ernsthaftigkeit der wahrgenommenen US-Aggressionen“ und stellt einen US-Angriff auf Venezuela mit "
    "einer Kriegserklärung an China, Russland und den Iran gleich. Unbekannt ist, wie Peking, Moskau und "
    "Teheran auf das Schreiben reagieren.",
    "Feste Partnerschaft mit Russland\nVenezuela pflegt eine langjährige Partnerschaft mit Russland und "
    "könnte sich sogar vorstellen, russische Atomwaffen auf eigenem Territorium zu stationieren. Der "
    "Ukraine-Krieg macht jedoch eine mögliche Raketenlieferung nach Caracas höchst fraglich.",
)

SEED_003_PARAGRAPHS = (
    # the teaser on the date line
    "Donald Trump versprach im Wahlkampf, die Einfuhr illegaler Drogen in sein Land radikal zu bekämpfen. "
    "Diesem Versprechen lässt er nun Taten folgen und hat es dabei in erster Linie auf Venezuela abgesehen. "
    "Mit seinem Militär geht er gegen Drogenschmuggler und Banden vor. Mitten in diesen angespannten "
    "Konflikt platzt jetzt Kreml-Chef Putin und macht Washington das Leben schwerer. Die Details erfährst du "
    "in dieser Bildergalerie.",
    # the eight slides of the run-on gallery line, split at their photo credits
    "Donald Trump operiert mit seinem Militär in Venezuela. Grund sind die von hier stammenden Drogen, die "
    "bereits zahlreiche Todesopfer in den USA zur Folge hatten. Doch jetzt grätscht Putin dazwischen.",
    "Venezuela ist ein wichtiges Transitland für den illegalen Verkauf von Drogen. Vor allem Kokain und "
    "synthetische Drogen wie Ecstasy passieren die Landesgrenzen. Trump will gegen die Schmugglerbanden "
    "entschlossen vorgehen.",
    "In den vergangenen Wochen haben Trumps Streitkräfte vor der Küste Venezuelas wiederholt Schnellboote "
    "zerstört, die angeblich Drogen in die Vereinigten Staaten schmuggeln sollten. Venezuelas Präsident "
    "Nicolás Maduro warnte daraufhin vor einer möglichen US-Intervention und ordnete Militärübungen zur "
    "Stärkung der nationalen Verteidigungsbereitschaft an.",
    "Mitten in diese angespannte Lage platzt jetzt Kreml-Chef Putin, seines Zeichens ein enger Vertrauter "
    "von Präsident Maduro. Laut der Nachrichtenagentur Tass haben Russland und Venezuela eine strategische "
    "Partnerschaft geschlossen.",
    # (the opening quote mark is missing in the seed itself)
    "Das Abkommen hebt die russisch-venezolanischen Beziehungen auf eine grundlegend neue Ebene und deckt "
    "alle wichtigen Bereiche der bilateralen Zusammenarbeit ab“, so der russische Parlamentschef "
    "Wjatscheslaw Wolodin.",
    "Die Verbindung zwischen Putin und Maduro ist von strategischer Natur. Beide Regierungen sehen sich als "
    "Gegner der US-amerikanischen Außenpolitik und arbeiten zusammen, um eine „multipolare Weltordnung“ zu "
    "fördern.",
    "Russland gehört zu den wichtigsten Unterstützern Maduros auf internationaler Bühne, etwa im "
    "UN-Sicherheitsrat, wo Moskau Sanktionen oder militärische Maßnahmen gegen Venezuela regelmäßig "
    "ablehnt.",
    "Russland ist zudem der wichtigste Waffenlieferant für Venezuela. Russische Kriegsschiffe und Bomber "
    "haben wiederholt in Venezuela operiert, um militärische Präsenz und Solidarität zu demonstrieren.",
)


def _seed(name: str) -> Article:
    article = parse_seed((SEEDS / name).read_text(encoding="utf-8"), name)
    assert article is not None
    return article


def test_seed_000_metadata() -> None:
    a = _seed("000_ca04f8b1e94478b8.txt")
    assert a.published == date(2025, 11, 1)
    assert a.source == "DerWesten.de"
    assert a.title == "Trump droht mit Krieg! Venezuela bittet Putin um Unterstützung"
    assert a.author == "Yury Malakhov"


def test_seed_000_paragraphs_one_per_gallery_slide_with_its_heading() -> None:
    a = _seed("000_ca04f8b1e94478b8.txt")
    assert a.paragraphs == SEED_000_PARAGRAPHS
    assert len(a.paragraphs) == 13
    assert a.title not in a.paragraphs  # listed twice in the file (item 3 and title line), never a paragraph
    assert not any("Foto:" in p or "IMAGO" in p for p in a.paragraphs)


def test_seed_000_credits_are_metadata() -> None:
    a = _seed("000_ca04f8b1e94478b8.txt")
    assert a.extra == {}
    assert a.photo_credits == (
        "IMAGO / Zoonar; IMAGO / ZUMA Press Wire", "IMAGO/ZUMA Press Wire", "imago images/Agencia EFE",
        "IMAGO/Xinhua", "IMAGO/ZUMA Wire", "IMAGO/Anadolu Agency", "IMAGO/ZUMA Press",
    )


def test_seed_003_run_on_gallery_is_split_at_the_credits() -> None:
    a = _seed("003_6dc3690066260e37.txt")
    assert a.published == date(2025, 10, 28)
    assert a.title == "Während Trump in Venezuela operiert: Umstrittener Deal von Putin"
    assert (a.source, a.author) == (None, None)
    assert a.paragraphs == SEED_003_PARAGRAPHS
    assert a.photo_credits == (
        "IMAGO/ABACAPRESS; ZUMA Press; Anadolu Agency", "imago/Xinhua", "IMAGO/Bestimage",
        "IMAGO/APAimages", "IMAGO/SNA", "IMAGO/ZUMA Press", "IMAGO/Anadolu Agency",
    )
    assert a.extra == {}  # "Weitere Nachrichten:" is dropped, nothing follows it


def test_the_run_on_line_has_eight_slides_and_eight_credits() -> None:
    line = (SEEDS / "003_6dc3690066260e37.txt").read_text(encoding="utf-8").split("\n")[4]
    pieces = split_credits(line)
    assert [p.credit for p in pieces] == [
        "IMAGO/ABACAPRESS; ZUMA Press; Anadolu Agency", "imago/Xinhua", "IMAGO/Bestimage", "IMAGO/APAimages",
        "IMAGO/SNA", "IMAGO/ZUMA Press", "IMAGO/Anadolu Agency", "IMAGO/Anadolu Agency",
    ]
    assert [p.text for p in pieces] == list(SEED_003_PARAGRAPHS[1:])


def test_no_seed_word_is_lost_and_no_paragraph_duplicated() -> None:
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        a = parse_seed(text, path.name)
        assert a is not None
        kept = " ".join([*a.paragraphs, a.title, a.author or "", a.source or "", *a.photo_credits,
                         *a.extra.get("related", [])])
        markup = {"date", "1.", "3.", "von", "Foto:", "Weitere", "Nachrichten:", a.published.isoformat()}
        for word in text.split():
            assert word in markup or word in kept, (path.name, word)
        assert len(set(a.paragraphs)) == len(a.paragraphs)


def test_ids_are_stable_across_reads() -> None:
    first, problems = read_all(SEEDS)
    again, _ = read_all(SEEDS)
    assert [a.id for a in first] == [a.id for a in again]
    assert len({a.id for a in first}) == 2
    assert problems == []
    assert [Path(a.origin_path or "").name for a in first] == sorted(p.name for p in SEEDS.glob("*.txt"))


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "Die Feuerwehr rückte aus. Foto: IMAGO / Zoonar; IMAGO / ZUMA Press Wire",
            [("Die Feuerwehr rückte aus.", "IMAGO / Zoonar; IMAGO / ZUMA Press Wire")],
        ),
        (
            "Erste Szene. Foto: picture alliance/dpa | Michael Kappeler Der Bundestag tagte bis spät.",
            [
                ("Erste Szene.", "picture alliance/dpa | Michael Kappeler"),
                ("Der Bundestag tagte bis spät.", None),
            ],
        ),
        (  # unknown photographer: the credit ends where a sentence starts
            "Der Hafen bei Nacht. Foto: Max Mustermann Die Stadt wächst weiter.",
            [("Der Hafen bei Nacht.", "Max Mustermann"), ("Die Stadt wächst weiter.", None)],
        ),
        (  # a known agency then a sentence opening with a proper noun
            "Szene eins. Foto: IMAGO/Sven Simon Bayern München gewinnt das Derby.",
            [("Szene eins.", "IMAGO/Sven Simon"), ("Bayern München gewinnt das Derby.", None)],
        ),
        (  # "Quelle:" in body text names a statistic's source, not a photo: left alone
            "Die Inflation lag bei 2,4 Prozent. Quelle: Destatis",
            [("Die Inflation lag bei 2,4 Prozent. Quelle: Destatis", None)],
        ),
    ],
)
def test_credit_boundaries(line: str, expected: list[tuple[str, str | None]]) -> None:
    assert [(p.text, p.credit) for p in split_credits(line)] == expected


def test_seed_detection_needs_the_date_line() -> None:
    assert is_seed_text(" date 2025-10-28 Donald Trump versprach …")
    assert not is_seed_text("date night: zehn Ideen für den Herbst")
    assert parse_seed("Kein Seed\n\nText.") is None


def _nfc_words(line: str) -> list[str]:
    # Compare what the reader keeps: normalised text, minus the separators it trims around credits.
    return [w.strip(";,/|:") for w in normalize_text(line).split()]


_CREDIT_WORDS = {"foto", "fotos", "bild", "bildquelle", "fotoquelle", "bildrechte", "von"}


def _check_every_content_word_is_kept(lines: list[str], with_items: bool, joiner: str) -> None:
    header = " date 2025-10-28" + ("   1. Quelle.de\n  3. Ein Titel" if with_items else "")
    article = parse_seed(header + "\n\n" + joiner.join(lines), "prop.txt")
    if article is None:  # only when there is nothing to keep but photo credits
        found = " ".join(p.credit or "" for line in lines for p in split_credits(line))
        for line in lines:
            if not BOILERPLATE.match(line.strip()):
                assert all(w in found or w.lower() in _CREDIT_WORDS for w in _nfc_words(line) if w), line
        return
    kept = " ".join([
        *article.paragraphs, article.title, article.author or "", article.source or "",
        *article.photo_credits, *article.extra.get("related", []),
    ])
    for raw in lines:
        if BOILERPLATE.match(raw.strip()):
            continue
        for word in _nfc_words(raw):
            if word and word.lower() not in _CREDIT_WORDS:
                assert word in kept, (word, raw, article)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80), max_size=14),
    st.booleans(),
    st.sampled_from(["\n\n", "\n"]),
)
def test_seed_reader_keeps_every_content_word_of_arbitrary_lines(
    lines: list[str], with_items: bool, joiner: str
) -> None:
    _check_every_content_word_is_kept(lines, with_items, joiner)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_seed_reader_never_raises_on_arbitrary_text(text: str) -> None:
    article = parse_seed(" date " + text)
    assert article is None or all(p and p == unicodedata.normalize("NFC", p) for p in article.paragraphs)
    parse_seed(text)


# Lines built from the pieces seed files are made of, so galleries, credits,
# author lines and boilerplate headers meet in every combination.
_PIECES = st.sampled_from([
    "Die", "Feuerwehr", "rückte", "aus.", "Venezuela", "ist", "ein", "Transitland.", "Foto:", "IMAGO/ZUMA",
    "Press", "Wire", "imago/Xinhua", "dpa", ";", "/", "|", "Max", "Mustermann", "von", "Weitere Nachrichten:",
    "28.", "Oktober", "z.", "B.", "„Zitat“", "–", "Anadolu", "Agency", "\u00ad", "\u00a0", "Bild:", "1.",
])
_LINES = st.lists(st.lists(_PIECES, max_size=12).map(" ".join), max_size=12)


@settings(max_examples=300, deadline=None)
@given(_LINES, st.booleans(), st.sampled_from(["\n\n", "\n"]))
def test_seed_reader_keeps_every_word_of_gallery_like_text(
    lines: list[str], with_items: bool, joiner: str
) -> None:
    _check_every_content_word_is_kept(lines, with_items, joiner)
