"""The chunk cache (issue 17): a context-free text's rows built from its whitespace-delimited
chunks, spaCy tokenising only chunks never seen, are exactly the rows of the whole-text
analysis, also where spaCy's tokenizer looks across whitespace (its special-case matcher).
"""

from __future__ import annotations

import sys
import threading
from itertools import islice

import pytest
from conftest import WIKINEWS, wikinews_texts
from conftest import loaded_chain as chain
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsindex.analysis.chain import AnalysisChain
from newsindex.analysis.chunks import ChunkRows, Piece, Row


def whole(ch: AnalysisChain, text: str) -> list[Row]:
    """The rows of the whole-text path: spaCy tokenises the text, then the chain's rules."""
    return ch._whole_text_rows(text)


def token_rows(ch: AnalysisChain, limit: int = 1_000_000) -> ChunkRows:
    """A ChunkRows whose every spaCy token is one row: its rows show the tokens themselves."""

    def one_piece(surface: str) -> tuple[Piece, ...]:
        return ((0, len(surface), surface, surface, (), False, "", False, False),)

    return ChunkRows(ch.backend, one_piece, limit)


def spacy_spans(ch: AnalysisChain, text: str) -> list[tuple[int, int]]:
    return [(t.idx, t.idx + len(t)) for t in ch.backend.tokenize(text) if not t.is_space]


# German news text and what spaCy's rules treat specially: abbreviations, ordinals,
# quotes, URLs, e-mail addresses, hyphens, emoji and emoticons (special cases that the
# matcher applies), odd whitespace.
WORDS = [
    "Der", "Bundestag", "hat", "am", "3.", "Oktober", "z.", "B.", "z.B.", "ca.", "Nr.", "Dr.", "usw.",
    "„Krieg“", "„Frieden“,", "(SPD)", "CDU/CSU", "US-Präsidenten", "E-Mail-Adresse", "info@example.de",
    "https://de.wikinews.org/wiki/Hauptseite", "www.tagesschau.de.", "Sahra", "Wagenknecht", "trat",
    "zurück.", "Airbus", "A320.", "2:1", "Tor:", "1", "D", "O", "s", "'s", "’s", "geht's", "8)", ":)",
    ":-(", "(-:", "(:", "):", "._.", "o.O", "<3", "x:(", ")", "(", ":", "'", "’", "-", "—", "…", "😀",
    "👍🏽", "°C", "20°C", "1.000,50", "€", "%", "Abt.", "Jan.", "i.V.", "L’", "ich’s", "Mrd.", "<b>Krieg</b>",
]  # fmt: skip
SPACES = [" ", " ", " ", "  ", "\n", "\n\n", " \n ", "\t", "\u00a0", " \u00a0", "\u2009", "\u3000", "\r\n"]
SPACES += ["\x1c", "\x85"]  # also whitespace to str.isspace

texts = st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(SPACES)), min_size=1, max_size=14).map(
    lambda parts: "".join(w + s for w, s in parts)
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=texts, lead=st.sampled_from(["", " ", "\n", "\u00a0"]))
def test_chunk_rows_equal_whole_text_rows(text: str, lead: str) -> None:
    ch = chain()
    text = lead + text
    expected = whole(ch, text)
    assert ch._context_free_rows(text) == expected  # new chunks: learnt now
    assert ch._context_free_rows(text) == expected  # every chunk from the cache
    assert ch.rows(text) == expected


def _rules() -> list[str]:
    return sorted(r for r in chain().backend.nlp.tokenizer.rules if not r.isspace())


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_chunk_tokens_are_spacy_tokens_or_the_text_is_analysed_whole(data: st.DataObject) -> None:
    """Token level, on spaCy's special cases glued together: where ChunkRows answers, its
    tokens are spaCy's tokens of the whole text (special-case matches across a space
    included); the chain's rules would hide most differences in punctuation."""
    ch = chain()
    fragment = st.sampled_from([*_rules(), *WORDS]).flatmap(
        lambda a: st.sampled_from(["", *_rules()]).map(lambda b: a + b)
    )
    space = st.sampled_from([" ", " ", "  ", "\n"])
    parts = data.draw(st.lists(st.tuples(fragment, space), min_size=2, max_size=5))
    text = "".join(w + s for w, s in parts)
    found = token_rows(ch).rows(text)
    if found is not None:
        assert [(r[1], r[2]) for r in found[0]] == spacy_spans(ch, text)


# Texts where spaCy's special-case matcher matches across a space: the tokens of a chunk
# differ between the text and the chunk alone (found by a search over spaCy's rules).
ACROSS_SPACES = ["x:( ) y", ":X:( ) Abt.", "’ s’über'm", "Mrd. 0_o :'-(=] =]co.", "u. Abk.:-(( :}._."]


@pytest.mark.parametrize("text", ACROSS_SPACES)
def test_special_case_matches_across_a_space_tokenise_those_chunks_together(text: str) -> None:
    ch = chain()
    chunkwise: list[tuple[int, int]] = []
    end = 0
    for chunk in text.split():
        start = text.find(chunk, end)
        chunkwise += [(start + a, start + b) for a, b in spacy_spans(ch, chunk)]
        end = start + len(chunk)
    assert chunkwise != spacy_spans(ch, text)  # spaCy does look across the space here
    found = token_rows(ch).rows(text)  # the chunks so joined are tokenised together
    assert found is not None and [(r[1], r[2]) for r in found[0]] == spacy_spans(ch, text)
    assert ch._context_free_rows(text) == whole(ch, text)


def test_whitespace_is_exactly_what_str_split_splits_on() -> None:
    """spaCy splits chunks at ``str.isspace`` characters; the chunk walk uses ``str.split()``."""
    ch = chain()
    spaces = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]
    assert [c for c in map(chr, range(sys.maxunicode + 1)) if len(f"a{c}b".split()) == 2] == spaces
    for c in spaces:
        assert spacy_spans(ch, f"Haus{c}Maus") == [(0, 4), (5, 9)], repr(c)
        assert ch._context_free_rows(f"Haus{c}Maus") == whole(ch, f"Haus{c}Maus")


@pytest.mark.slow  # reads the shared corpora
@pytest.mark.skipif(not WIKINEWS.is_file(), reason="../shared/corpora is not beside the repo")
def test_wikinews_rows_from_chunks_equal_rows_of_whole_texts() -> None:
    ch = AnalysisChain()  # a cold chain: the cache fills from this text alone
    texts = [t for t in islice(wikinews_texts(), 1500) if t.strip()]
    whole_text_path = 0
    for text in texts:
        assert ch._context_free_rows(text) == whole(ch, text), text[:80]
        if ch._chunks is not None and ch._chunks.rows(text) is None:
            whole_text_path += 1
    ch.prime(texts[:200])
    assert all(ch.rows(t) == whole(ch, t) for t in texts[:200])
    assert whole_text_path < len(texts) // 50  # the fallback is rare in news text


def test_the_cache_is_bounded_and_stays_exact() -> None:
    ch = chain()
    rows = token_rows(ch, limit=12)
    sizes = []
    for i in range(60):
        text = f"Am {i}. Mai „Haus{i}“ (SPD{i}) Tor {i}:"
        found = rows.rows(text)
        assert found is not None
        assert [(r[1], r[2]) for r in found[0]] == spacy_spans(ch, text)
        sizes.append(len(rows))
    assert max(sizes) <= 12
    assert min(sizes[12:]) < max(sizes)  # it started afresh, more than once


def test_threads_sharing_the_chain_get_the_whole_text_rows() -> None:
    ch = AnalysisChain()
    ch.load()
    names = ("Sahra Wagenknecht", "Olaf Scholz", "die Ministerin")
    said = "Am {d}. März trat {n} zurück: „Das war’s“, sagte {n} ({d} %)."
    texts = [said.format(d=d, n=n) for d in range(40) for n in names]
    reference = AnalysisChain()
    expected = {t: whole(reference, t) for t in texts}
    ch._chunks = ChunkRows(ch.backend, ch._cached_pieces, limit=50)  # small: threads start it afresh
    errors: list[str] = []

    def work(offset: int) -> None:
        for text in texts[offset:] + texts[:offset]:
            if ch._context_free_rows(text) != expected[text]:
                errors.append(text)

    threads = [threading.Thread(target=work, args=(k * 17,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_an_over_long_text_raises_spacys_error_as_before() -> None:
    ch = chain()
    nlp = ch.backend.nlp
    saved = nlp.max_length
    nlp.max_length = 20
    try:
        assert token_rows(ch).rows("Ein Satz mit mehr als zwanzig Zeichen.") is None
        with pytest.raises(ValueError, match="E088"):
            ch.rows("Ein Satz mit mehr als zwanzig Zeichen.")
    finally:
        nlp.max_length = saved


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=texts)
def test_chunks_learnt_ahead_leave_the_rows_nothing_to_learn(text: str) -> None:
    """``learn`` (what the index writer does for the next batch) leaves nothing for the rows
    to learn, and they are the whole-text rows."""
    ch = AnalysisChain()  # cold: nothing learnt before
    ch.learn([text])
    chunks = ch._chunk_rows()
    learnt = len(chunks)
    calls: list[str] = []
    spans = ch.backend.spans

    def spy(joined: str) -> list[list[int]]:
        calls.append(joined)
        return spans(joined)

    ch.backend.spans = spy  # type: ignore[method-assign]
    try:
        found = chunks.rows(text)
    finally:
        del ch.backend.spans
    if all(chunk in chunks._cache[0] for chunk in text.split()):
        # spaCy reads only runs of chunks its matcher may see together ("Lizenz. >>"),
        # never a chunk to learn (learning joins chunks with newlines)
        assert all(" " in c and "\n" not in c and c in text for c in calls) and len(chunks) == learnt
    else:  # spaCy's tokens of these chunks read together are not theirs alone: never learnt
        assert found is None
    assert ch._context_free_rows(text) == whole(ch, text)


@pytest.mark.skipif(not WIKINEWS.is_file(), reason="../shared/corpora is not beside the repo")
def test_a_batch_whose_new_chunks_do_not_fit_keeps_every_chunk_it_needs() -> None:
    """Past the cache's limit, learning the next batch starts the cache afresh with that
    batch's known chunks, not midway with only its new ones (which would drop the words
    common to every batch, for the workers to learn again)."""
    ch = chain()
    news = list(islice(wikinews_texts(), 400))
    first, second = news[:200], news[200:]
    a = set(" ".join(first).split())
    b = set(" ".join(second).split())
    assert a & b and b - a and a - b
    rows = token_rows(ch, limit=len(a | b) - 1)  # the second batch's new chunks do not fit beside the first's
    rows.store(rows.work_out(rows.unknown(first, make_room=True)))
    assert len(rows) == len(a)
    todo = rows.unknown(second, make_room=True)
    assert sorted(todo) == sorted(b - a)
    rows.store(rows.work_out(todo))
    assert set(rows._cache[0]) == b  # every chunk of the batch, and only those
    assert rows.unknown(second) == []
