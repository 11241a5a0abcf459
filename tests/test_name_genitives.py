"""A foreign name and its genitive find each other (``Celebi`` / ``Celebis``)."""

from __future__ import annotations

import pytest
from conftest import WIKINEWS

from newsindex import Article, NewsIndex
from newsindex.analysis.name_genitives import genitive_partner


def test_partner_of_names_in_i_and_u_and_of_their_genitives() -> None:
    assert genitive_partner("gaddafi") == "gaddafis"
    assert genitive_partner("gaddafis") == "gaddafi"
    assert genitive_partner("papandreou") == "papandreous"
    assert genitive_partner("papandreous") == "papandreou"
    # Other endings: the chain strips their genitive itself (Obamas, Putins), or the
    # word is no name (numbers, hyphenated words).
    for lemma in ("obama", "putin", "merkel", "g20", "el-baradei", "Gaddafi", "ui"):
        assert genitive_partner(lemma) is None, lemma


@pytest.mark.slow  # reads the shared corpora
def test_a_name_finds_and_marks_its_genitive_and_back(wiki: tuple[NewsIndex, NewsIndex]) -> None:
    assert WIKINEWS.is_file()
    for ix in wiki:
        plain = ix.search("Celebi", limit=20)
        assert "Celebis" in {w for h in plain for w in h.marked_words}
        genitive = ix.search("Celebis", limit=20)
        assert "Celebi" in {w for h in genitive for w in h.marked_words}
        assert {(h.article_id, h.paragraph) for h in plain} == {(h.article_id, h.paragraph) for h in genitive}
        # A name in a hyphenated word too: "el-Baradei" finds "El-Baradeis".
        assert "El-Baradeis" in {w for h in ix.search("Baradei", limit=20) for w in h.marked_words}


def _index(paragraphs: dict[str, str]) -> NewsIndex:
    """One single-paragraph article per entry (id → text) in a fresh in-memory index."""
    ix = NewsIndex.in_memory()
    ix.add(Article.create(id=key, title=key, paragraphs=[text]) for key, text in paragraphs.items())
    return ix


def test_dictionary_words_keep_their_own_genitive_rules() -> None:
    """``Mai`` (the month) is no name: it must not find ``Mais`` (maize)."""
    with _index({
        "wahl": "Im Mai wurde in Bremen gewählt.",
        "feld": "Der Mais wächst auf den Feldern am Rhein.",
        "name": "Celebis Besuch in Ankara war kurz.",
        "rede": "Celebi sprach in Istanbul vor Studenten.",
    }) as ix:
        assert [h.article_id for h in ix.search("Mai")] == ["wahl"]
        assert [h.article_id for h in ix.search("Mais")] == ["feld"]
        found = ix.search("Celebi")
        assert sorted(h.article_id for h in found) == ["name", "rede"]
        assert not found.notes  # found as the name, not as a typo's correction


def test_names_in_s_are_not_read_as_another_names_genitive() -> None:
    """*Nils* is no genitive of *Nil* (the river), *Andreas* none of *Andrea*: searching
    the one must not find or mark the other."""
    with _index({
        "fluss": "Der Nil führt diesen Sommer wenig Wasser.",
        "wahl": "Nils Schmid verlor die Wahl in Stuttgart.",
        "spd": "Andrea Nahles trat als Parteichefin zurück.",
        "csu": "Andreas Scheuer blieb Verkehrsminister.",
    }) as ix:
        assert [h.article_id for h in ix.search("Nil")] == ["fluss"]
        assert [h.article_id for h in ix.search("Nils")] == ["wahl"]
        assert [h.article_id for h in ix.search("Andrea")] == ["spd"]
        assert [(h.article_id, h.marked_words) for h in ix.search("Andreas")] == [("csu", ["Andreas"])]
