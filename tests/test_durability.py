"""Crashes and write failures: a killed writer, a full disk, a folder that refuses writes.

The kill tests run the writer in a child process that reports every committed
batch on stdout (through ``add``'s ``progress`` callback) and then stops at a
chosen point of the next batch and says so; only then is it killed with SIGKILL,
so the kill lands while a batch is in progress every time, without sleeping.
"""

from __future__ import annotations

import errno
import json
import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from whoosh.filedb.filestore import FileStorage

from newsindex import Article, NewsIndex
from newsindex.index import writing
from newsindex.index.errors import IndexWriteError
from newsindex.index.maintenance import check_index, lock_status, unlock_index
from newsindex.ingest import read_all

SEEDS = Path(__file__).resolve().parents[1] / "seeds"

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and file locks")


# -- articles ------------------------------------------------------------------------
def make_articles(n: int, prefix: str = "dur") -> list[Article]:
    """``n`` distinct German articles built from the seed articles (deterministic).

    Each takes 4 to 12 of a seed's paragraphs, rotated, with its number worked into
    the first paragraph, so articles differ in length and text.
    """
    seeds, _ = read_all(SEEDS)
    seeds = sorted(seeds, key=lambda a: a.id)
    out: list[Article] = []
    for i in range(n):
        base = seeds[i % len(seeds)]
        paras = list(base.paragraphs)
        shift = i % len(paras)
        paras = paras[shift:] + paras[:shift]
        count = 4 + (i * 7) % min(9, len(paras) - 3)
        paras = paras[:count]
        paras[0] = f"Meldung {i} aus der Redaktion. {paras[0]}"
        out.append(
            Article(
                id=f"{prefix}-{i:04d}",
                title=f"{base.title} ({i})",
                paragraphs=tuple(paras),
                source=base.source,
                published=date(2025, 10, 1 + i % 28),
                author=base.author,
            )
        )
    return out


def assert_holds_exactly(path: Path, articles: list[Article]) -> None:
    """The index at ``path`` holds exactly ``articles``, each whole and in order."""
    with NewsIndex.open(path) as ix:
        stats = ix.stats()
        assert stats["articles"] == len(articles)
        assert stats["paragraphs"] == sum(len(a.paragraphs) for a in articles)
        for article in articles:
            stored = ix.article(article.id)
            assert stored is not None, article.id
            assert stored.paragraphs == article.paragraphs, article.id
        if articles:
            results = ix.search("Venezuela", limit=50, max_per_article=None)
            assert results.total > 0
            assert {h.article_id for h in results.hits} <= {a.id for a in articles}


# -- the child writer ----------------------------------------------------------------
CHILD = r"""
import json, multiprocessing, sys, time
from newsindex import Article, NewsIndex
from newsindex.index import writing

path, articles_file, batch_size, workers, stop_at, stop_after = sys.argv[1:7]
workers, stop_after = int(workers), int(stop_after)
if workers > 1:
    writing.MIN_PARALLEL_BATCH = 1  # small batches take the multi-process path too
articles = [Article.from_dict(json.loads(line)) for line in open(articles_file, encoding="utf-8")]
state = {"batches": 0, "docs": 0}

def say(event, **data):
    print(json.dumps({"event": event, **data}), flush=True)

def stop(where):
    say("stopped", where=where, workers=[p.pid for p in multiprocessing.active_children()])
    while True:
        time.sleep(3600)

def progress(summary):
    state["batches"] += 1
    state["docs"] = 0
    say("committed", articles=summary.added, paragraphs=summary.paragraphs)

if stop_at == "adding":  # in the middle of an article, once stop_after paragraphs of batch 2 are in
    documents = writing.paragraph_documents
    def paragraph_documents(article, content_hash):
        for doc in documents(article, content_hash):
            yield doc
            state["docs"] += 1
            if state["batches"] >= 1 and state["docs"] >= stop_after and doc["paragraph"] == 2:
                stop("adding")
    writing.paragraph_documents = paragraph_documents
elif stop_at == "signing":  # the new commit signed, its table of contents not yet in place
    from newsindex.index.signing import Signer
    sign = Signer.sign
    def signed(self, generation, toc_bytes, segment_ids):
        result = sign(self, generation, toc_bytes, segment_ids)
        if state["batches"] >= 1:
            stop("signing")
        return result
    Signer.sign = signed
elif stop_at == "committing":  # segment written, table of contents not yet
    from whoosh.index import TOC
    write_toc = TOC.write
    def write(self, storage, indexname):
        if state["batches"] >= 1:
            stop("committing")
        return write_toc(self, storage, indexname)
    TOC.write = write

with NewsIndex.create(path, analysis="builtin", batch_size=int(batch_size), workers=workers) as ix:
    ix.add(articles, progress=progress)
say("done")
"""


@dataclass
class Killed:
    """What the killed child had committed and what it had running."""

    articles: int  # articles of the committed batches (all new, so the first ones of the stream)
    paragraphs: int
    workers: list[int]  # the writer's worker processes at the moment of the kill


def _reader(stream: Any, lines: queue.Queue[str | None]) -> None:
    for line in stream:
        lines.put(line)
    lines.put(None)


def run_and_kill(
    tmp_path: Path, articles: list[Article], *, batch_size: int, workers: int, stop_at: str, stop_after: int
) -> Killed:
    """Index ``articles`` in a child process and SIGKILL it where ``stop_at`` says."""
    source = tmp_path / "articles.jsonl"
    source.write_text("".join(json.dumps(a.to_dict()) + "\n" for a in articles), encoding="utf-8")
    script = tmp_path / "child.py"
    script.write_text(CHILD, encoding="utf-8")
    stderr = (tmp_path / "child.err").open("w")
    args = [str(tmp_path / "ix"), str(source), str(batch_size), str(workers), stop_at, str(stop_after)]
    proc = subprocess.Popen(
        [sys.executable, str(script), *args], stdout=subprocess.PIPE, stderr=stderr, text=True
    )
    lines: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=_reader, args=(proc.stdout, lines), daemon=True).start()
    committed = {"articles": 0, "paragraphs": 0}
    try:
        while True:
            try:
                line = lines.get(timeout=120)  # a safety net against a hung child, not a timing
            except queue.Empty:
                pytest.fail("the child writer said nothing for 2 minutes")
            if line is None:
                pytest.fail(f"the child writer ended before stopping: {(tmp_path / 'child.err').read_text()}")
            event = json.loads(line)
            if event["event"] == "committed":
                committed = {"articles": event["articles"], "paragraphs": event["paragraphs"]}
            elif event["event"] == "stopped":
                assert committed["articles"] > 0, "stopped before the first batch was committed"
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                return Killed(committed["articles"], committed["paragraphs"], event["workers"])
            else:
                pytest.fail(f"unexpected event from the child writer: {event}")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        stderr.close()


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"  # an unreaped zombie holds no files


def wait_until_gone(pids: list[int]) -> list[int]:
    """Wait for processes (not our children) to exit; returns those still running.

    Each process is awaited through a pidfd, which becomes readable when it exits.
    The 120 s bound is a safety net against a hung test run (a worker that never
    exits), not a timing: a fixed worker is killed by its parent's death at once.
    """
    import select

    for pid in pids:
        try:
            fd = os.pidfd_open(pid)
        except ProcessLookupError:
            continue  # already gone
        try:
            poller = select.poll()
            poller.register(fd, select.POLLIN)
            poller.poll(120_000)
        finally:
            os.close(fd)
    return [p for p in pids if _alive(p)]


# -- kill -9 ---------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("stop_at", ["adding", "committing", "signing"])
def test_killed_single_process_writer_keeps_committed_batches_and_reruns_cleanly(
    tmp_path: Path, stop_at: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsindex.index import signing

    # No writer is signing after the kill: do not wait for one.
    monkeypatch.setattr(signing, "RETRY_S", 0.0, raising=False)
    articles = make_articles(24)
    killed = run_and_kill(tmp_path, articles, batch_size=40, workers=1, stop_at=stop_at, stop_after=5)
    path = tmp_path / "ix"
    committed = articles[: killed.articles]
    assert 0 < killed.articles < len(articles)
    assert killed.paragraphs == sum(len(a.paragraphs) for a in committed)

    # The lock died with the process; the index opens with exactly the committed batches.
    assert lock_status(path).held is False
    report = check_index(path)
    assert report.errors == [], report.to_dict()
    assert (report.articles, report.documents) == (killed.articles, killed.paragraphs)
    # The half-written batch left files behind: reported as warnings, and unlock removes them.
    assert report.problems and {p.kind for p in report.problems} == {"orphaned-file"}
    assert_holds_exactly(path, committed)
    unlocked = unlock_index(path)
    assert sorted(unlocked.removed) == sorted(p.file for p in report.problems)
    assert check_index(path).ok

    # Re-running the same job completes it, without duplicates.
    with NewsIndex.open(path, batch_size=40, workers=1) as ix:
        summary = ix.add(articles)
    assert (summary.skipped, summary.added) == (killed.articles, len(articles) - killed.articles)
    assert_holds_exactly(path, articles)
    final = check_index(path)
    assert final.ok, final.to_dict()
    assert final.documents == sum(len(a.paragraphs) for a in articles)


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers die with their parent on Linux")
def test_killed_multiprocess_writer_leaves_no_worker_holding_the_lock(tmp_path: Path) -> None:
    articles = make_articles(100)
    # 210 paragraphs into the second batch: Whoosh has handed two jobs of 100 to two workers.
    killed = run_and_kill(tmp_path, articles, batch_size=300, workers=2, stop_at="adding", stop_after=210)
    path = tmp_path / "ix"
    try:
        assert len(killed.workers) == 2, "the batch in progress had started its worker processes"
        # Without the fix the workers, forked with the lock's descriptor, wait for jobs for ever.
        assert wait_until_gone(killed.workers) == []
    finally:
        for pid in killed.workers:  # the child's workers, if the fix failed
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
    assert lock_status(path).held is False
    committed = articles[: killed.articles]
    report = check_index(path)
    assert report.errors == [], report.to_dict()
    assert (report.articles, report.documents) == (killed.articles, killed.paragraphs)
    assert_holds_exactly(path, committed)

    # A new writer gets the lock at once and finishes the job (the next commit clears the debris).
    with NewsIndex.open(path, batch_size=300, workers=2, lock_timeout=0) as ix:
        summary = ix.add(articles)
    assert summary.added == len(articles) - killed.articles
    assert_holds_exactly(path, articles)
    assert check_index(path).errors == []


# -- write failures ------------------------------------------------------------------
@pytest.fixture
def small_index(tmp_path: Path) -> Path:
    """An on-disk index holding the first 3 of ``make_articles`` (one commit)."""
    path = tmp_path / "ix"
    with NewsIndex.create(path, analysis="builtin", workers=1) as ix:
        ix.add(make_articles(3, prefix="old"))
    return path


class _FullDisk:
    """A file object whose writes fail with ENOSPC (the rest is the real file)."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def write(self, data: Any) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def fail_files(
    monkeypatch: pytest.MonkeyPatch,
    matches: Callable[[str], bool],
    code: int = errno.ENOSPC,
    *,
    on_write: bool = False,
    only_in_children: bool = False,
) -> None:
    """Make Whoosh's file creation (or the writes to the file) fail for names ``matches`` accepts."""
    create = FileStorage.create_file
    parent = os.getpid()

    def create_file(self: FileStorage, name: str, *args: Any, **kwargs: Any) -> Any:
        hit = matches(name) and (os.getpid() != parent or not only_in_children)
        if hit and not on_write:
            raise OSError(code, os.strerror(code), name)
        f = create(self, name, *args, **kwargs)
        if hit:
            f.file = _FullDisk(f.file)
        return f

    monkeypatch.setattr(FileStorage, "create_file", create_file)


FAULTS: dict[str, tuple[Callable[[str], bool], bool]] = {
    "writer start (postings file)": (lambda name: name.endswith(".pst"), False),
    "segment file created at commit": (lambda name: name.endswith(".seg"), False),
    "segment file written at commit": (lambda name: name.endswith(".seg"), True),
    "table of contents": (lambda name: name.startswith("_paragraphs_") and ".toc." in name, False),
}


def assert_unchanged_and_writable(path: Path, before: list[Article]) -> None:
    """The last committed state is intact, nothing is left over, and the next add works at once."""
    assert lock_status(path).held is False
    report = check_index(path)
    assert report.ok, report.to_dict()  # no errors, and no leftover files
    assert report.documents == sum(len(a.paragraphs) for a in before)
    assert_holds_exactly(path, before)
    with NewsIndex.open(path, workers=1, lock_timeout=0) as ix:
        assert ix.add(make_articles(2, prefix="after")).added == 2
    assert check_index(path).ok


@pytest.mark.parametrize("fault", list(FAULTS))
def test_disk_full_raises_a_clear_error_and_keeps_the_committed_state(
    small_index: Path, monkeypatch: pytest.MonkeyPatch, fault: str
) -> None:
    matches, on_write = FAULTS[fault]
    with NewsIndex.open(small_index, workers=1, lock_timeout=0) as ix:
        before = ix.search("Venezuela", limit=50, max_per_article=None)
        with monkeypatch.context() as m:
            fail_files(m, matches, on_write=on_write)
            with pytest.raises(IndexWriteError) as caught:
                ix.add(make_articles(5, prefix="new"))
        err = caught.value
        assert str(small_index) in str(err) and "disk full" in str(err)
        assert (err.reason, err.errno, err.path) == ("disk full", errno.ENOSPC, str(small_index))
        # The same instance still searches the last commit.
        after = ix.search("Venezuela", limit=50, max_per_article=None)
        assert [(h.article_id, h.paragraph) for h in after.hits] == [
            (h.article_id, h.paragraph) for h in before.hits
        ]
    assert_unchanged_and_writable(small_index, make_articles(3, prefix="old"))


@pytest.mark.parametrize("fault", ["writer start (postings file)", "segment file created at commit"])
def test_permission_denied_during_a_write_is_a_clear_error(
    small_index: Path, monkeypatch: pytest.MonkeyPatch, fault: str
) -> None:
    with NewsIndex.open(small_index, workers=1, lock_timeout=0) as ix, monkeypatch.context() as m:
        fail_files(m, FAULTS[fault][0], errno.EACCES)
        with pytest.raises(IndexWriteError, match=r"permission denied") as caught:
            ix.add(make_articles(5, prefix="new"))
    assert str(small_index) in str(caught.value)
    assert_unchanged_and_writable(small_index, make_articles(3, prefix="old"))


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores file modes")
def test_read_only_index_folder_is_a_clear_error(small_index: Path) -> None:
    mode = small_index.stat().st_mode
    small_index.chmod(0o555)
    try:
        with NewsIndex.open(small_index, workers=1, lock_timeout=0) as ix:
            with pytest.raises(IndexWriteError, match=r"permission denied") as caught:
                ix.add(make_articles(5, prefix="new"))
            assert str(small_index) in str(caught.value)
            assert ix.stats()["articles"] == 3
    finally:
        small_index.chmod(mode)
    assert_unchanged_and_writable(small_index, make_articles(3, prefix="old"))


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "fork"), reason="Whoosh's worker processes fork")
def test_disk_full_in_a_worker_process_fails_the_batch_instead_of_losing_it(
    small_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Whoosh's multi-process commit skipped a worker that died and committed the rest.
    monkeypatch.setattr(writing, "MIN_PARALLEL_BATCH", 1)
    with NewsIndex.open(small_index, workers=2, lock_timeout=0) as ix, monkeypatch.context() as m:
        fail_files(m, lambda name: name.endswith(".seg"), only_in_children=True)
        with pytest.raises(IndexWriteError, match=r"disk full"):
            ix.add(make_articles(30, prefix="new"))
    assert_unchanged_and_writable(small_index, make_articles(3, prefix="old"))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="Whoosh's worker processes fork")
def test_disk_full_in_a_multiprocess_commit_releases_the_lock(
    small_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Whoosh's multi-process commit has no clean-up: the lock stayed held by this process.
    monkeypatch.setattr(writing, "MIN_PARALLEL_BATCH", 1)
    toc = FAULTS["table of contents"][0]
    with NewsIndex.open(small_index, workers=2, lock_timeout=0) as ix:
        with monkeypatch.context() as m:
            fail_files(m, toc)
            with pytest.raises(IndexWriteError, match=r"disk full"):
                ix.add(make_articles(30, prefix="new"))
        assert ix.add(make_articles(1, prefix="again")).added == 1  # the same instance writes again
    expected = make_articles(3, prefix="old") + make_articles(1, prefix="again")
    assert_unchanged_and_writable(small_index, expected)


def test_failed_delete_keeps_the_article(small_index: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with NewsIndex.open(small_index, workers=1, lock_timeout=0) as ix, monkeypatch.context() as m:
        fail_files(m, FAULTS["table of contents"][0])
        with pytest.raises(IndexWriteError, match=r"disk full"):
            ix.delete("old-0001")
    assert_unchanged_and_writable(small_index, make_articles(3, prefix="old"))


def test_cli_reports_a_write_error_in_one_line(
    small_index: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from newsindex.interfaces.cli import main

    source = tmp_path / "new.jsonl"
    source.write_text("".join(json.dumps(a.to_dict()) + "\n" for a in make_articles(3, prefix="cli")))
    with monkeypatch.context() as m:
        fail_files(m, FAULTS["segment file created at commit"][0])
        code = main(["index", str(source), "--index", str(small_index)])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    last = err.strip().splitlines()[-1]
    assert last.startswith(f"newsindex: error: could not write the index at {small_index}: disk full")
    assert_unchanged_and_writable(small_index, make_articles(3, prefix="old"))


def test_cli_says_how_many_articles_were_committed_before_a_full_disk(
    small_index: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from newsindex.interfaces.cli import main

    source = tmp_path / "new.jsonl"
    fresh = make_articles(6, prefix="cli")
    source.write_text("".join(json.dumps(a.to_dict()) + "\n" for a in fresh))
    segments: list[str] = []

    def second_and_later_segment(name: str) -> bool:  # the first batch commits, the second fails
        if name.endswith(".seg"):
            segments.append(name)
        return len(segments) > 1

    per_batch = sum(len(a.paragraphs) for a in fresh[:2])
    with monkeypatch.context() as m:
        fail_files(m, second_and_later_segment)
        code = main(["index", str(source), "--index", str(small_index), "--batch-size", str(per_batch)])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    last = err.strip().splitlines()[-1]
    assert last.startswith(f"newsindex: error: could not write the index at {small_index}: disk full")
    assert "this run committed 2 articles (2 added, 0 updated, 0 unchanged)" in last
    assert "run again to add the rest" in last
    assert_holds_exactly(small_index, make_articles(3, prefix="old") + fresh[:2])
