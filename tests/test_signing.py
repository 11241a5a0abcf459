"""Index signing: a foreign or altered index is refused before Whoosh unpickles it."""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
from pathlib import Path

import pytest
from conftest import SEEDS
from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC

from newsindex import Article, NewsIndex, UntrustedIndexError
from newsindex.index.signing import SIGNATURE


class _Payload:
    """A pickle that leaves a file behind when it is loaded: stands for any code."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, ...]:
        return (Path.touch, (self.marker,))


def _with_key(monkeypatch: pytest.MonkeyPatch, folder: Path, name: str) -> None:
    monkeypatch.setenv("NEWSINDEX_KEY_FILE", str(folder / f"{name}.key"))


def _build(path: Path) -> None:
    with NewsIndex.create(path, analysis="builtin", workers=1) as ix:
        ix.add_path(SEEDS)


def test_own_index_opens_and_every_commit_is_signed(tmp_path: Path) -> None:
    path = tmp_path / "ix"
    _build(path)
    with NewsIndex.open(path) as ix:
        assert ix.search("Venezuela").total > 0
        ix.add([Article(id="neu", title="Neu", paragraphs=("Ein neuer Absatz über Venezuela.",))])
        assert ix.delete("neu")
    # Reopened in a fresh object: the add's and the delete's commits were signed.
    with NewsIndex.open(path) as ix:
        assert ix.search("Venezuela").total > 0


def test_index_signed_with_another_key_is_refused_until_trusted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "ix"
    _with_key(monkeypatch, tmp_path, "colleague")
    _build(path)
    _with_key(monkeypatch, tmp_path, "me")
    with pytest.raises(UntrustedIndexError, match="trust=True"):
        NewsIndex.open(path)
    with NewsIndex.open(path, trust=True) as ix:
        assert ix.search("Venezuela").total > 0
    # Trusting signed it with my key: no flag needed any more.
    with NewsIndex.open(path) as ix:
        assert ix.search("Venezuela").total > 0


def test_altered_segment_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ix"
    _build(path)
    segment = next(p for p in path.iterdir() if p.suffix == ".seg")
    data = bytearray(segment.read_bytes())
    data[len(data) // 2] ^= 0xFF
    segment.write_bytes(bytes(data))
    with pytest.raises(UntrustedIndexError, match="changed since newsindex signed it"):
        NewsIndex.open(path)


def test_missing_signature_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ix"
    _build(path)
    (path / SIGNATURE).unlink()
    with pytest.raises(UntrustedIndexError, match="no valid newsindex signature"):
        NewsIndex.open(path)


def test_malicious_table_of_contents_never_runs(tmp_path: Path) -> None:
    """A TOC whose pickle runs code: plain Whoosh runs it, newsindex refuses first."""
    path = tmp_path / "ix"
    _build(path)
    storage = FileStorage(str(path))
    generation = TOC._latest_generation(storage, "paragraphs")
    toc = TOC.read(storage, "paragraphs", gen=generation)
    marker = tmp_path / "pwned"
    # Whoosh pickles the schema into the TOC: put the payload there.
    toc.schema.payload = _Payload(marker)  # type: ignore[attr-defined]
    storage.delete_file(f"_paragraphs_{generation}.toc")
    toc.write(storage, "paragraphs")
    with pytest.raises(UntrustedIndexError):
        NewsIndex.open(path)
    assert not marker.exists()
    # The payload is live: plain Whoosh would have run it.
    copy = tmp_path / "copy"
    shutil.copytree(path, copy)
    with contextlib.suppress(Exception):
        whoosh_index.open_dir(str(copy), indexname="paragraphs")
    assert marker.exists()


def test_readers_during_commits_never_see_an_unsigned_state(tmp_path: Path) -> None:
    path = tmp_path / "ix"
    _build(path)
    errors: list[BaseException] = []
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            try:
                with NewsIndex.open(path) as reader:
                    reader.search("Venezuela")
            except BaseException as exc:  # any error fails the test
                errors.append(exc)
                return

    threads = [threading.Thread(target=read) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        with NewsIndex.open(path, workers=1) as ix:
            for i in range(8):
                ix.add([Article(id=f"a{i}", title="T", paragraphs=(f"Absatz {i} über Krieg und Frieden.",))])
    finally:
        done.set()
        for t in threads:
            t.join()
    assert errors == []


def test_key_file_is_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _with_key(monkeypatch, tmp_path, "fresh")
    _build(tmp_path / "ix")
    assert (tmp_path / "fresh.key").stat().st_mode & 0o077 == 0
    assert len((tmp_path / "fresh.key").read_bytes()) == 32
    assert os.environ["NEWSINDEX_KEY_FILE"].endswith("fresh.key")
