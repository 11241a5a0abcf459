"""A searching process reads its index's segment files in place (newsindex/index/mapped.py).

Whoosh's mapped ``CompoundStorage`` hands each sub-file out as
``BufferFile(memoryview)``, whose ``BytesIO`` copies it: every searcher (one per
thread, renewed after each commit) held a private copy of the whole index.
"""

from __future__ import annotations

import io
import json
import os
import pickle
import subprocess
import sys
import threading
import types
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import pytest
from whoosh.filedb import structfile
from whoosh.filedb.filestore import FileStorage

from newsindex import NewsIndex

REPO = Path(__file__).resolve().parents[1]
WIKINEWS = REPO.parent / "shared" / "corpora" / "wikinews_de_1000" / "articles.jsonl.gz"
QUERIES = [
    "Regierung",
    "Wahlen im Kanton",
    "Polizei Berlin",
    "Fußball Weltmeisterschaft",
    '"Europäische Union"',
]


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """120 Wikinews articles in several compound segments (builtin analysis: no spaCy needed)."""
    from newsindex.ingest import read

    if not WIKINEWS.is_file():
        pytest.skip("../shared/corpora is not beside the repository")
    path = tmp_path_factory.mktemp("mapped") / "ix"
    with NewsIndex.create(path, analysis="builtin", workers=1, batch_size=30) as ix:
        ix.add(list(islice(read(WIKINEWS), 120)))
    assert len([f for f in os.listdir(path) if f.endswith(".seg")]) > 1
    return path


def _answers(ix: NewsIndex) -> list[Any]:
    """What the search path gives: passages with snippets, related passages, exports, stats."""
    out: list[Any] = []
    for q in QUERIES:
        res = ix.search(q, limit=10)
        out.append([(h.article_id, h.paragraph, round(h.score, 9), h.text, h.highlights) for h in res.hits])
        out.append(res.total)
    first = ix.search("Regierung", limit=1).hits[0]
    related = ix.more_like(first.article_id, first.paragraph, limit=5)
    out.append([(h.article_id, h.paragraph, round(h.score, 9)) for h in related.hits])
    out.append(sorted(ix.article_ids("Wahl")))
    out.append({k: v for k, v in ix.stats().items() if k != "analysis"})
    return out


class _Copies:
    """Records every ``BufferFile`` Whoosh makes (its ``BytesIO`` copies the buffer)."""

    def __init__(self) -> None:
        self.sizes: list[int] = []

    def __call__(self, buf: Any = b"") -> io.BytesIO:
        self.sizes.append(len(memoryview(buf)))
        return io.BytesIO(buf)


@pytest.fixture
def copies(monkeypatch: pytest.MonkeyPatch) -> Iterator[_Copies]:
    recorder = _Copies()
    monkeypatch.setattr(structfile, "BytesIO", recorder)
    yield recorder


def _toc_size(path: Path) -> int:
    return max(f.stat().st_size for f in path.iterdir() if f.name.endswith(".toc"))


def test_searching_copies_no_segment_file(index_dir: Path, copies: _Copies) -> None:
    """Opening searchers and running searches, related passages, exports and stats
    copies no segment file: only the signed table of contents is read into memory."""
    with NewsIndex.open(index_dir) as ix:
        _answers(ix)
        assert ix.check().ok
    toc = _toc_size(index_dir)
    assert copies.sizes, "the table of contents is read through a BufferFile"
    assert all(size <= toc for size in copies.sizes), sorted(copies.sizes)[-5:]


def test_results_identical_to_whoosh_own_reading(index_dir: Path) -> None:
    """Read in place, the index answers exactly as through Whoosh's copying reader."""
    with NewsIndex.open(index_dir) as mapped:
        in_place = _answers(mapped)
    with NewsIndex.open(index_dir) as copying:
        storage = copying._ix.storage
        storage.supports_mmap = True  # Whoosh's mapping: sub-files copied into BytesIO
        storage.open_file = types.MethodType(FileStorage.open_file, storage)
        assert _answers(copying) == in_place


def test_threads_read_one_map_each_alike(index_dir: Path) -> None:
    """Searchers of several threads read their own views of the maps at once, with the
    answers of a single thread."""
    with NewsIndex.open(index_dir) as ix:
        expected = _answers(ix)
        got: list[Any] = []
        errors: list[BaseException] = []
        barrier = threading.Barrier(4)

        def run() -> None:
            try:
                barrier.wait()
                for _ in range(3):
                    got.append(_answers(ix))
            except BaseException as exc:  # reported below
                errors.append(exc)

        threads = [threading.Thread(target=run) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert not errors, errors
    assert got and all(g == expected for g in got)


_CHILD = r"""
import io, json, os, sys
from pathlib import Path
from whoosh.filedb import structfile
from newsindex import NewsIndex

sizes = []
def recording(buf=b""):
    sizes.append(len(memoryview(buf)))
    return io.BytesIO(buf)
structfile.BytesIO = recording

path = Path(sys.argv[1])
ix = NewsIndex.open(path)
hits = [[(h.article_id, h.paragraph) for h in ix.search(q, limit=10).hits] for q in json.loads(sys.argv[2])]
mapped = sorted({line.split()[-1] for line in open("/proc/self/maps") if line.rstrip().endswith(".seg")})
fds = []
for fd in os.listdir("/proc/self/fd"):
    try:
        fds.append(os.readlink(f"/proc/self/fd/{fd}"))
    except OSError:
        pass
fds = sorted(f for f in fds if f.endswith(".seg"))
ix.close()
left = sorted({line.split()[-1] for line in open("/proc/self/maps") if line.rstrip().endswith(".seg")})
print(json.dumps({"copied": sizes, "mapped": mapped, "fds": fds, "left": left, "hits": hits}))
"""


def test_a_searching_process_maps_its_segments(index_dir: Path) -> None:
    """A separate searching process: its segment files are mapped (read in place, shared
    with the page cache), none is copied, each holds one descriptor (the map's), and
    closing the index unmaps them."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, str(index_dir), json.dumps(QUERIES)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=True,
    )
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    segments = sorted(str(index_dir / f) for f in os.listdir(index_dir) if f.endswith(".seg"))
    assert report["mapped"] == segments
    assert report["fds"] == segments  # one descriptor per segment: the map's own
    assert report["left"] == []
    assert all(size <= _toc_size(index_dir) for size in report["copied"]), report["copied"]
    with NewsIndex.open(index_dir) as ix:
        here = [[[h.article_id, h.paragraph] for h in ix.search(q, limit=10).hits] for q in QUERIES]
    assert report["hits"] == here


def test_mapped_view_reads_like_bytesio() -> None:
    """The view behind a mapped sub-file answers every read as ``BytesIO`` would."""
    from newsindex.index.mapped import MappedView

    data = pickle.dumps({"Absatz": "Die Regierung trat zurück.\nNeue Wahlen folgen."}) + b"line\nlast"
    ours, theirs = MappedView(memoryview(data)), io.BytesIO(data)
    assert pickle.load(ours) == pickle.load(theirs)  # type: ignore[arg-type]
    assert ours.tell() == theirs.tell()
    for op in [("read", 3), ("readline",), ("read", -1), ("read", 5)]:
        assert getattr(ours, op[0])(*op[1:]) == getattr(theirs, op[0])(*op[1:])
        assert ours.tell() == theirs.tell()
    for offset, whence in [(2, 0), (3, 1), (-4, 2), (100, 0)]:
        assert ours.seek(offset, whence) == theirs.seek(offset, whence)
        assert ours.read(6) == theirs.read(6)
    ours.seek(1)
    theirs.seek(1)
    a, b = bytearray(7), bytearray(7)
    assert ours.readinto(a) == theirs.readinto(b) and a == b
    ours.seek(0)
    theirs.seek(0)
    assert list(ours) == list(theirs)
    with pytest.raises(ValueError):
        ours.seek(-1)
