"""Start-up: ``elapsed_ms`` is the query's own time, loading is reported apart,
and nothing heavy is imported before it is needed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from newsindex import NewsIndex, Results

REPO = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(REPO)}


def _python(code: str, *args: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        capture_output=True, text=True, check=True, env=ENV,
    ).stdout


def test_load_ms_is_in_the_json_only_when_set() -> None:
    plain = Results("Krieg", (), 0, 1.5)
    assert "load_ms" not in plain.to_dict()
    loaded = Results("Krieg", (), 0, 1.5, load_ms=812.345)
    assert loaded.to_dict()["load_ms"] == 812.35
    assert loaded.to_dict()["elapsed_ms"] == 1.5


@pytest.mark.slow
def test_a_fresh_process_first_search_reports_load_ms_the_second_does_not(seed_index_dir: Path) -> None:
    out = _python(
        """
        import json, sys
        from newsindex import NewsIndex
        with NewsIndex.open(sys.argv[1]) as ix:
            first, second = ix.search("Krieg"), ix.search("Kriege")
            print(json.dumps([first.to_dict(), second.to_dict(), first.load_ms, second.load_ms]))
        """,
        str(seed_index_dir),
    )
    first, second, first_load, second_load = json.loads(out)
    assert first_load is not None and first_load > 0 and first["load_ms"] == round(first_load, 2)
    assert "load_ms" not in second and second_load is None
    assert first["total"] == second["total"] > 0


def test_a_search_that_loads_nothing_reports_no_load_ms(seed_index: NewsIndex) -> None:
    seed_index.search("Krieg")  # the analysis is loaded and this thread's readers are open
    results = seed_index.search("Waffenlieferungen")
    assert results.total > 0
    assert results.load_ms is None and "load_ms" not in results.to_dict()


def test_opening_the_readers_after_a_commit_is_load_time_not_query_time() -> None:
    seeds = sorted((REPO / "seeds").iterdir())
    with NewsIndex.in_memory(analysis="builtin") as ix:
        ix.add_path(seeds[0])
        ix.search("Krieg")
        assert ix.search("Krieg").load_ms is None
        ix.add_path(seeds[1])  # a commit: the next search opens new readers
        after_commit = ix.search("Krieg")
        assert after_commit.load_ms is not None and after_commit.load_ms > 0
        assert ix.search("Krieg").load_ms is None


@pytest.mark.slow
def test_a_one_off_cli_search_reports_its_load_apart(seed_index_dir: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "newsindex", "search", "Krieg", "--json", "--index", str(seed_index_dir)],
        capture_output=True, text=True, env=ENV, check=True,
    ).stdout
    data = json.loads(out)
    assert data["total"] > 0
    assert data["load_ms"] > 0  # the spaCy pipeline and the lemma table were loaded by this call
    assert set(data) >= {"elapsed_ms", "load_ms", "hits"}


@pytest.mark.slow
def test_import_newsindex_loads_no_analysis_and_no_index_code() -> None:
    out = _python(
        """
        import sys, newsindex
        heavy = ("spacy", "simplemma", "whoosh", "numpy", "newsindex.analysis.lemma_table",
                 "newsindex.engine")
        print([m for m in heavy if m in sys.modules])
        """
    )
    assert out.strip() == "[]"
