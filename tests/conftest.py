"""Shared fixtures: the seed articles indexed once per test session."""

from __future__ import annotations

import gzip
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from newsindex import NewsIndex
from newsindex.analysis.chain import AnalysisChain

# Property tests draw the same examples on every run (CI must not flake); run with
# HYPOTHESIS_PROFILE=explore to search new ones.
settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

# Synonyms only where a test gives its own thesaurus: results must not depend on
# whether this machine has Debian's mythes-de (tests/test_thesaurus.py).
os.environ["NEWSINDEX_THESAURUS"] = "off"

# Index signing keys for the test run (inherited by subprocesses), never the user's own;
# one per test process, even if this module is imported a second time under another
# name (``tests.conftest``), which would otherwise sign later indexes with a new key.
_TEST_KEY = os.environ.get("NEWSINDEX_TESTS_KEY_FILE") or str(
    Path(tempfile.mkdtemp(prefix="newsindex-key-")) / "signing.key"
)
os.environ["NEWSINDEX_TESTS_KEY_FILE"] = os.environ["NEWSINDEX_KEY_FILE"] = _TEST_KEY

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


WIKINEWS = CORPORA / "wikinews_de_1000" / "articles.jsonl.gz"
DELETED_AT = (7, 11, 100)  # positions of the Wikinews articles deleted after indexing
DELETED: list[str] = []


@pytest.fixture(scope="session")
def wiki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[NewsIndex, NewsIndex]]:
    """600 Wikinews articles in several segments, three deleted: (numpy ranking, Whoosh ranking).

    Tests using it skip when ../shared/corpora is not beside the repository (CI has it).
    """
    from itertools import islice

    from newsindex import SearchOptions
    from newsindex.ingest import read

    if not WIKINEWS.is_file():
        pytest.skip("../shared/corpora is not beside the repository")
    path = tmp_path_factory.mktemp("wiki") / "ix"
    articles = list(islice(read(WIKINEWS), 600))
    with NewsIndex.create(path, analysis="builtin", workers=1, batch_size=500) as ix:
        ix.add(articles)
        DELETED[:] = [articles[i].id for i in DELETED_AT]
        for aid in DELETED:
            assert ix.delete(aid)
    fast = NewsIndex.open(path)
    slow = NewsIndex.open(path, search_options=SearchOptions(term_at_a_time=False))
    yield fast, slow
    fast.close()
    slow.close()


@pytest.fixture(scope="session")
def wikinews_words() -> Callable[[int], list[str]]:
    """``words(n)``: the distinct ``\\w+`` words of the first ``n`` Wikinews articles
    (titles and paragraphs), in order of first appearance. Skips without the corpora."""
    import re
    from itertools import islice

    if not WIKINEWS.is_file():
        pytest.skip("../shared/corpora is not beside the repository")

    def words(articles: int) -> list[str]:
        found: dict[str, None] = {}
        with gzip.open(WIKINEWS, "rt", encoding="utf-8") as f:
            for line in islice(f, articles):
                article = json.loads(line)
                for text in [article["title"], *article["paragraphs"]]:
                    found.update(dict.fromkeys(re.findall(r"\w+", text)))
        return list(found)

    return words


_loaded_chain: AnalysisChain | None = None


def loaded_chain() -> AnalysisChain:
    """One loaded built-in chain per test process, for the analysis tests that compare a
    fast path with a reference (hypothesis examples share it: its caches warm up)."""
    global _loaded_chain
    if _loaded_chain is None:
        _loaded_chain = AnalysisChain()
        _loaded_chain.load()
    return _loaded_chain


def wikinews_texts() -> Iterator[str]:
    """Every title and paragraph of the Wikinews corpus, in order."""
    with gzip.open(WIKINEWS, "rt", encoding="utf-8") as fh:
        for line in fh:
            article = json.loads(line)
            yield article["title"]
            yield from article["paragraphs"]


# Queries that compare an index built one way with one built another (workers, batches).
BUILD_CHECK_QUERIES = ("Regierung Wahl", '"Europäische Union"', "Fußball*", "Präsidentschaftswahl")


def assert_same_search_results(a: NewsIndex, b: NewsIndex) -> None:
    """Both indexes find the same passages with the same scores for BUILD_CHECK_QUERIES."""
    for query in BUILD_CHECK_QUERIES:
        found_a, found_b = a.search(query, limit=50), b.search(query, limit=50)
        assert found_a.total == found_b.total > 0, query
        assert sorted((h.article_id, h.paragraph, round(h.score, 9)) for h in found_a.hits) == sorted(
            (h.article_id, h.paragraph, round(h.score, 9)) for h in found_b.hits
        ), query
