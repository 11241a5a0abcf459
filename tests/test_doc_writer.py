"""Byte-identity tests for the fast ``add_document`` (newsindex.index.doc_writer).

Whoosh's own segment writer is the oracle. The cases are the ones the fast path
treats specially: a field value repeated over several documents (recorded as one
repeat and settled later), repeats broken by a document without the field or with
another value sharing terms, a repeat still pending when a merge adds an older
segment's postings (``add_reader``), and the field lengths and stored values it
hands straight to Whoosh's per-document writer. Real German sentences, no corpus.
"""

from __future__ import annotations

from contextlib import nullcontext
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from test_segment_writer import whoosh_pickles_as_newsindex
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3Codec

from newsindex.analysis.config import AnalysisConfig
from newsindex.index import block_codec
from newsindex.index.schema import build_schema, period_terms
from newsindex.index.segment_writer import ENV_SWITCH, install
from newsindex.index.term_pool import TermPool
from newsindex.index.vocabulary import VOCAB_EXT

BODIES = [
    "Die Bundesregierung hat am Mittwoch ein neues Klimaschutzgesetz beschlossen.",
    "Der Bundestag soll noch vor der Sommerpause über das Gesetz abstimmen.",
    "Umweltverbände kritisierten die Pläne als unzureichend und zu spät.",
    "Die Opposition kündigte Widerstand gegen die Kohleausstiegspläne an.",
    "In Berlin demonstrierten Tausende Menschen für mehr Klimaschutz.",
    "Der Wirtschaftsminister verteidigte die Beschlüsse der Regierung.",
    "Die Länder fordern mehr Geld für den Ausbau der Windenergie.",
    "Experten rechnen mit steigenden Strompreisen im kommenden Jahr.",
]
TITLES = ["Klimaschutzgesetz beschlossen", "Streit um Klimaschutzgesetz", "Proteste in Berlin"]


def _doc(i: int, title: str | None, source: str | None, author: str | None, day: int) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "doc_id": f"a{i // 3}#{i % 3}",
        "article_id": f"a{i // 3}",
        "paragraph": i % 3,
        "body": BODIES[i % len(BODIES)],
        "stops": BODIES[i % len(BODIES)],
        "paragraphs_total": 3,
        "article_hash": f"h{i // 3}",
    }
    published = datetime(2023, 5, day)
    doc["published"] = published
    doc["period"] = period_terms(published.date())
    if title is not None:
        doc["title"] = title
    if source is not None:
        doc["source"] = source
    if author is not None:
        doc["author"] = author
    return doc


def _documents() -> list[dict[str, Any]]:
    """Repeats of every kind: runs, a gap without the field, a change to a value sharing terms."""
    plan: list[tuple[str | None, str | None, str | None, int]] = [
        (TITLES[0], "Tagesspiegel", "Anna Schmidt", 17),
        (TITLES[0], "Tagesspiegel", "Anna Schmidt", 17),
        (TITLES[0], "Tagesspiegel", None, 17),  # the author's repeat stops here …
        (None, "Tagesspiegel", "Anna Schmidt", 17),  # … and starts again; no title in between
        (TITLES[0], "Tagesspiegel", "Anna Schmidt", 18),
        (TITLES[1], "Tagesspiegel", "Anna Schmidt", 18),  # shares "klimaschutzgesetz" with TITLES[0]
        (TITLES[1], "Tagesspiegel", "Jörg Müller", 18),
        (TITLES[0], "taz", "Jörg Müller", 18),  # back to an earlier value
        (TITLES[0], "taz", "Jörg Müller", 19),
        (TITLES[2], None, "Jörg Müller", 19),
        (TITLES[2], "taz", None, 19),
        (TITLES[2], "taz", None, 19),
    ]
    return [_doc(i, *row) for i, row in enumerate(plan)]


def _segment_files(folder: Path, names: set[str]) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for f in folder.iterdir():
        if f.name.startswith("paragraphs_") and "." in f.name and f.name.split(".", 1)[0] not in names:
            ext = f.name.split(".", 1)[1]
            if ext != VOCAB_EXT:  # the fast path's sidecar; test_segment_writer checks it
                assert ext not in out, "one new segment expected"
                out[ext] = f.read_bytes()
    return out


def _build(
    folder: Path,
    batches: list[list[dict[str, Any]]],
    fast: bool,
    monkeypatch: pytest.MonkeyPatch,
    codec: W3Codec | None = None,
) -> dict[str, bytes]:
    """Write ``batches`` (each a commit); the last one merges the earlier segments in. Whoosh's
    writer (``fast=False``) pickles block data as newsindex does."""
    monkeypatch.setenv(ENV_SWITCH, "1" if fast else "0")
    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), build_schema(AnalysisConfig(lemmatizer="builtin")), "paragraphs")
    names: set[str] = set()
    for k, docs in enumerate(batches):
        names = {f.name.split(".", 1)[0] for f in folder.iterdir() if f.name.startswith("paragraphs_")}
        writer = ix.writer(codec=codec or W3Codec(), compound=False)
        assert install(writer) is fast
        # The byte comparisons are only worth something if the fast add_document runs.
        assert ("fast_add_document" in writer.add_document.__qualname__) is fast
        last = k == len(batches) - 1
        with nullcontext() if fast else whoosh_pickles_as_newsindex():
            for doc in docs:
                writer.add_document(**doc)
            if fast:
                pool = writer.pool
                assert isinstance(pool, TermPool)
                assert pool._repeats, "the last documents' repeated fields should still be pending"
            writer.commit(optimize=last and len(batches) > 1)
    ix.close()
    return _segment_files(folder, names if len(batches) == 1 else set())


def test_repeats_write_whooshs_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    docs = _documents()
    slow = _build(tmp_path / "slow", [docs], False, monkeypatch)
    fast = _build(tmp_path / "fast", [docs], True, monkeypatch)
    assert sorted(fast) == sorted(slow)
    assert {"trm", "pst", "_title_len.col", "_stored.col"} <= set(fast)
    for ext in slow:
        assert fast[ext] == slow[ext], f"segment file .{ext} differs"


def test_pending_repeats_settle_before_a_merge_adds_postings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # optimize=True: Whoosh's commit adds the older segment's postings to this writer's
    # pool (add_reader) after our documents, while their repeats are still pending.
    docs = _documents()
    batches = [docs[:6], docs[6:]]
    slow = _build(tmp_path / "slow", batches, False, monkeypatch)
    fast = _build(tmp_path / "fast", batches, True, monkeypatch)
    assert sorted(fast) == sorted(slow)
    for ext in slow:
        assert fast[ext] == slow[ext], f"segment file .{ext} differs"


def test_term_pool_repeat_settles_in_document_order() -> None:
    pool = TermPool()
    pool.add(("title", b"klima", 0, 1.0, b"v"))
    items = [(b"klima", 1, 1.0, b"v"), (b"gesetz", 1, 0.5, b"w")]
    run = pool.repeat("title", items, 2.0, 1)
    run.end = 4
    pool.add(("title", b"klima", 7, 1.0, b"x"))  # settles the pending repeat first
    assert pool.fields["title"][b"klima"] == ([0, 1, 2, 3, 7], [1.0, 2.0, 2.0, 2.0, 1.0], [b"v"] * 4 + [b"x"])
    assert pool.fields["title"][b"gesetz"] == ([1, 2, 3], [1.0, 1.0, 1.0], [b"w"] * 3)
    assert pool.ordered and run.end == -1
    assert [name for name, _ in pool.sorted_fields()] == ["title"]


@pytest.mark.parametrize("blocklimit", [128, 2])
def test_a_paragraph_repeating_the_one_before_writes_whooshs_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, blocklimit: int
) -> None:
    # Its body and stops postings are reused, so one value object sits in a block
    # several times: the pickler must not write it as a back-reference (Whoosh's
    # values are fresh objects). Failed before: .trm and .pst differed.
    docs = _documents()[:4]
    for i in (1, 2):
        docs[i]["body"] = docs[i]["stops"] = docs[0]["body"]
    codec = W3Codec(blocklimit=blocklimit)
    slow = _build(tmp_path / "slow", [docs], False, monkeypatch, codec)
    fast = _build(tmp_path / "fast", [docs], True, monkeypatch, codec)
    assert sorted(fast) == sorted(slow)
    for ext in slow:
        assert fast[ext] == slow[ext], f"segment file .{ext} differs"


def test_distinct_copies_a_repeated_value_object() -> None:
    value = b"".join((b"\x00\x00\x00\x01", b"\x80\x02]q\x00K\x03a."))
    other = b"".join((b"\x00\x00\x00\x01", b"\x80\x02]q\x00K\x05a."))
    out = block_codec.distinct([value, other, value])
    assert out == [value, other, value]
    assert out[0] is value and out[2] is not value
    values = [value, other]
    assert block_codec.distinct(values) is values
