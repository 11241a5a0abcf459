"""The other spelling of a foreign name in the genitive.

The chain reads ``Obamas`` as ``Obama`` and ``Putins`` as ``Putin``, but it cannot
strip the *-s* of a name it does not know when the name ends in a vowel that also
ends German words in *-is* and *-us* (``Paris``, ``Tunis``, ``Markus`` keep theirs):
``Gaddafis``, ``Berlusconis``, ``Papandreous`` stay as written. In the Wikinews
corpus 17 of 38 such pairs (``Gaddafis``/``Gaddafi``, ``Podolskis``/``Podolski``,
``Soleimanis``/``Soleimani``) were therefore two different index words.

Which reading is right cannot be told from the word, so the query side bridges the
two: :func:`genitive_partner` gives the other spelling, which a search adds as
another reading of the word where the index has it (``Gaddafi`` finds and marks
*Gaddafis*, ``Gaddafis`` finds *Gaddafi*).
"""

from __future__ import annotations

__all__ = ["genitive_partner"]

# Name endings whose genitive the chain keeps whole: -i, -u (Gaddafi, Papandreou).
_OPEN_ENDINGS = ("i", "u")
_SHORTEST_NAME = 3


def genitive_partner(lemma: str) -> str | None:
    """``gaddafi`` → ``gaddafis`` and ``gaddafis`` → ``gaddafi``: the other spelling of a
    name in *-i*/*-u* and its genitive, for an (index-normalised) lemma that is no word
    of the dictionary; ``None`` for every other word."""
    if not lemma.isalpha() or not lemma.islower():
        return None
    if lemma.endswith(_OPEN_ENDINGS) and len(lemma) >= _SHORTEST_NAME:
        return lemma + "s"
    if lemma.endswith(("is", "us")) and len(lemma) > _SHORTEST_NAME:
        return lemma[:-1]
    return None
