"""Merging segments through the fast writer (index.merging) against Whoosh's own merge.

A merge copies the merged segments' documents and postings into the new segment;
with the fast writer the postings are read straight from the posting blocks and
streamed out a stretch of terms at a time. The merged segment must be byte for byte
the one Whoosh's ``add_reader`` path writes, with deletions, with documents of the
writer's own before the merged ones, and across stretch boundaries.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from test_segment_writer import (
    WIKINEWS,
    _articles,
    _contents,
    _documents,
    _read_back_vocabulary,
    _segment_files,
    whoosh_pickles_as_newsindex,
)
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3Codec
from whoosh.reading import SegmentReader
from whoosh.writing import NO_MERGE

from newsindex.index import merging, segment_writer
from newsindex.index.segment_writer import ENV_SWITCH, TermPool, install
from newsindex.index.vocabulary import VOCAB_EXT

pytestmark = pytest.mark.skipif(not WIKINEWS.is_file(), reason="../shared/corpora is not beside the repo")


def _merge_all(writer: Any, segments: list[Any]) -> list[Any]:
    """A merge policy: every segment into the writer (Whoosh's OPTIMIZE, spelled out)."""
    for segment in segments:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()
    return []


def _three_segments(folder: Path, codec: W3Codec, fast: bool = True) -> None:
    """An index of three segments (the fast writer, or stock Whoosh's), with deletions in two of them."""
    from newsindex.analysis.config import AnalysisConfig
    from newsindex.index.schema import build_schema

    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), build_schema(AnalysisConfig(lemmatizer="builtin")), "paragraphs")
    for skip in (0, 25, 50):
        writer = ix.writer(codec=codec, compound=False)
        if fast:
            install(writer)
        for doc in _documents(_articles(25, skip=skip)):
            writer.add_document(**doc)
        writer.commit(mergetype=NO_MERGE)
    writer = ix.writer(codec=codec, compound=False)
    for article in _articles(25, skip=25)[::4] + _articles(3, skip=50):
        writer.delete_by_term("article_id", article.id)
    writer.commit(mergetype=NO_MERGE)
    ix.close()


def _merged(folder: Path, fast: bool, codec: W3Codec, own: list[dict[str, Any]]) -> dict[str, bytes]:
    """Merge every segment of ``folder`` (after adding ``own`` documents) into one; its files."""
    ix = whoosh_index.open_dir(str(folder), "paragraphs")
    assert len(ix._segments()) == 3
    writer = ix.writer(codec=codec, compound=False)
    assert install(writer) is fast
    if fast:
        assert isinstance(writer.pool, TermPool)
    for doc in own:
        writer.add_document(**doc)
    writer.commit(mergetype=_merge_all)
    assert len(ix._segments()) == 1
    ix.close()
    return _segment_files(folder)


@pytest.mark.slow  # reads the shared corpora
@pytest.mark.parametrize(("blocklimit", "stretch", "own"), [(128, 200_000, 0), (3, 7, 0), (128, 50, 4)])
def test_a_merged_segment_is_byte_identical_to_whooshs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, blocklimit: int, stretch: int, own: int
) -> None:
    # A small stretch writes each field in many pieces; `own` documents go into the pool
    # before the merged segments' (numbered first), so terms have postings from both.
    codec = W3Codec(blocklimit=blocklimit)
    _three_segments(tmp_path / "source", codec)
    shutil.copytree(tmp_path / "source", tmp_path / "slow")
    shutil.copytree(tmp_path / "source", tmp_path / "fast")
    docs = list(_documents(_articles(own, skip=90))) if own else []
    monkeypatch.setenv(ENV_SWITCH, "0")
    with whoosh_pickles_as_newsindex():  # Whoosh's merge reads the fast path's blocks too
        slow = _merged(tmp_path / "slow", False, codec, docs)
    monkeypatch.setenv(ENV_SWITCH, "1")
    monkeypatch.setattr(segment_writer, "_MERGE_STRETCH", stretch)
    reads: list[int] = []
    decode = merging._decode_postings
    monkeypatch.setattr(merging, "_decode_postings", lambda raw, size: reads.append(1) or decode(raw, size))
    fast = _merged(tmp_path / "fast", True, codec, docs)
    assert reads, "the fast merge read the posting blocks itself"
    assert fast.pop(VOCAB_EXT) == _read_back_vocabulary(tmp_path / "slow")
    assert sorted(fast) == sorted(slow)
    for ext in slow:
        assert fast[ext] == slow[ext], f"segment file .{ext} differs"


@pytest.mark.slow  # reads the shared corpora
def test_segments_of_whooshs_own_writer_merge_into_the_same_postings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An index written before the protocol-4 blocks (or with NEWSINDEX_FAST_POSTINGS=0) has
    # protocol-2 blocks: the fast merge reads them, and what stock Whoosh reads back from the
    # merged segment equals what it reads back from its own merge.
    _three_segments(tmp_path / "source", W3Codec(), fast=False)
    shutil.copytree(tmp_path / "source", tmp_path / "slow")
    shutil.copytree(tmp_path / "source", tmp_path / "fast")
    monkeypatch.setenv(ENV_SWITCH, "0")
    _merged(tmp_path / "slow", False, W3Codec(), [])
    monkeypatch.setenv(ENV_SWITCH, "1")
    reads: list[int] = []
    decode = merging._decode_postings
    monkeypatch.setattr(merging, "_decode_postings", lambda raw, size: reads.append(1) or decode(raw, size))
    _merged(tmp_path / "fast", True, W3Codec(), [])
    assert reads, "the fast merge read the protocol-2 blocks itself"
    assert _contents(tmp_path / "fast") == _contents(tmp_path / "slow")


def test_a_damaged_block_tag_is_refused() -> None:
    with pytest.raises(ValueError, match="bad postings block tag"):
        merging._decode_postings(b"XXXX\x00\x00\x00\x01", None)
