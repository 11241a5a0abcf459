"""Context-free German lemmas from simplemma's dictionary, plus the rules it misses.

simplemma is case-sensitive for German (nouns are capitalised), so a lookup
tries the word as written, then the other casing: users type ``kriege`` for
``Kriege``. Rules for what the dictionary does not cover:

* genitive ``-s`` on names (``Trumps`` → ``Trump``, ``Putins`` → ``Putin``), also where
  the dictionary lists the genitive as a word of its own (``Russlands``, ``Chinas``);
* ASCII and Swiss spellings (``Praesidenten`` → ``Präsidenten``, ``Strasse`` → ``Straße``);
* participles meet their verb in every form (``geplanten`` → ``planen``), declined
  adjectives their adjective (``rassistischen`` → ``rassistisch``), and every form of a
  nominalised adjective has one lemma (``Tote``, ``Toten``, ``Toter`` → ``tot``);
* lemmas in the reformed spelling when the word is so written (``Prozess``, not ``Prozeß``);
* a small override table for forms simplemma gets wrong.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from functools import cached_property

from .lemma_table import german_lemmas, german_table, simplemma_rules

__all__ = ["DICTIONARY_FIXES", "OVERRIDES", "SEPARABLE_PARTICLES", "Lexicon"]

# Forms simplemma lemmatises wrongly or not at all (keys lowercase).
OVERRIDES: Mapping[str, str] = {
    "zerstört": "zerstören",
    "zerstörte": "zerstören",
    "zerstörten": "zerstören",
    # Swiss/ASCII spelling of Straße; the dictionary reads it as the plural of Strass (rhinestone).
    "strasse": "Straße",
    "strassen": "Straße",
    "usa": "USA",
    "us": "US",
    "eu": "EU",
    "uno": "UNO",
    "un": "UN",
    "nato": "NATO",
    "cia": "CIA",
    # Names in -s that the dictionary (or the genitive rule) reads as another name's
    # genitive: Andreas is no "Andrea's", Nils no "Nil's" (the river), Morales no
    # "Morale's". Only names whose -s form is the name itself; "Peters" and "Roberts"
    # are as often the genitive of Peter and Robert, and stay so.
    **{
        name.lower(): name
        for name in (
            "Andreas", "Thomas", "Lukas", "Jonas", "Elias", "Niklas", "Nikolas", "Nicolas",
            "Jens", "Lars", "Nils", "Mats", "Ines", "Marcos", "Nikos", "Kostas", "Georges",
            "Jules", "Andrés", "Tomás", "Jesús", "Morales", "Torres", "Santos", "Ramos", "Reyes",
        )
    },
}

# Dictionary entries that are wrong for news German, as written: the dictionary reads
# "Quelle" (source) as a form of the archaic "Quell", though "Quellen" → "Quelle".
DICTIONARY_FIXES: Mapping[str, str] = {"Quelle": "Quelle", "Halle": "Halle"}
_FIXED_LEMMAS = frozenset(lemma.replace("ß", "ss") for lemma in DICTIONARY_FIXES.values())

# Separable verb particles (trat ... zurück → zurücktreten; angewendet → anwenden).
SEPARABLE_PARTICLES = (
    "ab", "an", "auf", "aus", "bei", "dar", "durch", "ein", "fest", "fort", "her", "hin", "los",
    "mit", "nach", "nieder", "statt", "teil", "um", "vor", "weg", "weiter", "wieder", "zu",
    "zurück", "zusammen", "hoch", "frei", "heim", "hinzu", "voran", "vorbei", "entgegen",
    "gegenüber", "herab", "heraus", "herein", "herum", "hinaus", "hinein", "hinterher", "empor",
    "kennen", "bekannt", "statt", "offen", "fern", "kund", "über", "unter", "wider",
)
_PARTICLES_GE = tuple(particle + "ge" for particle in SEPARABLE_PARTICLES)
_ADJECTIVE_ENDINGS = ("", "e", "en", "er", "es", "em")
# Suffixes that make adjectives (rassist-isch, fried-lich, medi-al, …).
_ADJECTIVE_SUFFIXES = ("isch", "lich", "al", "ell", "iv", "sam", "haft", "los", "är", "ös")
# Endings of a nominalised adjective (der Tote, des Toten, ein Toter), longest first.
_NOMINAL_ENDINGS = ("en", "er", "es", "em", "e")
_TRANSLIT = (("ae", "ä"), ("oe", "ö"), ("ue", "ü"))
# Endings where a final "s" is part of the word, not a genitive ("Hans", "Paris");
# "-ons" is a genitive of names in "-on" (Goldensons, Jacksons).
_NOT_GENITIVE = ("ss", "us", "is", "ns", "x")


_INSEPARABLE = ("be", "emp", "ent", "er", "ge", "miss", "ver", "zer")


def _participle_shaped(stem: str) -> bool:
    """``geplant``, ``verbunden``, ``angekommen``, ``zunehmend``: a past participle (ge-,
    an inseparable prefix, or a particle + ge-) or a present participle (-end)."""
    if stem.endswith("end"):
        return True
    if not stem.endswith(("t", "en")):
        return False
    return stem.startswith(_INSEPARABLE) or any(stem.startswith(p + "ge") for p in SEPARABLE_PARTICLES)


def _verb_of_participle(participle: str, d: Mapping[str, str]) -> str | None:
    """The dictionary's verb for a participle it reads as one, checked against the verb's
    own forms, since it misreads some adjectives: ``geplant`` → ``planen`` (``plant`` is
    a form of it), ``zunehmend`` → ``zunehmen``, but not ``gesamt`` → ``samen``."""
    reading = d.get(participle)
    if reading is None or reading == participle or not reading.endswith("n"):
        return None
    if participle.endswith("end"):
        return reading if reading == participle[:-3] + "en" else None
    if participle.startswith("ge") and participle.endswith("t"):
        return reading if d.get(participle[2:]) == reading else None
    return None


def _unknown_isch_adjective(lower: str) -> str | None:
    """A declined adjective in *-isch* (``kenianischen`` → ``kenianisch``): the dictionary
    lacks many adjectives of countries and peoples, and no other German word ends in
    *-ische*, *-ischen* … after four letters but the rare unknown verb in *-mischen*."""
    for ending in ("en", "er", "es", "em", "e"):
        if lower.endswith(ending) and lower[: -len(ending)].endswith("isch"):
            stem = lower[: -len(ending)]
            return stem if len(stem) >= 8 and stem.isalpha() else None
    return None


def _name_in_n(lower: str) -> bool:
    """``putins``, ``bidens``, ``erdogans``, ``kachelmanns``: a genitive of a name ending
    in vowel + n or in -nn (``hans`` and ``jens`` are too short to be read so)."""
    return len(lower) >= 6 and lower.endswith("ns") and (lower[-3] in "aeiouäöüy" or lower[-3] == "n")


def _respellings(word: str) -> list[str]:
    """ASCII and Swiss spellings back to German ones: Praesident → Präsident, Strasse → Straße."""
    out: list[str] = []
    umlauts = word
    for ascii_form, umlaut in _TRANSLIT:
        umlauts = umlauts.replace(ascii_form, umlaut)
    if umlauts != word:
        out.append(umlauts)
    for base in (word, umlauts):
        if "ss" in base:
            i = base.rfind("ss")
            out.append(base[:i] + "ß" + base[i + 2 :])
    return out


class Lexicon:
    """Lemma lookups against simplemma's German dictionary, cached per word form.

    Thread-safe: the cache is a plain dict and a racing duplicate computation
    is harmless (the result is deterministic).
    """

    def __init__(self, user_lemmas: Mapping[str, str] | None = None) -> None:
        # The user's override file (lowercase word → lemma) wins over everything.
        self.user_lemmas: Mapping[str, str] = dict(user_lemmas or {})
        self._cache: dict[str, str] = {}
        self._lock = threading.Lock()

    @cached_property
    def _dictionary(self) -> Mapping[str, str]:
        # simplemma's dictionary, memory-mapped from the per-user cache (see lemma_table).
        return german_table()

    @cached_property
    def _lemmas(self) -> Mapping[str, str]:
        # The dictionary's lemmas, ß written ss (see lemma_table.german_lemmas).
        return german_lemmas()

    def load(self) -> None:
        """Load the dictionary now (otherwise the first lookup does)."""
        _ = self._dictionary
        _ = self._lemmas

    @property
    def loaded(self) -> bool:
        """Whether the dictionary is loaded."""
        return "_dictionary" in self.__dict__  # where cached_property keeps it

    def lookup(self, word: str) -> str | None:
        """The dictionary lemma of ``word`` as written, or ``None`` if unknown.

        simplemma lists many nouns under their pre-1996 spelling (``Prozesse`` →
        ``Prozeß``, ``Anschlusses`` → ``Anschluß``). A word written with ``ss`` gets
        its lemma in the same spelling (``Prozess``), so that comparing a form with
        its lemma, as the compound splitter does (``Friedens`` + ``prozess``), does
        not fail on the spelling reform alone.
        """
        lemma = DICTIONARY_FIXES.get(word) or self._dictionary.get(word)
        if lemma is not None and "ß" in lemma and "ß" not in word:
            return lemma.replace("ß", "ss")
        return lemma

    def may_be_lemma(self, word: str) -> bool:
        """False when :meth:`lookup` gives ``word`` (or it written with ss for ß) for no
        form at all: it is no value of the dictionary. One probe that spares the
        compound splitter a dozen lookups of forms of a string that is no word."""
        ss = word.replace("ß", "ss") if "ß" in word else word
        return ss in _FIXED_LEMMAS or self._lemmas.get(ss) is not None

    def knows(self, word: str) -> bool:
        """True if ``word`` (as written, or with the other initial casing) is in the dictionary."""
        return self._known_lemma(word) is not None

    def _known_lemma(self, word: str) -> str | None:
        d = self._dictionary
        lemma = DICTIONARY_FIXES.get(word) or d.get(word)
        if lemma is not None:
            return lemma
        if word[:1].isupper():
            lower = word.lower()
            return d.get(lower)
        else:
            return d.get(word[:1].upper() + word[1:])

    @cached_property
    def _simplemma_rules(self) -> Callable[[str], str]:
        return simplemma_rules()

    def lemma(self, word: str) -> str:
        """The lemma of ``word`` (same casing conventions as simplemma)."""
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        result = self._compute(word)
        if len(self._cache) > 500_000:  # bound memory on endless vocabularies
            with self._lock:
                self._cache.clear()
        self._cache[word] = result
        return result

    def participle_verb(self, lower: str) -> str | None:
        """The infinitive of a participle the dictionary lists as an adjective:
        ``klassifiziert`` → ``klassifizieren``, ``angewendete`` → ``anwenden``,
        ``zurückgetreten`` → ``zurücktreten``; ``None`` if it is not one."""
        d = self._dictionary
        known = d.get(lower)
        # Only where the dictionary has no reading of the declined form (or lists it as its
        # own lemma): "gesamte" → "gesamt", "stärkste" → "stark" stay as it says.
        unread = known is None or known == lower
        # "geplanten" → "geplant" → "planen" (the same for every ending: worked out once).
        known_verb = _verb_of_participle(known, d) if known is not None and not unread else None
        for ending in _ADJECTIVE_ENDINGS:
            if not lower.endswith(ending) or len(lower) - len(ending) < 5:
                continue
            stem = lower[: len(lower) - len(ending)] if ending else lower
            candidates: list[str] = []
            # "geplanten" like "geplant" → "planen": the dictionary knows the bare participle
            # as the verb's form, not its declined forms (probed only for a participle's shape).
            bare = d.get(stem) if ending and unread and _participle_shaped(stem) else None
            if bare is not None and bare != stem and bare.islower() and bare.endswith("n"):
                candidates.append(bare)
            elif ending and known_verb is not None:
                candidates.append(known_verb)
            if stem.endswith("iert"):
                candidates.append(stem[:-1] + "en")
            # Most words start with no particle + ge-: one test spares the walk over them.
            for particle in SEPARABLE_PARTICLES if stem.startswith(_PARTICLES_GE) else ():
                rest = stem[len(particle) + 2 :]
                if stem.startswith(particle + "ge") and len(rest) >= 3:
                    for suffix in ("et", "t", "en"):
                        if rest.endswith(suffix):
                            candidates.append(particle + rest[: -len(suffix)] + "en")
            for verb in candidates:
                if d.get(verb) == verb:
                    return verb
        return None

    def _declined_adjective(self, lower: str, *, suffixed: bool = False) -> str | None:
        """``rassistischen`` → ``rassistisch``: a declined form of an adjective the dictionary
        knows, where it lacks the form or lists it as a lemma of its own. ``suffixed``: only
        adjectives with an adjective suffix (``-isch``, ``-lich``, ``-al`` …), since a
        verb's infinitive is its own lemma too (``halten`` is no form of ``halt``)."""
        d = self._dictionary
        for ending in ("en", "er", "es", "em", "e"):
            stem = lower[: -len(ending)]
            if not lower.endswith(ending) or len(stem) < (5 if suffixed else 4) or d.get(stem) != stem:
                continue
            if suffixed and not stem.endswith(_ADJECTIVE_SUFFIXES):
                continue
            return stem
        return None

    def nominal_stem(self, word: str) -> str | None:
        """The adjective or participle under a capitalised nominalised form, or ``None``.

        ``Toten``, ``Tote`` and ``Toter`` → ``tot``; ``Vorsitzenden`` → ``vorsitzend``.
        simplemma gives such words a lemma per form (``Tote`` but ``Toter`` for
        ``Toten``), so a search for one form missed the others. A word qualifies when
        the dictionary knows its ``-e``, ``-en`` and ``-er`` forms, all as forms of the
        same stem, and no genitive in ``-ers``: ``Lehrer`` (``Lehrers``) and ``Alter``
        (``Alters``) are nouns of their own, not ``Lehre`` or ``alt`` declined.
        """
        if not word[:1].isupper() or word.isupper() or not word.isalpha():
            return None
        lower = word.lower()
        if len(lower) != len(word):
            return None
        d = self._dictionary
        for ending in _NOMINAL_ENDINGS:
            if not lower.endswith(ending):
                continue
            stem = lower[: -len(ending)]
            if len(stem) < 3:
                return None
            cap = word[: len(stem)]
            readings = {stem, stem + "e", stem + "er", stem + "en"}
            lemmas: list[str] = []
            for e in ("e", "en", "er"):  # the first form that fails ends it: no more probes
                lemma = d.get(cap + e)
                if lemma is None or lemma.lower() not in readings:
                    return None
                lemmas.append(lemma)
            if d.get(cap + "ers") is not None:
                return None
            # The dictionary must link the -e and the -er families (``Toten`` → ``Toter``,
            # ``Angestellte`` → ``Angestellter``): ``Schule``/``Schuler`` and
            # ``Nase``/``Naser`` are a noun and a name that only look declined.
            own = {stem}
            if d.get(stem) == stem or (stem.endswith(("t", "end")) and d.get(stem) is not None):
                own.add(cap)  # an adjective or participle: "Angeklagte" → "Angeklagt"
            e_form, en_form, er_form = lemmas
            if e_form in own | {cap + "er"} or en_form in own | {cap + "er"} or er_form in own | {cap + "e"}:
                return stem
            return None
        return None

    def nominal_lemma(self, lemma: str) -> str:
        """``lemma``, or the stem of a nominalised adjective (see :meth:`nominal_stem`)."""
        return self.nominal_stem(lemma) or lemma

    def _genitive_entry(self, word: str) -> bool:
        """The dictionary lists a name's genitive as a word of its own (``Schröders``,
        ``Chinas``, ``Russlands`` → themselves) while it knows the name (``Schröder``):
        such an entry has no forms of its own, unlike ``Kurs`` (``Kurse``) or ``Mais``."""
        if not word[:1].isupper() or not word.endswith("s") or word.endswith(("ss", "is", "us")):
            return False  # "Basis", "Globus": a final s of the word itself
        stem = word[:-1]
        d = self._dictionary
        if len(stem) < 3 or d.get(stem) != stem:
            return False
        return not any(d.get(word + e) == word for e in ("e", "en", "es", "ses", "n", "er"))

    def _adjective_reading(self, word: str, lemma: str) -> str:
        """A capitalised adjective meets its lowercase form: the dictionary reads
        ``Osmanischen`` as the noun ``Osmanische``, ``osmanischen`` as ``osmanisch``."""
        if not (word[:1].isupper() and lemma[:1].isupper()):
            return lemma
        adjective = self._dictionary.get(word.lower())
        if (
            adjective is None
            or not adjective.islower()
            # Nominalised participles (Abgeordnete, Vorsitzende) keep their noun lemma.
            or adjective.endswith(("t", "end"))
        ):
            return lemma
        return adjective if lemma.lower() in (adjective + "e", adjective + "er") else lemma

    def _compute(self, word: str) -> str:
        lower = word.lower()
        override = self.user_lemmas.get(lower) or OVERRIDES.get(lower)
        if override is not None:
            return override
        if not word[:1].isalpha():
            return word
        if word.isupper() and len(word) > 1:
            return word  # acronyms: BND, GPS
        if word.islower():
            verb = self.participle_verb(lower)
            if verb is not None:
                return verb
        else:
            stem = self.nominal_stem(word)
            if stem is not None:
                return stem
        lemma = self._known_lemma(word)
        if lemma is not None:
            if lemma == word and self._genitive_entry(word):
                return word[:-1]
            if lemma == word and word.islower():
                adjective = self._declined_adjective(word, suffixed=True)
                if adjective is not None:
                    return adjective  # the dictionary lists "rassistischen" as its own lemma
            return self._adjective_reading(word, lemma)
        for respelled in _respellings(word):
            lemma = self._known_lemma(respelled)
            if lemma is not None:
                return lemma
        if word.islower():
            adjective = self._declined_adjective(word)
            if adjective is not None:
                return adjective
            adjective = _unknown_isch_adjective(lower)
            if adjective is not None:
                return adjective  # bolivianischen → bolivianisch, a country the dictionary lacks
        lemma = self._simplemma_rules(word)
        if lemma != word:
            return lemma
        if (
            word[:1].isupper()
            and len(word) >= 4
            and word.endswith("s")
            and (not lower.endswith(_NOT_GENITIVE) or lower.endswith("ons") or _name_in_n(lower))
        ):
            stem = word[:-1]
            known = self._known_lemma(stem)
            return known if known is not None else stem
        return word
