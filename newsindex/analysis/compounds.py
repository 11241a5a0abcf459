"""Dictionary-validated German compound splitting.

A noun is split head-first: the longest suffix that is a known *noun* becomes the
head (German compounds are head-final), the rest is the modifier, with a linking
element (-s-, -es-, -n-, -en-, -e-, -er-) removed when that makes it a known word.
Both halves are split again, so ``Bundeskartellamt`` → ``Bund`` + ``Kartell`` +
``Amt``. Every part must be a word of simplemma's German dictionary (1.1 M word
forms), and these rules keep what is not a compound whole:

* **heads are nouns** (capitalised dictionary lemmas) and never derivational
  suffixes (``-schaft``, ``-ion``, ``-heit``: ``Partnerschaft`` stays whole);
* **modifiers** are read as a noun first (``Straf-`` → ``Strafe``, not ``strafen``),
  then as a verb stem (``Such-`` → ``suchen``), then as an adjective (``Neu-``);
  verb particles and prefixes are not modifiers (``Zusammenhang``, ``Herstellung``,
  ``Verbrechen``), nor are function words;
* **short parts** (under four letters) must be on a small list of real short
  nouns and adjectives (``Amt``, ``Tag``, ``neu``): ``Sch-röder`` and ``Pro-test``
  are refused;
* **nominalised verbs** are words, not compounds: an infinitive (``Fernsehen``),
  and a verb's ``-ung`` or ``-er`` noun when the whole verb is in the dictionary
  (``Gründung`` ← gründen, ``Teilnehmer`` ← teilnehmen, ``Kennzeichnung`` ←
  kennzeichnen), so no ``Grün`` + ``Dung``; as a part they stay whole too
  (``Auto`` + ``Hersteller``, ``Kleidung`` + ``Stück``);
* **calendar words** (weekdays, the feasts) are lexicalised: ``Sonntag`` is no
  ``Sonne`` + ``Tag``, ``Freitagmorgen`` splits into ``Freitag`` + ``Morgen``;
* **names**: a word the dictionary knows must inflect like its head. Its head has
  plural forms (``Burg`` → ``Burgen``) but the dictionary knows no such form of the
  whole (``Regensburgen``), so ``Regensburg`` is a name, not a kind of ``Burg``; a
  head that is itself only a name (``Meier``) is refused.

Chosen over HanTa (better segmentation, but ~1.2k words/s and LGPL) because it
runs at tens of thousands of new words per second and results are cached per
word type; see the README for the measured comparison.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .compound_probes import PREFIXES, is_prefix_derivation, is_verb_noun
from .folding import fold
from .lexicon import Lexicon
from .stopwords import GERMAN_STOP_WORDS

__all__ = ["MAX_SPLIT_CHARS", "CompoundSplitter", "Split"]

# Longer words are not split: German's longest real compounds stay under it
# (Rindfleischetikettierungsüberwachungsaufgabenübertragungsgesetz has 63
# letters), and a pasted run of letters must not cost a lookup per position.
MAX_SPLIT_CHARS = 64
MIN_WORD = 7
MIN_PART = 4
MAX_DEPTH = 4
# Real German words shorter than MIN_PART that build compounds (Bauamt, Ölpreis, Neuwahl).
SHORT_PARTS = frozenset({
    "amt", "tag", "rat", "bau", "weg", "zug", "see", "ort", "tor", "rad", "bus", "eis", "öl",
    "hof", "not", "tat", "gas", "uhr", "ehe", "ost", "süd", "neu", "alt", "roh", "tal", "bad",
    "art", "akt", "ohr", "arm", "kuh", "tee", "zoo", "ski", "tod", "typ", "mut", "fuß", "hut",
})
# Heads that are derivational suffixes or too ambiguous to be compound heads.
BAD_HEADS = frozenset({
    "schaft", "schaften", "heit", "heiten", "keit", "keiten", "ion", "ionen", "tion", "tionen",
    "ation", "ationen", "ismus", "ismen", "ist", "isten", "istin", "ität", "itäten", "ung", "ungen",
    "nis", "nisse", "ling", "linge", "tum", "tümer", "chen", "lein", "erin", "innen", "ende", "enden",
    "ente", "enten", "ent", "ant", "anten", "ieren", "ierung", "ierungen", "tät", "täten", "ler",
    "lern", "ner", "nern", "lich", "liche", "lichen", "isch", "ische", "ischen", "igen", "iger",
    "hafte", "sam", "bar", "bare", "los", "lose", "ster", "stern", "erei",
    "ier", "iere", "anz", "enz", "age", "agen", "ade", "aden", "eur", "eure", "euren",
    "ose", "osen", "ik", "iken", "ie", "ien", "ür", "ine", "inen", "ale", "alen",
    "nen", "rin", "ten", "sten", "ere", "eren", "elle", "ellen", "ette", "etten", "ern",
    "iker", "ikern", "ur", "uren",
    # suffixoids: Flugzeug, Fahrzeug, Werkzeug are single words, not kinds of "Zeug"
    "zeug", "zeuge", "zeugen", "zeugs",
    # country names: Österreich, Frankreich are not kinds of "Reich"
    "reich",
})
# Heads that also form place and family names (Regensburg, Heidelberg, Düsseldorf,
# Mannheim, Deutschland, Hartmann): German toponymic and surname elements.
NAME_HEADS = frozenset({
    "burg", "berg", "dorf", "heim", "hausen", "haus", "feld", "furt", "bach", "stadt", "stedt",
    "land", "mann", "hof", "hagen", "au", "ach", "ingen", "leben", "rode", "walde", "wald",
    "kirchen", "brück", "brücken", "born", "brunn", "meier", "berger", "müller", "schmidt",
})
# Verb particles and adverbs: "Zusammenhang", "Rücktritt", "Widerstand" are derivations.
PARTICLES = frozenset({
    "ab", "an", "auf", "aus", "bei", "dar", "durch", "ein", "fort", "her", "hin", "mit", "nach",
    "nieder", "über", "um", "unter", "vor", "vors", "weg", "wider", "wieder", "zu", "zurück",
    "zusammen", "hinter", "entgegen", "gegen", "auseinander", "voran", "vorbei", "heraus",
    "herein", "hinaus", "hinein", "herauf", "hinauf", "rück", "inter", "kor", "kon", "kom", "pro",
    "für", "miss", "weiter", "empor", "abseits",
})
# Lexicalised calendar words: their parts no longer mean the whole (Sonn-tag, Frei-tag,
# Weih-nachten); a closed class of the language, not a list of corpus words.
LEXICALISED = frozenset({
    "montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonnabend", "sonntag",
    "weihnachten", "weihnacht", "ostern", "pfingsten", "silvester", "fastnacht", "karfreitag",
})
# Linking elements between modifier and head: the bare modifier first ("Eisen-bahn",
# not "Eis-en-bahn"), then the longer links.
LINKS = ("", "es", "en", "er", "s", "n", "e")
# Endings that turn a noun lemma into one of its plural forms (checked in the dictionary).
_PLURAL_ENDINGS = ("e", "en", "n", "er", "nen", "ern")


@dataclass(frozen=True, slots=True)
class Split:
    """A compound split: ``parts`` are lemmas (dictionary casing); ``lemma`` is the
    whole word's lemma built as modifier surface + head lemma."""

    parts: tuple[str, ...]
    lemma: str


def _resembles(stem: str, lemma: str) -> bool:
    """A modifier's lemma must be a form of it ("drogen" → "Droge", "häuser" → "Haus"),
    not an unrelated word the dictionary maps it to ("öster" → "ösen")."""
    a, b = fold(stem), fold(lemma)
    shared = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        shared += 1
    return shared >= min(len(a), len(b)) - 1


def _cap(lower: str) -> str:
    return lower[:1].upper() + lower[1:]


def _umlauted(word: str) -> str | None:
    """``Burg`` → ``Bürg``, ``Haus`` → ``Häus``: the umlaut some plurals take."""
    for i in range(len(word) - 1, -1, -1):
        ch = word[i]
        if ch in "aou":
            if ch == "u" and i > 0 and word[i - 1] == "a":
                i -= 1
                ch = "a"
            return word[:i] + {"a": "ä", "o": "ö", "u": "ü"}[ch] + word[i + 1 :]
    return None


def _weight(part: str) -> int:
    """A part's length for ranking splits; known short words count as four letters."""
    return max(len(part), MIN_PART) if part.lower() in SHORT_PARTS else len(part)


def _short_ok(lower: str) -> bool:
    return len(lower) >= MIN_PART or lower in SHORT_PARTS


class CompoundSplitter:
    """Split German compound nouns into known parts; results cached per word.

    ``overrides`` maps a lowercase word to its parts (dictionary casing) or to
    ``None`` for "never split" (see :mod:`newsindex.analysis.overrides`).
    """

    def __init__(
        self, lexicon: Lexicon, overrides: Mapping[str, tuple[str, ...] | None] | None = None
    ) -> None:
        self._lex = lexicon
        self._overrides = dict(overrides or {})
        self._cache: dict[str, Split | None] = {}
        # Heads and modifiers recur across words (-minister, Bundes-): memoised.
        self._heads: dict[str, str | None] = {}
        self._modifiers: dict[str, str | None] = {}
        # So do the nouns whose forms they probe (Land: Länder, Landes ... a dozen
        # dictionary probes each time): kept only for strings the dictionary has as a
        # lemma (a few thousand), not for the many strings that are none.
        self._plurals: dict[str, tuple[str, ...]] = {}
        self._nouns: dict[str, bool] = {}
        # And the parts themselves (a dictionary lemma: Regierung, Minister): how each
        # splits again, by depth, and how it reads as a nominalised adjective.
        self._inners: dict[tuple[str, int], tuple[str, ...]] = {}
        self._nominals: dict[str, str] = {}

    def split(self, word: str) -> Split | None:
        """Split ``word`` (as written) or return ``None`` if it is not a compound."""
        cached = self._cache.get(word, False)
        if cached is not False:
            return cached  # type: ignore[return-value]
        lower = word.lower()
        if lower in self._overrides:
            parts = self._overrides[lower]
            result = Split(parts=parts, lemma=self._lex.lemma(word)) if parts else None
        elif (
            not MIN_WORD <= len(word) <= MAX_SPLIT_CHARS
            or not word.isalpha()
            or not word[:1].isupper()
            or self._capitalised_non_noun(word)
        ):
            result = None
        else:
            result = self._nominal(self._split(word, depth=0))
        if len(self._cache) > 500_000:
            self._cache.clear()
            self._heads.clear()
            self._modifiers.clear()
            self._plurals.clear()
            self._nouns.clear()
            self._inners.clear()
            self._nominals.clear()
        self._cache[word] = result
        return result

    def _capitalised_non_noun(self, word: str) -> bool:
        """An adverb, adjective or verb form written capitalised at the start of a sentence
        or title (``Möglicherweise``, ``Chinesisches``, ``Zusammengebrochen``): the
        dictionary knows it in lowercase and not as a noun, so it is no compound noun
        (not ``möglich`` + ``Erweis``, ``Chinese`` + ``Ische``)."""
        if self._lex.lookup(word.lower()) is None:
            return False
        known = self._lex.lookup(word)
        return known is None or not known[:1].isupper() or not self._is_noun(known)

    def _nominal(self, split: Split | None) -> Split | None:
        """Nominalised adjectives as parts read like the word alone: the ``Abgeordneter``
        of ``Kongressabgeordnete`` is ``abgeordnet``, as ``Abgeordnete`` is (see
        :meth:`Lexicon.nominal_stem`)."""
        if split is None:
            return None
        parts = tuple(self._nominal_lemma(p) for p in split.parts)
        if parts == split.parts:
            return split
        head, new_head = split.parts[-1], parts[-1]
        lemma = split.lemma
        if head != new_head and lemma.lower().endswith(head.lower()):
            lemma = lemma[: len(lemma) - len(head)] + new_head
        return Split(parts=parts, lemma=lemma)

    def _nominal_lemma(self, part: str) -> str:
        """:meth:`Lexicon.nominal_lemma` of a part, memoised."""
        lemma = self._nominals.get(part)
        if lemma is None:
            lemma = self._nominals[part] = self._lex.nominal_lemma(part)
        return lemma

    # -- the split itself ----------------------------------------------------
    def _split(self, word: str, depth: int) -> Split | None:
        """The best split of ``word``: every head position that yields valid parts is a
        candidate; the one whose shortest part is longest wins, then the one with fewer
        parts, then the longest head ("Kleidungs-stücke", not "Klei-dungs-tücke")."""
        lower = word.lower()
        lookup = self._lex.lookup
        if lower in LEXICALISED or is_prefix_derivation(lower, lookup) or is_verb_noun(lower, lookup):
            return None
        if lower.endswith("in") and lookup(word[:-2]) == word[:-2]:
            # A feminine form splits like its base: "Ministerin" like "Minister".
            base = self._split(word[:-2], depth)
            if base is None:
                return None
        n = len(lower)
        known_lemma = lookup(word)
        best: tuple[tuple[int, int], Split] | None = None
        heads, head_lemma_of = self._heads, self._find_head_lemma
        for i in range(2, n - 2):
            head = lower[i:]
            if n - i < MIN_PART and head not in SHORT_PARTS:
                break
            if head in BAD_HEADS:
                continue
            # _head_lemma, inlined: the hot loop
            head_lemma = heads[head] if head in heads else heads.setdefault(head, head_lemma_of(head))
            if head_lemma is None or not self._inflects_like(word, i, known_lemma, head_lemma):
                continue
            surface = lower[:i]
            if surface in PARTICLES:
                continue
            mod_lemma = self._modifier(surface)
            if mod_lemma is None:
                continue
            # A link letter must not start the head: "Bundes-amt", not "Bunde-samt".
            stolen = self._link_stolen(lower, i)
            if stolen is not None:
                i, mod_lemma, head_lemma = stolen
            whole = word[:i] + head_lemma.lower()
            parts = (*self._inner(mod_lemma, depth), *self._inner(head_lemma, depth))
            score = (min(_weight(p) for p in parts), -len(parts))
            if best is None or score > best[0]:
                best = (score, Split(parts=parts, lemma=_cap(whole)))
        return best[1] if best is not None else None

    def _link_stolen(self, lower: str, i: int) -> tuple[int, str, str] | None:
        """If the head begins with a linking element the modifier could take, move it."""
        for link in ("es", "s", "n", "en", "e"):
            j = i + len(link)
            # Only onto the short heads a link letter would otherwise swallow (Bundes-amt,
            # Geburts-tag); "Wasser-stand" keeps its head.
            if lower[i:j] != link:
                continue
            head_lemma = self._head_lemma(lower[j:])
            if head_lemma is None or head_lemma.lower() not in SHORT_PARTS:
                continue
            mod = self._modifier(lower[:j])
            if mod is not None:
                return j, mod, head_lemma
        return None

    def _inner(self, lemma: str, depth: int) -> tuple[str, ...]:
        """Split a noun part again (Kartellamt → Kartell + Amt), only into parts of at
        least four letters (or known short words): "Million" is no "Mile" + "Lion"."""
        key = (lemma, depth)
        parts = self._inners.get(key)
        if parts is None:
            parts = self._inners[key] = self._split_inner(lemma, depth)
        return parts

    def _split_inner(self, lemma: str, depth: int) -> tuple[str, ...]:
        if depth >= MAX_DEPTH or len(lemma) < 7 or not lemma[:1].isupper() or not lemma.isalpha():
            return (lemma,)
        override = self._overrides.get(lemma.lower(), False)
        if override is not False:
            return override or (lemma,)  # type: ignore[return-value]
        inner = self._split(lemma, depth + 1)
        if inner is None or not all(_short_ok(p.lower()) and len(p) >= 3 for p in inner.parts):
            return (lemma,)
        return inner.parts

    def _head_lemma(self, lower: str) -> str | None:
        cached = self._heads.get(lower, False)
        if cached is False:
            cached = self._heads[lower] = self._find_head_lemma(lower)
        return cached  # type: ignore[return-value]

    def _find_head_lemma(self, lower: str) -> str | None:
        """The noun lemma of a head (a capitalised dictionary lemma), or ``None``.

        Short heads must be real nouns that the dictionary also knows inflected:
        it holds scraps such as "Sterin" or "Tein" that only look like nouns.
        """
        cap = lower[:1].upper() + lower[1:]
        lemma = self._lex.lookup(cap)
        if lemma is None and not self._lex.may_be_lemma(cap):
            return None  # no form nor lemma: most strings the splitter tries (see _is_noun)
        if lemma != cap and (lemma is None or not self._is_noun(lemma)) and self._is_noun(cap):
            lemma = cap  # "Becher" is also a form of "bechern", "Quelle" one of "Quell"
        if lemma is None or not lemma[:1].isupper() or not lemma.isalpha():
            return None
        if not _short_ok(lemma.lower()):
            return None
        if len(lemma) <= 6 and lemma.lower() not in SHORT_PARTS and not self._is_noun(lemma):
            return None
        return lemma

    def _is_noun(self, lemma: str) -> bool:
        """True if the dictionary knows another form of the capitalised ``lemma``."""
        known = self._nouns.get(lemma)
        if known is not None:
            return known
        if not self._lex.may_be_lemma(lemma):
            return False  # no form maps to it: most strings the splitter tries
        lookup = self._lex.lookup
        known = bool(self._plural_forms(lemma)) or any(lookup(lemma + e) == lemma for e in ("s", "es"))
        self._nouns[lemma] = known
        return known

    def plurals(self, lemma: str) -> list[str]:
        """Plural-like forms of the noun ``lemma`` that the dictionary maps back to it."""
        if not self._lex.may_be_lemma(lemma):
            return []  # no form maps back to it (every reading below is a lemma)
        return list(self._plural_forms(lemma))

    def _plural_forms(self, lemma: str) -> tuple[str, ...]:
        """:meth:`plurals` of a string the dictionary has as a lemma, memoised."""
        cached = self._plurals.get(lemma)
        if cached is None:
            cached = self._plurals[lemma] = self._find_plurals(lemma)
        return cached

    def _find_plurals(self, lemma: str) -> tuple[str, ...]:
        forms = [lemma + e for e in _PLURAL_ENDINGS]
        umlauted = _umlauted(lemma)
        if umlauted is not None:
            forms += [umlauted, umlauted + "e", umlauted + "er", umlauted + "en", umlauted + "ern"]
        for sing, plur in (("um", "en"), ("a", "en"), ("us", "en"), ("on", "en")):
            if lemma.endswith(sing):
                forms.append(lemma[: -len(sing)] + plur)
        if lemma.endswith(("en", "el", "er", "chen")):
            forms.append(lemma + "s")  # uninflected plural: only the genitive shows
        if "ß" in lemma:  # "Prozeß": its forms are written "Prozesse", "Prozesses" today
            reformed = lemma.replace("ß", "ss")
            forms += [reformed + e for e in _PLURAL_ENDINGS]
        lookup = self._lex.lookup
        readings = {lemma, lemma.replace("ß", "ss")}
        return tuple(f for f in forms if f != lemma and lookup(f) in readings)

    def _inflects_like(self, word: str, i: int, known_lemma: str | None, head_lemma: str) -> bool:
        """A known word inflects like its head: "Regierungen" is not "Regie" + "Rungen".

        Heads that also build place and family names (``-burg``, ``-berg``, ``-mann``)
        need proof that the whole is a common noun: the dictionary knows it in a plural
        form (``Bundesländer``, ``Hauptstädte``); ``Regensburg``, ``Frankfurt`` and
        ``Hartmann`` have none.
        """
        if (
            known_lemma is not None
            and known_lemma != word  # the dictionary often lists a compound as its own lemma
            and not fold(known_lemma).endswith(fold(head_lemma))  # Ausschuß = Ausschuss
        ):
            return False
        if head_lemma.lower() not in NAME_HEADS:
            return True
        if known_lemma is None:
            return False
        mod = known_lemma[: len(known_lemma) - len(head_lemma)]
        lookup = self._lex.lookup
        return any(lookup(mod + p.lower()) == known_lemma for p in self.plurals(head_lemma))

    def _modifier(self, lower: str) -> str | None:
        cached = self._modifiers.get(lower, False)
        if cached is False:
            cached = self._modifiers[lower] = self._checked_modifier(lower)
        return cached  # type: ignore[return-value]

    def _checked_modifier(self, lower: str) -> str | None:
        lemma = self._modifier_reading(lower)
        if lemma is None or lemma.lower() in PARTICLES or lemma.lower() in GERMAN_STOP_WORDS:
            return None  # "Wider-stand" read through a noun "Wider" is still the particle
        return lemma

    def _modifier_reading(self, lower: str) -> str | None:
        """The lemma of a modifier after removing a linking element, or ``None``.

        Readings in order of preference: the noun itself (``Flug``), an adjective
        or adverb as such (``neu``, ``links``), a verb stem (``Such-`` → ``suchen``),
        a noun that dropped its final -e (``Straf-`` → ``Strafe``), an inflected noun
        (``Drogen-`` → ``Droge``).
        """
        lookup = self._lex.lookup
        for link in LINKS:
            if link and not lower.endswith(link):
                continue
            stem = lower[: len(lower) - len(link)] if link else lower
            if len(stem) < 2 or stem in GERMAN_STOP_WORDS or stem in PARTICLES:
                continue
            if any(stem.startswith(p) and len(stem) <= len(p) + 2 for p in PREFIXES):
                continue  # "Verb-raucher": a prefix and a scrap
            cap = _cap(stem)
            noun = lookup(cap)
            if noun == cap and _short_ok(stem) and (len(stem) > 6 or self._is_noun(cap)):
                return noun
            adjective = lookup(stem)
            if adjective == stem and _short_ok(stem) and lookup(stem + "e") == stem:
                return adjective  # "neu", "links", "gesamt": an adjective that inflects
            with_e = cap + "e"
            if link in ("", "s") and len(stem) >= 3 and lookup(with_e) == with_e and self._is_noun(with_e):
                return with_e  # "Straf-tat", "Schul-buch", "Hilf-s-werk"
            if not link:
                for ending in ("en", "n"):
                    verb = stem + ending
                    if len(stem) >= 3 and lookup(verb) == verb and lookup(stem + "t") == verb:
                        return verb  # "Such-maschine", "Wohn-haus": a verb that conjugates
            # An inflected noun as modifier is a plural ("Häuser-", "Medien-", "Bücher-"):
            # "Dikta-tor" is no "Diktum" + "Tor".
            plural_like = stem.endswith(("e", "en", "er", "n")) or any(ch in stem for ch in "äöü")
            if (
                noun is not None
                and plural_like
                and noun[:1].isupper()
                and _resembles(stem, noun)
                and _short_ok(stem)
                and _short_ok(noun.lower())
                and (len(noun) > 6 or self._is_noun(noun))
            ):
                return noun
        return None
