"""Word-level tests of the compound splitter that need no candidate loop: is a word
made of a verb (``Gründung``, ``Fernsehen``) or of an inseparable prefix and a word
(``Verbrechen``)? Such words are no compounds.

Each test first asks what the word's letters alone can rule out (an ending, a
prefix), so most words cost no dictionary probe at all; the answers are exactly the
probing ones (tests/test_splitter_paths.py checks it on every capitalised word of
Wikinews).
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["PREFIXES", "VERB_NOUN_SUFFIXES", "is_prefix_derivation", "is_verb_noun"]

# Noun suffixes that make a noun of a verb (gründen → Gründung, teilnehmen → Teilnehmer).
VERB_NOUN_SUFFIXES = ("ungen", "ung", "erinnen", "erin", "ern", "er")
# Inseparable prefixes: "Verbrechen" is ver- + brechen, not Verb + Rechen.
PREFIXES = ("ver", "be", "ge", "er", "zer", "ent", "emp", "miss")
# What a verb's noun can end in: its infinitive (-en) or one of the suffixes.
_VERB_NOUN_ENDINGS = ("en", *VERB_NOUN_SUFFIXES)

Lookup = Callable[[str], "str | None"]


def _is_verb(stem: str, lookup: Lookup) -> bool:
    """``stem`` + -en/-n is a verb of the dictionary that conjugates (``gründet``)."""
    return any(lookup(stem + e) == stem + e and lookup(stem + "t") == stem + e for e in ("en", "n"))


def is_verb_noun(lower: str, lookup: Lookup) -> bool:
    """``Fernsehen``, ``Gründung``, ``Teilnehmer``: a noun made of a whole verb of the
    dictionary (one that conjugates: ``gründen`` has ``gründet``)."""
    if not lower.endswith(_VERB_NOUN_ENDINGS):
        return False  # no ending a verb's noun has: no probe needed
    cap = lower[:1].upper() + lower[1:]
    if lower.endswith("en") and _is_verb(lower[:-2], lookup) and lookup(cap) == cap:
        return True  # the noun is its own lemma: "Fernsehen", not "Schlagzeilen" (→ Schlagzeile)
    for suffix in VERB_NOUN_SUFFIXES:
        stem = lower[: len(lower) - len(suffix)]
        if lower.endswith(suffix) and len(stem) >= 4 and _is_verb(stem, lookup):
            return True
    return False


def is_prefix_derivation(lower: str, lookup: Lookup) -> bool:
    """``Verbrechen`` = ver- + ``brechen``, ``Begründung`` = be- + ``Gründung``."""
    if not lower.startswith(PREFIXES):
        return False  # no inseparable prefix: no probe needed
    for prefix in PREFIXES:
        rest = lower[len(prefix) :]
        if lower.startswith(prefix) and len(rest) >= 4 and (
            lookup(rest) is not None or lookup(rest[:1].upper() + rest[1:]) is not None
        ):
            return True
    return False
