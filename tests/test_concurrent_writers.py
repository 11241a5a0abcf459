"""Several writers on one index at once: real processes, each article stored exactly once.

Covers issue 12: writers deciding "already stored?" outside the lock (duplicates),
``--overwrite`` racing a live writer, a reader holding the write lock for ever,
and ``check --repair`` for an index that already holds duplicates.
"""

from __future__ import annotations

import gzip
import os
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from itertools import islice
from pathlib import Path

import pytest

from newsindex import NewsIndex
from newsindex.index.errors import IndexLockedError
from newsindex.index.maintenance import check_index, lock_file, lock_status, unlock_index

REPO = Path(__file__).resolve().parents[1]
WIKINEWS = REPO.parent / "shared" / "corpora" / "wikinews_de_1000" / "articles.jsonl.gz"

pytestmark = pytest.mark.skipif(
    not WIKINEWS.is_file(), reason="../shared/corpora is not beside the repository"
)


def wiki_lines(n: int, start: int = 0) -> list[str]:
    """``n`` Wikinews articles as JSON lines (read from the shared corpus, never copied into the repo)."""
    with gzip.open(WIKINEWS, "rt", encoding="utf-8") as fh:
        return list(islice(fh, start, start + n))


def env() -> dict[str, str]:
    out = dict(os.environ)
    out["PYTHONPATH"] = str(REPO) + os.pathsep + out.get("PYTHONPATH", "")
    return out


def newsindex(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "newsindex", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env(),
    )


def finish(proc: subprocess.Popen[str], timeout: float = 600) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out, err


def counts(path: Path) -> tuple[int, int]:
    with NewsIndex.open(path) as ix:
        stats = ix.stats()
    return stats["articles"], stats["paragraphs"]


# -- finding 1: concurrent writers ------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("existing", [False, True], ids=["new-index", "existing-index"])
def test_concurrent_index_runs_store_each_article_once(tmp_path: Path, existing: bool) -> None:
    fifty = tmp_path / "fifty.jsonl"
    fifty.write_text("".join(wiki_lines(50)), encoding="utf-8")
    ix = tmp_path / "ix"
    if existing:
        NewsIndex.create(ix, analysis="builtin").close()
    args = ("index", str(fifty), "--index", str(ix), "--analysis", "builtin", "--lock-timeout", "600")
    runs = [newsindex(*args, "--batch-size", size) for size in ("10000", "60", "200")]
    results = [finish(p) for p in runs]
    for code, _, err in results:
        assert code == 0, err
    report = check_index(ix)
    assert report.ok, [p.message for p in report.problems]
    assert report.articles == 50
    with NewsIndex.open(ix) as opened:
        stats = opened.stats()
        assert stats["articles"] == 50
        # every paragraph exactly once: as many documents as distinct doc ids
        reader = opened._current_searcher().reader()
        ids = [f["doc_id"] for _, f in reader.iter_docs()]
        assert len(ids) == len(set(ids)) == stats["paragraphs"]
    # and the runs agree: each article was added by exactly one of them
    assert sum(added_of(out) for _, out, _ in results) == 50


def added_of(out: str) -> int:
    """The "added" count of ``newsindex index``'s summary table."""
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if "added" in line and "updated" in line)
    row = next(line for line in lines[header + 1 :] if line.split() and line.split()[0][:1].isdigit())
    return int(row.split()[0].replace(",", ""))


# -- repair: an index that already holds duplicates --------------------------------------
def _duplicate(path: Path, lines: list[str]) -> None:
    """Store the articles twice, as two racing writers did before the fix (bypassing the check)."""
    from newsindex.index.writing import ArticleWriter, paragraph_documents
    from newsindex.ingest import read

    src = path.parent / "dup.jsonl"
    src.write_text("".join(lines), encoding="utf-8")
    articles = list(read(src))
    with NewsIndex.open(path) as ix:
        aw: ArticleWriter = ix._article_writer()
        writer = aw._writer()
        for article in articles:
            for doc in paragraph_documents(article, article.content_hash()):
                writer.add_document(**doc)
        aw._commit(writer)


def test_check_repair_keeps_one_copy_of_each_paragraph(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from newsindex.interfaces.cli import main

    path = tmp_path / "ix"
    lines = wiki_lines(6)
    with NewsIndex.create(path, analysis="builtin", workers=1) as ix:
        src = tmp_path / "six.jsonl"
        src.write_text("".join(lines), encoding="utf-8")
        assert ix.add_path(src).added == 6
        expected = ix.stats()["paragraphs"]
    _duplicate(path, lines[:3])
    report = check_index(path)
    assert {p.kind for p in report.problems} >= {"duplicate-doc-id", "duplicate-paragraphs"}

    # plain check does not change anything
    assert main(["check", "--index", str(path)]) == 1
    assert counts(path)[1] > expected

    assert main(["check", "--repair", "--index", str(path)]) == 0
    out = capsys.readouterr().out
    assert "repaired" in out and "ok: no problems found" in out
    assert counts(path) == (6, expected)
    assert check_index(path).ok
    with NewsIndex.open(path) as ix:
        assert ix.search("Wikinews").total >= 0  # opens and searches
        assert ix.repair().removed == 0  # nothing left to repair


def test_library_check_repair(tmp_path: Path) -> None:
    path = tmp_path / "ix"
    lines = wiki_lines(4, start=10)
    with NewsIndex.create(path, analysis="builtin", workers=1) as ix:
        src = tmp_path / "four.jsonl"
        src.write_text("".join(lines), encoding="utf-8")
        ix.add_path(src)
        expected = ix.stats()["paragraphs"]
    _duplicate(path, lines)
    with NewsIndex.open(path) as ix:
        assert not ix.check().ok
        report = ix.check(repair=True)
        assert report.ok and report.repaired == expected
        assert ix.stats()["paragraphs"] == expected


# -- finding 2: --overwrite racing a live writer ------------------------------------------
@pytest.mark.slow
def test_overwrite_waits_for_a_live_writer_and_never_leaves_a_broken_index(tmp_path: Path) -> None:
    big = tmp_path / "big.jsonl"
    big.write_text("".join(wiki_lines(400)), encoding="utf-8")
    seeds = REPO / "seeds"
    path = tmp_path / "ix"
    NewsIndex.create(path, analysis="builtin").close()
    outcomes = []
    for wait in ("0", "600"):  # give up at once (IndexLockedError, most likely), or wait
        writer = newsindex("index", str(big), "--index", str(path), "--batch-size", "300")
        # wait until the writer has committed a batch, so the overwrite meets a live writer
        deadline = time.monotonic() + 300
        while counts(path)[0] == 0 and writer.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert writer.poll() is None, "the writer finished before the overwrite started"
        command = ["index", str(seeds), "--index", str(path), "--overwrite", "--lock-timeout", wait]
        overwrite = subprocess.run(
            [sys.executable, "-m", "newsindex", *command],
            capture_output=True,
            text=True,
            env=env(),
            timeout=600,
        )
        w_code, _, w_err = finish(writer)
        # never empty, never unopenable, never a false "keeps its last committed state"
        report = check_index(path)
        assert report.ok, [p.message for p in report.problems]
        articles, _ = counts(path)
        assert articles > 0
        outcomes.append((overwrite.returncode, w_code))
        if overwrite.returncode == 0:
            # the overwrite won: the writer stopped with a clear message, or had finished
            assert w_code == 0 or "was replaced by another process" in w_err, w_err
            assert "keeps its last committed state" not in w_err
        else:
            assert "write lock" in overwrite.stderr, overwrite.stderr
            assert w_code == 0, w_err  # the writer finished undisturbed
        assert not [p for p in tmp_path.iterdir() if p.name.startswith(".ix.newsindex-")]
        NewsIndex.create(path, analysis="builtin", overwrite=True).close()
    assert outcomes[1][0] == 0, outcomes  # waiting, the overwrite gets its turn
    print(outcomes)


def test_overwrite_raises_index_locked_error_while_a_writer_holds_the_lock(tmp_path: Path) -> None:
    path = tmp_path / "ix"
    with NewsIndex.create(path, analysis="builtin", workers=1) as ix:
        src = tmp_path / "two.jsonl"
        src.write_text("".join(wiki_lines(2)), encoding="utf-8")
        ix.add_path(src)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env(),
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(IndexLockedError, match=f"process {holder.pid}"):
            NewsIndex.create(path, analysis="builtin", overwrite=True, lock_timeout=0.2)
        assert counts(path)[0] == 2  # untouched
    finally:
        holder.kill()
        holder.wait()
    with NewsIndex.create(path, analysis="builtin", overwrite=True, lock_timeout=0.2) as ix:
        assert ix.stats()["articles"] == 0
    assert check_index(path).ok
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ix", "two.jsonl"]


HOLD = """
import sys
from newsindex import NewsIndex
ix = NewsIndex.open(sys.argv[1])
writer = ix._ix.writer()
print("locked", flush=True)
sys.stdin.read()
"""


# -- finding 8: a reader holding the write lock ------------------------------------------
GRAB = """
import fcntl, os, sys
os.setgid(65534); os.setuid(65534)
try:
    fd = os.open(sys.argv[1], os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
except OSError as exc:
    print("refused", exc.errno, flush=True)
    sys.exit(0)
print("holding", flush=True)
sys.stdin.read()
"""


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A folder other users may enter (pytest's tmp_path is private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="newsindex-shared-"))
    os.chmod(folder, 0o755)
    yield folder
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to act as nobody")
@pytest.mark.parametrize("old_lock_file", [False, True], ids=["new", "made-by-old-newsindex"])
def test_another_user_who_can_read_the_index_cannot_hold_its_write_lock(
    shared_dir: Path, old_lock_file: bool
) -> None:
    path = shared_dir / "ix"
    with NewsIndex.create(path, analysis="builtin", workers=1) as ix:
        src = shared_dir / "one.jsonl"
        src.write_text("".join(wiki_lines(1)), encoding="utf-8")
        ix.add_path(src)
    os.chmod(path, 0o755)
    lock = lock_file(path)
    if old_lock_file:
        os.chmod(lock, 0o644)  # as Whoosh (and newsindex before the fix) made it
        with NewsIndex.open(path, workers=1) as ix:  # the owner's next write narrows it
            ix.delete("no-such-article")
    assert stat.S_IMODE(lock.stat().st_mode) & 0o077 == 0

    grab = subprocess.Popen(
        [sys.executable, "-c", GRAB, str(lock)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert grab.stdout is not None
        line = grab.stdout.readline().split()
        assert line[:1] == ["refused"], line
    finally:
        if grab.poll() is None:
            grab.kill()
        grab.wait()
    assert not lock_status(path).held
    with NewsIndex.open(path, lock_timeout=0, workers=1) as ix:
        assert ix.delete("no-such-article") is False  # took the lock at once
    assert unlock_index(path).removed == []


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to act as nobody")
def test_a_group_writable_index_lets_its_group_take_the_lock(shared_dir: Path) -> None:
    path = shared_dir / "ix"
    NewsIndex.create(path, analysis="builtin").close()
    os.chmod(path, 0o775)
    with NewsIndex.open(path, workers=1) as ix:
        ix.delete("x")
    assert stat.S_IMODE(lock_file(path).stat().st_mode) == 0o660


# -- siblings: other check-then-act steps outside the lock --------------------------------
def test_trusting_an_index_waits_for_its_writer(tmp_path: Path) -> None:
    """Signing (trust) rewrites the signature file: under a live writer it would drop the
    writer's newest commit from it, and the index would no longer open."""
    path = tmp_path / "ix"
    NewsIndex.create(path, analysis="builtin").close()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env(),
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(IndexLockedError, match=f"(?s)process {holder.pid}.*not signing"):
            NewsIndex.open(path, trust=True, lock_timeout=0.2)
    finally:
        holder.kill()
        holder.wait()
    NewsIndex.open(path, trust=True, lock_timeout=0.2).close()


def test_check_lists_debris_under_the_write_lock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Files are called debris only while no writer can commit (a segment committed between
    reading the table of contents and listing the folder is not debris)."""
    from newsindex.index import integrity

    path = tmp_path / "ix"
    NewsIndex.create(path, analysis="builtin").close()
    held: list[bool] = []
    original = integrity.find_debris

    def spy(folder: object, referenced: object, *args: object) -> list[str]:
        held.append(lock_status(path).held)
        return original(folder, referenced, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(integrity, "find_debris", spy)
    assert check_index(path).ok
    assert held == [True]
    assert not lock_status(path).held


ADD = """
import sys
from newsindex import NewsIndex
with NewsIndex.open(sys.argv[1], lock_timeout=600, workers=int(sys.argv[3])) as ix:
    print(ix.add_path(sys.argv[2]).added, flush=True)
"""


@pytest.mark.slow
def test_concurrent_library_writers_store_each_article_once(tmp_path: Path) -> None:
    """Three processes add the same 50 articles at once (one with worker processes):
    before the fix each of them added all 50, and the index held three copies."""
    fifty = tmp_path / "fifty.jsonl"
    fifty.write_text("".join(wiki_lines(50, start=100)), encoding="utf-8")
    path = tmp_path / "ix"
    NewsIndex.create(path, analysis="builtin").close()
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", ADD, str(path), str(fifty), workers],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env(),
        )
        for workers in ("1", "2", "1")
    ]
    results = [finish(p) for p in procs]
    assert [code for code, _, _ in results] == [0, 0, 0], [err for _, _, err in results]
    assert sum(int(out.split()[-1]) for _, out, _ in results) == 50
    report = check_index(path)
    assert report.ok, [p.message for p in report.problems]
    from newsindex.ingest import read

    assert report.articles == 50 and report.documents == sum(len(a.paragraphs) for a in read(fifty))


def test_overwrite_through_a_symlink_replaces_the_folder(tmp_path: Path) -> None:
    real = tmp_path / "real"
    with NewsIndex.create(real, analysis="builtin", workers=1) as ix:
        src = tmp_path / "one.jsonl"
        src.write_text("".join(wiki_lines(1)), encoding="utf-8")
        ix.add_path(src)
    link = tmp_path / "link"
    link.symlink_to(real)
    with NewsIndex.create(link, analysis="builtin", overwrite=True) as ix:
        assert ix.stats()["articles"] == 0
    assert link.is_symlink() and check_index(real).ok and counts(real)[0] == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link", "one.jsonl", "real"]


@pytest.mark.parametrize("atomic", [True, False], ids=["exchange", "two-renames"])
def test_overwrite_swaps_a_complete_new_index_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, atomic: bool
) -> None:
    """Until the swap the old index is in place and whole; the new one is complete before it."""
    from newsindex.index import storage

    path = tmp_path / "ix"
    with NewsIndex.create(path, analysis="builtin", workers=1) as ix:
        src = tmp_path / "two.jsonl"
        src.write_text("".join(wiki_lines(2)), encoding="utf-8")
        ix.add_path(src)
    seen: list[tuple[int, bool]] = []
    exchange = storage._exchange

    def watched(fresh: Path, target: Path) -> bool:
        seen.append((counts(target)[0], check_index(fresh).ok))  # old index still there; new one whole
        return exchange(fresh, target) if atomic else False

    monkeypatch.setattr(storage, "_exchange", watched)
    with NewsIndex.create(path, analysis="builtin", overwrite=True) as ix:
        assert ix.stats()["articles"] == 0
    assert seen == [(2, True)]
    assert check_index(path).ok
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ix", "two.jsonl"]
