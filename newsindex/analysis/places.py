"""Adjectives of countries and regions and the place each names.

German news writes a country as often by its adjective as by its name:
*pakistanische Behörden* beside *Pakistans Behörden*, *die französische Regierung*
beside *Frankreichs Regierung*. The lemmatiser keeps them apart (``pakistanisch``,
``pakistan``); a stemmer meets some of them (Snowball strips *-isch*:
``pakistan``) and misses most (``spanisch``/``spani``, ``französisch``/``frankreich``).
The adjective of a country is indexed with the country as a compound part (half a
word's weight, the adjective marked), so ``Pakistan`` finds *pakistanischen*, and
a query's country adjective also searches the country at ``part_boost``.

The list holds the sovereign states German news writes about, with the adjective
the Auswärtiges Amt's list of state names uses, plus continents and the German
Länder whose adjective is not their name. Other places (*Madrider*, *Hamburger*)
are not here: the *-er* forms clash with ordinary words (*Papier*, *Walter*,
*Hunger*). A newsroom adds them to the override file as lemmas
(``Madrider<TAB>Madrid``).
"""

from __future__ import annotations

from collections.abc import Mapping

from .folding import fold

__all__ = ["COUNTRY_ADJECTIVES", "place_of_adjective"]

# Adjective (its lemma) → the place it names, both as written.
COUNTRY_ADJECTIVES: Mapping[str, str] = {
    "afghanisch": "Afghanistan",
    "ägyptisch": "Ägypten",
    "albanisch": "Albanien",
    "algerisch": "Algerien",
    "amerikanisch": "Amerika",
    "angolanisch": "Angola",
    "argentinisch": "Argentinien",
    "armenisch": "Armenien",
    "aserbaidschanisch": "Aserbaidschan",
    "äthiopisch": "Äthiopien",
    "australisch": "Australien",
    "belgisch": "Belgien",
    "bolivianisch": "Bolivien",
    "bosnisch": "Bosnien",
    "brasilianisch": "Brasilien",
    "britisch": "Großbritannien",
    "bulgarisch": "Bulgarien",
    "chilenisch": "Chile",
    "chinesisch": "China",
    "dänisch": "Dänemark",
    "deutsch": "Deutschland",
    "ecuadorianisch": "Ecuador",
    "englisch": "England",
    "estnisch": "Estland",
    "europäisch": "Europa",
    "finnisch": "Finnland",
    "französisch": "Frankreich",
    "georgisch": "Georgien",
    "ghanaisch": "Ghana",
    "griechisch": "Griechenland",
    "guatemaltekisch": "Guatemala",
    "haitianisch": "Haiti",
    "indisch": "Indien",
    "indonesisch": "Indonesien",
    "irakisch": "Irak",
    "iranisch": "Iran",
    "irisch": "Irland",
    "isländisch": "Island",
    "israelisch": "Israel",
    "italienisch": "Italien",
    "jamaikanisch": "Jamaika",
    "japanisch": "Japan",
    "jemenitisch": "Jemen",
    "jordanisch": "Jordanien",
    "kambodschanisch": "Kambodscha",
    "kamerunisch": "Kamerun",
    "kanadisch": "Kanada",
    "kasachisch": "Kasachstan",
    "kenianisch": "Kenia",
    "kirgisisch": "Kirgisistan",
    "kolumbianisch": "Kolumbien",
    "kongolesisch": "Kongo",
    "koreanisch": "Korea",
    "kosovarisch": "Kosovo",
    "kroatisch": "Kroatien",
    "kubanisch": "Kuba",
    "kuwaitisch": "Kuwait",
    "lettisch": "Lettland",
    "libanesisch": "Libanon",
    "libysch": "Libyen",
    "litauisch": "Litauen",
    "luxemburgisch": "Luxemburg",
    "malaysisch": "Malaysia",
    "malisch": "Mali",
    "marokkanisch": "Marokko",
    "mexikanisch": "Mexiko",
    "moldauisch": "Moldau",
    "mongolisch": "Mongolei",
    "montenegrinisch": "Montenegro",
    "mosambikanisch": "Mosambik",
    "namibisch": "Namibia",
    "nepalesisch": "Nepal",
    "neuseeländisch": "Neuseeland",
    "nicaraguanisch": "Nicaragua",
    "niederländisch": "Niederlande",
    "nigerianisch": "Nigeria",
    "nordkoreanisch": "Nordkorea",
    "norwegisch": "Norwegen",
    "österreichisch": "Österreich",
    "pakistanisch": "Pakistan",
    "palästinensisch": "Palästina",
    "panamaisch": "Panama",
    "paraguayisch": "Paraguay",
    "peruanisch": "Peru",
    "philippinisch": "Philippinen",
    "polnisch": "Polen",
    "portugiesisch": "Portugal",
    "ruandisch": "Ruanda",
    "rumänisch": "Rumänien",
    "russisch": "Russland",
    "schottisch": "Schottland",
    "schwedisch": "Schweden",
    "schweizerisch": "Schweiz",
    "senegalesisch": "Senegal",
    "serbisch": "Serbien",
    "simbabwisch": "Simbabwe",
    "singapurisch": "Singapur",
    "slowakisch": "Slowakei",
    "slowenisch": "Slowenien",
    "somalisch": "Somalia",
    "sowjetisch": "Sowjetunion",
    "spanisch": "Spanien",
    "südafrikanisch": "Südafrika",
    "sudanesisch": "Sudan",
    "südkoreanisch": "Südkorea",
    "syrisch": "Syrien",
    "tadschikisch": "Tadschikistan",
    "taiwanisch": "Taiwan",
    "tansanisch": "Tansania",
    "thailändisch": "Thailand",
    "tschechisch": "Tschechien",
    "tschetschenisch": "Tschetschenien",
    "tunesisch": "Tunesien",
    "türkisch": "Türkei",
    "turkmenisch": "Turkmenistan",
    "ugandisch": "Uganda",
    "ukrainisch": "Ukraine",
    "ungarisch": "Ungarn",
    "uruguayisch": "Uruguay",
    "usbekisch": "Usbekistan",
    "venezolanisch": "Venezuela",
    "vietnamesisch": "Vietnam",
    "weißrussisch": "Weißrussland",
    "belarussisch": "Belarus",
    "zyprisch": "Zypern",
    "afrikanisch": "Afrika",
    "asiatisch": "Asien",
    "arabisch": "Arabien",
    "bayerisch": "Bayern",
    "sächsisch": "Sachsen",
    "hessisch": "Hessen",
    "thüringisch": "Thüringen",
    "brandenburgisch": "Brandenburg",
}

_FOLDED = {fold(adjective): place for adjective, place in COUNTRY_ADJECTIVES.items()}


def place_of_adjective(lemma: str) -> str | None:
    """The place (as written: ``Frankreich``) that the adjective ``lemma`` names, or ``None``.

    ``lemma`` may be folded or not (``französisch``, ``franzosisch``)."""
    place = _FOLDED.get(lemma)  # the chain and the query pass folded lemmas: no second fold
    return place if place is not None else _FOLDED.get(fold(lemma))
