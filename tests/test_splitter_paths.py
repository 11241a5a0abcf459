"""Issue 17, cold analysis: the splitter's and the lexicon's shortcuts (a head with no
form nor lemma costs one probe, words whose letters rule out a verb's noun or a prefix
derivation cost none, a declined word's bare participle is probed only for a
participle's shape) change no result. The reference below is the code as it was
before them, probe for probe; every capitalised Wikinews word is split both ways and
every lowercase one lemmatised both ways."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from newsindex.analysis import compounds
from newsindex.analysis.compound_probes import is_prefix_derivation, is_verb_noun
from newsindex.analysis.compounds import (
    BAD_HEADS,
    LEXICALISED,
    PARTICLES,
    SHORT_PARTS,
    CompoundSplitter,
    Split,
    _cap,
    _short_ok,
    _weight,
)
from newsindex.analysis.lexicon import (
    _ADJECTIVE_ENDINGS,
    _PARTICLES_GE,
    SEPARABLE_PARTICLES,
    Lexicon,
    _participle_shaped,
    _verb_of_participle,
)

_VERB_NOUN_SUFFIXES = ("ungen", "ung", "erinnen", "erin", "ern", "er")
_PREFIXES = ("ver", "be", "ge", "er", "zer", "ent", "emp", "miss")


def _slow_verb_noun(lower: str, lookup: Callable[[str], str | None]) -> bool:
    def is_verb(stem: str) -> bool:
        return any(lookup(stem + e) == stem + e and lookup(stem + "t") == stem + e for e in ("en", "n"))

    cap = _cap(lower)
    if lower.endswith("en") and is_verb(lower[:-2]) and lookup(cap) == cap:
        return True
    for suffix in _VERB_NOUN_SUFFIXES:
        if lower.endswith(suffix) and len(lower) - len(suffix) >= 4 and is_verb(lower[: -len(suffix)]):
            return True
    return False


def _slow_prefix_derivation(lower: str, lookup: Callable[[str], str | None]) -> bool:
    for prefix in _PREFIXES:
        rest = lower[len(prefix) :]
        if lower.startswith(prefix) and len(rest) >= 4 and (
            lookup(rest) is not None or lookup(_cap(rest)) is not None
        ):
            return True
    return False


class _SlowSplitter(CompoundSplitter):
    """The splitter before the shortcuts: every candidate head probed in full."""

    def _split(self, word: str, depth: int) -> Split | None:
        lower = word.lower()
        lookup = self._lex.lookup
        if lower in LEXICALISED or _slow_prefix_derivation(lower, lookup) or _slow_verb_noun(lower, lookup):
            return None
        if lower.endswith("in") and lookup(word[:-2]) == word[:-2] and self._split(word[:-2], depth) is None:
            return None  # a feminine form splits like its base
        n = len(lower)
        known_lemma = lookup(word)
        best: tuple[tuple[int, int], Split] | None = None
        for i in range(2, n - 2):
            head = lower[i:]
            if not _short_ok(head):
                break
            if head in BAD_HEADS:
                continue
            head_lemma = self._head_lemma(head)
            if head_lemma is None or not self._inflects_like(word, i, known_lemma, head_lemma):
                continue
            surface = lower[:i]
            if surface in PARTICLES:
                continue
            mod_lemma = self._modifier(surface)
            if mod_lemma is None:
                continue
            stolen = self._link_stolen(lower, i)
            if stolen is not None:
                i, mod_lemma, head_lemma = stolen
            whole = word[:i] + head_lemma.lower()
            parts = (*self._inner(mod_lemma, depth), *self._inner(head_lemma, depth))
            score = (min(_weight(p) for p in parts), -len(parts))
            if best is None or score > best[0]:
                best = (score, Split(parts=parts, lemma=_cap(whole)))
        return best[1] if best is not None else None

    def _find_head_lemma(self, lower: str) -> str | None:
        cap = _cap(lower)
        lemma = self._lex.lookup(cap)
        if lemma != cap and (lemma is None or not self._is_noun(lemma)) and self._is_noun(cap):
            lemma = cap
        if lemma is None or not lemma[:1].isupper() or not lemma.isalpha():
            return None
        if not _short_ok(lemma.lower()):
            return None
        if len(lemma) <= 6 and lemma.lower() not in SHORT_PARTS and not self._is_noun(lemma):
            return None
        return lemma


class _SlowLexicon(Lexicon):
    """The lexicon before the shortcut: the bare participle probed for every ending."""

    def participle_verb(self, lower: str) -> str | None:
        d = self._dictionary
        known = d.get(lower)
        unread = known is None or known == lower
        known_verb = _verb_of_participle(known, d) if known is not None and not unread else None
        for ending in _ADJECTIVE_ENDINGS:
            if not lower.endswith(ending) or len(lower) - len(ending) < 5:
                continue
            stem = lower[: len(lower) - len(ending)] if ending else lower
            candidates: list[str] = []
            bare = d.get(stem)
            if (
                ending
                and unread
                and bare is not None
                and _participle_shaped(stem)
                and bare != stem
                and bare.islower()
                and bare.endswith("n")
            ):
                candidates.append(bare)
            elif ending and known_verb is not None:
                candidates.append(known_verb)
            if stem.endswith("iert"):
                candidates.append(stem[:-1] + "en")
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


@pytest.fixture(scope="module")
def words(wikinews_words: Callable[[int], list[str]]) -> list[str]:
    return wikinews_words(1000)


@pytest.mark.slow
def test_every_capitalised_wikinews_word_splits_as_by_the_slow_way(words: list[str]) -> None:
    lexicon = Lexicon()
    fast, slow = CompoundSplitter(lexicon), _SlowSplitter(lexicon)
    capitalised = [w for w in words if w[:1].isupper()]
    assert len(capitalised) > 10_000
    fast_splits = [fast.split(w) for w in capitalised]
    slow_splits = [slow.split(w) for w in capitalised]
    differ = [(w, f, s) for w, f, s in zip(capitalised, fast_splits, slow_splits, strict=True) if f != s]
    assert differ == []
    # Not vacuous: thousands of them are compounds, and their heads were probed both ways.
    assert sum(s is not None for s in fast_splits) > 2_000
    assert fast._heads == slow._heads


@pytest.mark.slow
def test_the_word_level_probes_answer_as_the_slow_ones(words: list[str]) -> None:
    lookup = Lexicon().lookup
    lowered = [w.lower() for w in words if w.isalpha()]
    for probe, slow in ((is_verb_noun, _slow_verb_noun), (is_prefix_derivation, _slow_prefix_derivation)):
        answers = [probe(w, lookup) for w in lowered]
        assert answers == [slow(w, lookup) for w in lowered], probe.__name__
        assert 100 < sum(answers) < len(answers) // 2, probe.__name__
    for word in ("Gründung", "Fernsehen", "Teilnehmer", "Kennzeichnung"):
        assert is_verb_noun(word.lower(), lookup), word
    assert is_prefix_derivation("verbrechen", lookup) and not is_prefix_derivation("bundesamt", lookup)


@pytest.mark.slow
def test_every_lowercase_wikinews_word_has_the_slow_ways_lemma(words: list[str]) -> None:
    fast, slow = Lexicon(), _SlowLexicon()
    lowercase = [w for w in words if w.islower()]
    assert [fast.lemma(w) for w in lowercase] == [slow.lemma(w) for w in lowercase]
    assert fast.participle_verb("geplanten") == "planen" == slow.participle_verb("geplanten")


def test_the_module_keeps_its_names() -> None:
    """The constants moved to compound_probes stay importable where they were."""
    assert compounds.PREFIXES == _PREFIXES
