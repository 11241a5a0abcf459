"""Words joined by a slash, a dash or a non-breaking hyphen are found as the words they are.

spaCy keeps *CDU/CSU* and *Peking–Guangzhou* (en dash) as one token, so `CSU` did not
find *die Union aus CDU/CSU* and `Guangzhou` did not find the new line *Peking–Guangzhou*.
"""

from __future__ import annotations

import pytest

from newsindex import AnalysisConfig, Article, NewsIndex, analyze

BUILTIN = AnalysisConfig(lemmatizer="builtin")


def words(text: str) -> list[tuple[str, str]]:
    return [(t.text, t.lemma) for t in analyze(text, BUILTIN)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("CDU/CSU", [("CDU", "cdu"), ("CSU", "csu")]),
        ("Peking–Guangzhou", [("Peking", "peking"), ("Guangzhou", "guangzhou")]),  # en dash
        ("Nord—Süd", [("Nord", "nord"), ("Süd", "sud")]),  # em dash
        ("Biontech/Pfizer", [("Biontech", "biontech"), ("Pfizer", "pfizer")]),
    ],
)
def test_a_slash_or_a_dash_between_words_separates_them(text: str, expected: list[tuple[str, str]]) -> None:
    assert words(text) == expected


def test_a_non_breaking_hyphen_joins_like_a_hyphen() -> None:
    (tok,) = analyze("Merkel\u2011Regierung", BUILTIN)
    (ascii_tok,) = analyze("Merkel-Regierung", BUILTIN)
    expected = ("merkel-regierung", ("merkel", "regierung"))
    assert (tok.lemma, tok.parts) == (ascii_tok.lemma, ascii_tok.parts) == expected


def test_offsets_of_the_separated_words_point_at_them() -> None:
    text = "Die Union aus CDU/CSU stimmt zu."
    toks = analyze(text, BUILTIN)
    assert [text[t.start : t.end] for t in toks if t.lemma in ("cdu", "csu")] == ["CDU", "CSU"]


def test_csu_and_guangzhou_find_and_mark_their_word() -> None:
    with NewsIndex.in_memory(analysis="builtin") as ix:
        ix.add([
            Article(id="union", title="Haushalt", paragraphs=(
                "Die Union aus CDU/CSU lehnt den Haushalt ab.",)),
            Article(id="bahn", title="China", paragraphs=(
                "Die Schnellfahrstrecke Peking–Guangzhou ist 2298 Kilometer lang.",)),
            Article(id="wetter", title="Wetter", paragraphs=("Am Wochenende regnet es im Norden.",)),
        ])
        assert [h.marked_words for h in ix.search("CSU").hits] == [["CSU"]]
        assert [h.marked_words for h in ix.search("Guangzhou").hits] == [["Guangzhou"]]
        assert ix.search('"Peking Guangzhou"').total == 1  # adjacent words: a phrase matches
