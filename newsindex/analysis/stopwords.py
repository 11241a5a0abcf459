"""German stop words: removed from the ranked field, kept in the phrase field."""

from __future__ import annotations

from whoosh.lang.stopwords import stoplists

__all__ = ["GERMAN_STOP_WORDS", "is_stop_word"]

# Snowball's German list (as Lucene uses it) plus question words, which carry no
# topic in "Wer liefert Waffen an Venezuela?". "weg" is dropped from the list
# because the noun "Weg" is a real search word.
GERMAN_STOP_WORDS: frozenset[str] = frozenset(
    (set(stoplists["de"]) - {"weg"})
    | {
        "wer", "wen", "wem", "wessen", "wann", "warum", "wieso", "weshalb", "weswegen",
        "woher", "wohin", "womit", "wofür", "worüber", "wobei", "dass", "daß", "gibt", "gab",
        "ja", "nein", "sei", "seien", "wäre", "wären", "hätte", "hätten", "worden", "wurde",
        "wurden", "bereits", "sowie", "mehr",
    }
)


def is_stop_word(lower_word: str) -> bool:
    """True if the lowercased surface word is a German stop word."""
    return lower_word in GERMAN_STOP_WORDS
