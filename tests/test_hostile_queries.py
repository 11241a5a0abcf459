"""Hostile queries: every string gives results or nothing (with notes), and the query built is small.

"Bounded time" is proven structurally, never by the clock: the characters and
words a query may use are capped when it is parsed, prefix and typo-tolerant
words are few and each expands to a capped number of index terms, so the Whoosh
query built from any string has a bounded number of terms. The caps are checked
on an index whose vocabulary is far larger than each cap (hundreds of terms
starting with ``ka``, hundreds within two edits of ``migration``), so every
assertion here fails if its cap is removed.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator

import pytest
from conftest import SEEDS
from whoosh import query as wq

from newsindex import Article, NewsIndex
from newsindex.index.schema import BODY
from newsindex.search.query_builder import EXPANSION_CAP, QueryBuilder
from newsindex.search.query_syntax import (
    MAX_EXPANDED_WORDS,
    MAX_QUERY_CHARS,
    MAX_QUERY_WORDS,
    QueryPlan,
    parse_query,
)

# -- a larger index: a vocabulary far beyond every cap ------------------------------------

_FILLER = (
    "Die Regierung hat am Montag im Bundestag über den Haushalt und die Migration beraten, "
    "während die Opposition Kritik an der Verkehrspolitik übte."
)


def _ka_words(n: int) -> list[str]:
    """``n`` distinct invented words starting with "ka" (Kabelomu, Kadifera…)."""
    rng = random.Random(11)
    consonants, vowels = "bdfglmnprstvz", "aeiou"
    words: set[str] = set()
    while len(words) < n:
        syllables = "".join(rng.choice(consonants) + rng.choice(vowels) for _ in range(3))
        words.add("Ka" + syllables)
    return sorted(words)


def _migration_typos() -> list[str]:
    """Every one-letter substitution of "migration" after its first letter: 1 edit away."""
    word = "migration"
    out = {
        word[:i] + c + word[i + 1 :]
        for i in range(1, len(word))
        for c in "abdefhklmpsuvwz"
        if c != word[i]
    }
    return sorted(out)


KA_WORDS = _ka_words(400)
TYPOS = _migration_typos()


@pytest.fixture(scope="module")
def empty_index() -> Iterator[NewsIndex]:
    """An index with nothing in it: never written to."""
    with NewsIndex.in_memory(analysis="builtin") as ix:
        yield ix


@pytest.fixture(scope="module")
def emptied_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NewsIndex]:
    """An on-disk index whose every article was deleted (segments full of deletions)."""
    with NewsIndex.create(tmp_path_factory.mktemp("emptied") / "ix", analysis="builtin") as ix:
        ix.add_path(SEEDS)
        lexicon = ix._current_searcher().reader().lexicon("article_id")
        ids = [t.decode() if isinstance(t, bytes) else t for t in lexicon]
        for aid in ids:
            assert ix.delete(aid)
        assert ix.stats()["articles"] == 0
        yield ix


@pytest.fixture(scope="module")
def big_index() -> Iterator[NewsIndex]:
    """~260 articles: 400 words starting with "ka", 120 typos of "migration", a common filler."""
    articles = []
    for i in range(0, len(KA_WORDS), 4):
        body = " ".join(KA_WORDS[i : i + 4])
        typo = TYPOS[(i // 4) % len(TYPOS)]
        articles.append(
            Article.create(
                title=f"Meldung {i}",
                paragraphs=[f"{_FILLER} {body}.", f"Die {typo.capitalize()} war Thema im Ausschuss {i}."],
                url=f"https://example.org/{i}",
            )
        )
    for j, typo in enumerate(TYPOS):
        articles.append(
            Article.create(title=f"Notiz {j}", paragraphs=[f"Eine Notiz über {typo}."], url=f"https://n.org/{j}")
        )
    with NewsIndex.in_memory(analysis="builtin") as ix:
        ix.add(articles)
        yield ix


def _builder(ix: NewsIndex) -> QueryBuilder:
    options = ix.search_options
    return QueryBuilder(
        ix.chain,
        ix._current_searcher().reader(),
        title_boost=options.title_boost,
        part_boost=options.part_boost,
    )


def _terms(q: wq.Query | None) -> list[tuple[str, str]]:
    """Every term leaf of a built query (phrase words included), duplicates kept."""
    if q is None:
        return []
    return [(f, t.decode() if isinstance(t, bytes) else t) for f, t in q.iter_all_terms(phrases=True)]


def _plan_words(plan: QueryPlan) -> int:
    return (
        len(plan.text) + len(plan.required) + len(plan.excluded) + len(plan.fuzzy) + len(plan.prefixes)
        + len(plan.source) + len(plan.author) + len(plan.title) + sum(len(p.split()) for p in plan.phrases)
    )


# -- every hostile query returns results or nothing, never an exception ----------------------

HOSTILE = {
    "100 KB of words": "Krieg Venezuela " * 6_400,
    "100 KB without a space": "K" * 100_000,
    "only punctuation": "?!.,;:()[]{}<>/\\|&%$§\"'„“»«…–—" * 3,
    "only stop words": "der die das und oder aber wer wann wie was nicht",
    "unbalanced quotes": '"Krieg gegen „Drogen Kartell »Putin',
    "unbalanced brackets": "((Krieg [Venezuela {Putin )) ]]",
    "star": "*",
    "stars": "** *** *a* ?*",
    "one letter prefix": "a*",
    "tilde on every word": " ".join(f"{w}~" for w in ("Krieg Venezuela Putin Waffen Trump " * 60).split()),
    "tilde soup": "~ ~~ ~2 a~ ~a Krieg~9 Krieg~~",
    "unknown fields": "foo:bar zzz:Krieg http://x.org source: title: author: date: date:x date:..",
    "impossible dates": "Krieg date:9999-99-99 date:0000-01-01..2025-13-40",
    "operators only": "+ - ++ -- +- -+ +? -!",
    "control characters": "Krieg\x00\x01\x07\x08\x1b[31mVenezuela\x7f\x9b",
    "NUL bytes": "\x00" * 500,
    "RTL text": "مرحبا بالعالم שלום עולם \u202eKrieg\u202c",
    "emoji": "😀🇩🇪 Krieg 👨‍👩‍👧 🏳️‍🌈 Venezuela🔥",
    "lone surrogates": "\ud800 Krieg \udfff Venezuela\udc80",
    "markup": "<script>alert(1)</script> <mark>Krieg</mark> &amp;",
    "zero-width and bidi": "Kr\u200bieg \u200fVene\u2066zuela\u2069 \ufeff",
    "huge phrase": '"' + "Krieg gegen Drogenkartelle " * 300 + '"',
    "many required": " ".join(["+Krieg"] * 500),
    "many excluded": "Krieg " + " ".join(["-Putin"] * 500),
    "many prefixes": " ".join(["ka*", "kr*", "ve*", "dr*"] * 150),
    "a very long word with a tilde": "x" * 1_500 + "~2",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
@pytest.mark.parametrize("index_name", ["seed_index", "big_index", "empty_index", "emptied_index"])
def test_hostile_query_returns_results_or_nothing(
    name: str, index_name: str, request: pytest.FixtureRequest
) -> None:
    ix: NewsIndex = request.getfixturevalue(index_name)
    query = HOSTILE[name]
    results = ix.search(query, limit=20)
    assert results.total >= len(results.hits)
    document = json.dumps(results.to_dict())  # JSON-ready whatever came in
    assert json.loads(document)["total"] == results.total
    for hit in results:
        html = hit.snippet(format="html")
        assert "<" not in html.replace("<mark>", "").replace("</mark>", "")
    if len(query) > MAX_QUERY_CHARS:
        assert f"query cut to its first {MAX_QUERY_CHARS} characters" in results.notes


def test_stop_words_only_search_the_stop_word_field(seed_index: NewsIndex) -> None:
    """A query of stop words alone is not empty: it matches the words as written."""
    results = seed_index.search("gegen die")
    assert results.hits and all("gegen" in h.text.lower() for h in results)


# -- the caps, inspected on the built query -----------------------------------------------------


def test_query_is_cut_at_the_character_cap_on_a_word_boundary() -> None:
    plan = parse_query("Krieg " * 20_000)  # 120,000 characters
    assert plan.problems[0] == f"query cut to its first {MAX_QUERY_CHARS} characters"
    assert sum(len(w) + 1 for w in plan.text) <= MAX_QUERY_CHARS + 1
    assert set(plan.text) == {"Krieg"}  # the cut did not leave a fragment ("Kri")
    required = parse_query("+Venezuela " * 400)
    assert set(required.required) == {"Venezuela"}  # a fragment would be a required non-word
    no_space = parse_query("K" * 100_000)
    assert no_space.text == ["K" * MAX_QUERY_CHARS]


def test_words_are_capped_across_every_kind_of_word() -> None:
    soup = " ".join(["Krieg", "+Putin", "-Trump", '"Krieg gegen Kartell"', "title:Krieg", "Venezuela~"] * 100)
    plan = parse_query(soup)
    assert _plan_words(plan) == MAX_QUERY_WORDS
    assert f"the query was cut to its first {MAX_QUERY_WORDS} words" in plan.problems
    for query in (" ".join(["+Krieg"] * 300), " ".join(["-Krieg"] * 300), " ".join(["title:Krieg"] * 300)):
        assert _plan_words(parse_query(query)) == MAX_QUERY_WORDS
    phrase = parse_query('"' + "Krieg " * 300 + '"')
    assert [len(p.split()) for p in phrase.phrases] == [MAX_QUERY_WORDS]


def test_at_most_a_few_words_are_expanded_the_rest_are_plain_words() -> None:
    words = [f"Wort{i}~" for i in range(40)] + [f"ka{i}*" for i in range(40)]
    plan = parse_query(" ".join(words))
    assert len(plan.fuzzy) + len(plan.prefixes) == MAX_EXPANDED_WORDS
    assert "Wort30" in plan.text and "ka5" in plan.text  # demoted, without their operator
    assert f"only the first {MAX_EXPANDED_WORDS} prefix/typo-tolerant words were expanded" in plan.problems


def test_prefix_expands_to_at_most_the_cap_of_the_most_frequent_terms(big_index: NewsIndex) -> None:
    reader = big_index._current_searcher().reader()
    vocabulary = [t.decode() if isinstance(t, bytes) else t for t in reader.expand_prefix(BODY, "ka")]
    assert len(vocabulary) >= 5 * EXPANSION_CAP  # the cap is what limits the query below
    built = _builder(big_index).build(parse_query("ka*"))
    body_terms = [t for f, t in _terms(built.query) if f == BODY]
    assert 0 < len(body_terms) <= EXPANSION_CAP
    assert all(t.startswith("ka") for t in body_terms)


@pytest.mark.parametrize("query", ["*", "**", "***", "*ka", "k*", "a*", "?*", "_*", "-*", "+*"])
def test_a_star_alone_or_after_one_letter_does_not_enumerate_the_vocabulary(
    big_index: NewsIndex, query: str
) -> None:
    plan = parse_query(query)
    assert plan.prefixes == []
    built = _builder(big_index).build(plan)
    assert len(_terms(built.query)) <= 4  # at most one word's readings, in body and title


def test_typo_tolerant_word_expands_to_at_most_the_cap(big_index: NewsIndex) -> None:
    reader = big_index._current_searcher().reader()
    known = [t for t in TYPOS if reader.doc_frequency(BODY, t)]
    assert len(known) >= EXPANSION_CAP + 20  # more terms within reach than the cap
    built = _builder(big_index).build(parse_query("Migration~"))
    body_terms = {t for f, t in _terms(built.query) if f == BODY}
    assert len(body_terms) <= EXPANSION_CAP
    assert len(body_terms & set(known)) >= EXPANSION_CAP // 2  # it did expand, up to the cap


def test_tilde_and_star_on_every_word_build_a_bounded_query(big_index: NewsIndex) -> None:
    query = " ".join(["Migration~", "ka*", "Migratoin~2", "kab*"] * 125)  # 500 expandable words
    built = _builder(big_index).build(parse_query(query))
    terms = _terms(built.query)
    # 8 expanded words of at most 64 terms (+1 title term for a typo word), the
    # remaining 56 words plain: a handful of readings each. Uncapped: 500 × 64.
    per_plain_word = 6
    bound = MAX_EXPANDED_WORDS * (EXPANSION_CAP + 1) + (MAX_QUERY_WORDS - MAX_EXPANDED_WORDS) * per_plain_word
    assert len(terms) <= bound
    assert len(terms) > EXPANSION_CAP  # the expansions did happen


def test_control_characters_nul_and_surrogates_are_spaces() -> None:
    plan = parse_query("Krieg\x00Venezuela\x1b[31m\ud800Putin\x7f")
    assert plan.text == ["Krieg", "Venezuela", "[31m", "Putin"]
    assert parse_query("\x00\x01\ud800\udfff").is_empty


def test_unknown_fields_and_broken_dates_are_text_or_notes() -> None:
    plan = parse_query("foo:bar date:2025-13-01 source:")
    assert plan.text == ["foo:bar", "source:"]
    assert plan.since is None and plan.until is None
    assert any("could not read the date" in p for p in plan.problems)
