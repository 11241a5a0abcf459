"""Country adjectives meet their country (issue 14, rules 9), on real German sentences
(written for these tests): *pakistanischen* is indexed with the part ``pakistan``, a
declined *-isch* adjective the dictionary lacks gets its base form, and a query's
country adjective also searches the country."""

from __future__ import annotations

import pytest

from newsindex import Article, NewsIndex, analyze
from newsindex.analysis.folding import fold
from newsindex.analysis.places import COUNTRY_ADJECTIVES, place_of_adjective


def _terms(text: str) -> dict[str, tuple[str, tuple[str, ...]]]:
    return {t.text: (t.lemma, t.parts) for t in analyze(text) if not t.is_stop}


def test_a_country_adjective_carries_its_country_as_a_part() -> None:
    terms = _terms("Die pakistanischen Behörden und die französische Regierung verhandeln in Genf.")
    assert terms["pakistanischen"] == ("pakistanisch", ("pakistan",))
    assert terms["französische"] == ("franzosisch", ("frankreich",))
    assert terms["Behörden"] == ("behorde", ())  # an ordinary noun keeps no place
    # At the start of a sentence, capitalised, too.
    assert _terms("Russische Truppen zogen ab.")["Russische"] == ("russisch", ("russland",))


def test_an_unknown_isch_adjective_gets_its_base_form() -> None:
    # The dictionary knows neither "kenianische" nor "bolivianischer".
    terms = _terms("Die kenianische Polizei nahm einen bolivianischen Händler fest.")
    assert terms["kenianische"] == ("kenianisch", ("kenia",))
    assert terms["bolivianischen"] == ("bolivianisch", ("bolivien",))
    # Verbs in -ischen stay verbs; short words are left alone.
    terms = _terms("Sie wollten die Spuren verwischen und Farben mischen.")
    assert terms["verwischen"][0] == "verwischen"
    assert terms["mischen"][0] == "mischen"


@pytest.mark.parametrize("adjective", sorted(COUNTRY_ADJECTIVES))
def test_every_listed_adjective_is_read_as_itself_with_its_place(adjective: str) -> None:
    place = COUNTRY_ADJECTIVES[adjective]
    assert place_of_adjective(fold(adjective)) == place
    declined = _terms(f"Die {adjective}en Behörden schwiegen.")[f"{adjective}en"]
    assert declined[0] == fold(adjective), (adjective, declined)
    assert fold(place) in declined[1], (adjective, declined)


def _index() -> NewsIndex:
    ix = NewsIndex.in_memory(analysis="builtin")
    ix.add(
        [
            Article.create(
                title="Gespräche in Genf",
                paragraphs=["Die pakistanischen Behörden haben am Montag drei Verdächtige festgenommen."],
            ),
            Article.create(
                title="Regierungskrise",
                paragraphs=["Pakistans Regierung hat am Montag drei Minister entlassen."],
            ),
            Article.create(
                title="Haushalt",
                paragraphs=["Frankreichs Regierung legte am Mittwoch einen strengen Haushalt vor."],
            ),
        ]
    )
    return ix


def test_the_country_finds_its_adjective_and_marks_it_below_the_name() -> None:
    with _index() as ix:
        results = ix.search("Pakistan")
        assert results.total == 2
        assert [h.marked_words for h in results] == [["Pakistans"], ["pakistanischen"]]


def test_a_query_adjective_also_finds_the_country_name() -> None:
    with _index() as ix:
        results = ix.search("französische")
        assert results.total == 1 and not results.notes
        assert results.hits[0].text.startswith("Frankreichs Regierung")
        assert results.hits[0].marked_words == ["Frankreichs"]
        # Beside other words it adds a little, at the weight of a compound's part.
        both = ix.search("französische Regierung", max_per_article=None)
        assert [h.marked_words for h in both].count(["Frankreichs", "Regierung"]) == 1


def test_a_common_query_adjective_still_searches_its_country() -> None:
    # "französische" in more passages than a compound's parts are searched for.
    kitchen = [
        Article.create(title=f"Rezept {i}", paragraphs=[f"Die französische Küche kennt {i} Arten von Käse."])
        for i in range(60)
    ]
    budget = Article.create(title="Haushalt", paragraphs=["Frankreichs Regierung legte einen Haushalt vor."])
    with NewsIndex.in_memory(analysis="builtin") as ix:
        ix.add([*kitchen, budget])
        results = ix.search("französische Regierung", max_per_article=None, limit=100)
        assert results.hits[0].text == budget.paragraphs[0]
        assert results.hits[0].marked_words == ["Frankreichs", "Regierung"]
