"""The signature authenticates its own file list; file modes; rollback (issue 12: 3, 10)."""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import re
import shutil
import stat
import struct
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, SEEDS
from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC

from newsindex import Article, NewsIndex, UntrustedIndexError
from newsindex.index.maintenance import check_index
from newsindex.index.signing import SIGNATURE, InsecureKeyError
from newsindex.index.storage import open_index
from newsindex.interfaces.cli import main


class _Payload:
    """A pickle that leaves a file behind when it is loaded: stands for any code."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, ...]:
        return (Path.touch, (self.marker,))


@pytest.fixture(autouse=True)
def _own_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    keys = tmp_path / "keys"
    keys.mkdir(mode=0o700)
    monkeypatch.setenv("NEWSINDEX_KEY_FILE", str(keys / "signing.key"))


def _build(path: Path) -> None:
    with NewsIndex.create(path, analysis="builtin", workers=1) as ix:
        ix.add_path(SEEDS)


def _segment(path: Path) -> Path:
    return next(p for p in path.iterdir() if p.suffix == ".seg")


def _edit_signature(path: Path, edit: Callable[[dict[str, Any]], None]) -> None:
    data = json.loads((path / SIGNATURE).read_text())
    edit(data)
    (path / SIGNATURE).write_text(json.dumps(data, indent=1))


def _compound_bomb(marker: Path) -> bytes:
    """A Whoosh compound segment file whose directory is a pickle that runs code."""
    payload = pickle.dumps(_Payload(marker))
    return struct.pack("!qi", 12, len(payload)) + payload + pickle.dumps({})  # directory, options


def test_segment_swapped_for_a_pickle_and_unlisted_never_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "ix"
    _build(path)
    segment = _segment(path)
    marker = tmp_path / "pwned"
    _edit_signature(path, lambda d: d["files"].pop(segment.name))  # no key needed for this
    segment.write_bytes(_compound_bomb(marker))
    with pytest.raises(UntrustedIndexError), NewsIndex.open(path) as ix:
        ix.search("Venezuela")
    assert main(["search", "Venezuela", "--index", str(path)]) == 2
    assert main(["check", "--index", str(path)]) == 1
    report = check_index(path)
    assert "unopenable" in {p.kind for p in report.problems}
    capsys.readouterr()
    assert not marker.exists()
    # The payload is live: plain Whoosh runs it.
    copy = tmp_path / "copy"
    shutil.copytree(path, copy)
    with contextlib.suppress(Exception):
        whoosh_index.open_dir(str(copy), indexname="paragraphs").searcher()
    assert marker.exists()


def test_an_unlisted_file_of_a_used_segment_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ix"
    _build(path)
    extra = path / f"{_segment(path).stem}.pst"
    extra.write_bytes(b"\x00" * 64)
    with pytest.raises(UntrustedIndexError, match=f"{re.escape(extra.name)} is not in its signature"):
        NewsIndex.open(path)
    extra.unlink()
    with NewsIndex.open(path) as ix:
        assert ix.search("Venezuela").total > 0


def _drop_vocab(d: dict[str, Any]) -> None:
    del d["files"][next(n for n in d["files"] if n.endswith(".vocab"))]


def _change_size(d: dict[str, Any]) -> None:
    d["files"][next(n for n in d["files"] if n.endswith(".seg"))]["size"] += 1


def _add_entry(d: dict[str, Any]) -> None:
    d["files"]["paragraphs_zzzzzzzzzzzzzzzz.seg"] = {"size": 1, "mtime_ns": 1, "hmac": "0" * 64}


@pytest.mark.parametrize("edit", [_drop_vocab, _change_size, _add_entry], ids=lambda f: f.__name__)
def test_a_changed_signature_is_refused(tmp_path: Path, edit: Callable[[dict[str, Any]], None]) -> None:
    path = tmp_path / "ix"
    _build(path)
    _edit_signature(path, edit)
    with pytest.raises(UntrustedIndexError, match="changed after newsindex wrote it"):
        NewsIndex.open(path)


def test_a_changed_manifest_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ix"
    _build(path)
    manifest = path / "newsindex.json"
    data = json.loads(manifest.read_text())
    data["created"] = "1999-01-01T00:00:00+00:00"
    manifest.write_text(json.dumps(data))
    with pytest.raises(UntrustedIndexError, match=r"newsindex\.json changed since newsindex signed it"):
        NewsIndex.open(path)
    with NewsIndex.open(path, trust=True) as ix:  # trusting signs the manifest too
        assert ix.search("Venezuela").total > 0
    with NewsIndex.open(path) as ix:
        assert ix.search("Venezuela").total > 0


def test_the_table_of_contents_read_is_the_one_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A table of contents swapped right after its check is never unpickled."""
    from newsindex.index.signing import Signer

    path = tmp_path / "ix"
    _build(path)
    storage = FileStorage(str(path))
    generation = TOC._latest_generation(storage, "paragraphs")
    toc = TOC.read(storage, "paragraphs", gen=generation)
    marker = tmp_path / "pwned"
    toc.segments[0].payload = _Payload(marker)  # segments are unpickled (the schema is not)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    toc.write(FileStorage(str(scratch)), "paragraphs")
    bomb = (scratch / f"_paragraphs_{generation}.toc").read_bytes()
    verify = Signer.verify

    def verify_then_swap(self: Signer, gen: int) -> Any:
        checked = verify(self, gen)
        (path / f"_paragraphs_{gen}.toc").write_bytes(bomb)  # the race, made certain
        return checked

    monkeypatch.setattr(Signer, "verify", verify_then_swap)
    with contextlib.suppress(Exception):
        open_index(path)[0].close()
    assert not marker.exists()


def test_a_file_rewritten_in_place_is_checked_again(tmp_path: Path) -> None:
    path = tmp_path / "ix"
    _build(path)
    ix, _ = open_index(path)
    segment = _segment(path)
    before = segment.stat()
    data = bytearray(segment.read_bytes())
    data[len(data) // 2] ^= 0xFF
    with open(segment, "r+b") as fh:  # same inode, same size …
        fh.write(bytes(data))
    os.utime(segment, ns=(before.st_atime_ns, before.st_mtime_ns))  # … same mtime
    with pytest.raises(UntrustedIndexError, match="changed since newsindex signed it"):
        ix._read_toc()


def test_rollback_to_an_older_signed_copy_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "ix"
    _build(path)
    backup = tmp_path / "backup"
    shutil.copytree(path, backup)
    with NewsIndex.open(path) as ix:
        ix.add([Article(id="neu", title="Neu", paragraphs=("Ein neuer Absatz über Venezuela.",))])
    assert check_index(path).ok
    shutil.rmtree(path)
    shutil.copytree(backup, path)  # still signed with my key: it opens
    with NewsIndex.open(path) as ix:
        assert ix.search("Venezuela").total > 0
    report = check_index(path)
    rollback = [p for p in report.problems if p.kind == "rollback"]
    assert rollback and "older copy" in rollback[0].message, report.to_dict()
    # The backup as a copy elsewhere is its own index: no rollback there.
    assert check_index(backup).ok
    # Trusting it accepts the older state from then on.
    check_index(path, trust=True)
    assert check_index(path).ok, check_index(path).to_dict()


_MAKE_INDEX = """
import os, sys
os.umask(0o027)
from newsindex import NewsIndex
with NewsIndex.create(sys.argv[1], analysis="builtin", workers=1) as ix:
    ix.add_path(sys.argv[2])
"""


@pytest.mark.slow
def test_files_follow_the_umask_so_a_group_can_share_the_index(tmp_path: Path) -> None:
    path = tmp_path / "ix"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    subprocess.run([sys.executable, "-c", _MAKE_INDEX, str(path), str(SEEDS)], check=True, env=env)
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in path.iterdir() if p.is_file()}
    assert {"newsindex.json", SIGNATURE} <= set(modes)
    for name, mode in modes.items():
        assert not mode & 0o007, (name, oct(mode))  # nobody else reads any of it
        if name.endswith("_WRITELOCK"):
            # The group only reads (the folder is 0750): it must not be able to hold the lock
            # (tests/test_concurrent_writers.py), so the lock file is the owner's alone.
            assert mode == 0o600, (name, oct(mode))
        else:
            assert mode & stat.S_IRGRP, (name, oct(mode))  # the group reads it


def test_check_flags_what_every_account_may_write(tmp_path: Path) -> None:
    path = tmp_path / "ix"
    _build(path)
    assert check_index(path).ok
    path.chmod(0o777)
    (path / "newsindex.json").chmod(0o666)
    found = [(p.kind, p.file) for p in check_index(path).problems]
    assert ("permissions", None) in found and ("permissions", "newsindex.json") in found, found
    path.chmod(0o755)


def test_a_key_file_every_account_can_use_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ix"
    _build(path)
    key = Path(os.environ["NEWSINDEX_KEY_FILE"])
    key.chmod(0o640)  # shared with a group: fine
    with NewsIndex.open(path) as ix:
        assert ix.search("Venezuela").total > 0
    key.chmod(0o644)
    with pytest.raises(InsecureKeyError, match="chmod o-rwx"):
        NewsIndex.open(path)
    key.chmod(0o600)
    key.parent.chmod(0o777)  # anyone could put their own key here
    try:
        with pytest.raises(InsecureKeyError, match="chmod o-w"):
            NewsIndex.open(path)
    finally:
        key.parent.chmod(0o700)


def test_writer_worker_processes_reopen_the_verified_index(tmp_path: Path) -> None:
    """Whoosh's worker processes call ``storage.open_index()`` on their forked storage: they
    must get the parent's signed index, not a plain FileIndex that unpickles the newest table
    of contents unchecked."""
    from newsindex.index.signing import SignedIndex

    path = tmp_path / "ix"
    _build(path)
    ix, _manifest = open_index(path)
    reopened = ix.storage.open_index("paragraphs")
    assert reopened is ix and isinstance(reopened, SignedIndex)
    # A tampered newest table of contents is then refused in the worker too.
    _edit_signature(path, lambda d: d.update(files={**d["files"], "x": d["files"][next(iter(d["files"]))]}))
    with pytest.raises(UntrustedIndexError):
        reopened._read_toc()
    # Two worker processes still build an index that opens and finds the seeds.
    other = tmp_path / "ix2"
    with NewsIndex.create(other, analysis="builtin", workers=2) as built:
        built.add_path(SEEDS)
    with NewsIndex.open(other) as again:
        assert again.search("Venezuela").total > 0
