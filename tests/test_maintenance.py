"""``newsindex check`` and ``newsindex unlock``: healthy and damaged indexes, free and held locks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from newsindex import Article, NewsIndex
from newsindex.index import signing
from newsindex.index.errors import IndexFormatError, IndexLockedError, IndexNotFoundError
from newsindex.index.layout import FORMAT_VERSION
from newsindex.index.maintenance import CheckReport, check_index, lock_status, unlock_index
from newsindex.index.storage import open_index
from newsindex.index.writing import paragraph_docnum
from newsindex.ingest import read_all
from newsindex.interfaces import paths
from newsindex.interfaces.cli import main

SEEDS = Path(__file__).resolve().parents[1] / "seeds"

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file locks")


def articles(n: int, prefix: str) -> list[Article]:
    """``n`` distinct articles made of the seed articles' paragraphs."""
    seeds, _ = read_all(SEEDS)
    seeds = sorted(seeds, key=lambda a: a.id)
    return [
        Article(
            id=f"{prefix}-{i}",
            title=f"{seeds[i % 2].title} ({i})",
            paragraphs=tuple(f"{p} ({prefix} {i})" for p in seeds[i % 2].paragraphs[:5]),
            source=seeds[i % 2].source,
        )
        for i in range(n)
    ]


@pytest.fixture
def index_path(tmp_path: Path) -> Path:
    """An on-disk index of 4 articles of 5 paragraphs in two commits (two segments)."""
    path = tmp_path / "ix"
    with NewsIndex.create(path, analysis="builtin", workers=1, batch_size=10) as ix:
        ix.add(articles(4, "a"))
    return path


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(paths.INDEX_ENV, raising=False)
    monkeypatch.setenv(paths.HISTORY_ENV, str(tmp_path / "history"))
    # A missing file makes a signed index wait for a commit in progress; none is here.
    monkeypatch.setattr(signing, "RETRY_S", 0.0, raising=False)


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def segment_files(path: Path, ext: str = ".seg") -> list[Path]:
    return sorted(p for p in path.iterdir() if p.name.startswith("paragraphs_") and p.name.endswith(ext))


def write_through_whoosh(path: Path, change: Callable[[Any, Any], None]) -> None:
    """Change the index with a raw Whoosh writer (as newsindex never would), then sign it."""
    with NewsIndex.open(path) as ix:
        writer = ix._ix.writer()
        with ix._ix.searcher() as searcher:
            change(writer, searcher)
        writer.commit()
    ix2, _ = open_index(path, trust=True)  # sign the foreign commit with our key
    ix2.close()


def kinds(report: CheckReport) -> set[str]:
    return {p.kind for p in report.problems}


# -- check: healthy ------------------------------------------------------------------
def test_healthy_index_checks_ok(index_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = check_index(index_path)
    assert report.ok, report.to_dict()
    assert (report.articles, report.documents, report.segments) == (4, 20, 2)
    assert report.lock is not None and not report.lock.held
    assert json.loads(json.dumps(report.to_dict()))["ok"] is True
    with NewsIndex.open(index_path) as ix:
        assert ix.check().ok
    code, out, _ = cli(capsys, "check", "--index", str(index_path))
    assert code == 0 and "ok: no problems found" in out and "20 paragraphs of 4 articles" in out
    code, out, _ = cli(capsys, "check", "--index", str(index_path), "--json")
    assert code == 0 and json.loads(out)["documents"] == 20


def test_in_memory_index_checks_ok() -> None:
    with NewsIndex.in_memory(analysis="builtin") as ix:
        ix.add(articles(2, "m"))
        report = ix.check()
    assert report.ok and report.path is None and report.documents == 10


def test_check_without_an_index_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(IndexNotFoundError):
        check_index(tmp_path)
    code, _, err = cli(capsys, "check", "--index", str(tmp_path / "nothing"))
    assert code == 2 and "no index" in err


# -- check: damaged ------------------------------------------------------------------
def test_missing_paragraph_is_reported(index_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_through_whoosh(index_path, lambda w, s: w.delete_document(paragraph_docnum(s, "a-1", 3)))
    report = check_index(index_path)
    assert not report.ok
    [problem] = report.problems
    assert (problem.kind, problem.article_id) == ("missing-paragraphs", "a-1")
    assert "1 of its 5 paragraphs missing (3)" in problem.message
    code, out, _ = cli(capsys, "check", "--index", str(index_path))
    assert code == 1 and "article a-1: 1 of its 5 paragraphs missing" in out


def test_duplicated_paragraph_is_reported(index_path: Path) -> None:
    def duplicate(writer: Any, searcher: Any) -> None:
        stored = dict(searcher.stored_fields(paragraph_docnum(searcher, "a-2", 0)))
        writer.add_document(**stored, stops=stored["body"])

    write_through_whoosh(index_path, duplicate)
    report = check_index(index_path)
    assert kinds(report) == {"duplicate-doc-id", "duplicate-paragraphs"}, report.to_dict()
    assert {p.article_id for p in report.problems} == {"a-2"}
    assert report.documents == 21


def test_deleted_segment_file_is_reported(index_path: Path) -> None:
    victim = segment_files(index_path)[0]
    victim.unlink()
    # Unsigned files are never read: the signature check names the missing file.
    report = check_index(index_path)
    assert kinds(report) == {"unopenable"} and victim.name in report.problems[0].message
    # Trusted (signed again as it is), the segment itself is found unreadable.
    report = check_index(index_path, trust=True)
    assert kinds(report) == {"segment"}, report.to_dict()
    assert victim.stem in report.problems[0].message and "cannot be opened" in report.problems[0].message
    assert report.documents == 10  # the other segment reads fine


def test_truncated_segment_file_is_reported(index_path: Path) -> None:
    victim = segment_files(index_path)[1]
    victim.write_bytes(victim.read_bytes()[: victim.stat().st_size // 2])
    report = check_index(index_path)
    assert kinds(report) == {"unopenable"} and victim.name in report.problems[0].message
    report = check_index(index_path, trust=True)
    assert kinds(report) == {"segment"}, report.to_dict()
    assert victim.stem in report.problems[0].message


# -- debris and unlock ---------------------------------------------------------------
def make_debris(path: Path) -> set[str]:
    """Files like those a killed writer leaves; returns their names."""
    (path / "paragraphs_zzzzzzzzzzzzzzzz.seg").write_bytes(b"half a segment")
    (path / "paragraphs_zzzzzzzzzzzzzzzz.trm").write_bytes(b"")
    (path / "_paragraphs_9.toc.1795000000.25").write_bytes(b"half a table of contents")
    (path / "paragraphs.tmp").mkdir(exist_ok=True)
    (path / "paragraphs.tmp" / "abc.run").write_bytes(b"postings")
    return {
        "paragraphs_zzzzzzzzzzzzzzzz.seg",
        "paragraphs_zzzzzzzzzzzzzzzz.trm",
        "_paragraphs_9.toc.1795000000.25",
        "paragraphs.tmp",
    }


def test_unlock_removes_only_debris(index_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    in_use = sorted(p.name for p in index_path.iterdir())
    debris = make_debris(index_path)
    (index_path / "notes.txt").write_text("not ours: never touched")
    report = check_index(index_path)
    assert kinds(report) == {"orphaned-file"} and {p.file for p in report.problems} == debris
    assert all(p.severity == "warning" for p in report.problems) and report.errors == []
    assert cli(capsys, "check", "--index", str(index_path))[0] == 1

    code, out, err = cli(capsys, "unlock", "--index", str(index_path))
    assert code == 0
    assert "no process holds the write lock; the lock file is harmless" in out
    assert "Removed 4 files" in out
    assert sorted(line.rsplit("/", 1)[1] for line in err.splitlines()) == sorted(debris)
    assert all(line.startswith("newsindex: warning: removed ") for line in err.splitlines())
    assert sorted(p.name for p in index_path.iterdir()) == sorted([*in_use, "notes.txt"])
    assert check_index(index_path).ok
    with NewsIndex.open(index_path) as ix:
        assert ix.stats()["paragraphs"] == 20

    report2 = unlock_index(index_path)
    assert report2.removed == [] and "Nothing to clean up" in report2.message


def test_half_written_signature_and_manifest_are_debris(index_path: Path) -> None:
    """A writer killed while writing ``newsindex.sig`` or ``newsindex.json`` leaves the temporary
    file it would have renamed (``.sig-<random>``, ``.manifest-<random>``: ``write_atomically``).
    ``find_debris`` promised both but only knew the manifest's: the signature's stayed for ever."""
    half = {".sig-0f1e2d3c4b5a6978", ".manifest-8a7b6c5d4e3f2a1b"}
    for name in half:
        (index_path / name).write_bytes(b'{"version": 3, "entr')
    report = check_index(index_path)
    assert {p.file for p in report.problems if p.kind == "orphaned-file"} == half
    assert sorted(unlock_index(index_path).removed) == sorted(half)
    assert not any((index_path / name).exists() for name in half)
    assert (index_path / "newsindex.sig").is_file() and check_index(index_path).ok


# -- a lock held by a live process ---------------------------------------------------
HOLDER = r"""
import sys
from newsindex import NewsIndex
ix = NewsIndex.open(sys.argv[1])
writer = ix._ix.writer()   # holds the write lock
print("locked", flush=True)
sys.stdin.read()           # until the test closes our stdin
writer.cancel()
"""


@pytest.fixture
def holder(index_path: Path, tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    """A child process holding the index's write lock until its stdin closes."""
    script = tmp_path / "hold_the_lock.py"
    script.write_text(HOLDER)
    command = [sys.executable, str(script), str(index_path)]
    proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()


@pytest.mark.slow
def test_lock_held_by_a_live_process(
    index_path: Path, holder: subprocess.Popen[str], capsys: pytest.CaptureFixture[str]
) -> None:
    status = lock_status(index_path)
    assert status.held
    if sys.platform.startswith("linux"):
        assert [h.pid for h in status.holders] == [holder.pid]
        assert "hold_the_lock.py" in (status.holders[0].command or "")
    named = f"process {holder.pid}" if sys.platform.startswith("linux") else "another process"

    # unlock refuses and names the holder; nothing is removed, not even debris
    debris = make_debris(index_path)
    with pytest.raises(IndexLockedError, match=named):
        unlock_index(index_path)
    code, _, err = cli(capsys, "unlock", "--index", str(index_path))
    assert code == 1 and named in err and "not unlocking" in err
    assert debris <= {p.name for p in index_path.iterdir()}

    # a writer's error names the holder too
    with NewsIndex.open(index_path, lock_timeout=0) as ix, pytest.raises(IndexLockedError) as caught:
        ix.add(articles(1, "b"))
    assert named in str(caught.value) and "write lock" in str(caught.value)
    if sys.platform.startswith("linux"):
        assert caught.value.holders == (holder.pid,)

    # check does not call a running writer's files debris
    report = check_index(index_path)
    assert report.ok and report.lock is not None and report.lock.held
    assert any("a writer is running" in note for note in report.notes)

    # once the holder has gone, unlock clears the debris (and the files its cancelled writer left)
    assert holder.stdin is not None
    holder.stdin.close()
    holder.wait()
    removed = set(unlock_index(index_path).removed)
    assert removed and not debris & {p.name for p in index_path.iterdir()}
    assert check_index(index_path).ok


def test_lock_held_in_this_process_is_named(index_path: Path) -> None:
    first = NewsIndex.open(index_path, lock_timeout=0)
    second = NewsIndex.open(index_path, lock_timeout=0)
    with first, second:
        held = first._ix.writer()
        try:
            status = lock_status(index_path)
            assert status.held
            if sys.platform.startswith("linux"):
                assert status.holders[0].this_process
                with pytest.raises(IndexLockedError, match=r"this process .*write lock"):
                    second.add(articles(1, "c"))
        finally:
            held.cancel()
        assert second.add(articles(1, "c")).added == 1
    assert not lock_status(index_path).held


def test_a_killed_holder_leaves_a_harmless_lock_file(index_path: Path, tmp_path: Path) -> None:
    script = tmp_path / "hold_and_die.py"
    script.write_text(HOLDER.replace("sys.stdin.read()", "import os; os._exit(9)"))
    subprocess.run([sys.executable, str(script), str(index_path)], stdout=subprocess.PIPE, check=False)
    assert (index_path / "paragraphs_WRITELOCK").exists()
    status = lock_status(index_path)
    assert not status.held
    assert status.describe() == "no process holds the write lock; the lock file is harmless"
    assert os.path.exists(index_path / "paragraphs_WRITELOCK")
    with NewsIndex.open(index_path, lock_timeout=0) as ix:
        assert ix.add(articles(1, "d")).added == 1


def test_damaged_manifest_is_reported(index_path: Path) -> None:
    (index_path / "newsindex.json").write_text("{not json")
    report = check_index(index_path)
    assert "manifest" in kinds(report) and not report.ok
    assert any(p.file == "newsindex.json" for p in report.problems)


# -- an index of an older format -------------------------------------------------------
def test_an_index_of_another_format_is_refused_with_the_way_out(
    index_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = index_path / "newsindex.json"
    data = json.loads(manifest.read_text())
    data["format_version"] = 3
    manifest.write_text(json.dumps(data))
    expected = f"has format 3, this newsindex reads format {FORMAT_VERSION}: rebuild it"
    with pytest.raises(IndexFormatError, match=expected):
        NewsIndex.open(index_path)
    assert issubclass(IndexFormatError, IndexNotFoundError)  # code catching "no index" still works
    empty = index_path.parent / "empty"
    empty.mkdir()
    for args in (["search", "Krieg"], ["index", str(empty)]):
        code, _, err = cli(capsys, *args, "--index", str(index_path))
        assert code == 2 and "has format 3" in err and "--overwrite" in err, err
    code, _, err = cli(capsys, "index", str(empty), "--index", str(index_path), "--overwrite")
    assert code != 2, err
    with NewsIndex.open(index_path) as ix:  # rebuilt in the current format
        assert ix.stats()["paragraphs"] == 0
