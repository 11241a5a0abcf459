"""Reading all of ../shared/corpora (skipped when it is not beside the repository; CI has it)."""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

import pytest

from newsindex.article import Article
from newsindex.ingest import Problem, read_all
from newsindex.ingest.paragraphs import MAX_PARAGRAPH_CHARS

CORPORA = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"

Corpora = tuple[dict[str, list[Article]], list[Problem]]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CORPORA.is_dir(), reason="../shared/corpora is not beside the repository"),
]


@pytest.fixture(scope="module")
def corpora() -> Corpora:
    """Every article under ../shared/corpora, by file relative to it (one walk, about 3 s)."""
    articles, problems = read_all(CORPORA)
    by_file: dict[str, list[Article]] = defaultdict(list)
    for a in articles:
        by_file[Path(a.origin_path or "").relative_to(CORPORA).as_posix()].append(a)
    return by_file, problems


def test_the_whole_folder_reads_without_errors(corpora: Corpora) -> None:
    by_file, problems = corpora
    assert [p for p in problems if p.severity != "note"] == []
    # only the manifests and the licence text are not article files
    assert {Path(p.path).name for p in problems} <= {"MANIFEST.tsv", "LICENSE"}
    counts = {name: len(arts) for name, arts in by_file.items() if not name.endswith(".md")}
    assert counts == {
        "adl_german_news_2024/articles.jsonl.gz": 7238,
        "wikinews_de_1000/articles.jsonl.gz": 998,
        "10kgnad_test/articles.jsonl.gz": 1028,
        "10kgnad_test/test.csv": 1028,
    }


def test_jsonl_keeps_ids_dates_sources_and_extra(corpora: Corpora) -> None:
    by_file, _ = corpora
    wiki = by_file["wikinews_de_1000/articles.jsonl.gz"]
    assert all(a.id.startswith("wn-") and a.source == "de.wikinews.org" and a.title for a in wiki)
    assert sum(a.published is not None for a in wiki) == 997  # one placeholder date is null
    assert len({a.id for a in wiki}) == 998
    adl = by_file["adl_german_news_2024/articles.jsonl.gz"]
    assert all(a.id.startswith("adl-") and a.url for a in adl)
    assert "description" in adl[0].extra and "file" in adl[0].extra
    assert 100_000 < sum(len(a.paragraphs) for a in adl) < 112_000
    assert all(p and len(p) <= MAX_PARAGRAPH_CHARS for a in adl for p in a.paragraphs)


def test_10kgnad_csv_matches_its_jsonl_twin(corpora: Corpora) -> None:
    by_file, _ = corpora
    csv_articles = by_file["10kgnad_test/test.csv"]
    jsonl_articles = by_file["10kgnad_test/articles.jsonl.gz"]
    assert [a.paragraphs for a in csv_articles] == [a.paragraphs for a in jsonl_articles]
    assert [a.extra["category"] for a in csv_articles] == [a.extra["category"] for a in jsonl_articles]
    assert Counter(a.extra["category"] for a in csv_articles)["Web"] == 168
    assert all(a.title == "" and a.published is None for a in csv_articles)
    assert [a.origin_line for a in csv_articles[:3]] == [1, 2, 3]
    # no paragraph breaks in the source: long texts are split at sentence ends
    paragraphs = [p for a in csv_articles for p in a.paragraphs]
    assert max(map(len, paragraphs)) <= MAX_PARAGRAPH_CHARS and len(paragraphs) > 2000
    assert sum(p.endswith((".", "!", "?", "“", '"', ")")) for p in paragraphs) / len(paragraphs) > 0.9
