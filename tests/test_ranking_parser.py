"""Issue 14 item 7: a natural question never triggers an operator by accident."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from newsindex.search.query_syntax import parse_query

WORD = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzäöüßABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÜ", min_size=1, max_size=12
)
QUOTES = st.sampled_from([("„", "“"), ('"', '"'), ("»", "«")])


def test_german_quotes_glued_to_a_hyphen_are_a_compound() -> None:
    plan = parse_query("Wo gibt es „Model C“-Schulen?")
    assert plan.excluded == [] and plan.phrases == []
    assert plan.text == ["Wo", "gibt", "es", "Model-C-Schulen?"]
    assert parse_query("Anti-„Terror“-Gesetz").text == ["Anti-Terror-Gesetz"]
    # A phrase followed by a space and -word is still an exclusion.
    spaced = parse_query("„Model C“ -Schulen")
    assert spaced.phrases == ["Model C"] and spaced.excluded == ["Schulen"]


def test_a_hyphenated_fragment_is_a_word() -> None:
    plan = parse_query("Sind Rhodophyta- oder Grünalgen älter?")
    assert plan.excluded == [] and "Rhodophyta-" in plan.text


@settings(max_examples=300, deadline=None)
@given(st.lists(WORD, min_size=1, max_size=3), WORD, QUOTES, st.booleans())
def test_quoted_words_inside_a_hyphenated_compound_never_exclude(
    inner: list[str], tail: str, quotes: tuple[str, str], before: bool
) -> None:
    opener, closer = quotes
    compound = f"{opener}{' '.join(inner)}{closer}-{tail}"
    if before:
        compound = f"{tail}-{compound}"
    plan = parse_query(f"Wer baute die {compound} in Berlin?")
    assert plan.excluded == [] and plan.required == [] and plan.phrases == []
    assert "-".join(inner) in " ".join(plan.text)
    assert tail in " ".join(plan.text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(WORD, st.sampled_from(["", "-", "-und", "-Gesetz"])), min_size=1, max_size=8))
def test_words_with_inner_or_trailing_hyphens_never_exclude(words: list[tuple[str, str]]) -> None:
    text = " ".join(w + suffix for w, suffix in words)
    plan = parse_query(text)
    assert plan.excluded == [] and plan.required == []
    assert plan.text == text.split()
