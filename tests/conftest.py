"""Shared fixtures: the seed articles indexed once per test session."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsindex import NewsIndex

# Index signing keys for the test run (inherited by subprocesses), never the user's own.
os.environ["NEWSINDEX_KEY_FILE"] = str(Path(tempfile.mkdtemp(prefix="newsindex-key-")) / "signing.key")

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
CORPORA = REPO.parent / "shared" / "corpora"


@pytest.fixture(scope="session")
def seed_index() -> Iterator[NewsIndex]:
    """The two seed articles in an in-memory index (read-only for tests)."""
    with NewsIndex.in_memory(analysis="builtin") as ix:
        summary = ix.add_path(SEEDS)
        assert summary.added == 2, summary
        yield ix


@pytest.fixture(scope="session")
def seed_index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds in an on-disk index; returns its folder (open it yourself)."""
    path = tmp_path_factory.mktemp("seed-index") / "index"
    with NewsIndex.create(path, analysis="builtin") as ix:
        ix.add_path(SEEDS)
    return path
