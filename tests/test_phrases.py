"""Exact phrases from ``body`` lemma positions and ``stops``: whole words, in a row, stop words too."""

from __future__ import annotations

import pytest
from conftest import SEEDS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsindex import Article, NewsIndex, SearchOptions

STRICT = SearchOptions(phrase_fallback=False)


@pytest.fixture(scope="module")
def strict_seeds() -> NewsIndex:
    ix = NewsIndex.in_memory(analysis="builtin", search_options=STRICT)
    ix.add_path(SEEDS)
    ix.add(
        [
            Article(id="wk", title="Geschichte", paragraphs=("Der Weltkrieg endete 1945.",)),
            Article(id="k", title="Geschichte", paragraphs=("Kein Krieg dauert ewig, sagte er.",)),
            Article(id="tag", title="Feiertag", paragraphs=("Am Tag der Arbeit wird demonstriert.",)),
            Article(id="tag2", title="Ferien", paragraphs=("Am Tag nach der Arbeit ruhen alle.",)),
        ]
    )
    return ix


def _found(ix: NewsIndex, query: str) -> set[str]:
    return {h.article_id for h in ix.search(query, limit=100, max_per_article=None).hits}


def test_a_quoted_word_matches_the_word_not_compounds_containing_it(strict_seeds: NewsIndex) -> None:
    assert "wk" in _found(strict_seeds, "Krieg")  # plain words find compound parts ...
    assert "wk" not in _found(strict_seeds, '"Krieg"')  # ... a quoted word only the word itself
    assert "k" in _found(strict_seeds, '"Krieg"')
    assert "k" in _found(strict_seeds, '"Kriege"')  # in any inflection


def test_a_phrase_never_lines_up_with_a_compound_part(strict_seeds: NewsIndex) -> None:
    assert strict_seeds.search('"Krieg gegen Drogenkartelle"').total == 1
    assert strict_seeds.search('"Krieg gegen Kartelle"').total == 0  # "Kartell" is only part of a word there


def test_stop_words_inside_a_phrase_are_checked(strict_seeds: NewsIndex) -> None:
    assert _found(strict_seeds, '"Tag der Arbeit"') == {"tag"}
    assert _found(strict_seeds, '"Tag nach der Arbeit"') == {"tag2"}
    assert _found(strict_seeds, '"Tag für Arbeit"') == set()
    assert _found(strict_seeds, '"Tag die Arbeit"') == {"tag"}  # "die" and "der" are one lemma
    assert _found(strict_seeds, '"Arbeit der Tag"') == set()
    hit = strict_seeds.search('"Tag der Arbeit"').hits[0]
    assert hit.marked_words == ["Tag", "Arbeit"]  # stop words are matched, never marked


def test_a_phrase_of_stop_words_alone(strict_seeds: NewsIndex) -> None:
    found = _found(strict_seeds, '"nach der"')
    assert "tag2" in found and "tag" not in found


@pytest.mark.slow
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_run_of_words_from_a_paragraph_finds_it_and_only_verbatim_matches(
    wiki: tuple[NewsIndex, NewsIndex], data: st.DataObject
) -> None:
    fast, _ = wiki
    s = fast._current_searcher()
    article_ids = sorted(t.decode() if isinstance(t, bytes) else t for t in s.reader().lexicon("article_id"))
    aid = data.draw(st.sampled_from(article_ids))
    article = fast.article(aid)
    if article is None:  # deleted (its id stays in the lexicon until segments merge)
        return
    text = data.draw(st.sampled_from(article.paragraphs))
    tokens = fast.chain.analyze(text)
    if len(tokens) < 2:
        return
    start = data.draw(st.integers(0, len(tokens) - 2))
    length = data.draw(st.integers(2, min(5, len(tokens) - start)))
    window = tokens[start : start + length]
    phrase = text[window[0].start : window[-1].end]
    if '"' in phrase or "„" in phrase or "“" in phrase:
        return
    # A lowercase query word is also read as a noun ("zweite" also as "Zweite").
    wanted = [{t.lemma, *t.alternatives} for t in fast.chain.analyze(phrase, query=True)]
    strict = NewsIndex.open(fast.path, search_options=STRICT) if fast.path else fast
    try:
        results = strict.search(f'"{phrase}"', limit=1000, max_per_article=None)
    finally:
        if strict is not fast:
            strict.close()
    assert aid in {h.article_id for h in results.hits}, phrase
    # Every passage found has the phrase's lemmas in a row (checked by re-analysing it).
    for hit in results.hits:
        lemmas = [t.lemma for t in fast.chain.analyze(hit.text)]
        n = len(wanted)
        assert any(
            all(lemma in readings for lemma, readings in zip(lemmas[i : i + n], wanted, strict=False))
            and len(lemmas[i : i + n]) == n
            for i in range(len(lemmas))
        ), (phrase, hit.text)
