"""Spelling suggestions: the closest index words to the query's unknown words."""

from __future__ import annotations

from whoosh.reading import TermNotFound
from whoosh.searching import Searcher

from ..analysis import AnalysisChain
from ..index.schema import BODY
from ..index.vocabulary import Vocabularies
from .query_syntax import QueryPlan
from .term_infos import TermInfos

__all__ = ["SUGGEST_CANDIDATES", "SUGGEST_MAX_CHARS", "SUGGEST_MAX_EDITS", "SUGGEST_MAX_WORDS", "suggest"]

_PUNCT = "?!.,;:()[]{}\"'„“»«"
# The "did you mean" budget: unknown words looked up, their length, the edits
# allowed, and the suggestions tried per word (each read from stored passages).
SUGGEST_MAX_WORDS = 8
SUGGEST_MAX_CHARS = 40
SUGGEST_MAX_EDITS = 2
SUGGEST_CANDIDATES = 3


def _surface_form(searcher: Searcher, term: str, look_at: int = 20) -> str | None:
    """A word as written in the index for a folded lemma, read at its postings' offsets.

    A compound part shares its compound's offsets, so the shortest surface among
    the first few occurrences is taken: "Präsident", not "US-Präsident".
    """
    try:
        m = searcher.reader().postings(BODY, term)
    except TermNotFound:
        return None
    best: str | None = None
    while m.is_active() and look_at > 0:
        text = searcher.stored_fields(m.id()).get("body", "")
        for _pos, start, end in m.value_as("characters"):
            word = text[start:end]
            if word and (best is None or len(word) < len(best)):
                best = word
        look_at -= 1
        m.next()
    return best


def suggest(
    searcher: Searcher,
    plan: QueryPlan,
    chain: AnalysisChain,
    original: str,
    vocabularies: Vocabularies,
    infos: TermInfos | None = None,
) -> tuple[str | None, list[str]]:
    """A corrected query when some word is unknown to the index and a close word exists,
    and notes on the words the suggestion budget left out.

    Candidates come from the ``body`` terms (folded lemmas) and are shown as a
    surface word from the index, so the suggestion reads "Venezuela", not "venezula".
    Only :data:`SUGGEST_MAX_WORDS` unknown words of at most :data:`SUGGEST_MAX_CHARS`
    letters are looked up, each against the terms of about its length sharing its
    first letter (RapidFuzz's edit distance, capped per segment by the vocabulary).
    """
    reader = searcher.reader()
    infos = infos if infos is not None else TermInfos()  # (the index's kept term lookups)
    # A sharded index's searcher reads the surface form from every shard.
    surface_form = getattr(searcher, "surface_form", None) or (lambda term: _surface_form(searcher, term))
    corrected = original
    changed = False
    looked_up = 0
    too_long = skipped = capped = False
    for word in plan.text + plan.required:
        clean = word.strip(_PUNCT)
        if len(clean) < 4 or not clean.isalpha():
            continue
        if len(clean) > SUGGEST_MAX_CHARS:
            too_long = True  # no index term is that long but a typo away
            continue
        toks = chain.analyze(clean, query=True)
        if not toks or toks[0].is_stop:
            continue
        readings = (toks[0].lemma, *toks[0].alternatives)
        if any(infos.doc_frequency(reader, BODY, t) for t in readings):
            continue
        if looked_up >= SUGGEST_MAX_WORDS:
            skipped = True
            continue
        looked_up += 1
        near = vocabularies.near_terms(reader, toks[0].lemma, SUGGEST_MAX_EDITS, SUGGEST_CANDIDATES)
        capped |= near.capped
        for candidate in near.terms:
            surface = surface_form(candidate)
            if surface and surface.lower() != clean.lower():
                corrected = corrected.replace(clean, surface, 1)
                changed = True
                break
    notes = []
    if too_long:
        notes.append(f"words over {SUGGEST_MAX_CHARS} letters get no spelling suggestion")
    if skipped:
        notes.append(f"spelling suggestions were looked up for the first {SUGGEST_MAX_WORDS} unknown words")
    if capped:
        notes.append("the spelling suggestion compared only the index words closest in length")
    return (corrected if changed else None), notes
