"""Ctrl-C during `newsindex index` on a real terminal: the interruption is reported once."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

from newsindex import NewsIndex

REPO = Path(__file__).resolve().parents[1]
# ../shared in a checkout; ../../shared in a worktree below it.
CORPUS = next(
    (
        p
        for p in (REPO.parent / "shared", REPO.parent.parent / "shared")
        if (p / "corpora" / "wikinews_de_1000" / "articles.jsonl.gz").exists()
    ),
    REPO.parent / "shared",
) / "corpora" / "wikinews_de_1000" / "articles.jsonl.gz"
_ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@pytest.mark.slow
def test_ctrl_c_while_indexing_says_interrupted_once(tmp_path: Path) -> None:
    pexpect = pytest.importorskip("pexpect")
    if not CORPUS.exists():
        pytest.skip("../shared/corpora is not here")
    where = tmp_path / "ix"
    args = ["-m", "newsindex", "index", str(CORPUS), "--index", str(where), "--analysis", "builtin",
            "--batch-size", "100"]  # fmt: skip
    env = {**os.environ, "TERM": "xterm", "PYTHONPATH": str(REPO)}
    child = pexpect.spawn(sys.executable, args, env=env, dimensions=(30, 160), encoding="utf-8", timeout=120)
    try:
        child.expect(r"paragraphs read · [1-9][\d,]* indexed")  # a batch is committed
        child.sendintr()  # SIGINT to the terminal's process group, as Ctrl-C does
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 130
    transcript = _ESCAPES.sub("", child.before or "")
    assert "Traceback" not in transcript and "KeyboardInterrupt" not in transcript
    # Before: "Indexing interrupted — committed batches are kept" above the summary table and
    # "interrupted: the batches committed before Ctrl-C are kept" below it.
    assert transcript.lower().count("interrupted") == 1, transcript
    assert transcript.count("committed before Ctrl-C are kept") == 1
    assert "added" in transcript  # the summary is still there
    with NewsIndex.open(where) as ix:
        assert 0 < ix.stats()["articles"] < 998
