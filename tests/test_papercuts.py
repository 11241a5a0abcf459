"""Small API promises: more_like gives Results, marked_words are distinct, on_problem is called."""

from __future__ import annotations

from pathlib import Path

from newsindex import Article, NewsIndex, Problem, Results


def test_more_like_returns_results_like_search(seed_index: NewsIndex) -> None:
    hit = seed_index.search("Waffenlieferant").hits[0]
    related = seed_index.more_like(hit.article_id, hit.paragraph, limit=3)
    assert isinstance(related, Results)  # a plain list before: no total, no to_dict()
    assert 0 < len(related.hits) <= 3 and related.total >= len(related.hits)
    assert all(h.article_id != hit.article_id for h in related)
    d = related.to_dict()
    assert [h["rank"] for h in d["hits"]] == list(range(1, len(related.hits) + 1))


def test_marked_words_are_distinct_in_order_of_first_appearance() -> None:
    text = "Der Streik der Bahn geht weiter. Nach dem Streik ist vor dem Streik, sagt die Bahn."
    with NewsIndex.in_memory(analysis="builtin") as ix:
        ix.add([Article.create(title="Bahnstreik", paragraphs=[text], source="Agentur")])
        hit = ix.search("Streik Bahn").hits[0]
    assert len(hit.highlights) == 5  # every occurrence is still highlighted
    assert hit.marked_words == ["Streik", "Bahn"]


def test_add_path_calls_on_problem_for_each_problem(tmp_path: Path) -> None:
    (tmp_path / "ohne.csv").write_text("titel;quelle\nNeue Regierung;Agentur\n", encoding="utf-8")
    (tmp_path / "leer.txt").write_text("", encoding="utf-8")
    (tmp_path / "gut.md").write_text("# Streik\n\nDie Gewerkschaft ruft zum Streik auf.\n", encoding="utf-8")
    seen: list[Problem] = []
    with NewsIndex.in_memory(analysis="builtin") as ix:
        summary = ix.add_path(tmp_path, on_problem=seen.append)
    assert summary.added == 1
    assert seen == summary.problems and {Path(p.path).name for p in seen} == {"ohne.csv", "leer.txt"}
