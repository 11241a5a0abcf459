"""The public view of what the analysis chain makes of a text."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Token", "terms_of"]


@dataclass(frozen=True, slots=True)
class Token:
    """One surface token and the index terms it produced.

    ``text`` is the word as written and ``text == source[start:end]``.
    ``lemma`` is the normalised (folded) lemma, ``parts`` the normalised
    compound parts (hyphen parts included), ``position`` the token's word
    position. ``stem`` is the word's normalised Snowball stem (``""`` for stop
    words, words with digits or hyphens, and with ``AnalysisConfig(stems=False)``):
    a reading of its own, indexed in the ``stems`` field, never among the parts
    and never marked (a stem such as ``bau`` of *Bauern* is no evidence for *Bau*).
    ``alternatives`` holds other readings of the word, indexed and
    searched at its own position: a query word typed in lowercase is also a noun
    (``krieg`` → ``Krieg``), and the finite verb of a separable verb also reads as
    the joined infinitive (``trat`` in "trat … zurück" → ``zurücktreten``).
    """

    text: str
    start: int
    end: int
    position: int
    lemma: str
    parts: tuple[str, ...] = ()
    is_stop: bool = False
    alternatives: tuple[str, ...] = ()
    stem: str = ""

    @property
    def terms(self) -> tuple[str, ...]:
        """The index terms: the lemma, then the compound parts (no duplicates)."""
        return terms_of(self.lemma, self.parts)


def terms_of(lemma: str, parts: tuple[str, ...]) -> tuple[str, ...]:
    """A word's index terms: ``lemma``, then its compound ``parts`` (no duplicates)."""
    if not parts:
        return (lemma,)
    seen = [lemma]
    for p in parts:
        if p not in seen:
            seen.append(p)
    return tuple(seen)
