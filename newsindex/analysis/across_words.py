"""The chain's rules that look across words: separable verbs and surnames kept whole.

Both run on a text's rows after each word was analysed on its own (with a context-free
lemmatizer, from the chunk cache), and only where a word may need them: the chain notes
separable particles and possible surnames as it lays the rows out.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

from .chunks import Row
from .compounds import CompoundSplitter
from .lexicon import Lexicon

__all__ = ["join_separable_verbs", "keep_surnames_whole"]

# Row fields (see .chunks.Row).
_TEXT: Final = 0
_START: Final = 1
_END: Final = 2
_LEMMA: Final = 4
_PARTS: Final = 5
_STOP: Final = 6
_ALT: Final = 7
# Punctuation that ends a clause (a separable particle stands right before it).
_CLAUSE_END = re.compile(r"[.,;:!?()\[\]\"„“”–—]")


def keep_surnames_whole(
    lexicon: Lexicon, splitter: CompoundSplitter, text: str, tokens: list[Row], candidates: list[int]
) -> None:
    """``Sahra Wagenknecht``: a word the dictionary does not know, right after a
    given name, is a surname and is not split (no ``Wagen`` + ``Knecht``); so is
    the same word elsewhere in the text (one reading per text).

    A given name is a capitalised word inside a sentence that the dictionary
    knows as no common noun: unknown to it, or known without any plural form.
    ``candidates`` are the rows (after the first) with parts, capitalised and
    unknown to the dictionary, in order.
    """
    surnames: set[str] = set()
    for k in candidates:
        tok, prev = tokens[k], tokens[k - 1]
        spaced = text[prev[_END] : tok[_START]] == " "
        if spaced and _is_given_name_like(lexicon, splitter, text, tokens, k - 1):
            surnames.add(tok[_TEXT])
    if not surnames:
        return
    genitives = {name + "s" for name in surnames}
    for k, tok in enumerate(tokens):
        if tok[_PARTS] and (tok[_TEXT] in surnames or tok[_TEXT] in genitives):
            tokens[k] = (*tok[:_PARTS], (), *tok[_PARTS + 1 :])  # type: ignore[assignment]


def join_separable_verbs(
    lexicon: Lexicon, norm: Callable[[str], str], text: str, tokens: list[Row], particles: list[int]
) -> None:
    """``Wann trat der Kanzler zurück?``: give ``trat`` the reading ``zurücktreten``.

    A clause-level heuristic (no parser): a separable particle followed by
    punctuation or the end of the text joins the nearest finite verb before it in
    the same clause, if particle + the verb's lemma is a verb of the dictionary.
    The joined lemma becomes another reading of the verb token, so it is indexed
    at the verb's position with the verb's character span. ``particles`` are the
    rows (after the first) whose word is a separable particle, in order.
    """
    for k in particles:
        particle = tokens[k]
        low = particle[_TEXT].lower()
        after = text[particle[_END] : tokens[k + 1][_START]] if k + 1 < len(tokens) else "."
        if not _CLAUSE_END.search(after):
            continue
        for j in range(k - 1, -1, -1):
            verb = tokens[j]
            if _CLAUSE_END.search(text[verb[_END] : tokens[j + 1][_START]]):
                break  # the clause starts after this token
            starts_clause = j == 0 or bool(_CLAUSE_END.search(text[tokens[j - 1][_END] : verb[_START]]))
            word = verb[_TEXT]
            if not word.isalpha() or (word[:1].isupper() and not starts_clause):
                continue
            joined = low + lexicon.lemma(word.lower())
            if joined != low and lexicon.lookup(joined) == joined:
                term = norm(joined)
                if term != verb[_LEMMA] and term not in verb[_ALT]:
                    alternatives = (*verb[_ALT], term)
                    tokens[j] = (*verb[:_STOP], False, alternatives, *verb[_ALT + 1 :])  # type: ignore[assignment]
                break


def _is_given_name_like(
    lexicon: Lexicon, splitter: CompoundSplitter, text: str, tokens: list[Row], k: int
) -> bool:
    tok = tokens[k]
    word = tok[_TEXT]
    if not word.isalpha() or not word[:1].isupper() or word.isupper() or tok[_STOP]:
        return False
    before = text[tokens[k - 1][_END] : tok[_START]] if k > 0 else "."
    if k == 0 or any(ch in before for ch in ".!?:\n"):
        return False  # sentence-initial: any word is capitalised there
    known = lexicon.lookup(word)
    return known is None or (known == word and not splitter.plurals(word))
