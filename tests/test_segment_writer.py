"""Oracle tests for the faster postings path (newsindex.index.segment_writer).

Whoosh's own segment writer is the oracle: for the same German news paragraphs
the fast path must write byte-identical segment files, and everything Whoosh's
reader reads back (every term's postings with weights, positions and character
offsets, term statistics, field lengths, stored fields) must be equal, also
through NewsIndex with worker processes, merges and deletions.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import pytest
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3Codec

from newsindex import NewsIndex
from newsindex.analysis.config import AnalysisConfig
from newsindex.article import Article
from newsindex.index import segment_writer, writing
from newsindex.index.documents import paragraph_documents
from newsindex.index.schema import build_schema
from newsindex.index.segment_writer import ENV_SWITCH, TermPool, install

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
WIKINEWS = CORPORA / "wikinews_de_1000" / "articles.jsonl.gz"
pytestmark = pytest.mark.skipif(not WIKINEWS.is_file(), reason="../shared/corpora is not beside the repo")


def _articles(n: int, skip: int = 0) -> list[Article]:
    with gzip.open(WIKINEWS, "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in islice(fh, skip, skip + n)]
    return [
        Article(id=r["id"], title=r.get("title") or "", paragraphs=tuple(r["paragraphs"]), source="wikinews")
        for r in rows
        if r.get("paragraphs")
    ]


def _documents(articles: list[Article]) -> Iterator[dict[str, Any]]:
    for a in articles:
        yield from paragraph_documents(a, a.content_hash())


def _segment_files(folder: Path) -> dict[str, bytes]:
    """The segment files by extension (their names carry a random segment id)."""
    out = {}
    for f in folder.iterdir():
        if f.name.startswith("paragraphs_") and "." in f.name:
            ext = f.name.split(".", 1)[1]
            assert ext not in out, "one segment expected"
            out[ext] = f.read_bytes()
    return out


def _build(folder: Path, docs: list[dict[str, Any]], fast: bool, codec: W3Codec) -> dict[str, bytes]:
    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), build_schema(AnalysisConfig(lemmatizer="builtin")), "paragraphs")
    writer = ix.writer(codec=codec, compound=False)
    assert install(writer) is fast
    if fast:
        assert isinstance(writer.pool, TermPool)
    for doc in docs:
        writer.add_document(**doc)
    writer.commit()
    ix.close()
    return _segment_files(folder)


@pytest.mark.parametrize(("blocklimit", "inlinelimit"), [(128, 1), (3, 1), (1, 1), (2, 0)])
def test_segment_files_are_byte_identical(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, blocklimit: int, inlinelimit: int
) -> None:
    # Small block limits put many terms on block boundaries (exactly full, one over).
    # (Whoosh cannot write inlined posting lists, inlinelimit > 1: W3TermInfo lacks set_inline.)
    docs = list(_documents(_articles(60)))
    assert len(docs) > 200
    monkeypatch.setenv(ENV_SWITCH, "0")
    slow = _build(tmp_path / "slow", docs, False, W3Codec(blocklimit=blocklimit, inlinelimit=inlinelimit))
    monkeypatch.setenv(ENV_SWITCH, "1")
    fast = _build(tmp_path / "fast", docs, True, W3Codec(blocklimit=blocklimit, inlinelimit=inlinelimit))
    assert sorted(fast) == sorted(slow)
    assert {"trm", "pst"} <= set(fast)
    for ext in slow:
        assert fast[ext] == slow[ext], f"segment file .{ext} differs"


def _contents(path: Path) -> dict[str, Any]:
    """Everything Whoosh's reader reads from an index, keyed by doc id (not document number)."""
    ix = whoosh_index.open_dir(str(path), "paragraphs")
    out: dict[str, Any] = {}
    with ix.reader() as r:
        ids = {d: f["doc_id"] for d, f in r.iter_docs()}
        out["stored"] = {ids[d]: f for d, f in r.iter_docs()}
        schema = ix.schema
        for fieldname in r.indexed_field_names():
            if schema[fieldname].scorable:
                out[f"length:{fieldname}"] = {ids[d]: r.doc_field_length(d, fieldname) for d in ids}
            for term in r.lexicon(fieldname):
                info = r.term_info(fieldname, term)
                key = f"{fieldname}:{term!r}"
                out[key + ":info"] = (info.doc_frequency(), info.weight(), info.max_weight())
                m = r.postings(fieldname, term)
                rows = []
                while m.is_active():
                    rows.append((ids[m.id()], m.weight(), m.value()))
                    m.next()
                out[key] = sorted(rows)
    ix.close()
    return out


@pytest.mark.parametrize("workers", [1, 2])
def test_news_index_reads_back_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    # Three batches (the third merges small segments), updates, a deletion; with two
    # workers every batch is written by worker processes, each its own segment.
    monkeypatch.setattr(writing, "MIN_PARALLEL_BATCH", 50)
    first, second = _articles(70), _articles(40, skip=70)
    changed = [
        Article(id=a.id, title=a.title + " (aktualisiert)", paragraphs=a.paragraphs[::-1]) for a in first[:5]
    ]
    built = {}
    for fast in (False, True):
        monkeypatch.setenv(ENV_SWITCH, "1" if fast else "0")
        path = tmp_path / ("fast" if fast else "slow")
        with NewsIndex.create(path, analysis="builtin", workers=workers, batch_size=120) as ix:
            ix.add(first)
            ix.add(second)
            ix.add(changed)
            assert ix.delete(first[7].id)
        built[fast] = _contents(path)
    assert built[True].keys() == built[False].keys()
    for key, value in built[False].items():
        assert built[True][key] == value, key
    assert any(k.startswith("body:") for k in built[True])


def test_switch_off_keeps_whoosh_pool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_SWITCH, "0")
    assert not segment_writer.enabled()
    path = tmp_path / "ix"
    path.mkdir()
    ix = whoosh_index.create_in(str(path), build_schema(AnalysisConfig(lemmatizer="builtin")), "paragraphs")
    writer = ix.writer()
    assert not install(writer)
    assert not isinstance(writer.pool, TermPool)
    writer.cancel()
    ix.close()


@pytest.mark.parametrize(("batch_size", "fast"), [(500, True), (5_000, False)])
def test_large_batches_keep_whoosh_pool(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, batch_size: int, fast: bool
) -> None:
    # The term pool never spills to disk: batches above the limit keep Whoosh's pool.
    monkeypatch.setenv(ENV_SWITCH, "1")
    monkeypatch.setattr(writing, "FAST_POSTINGS_MAX_BATCH", 1_000)
    with NewsIndex.create(tmp_path / "ix", analysis="builtin", workers=1, batch_size=batch_size) as ix:
        writer = ix._article_writer()._writer()
        try:
            assert isinstance(writer.pool, TermPool) is fast
        finally:
            writer.cancel()
