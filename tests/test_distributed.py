"""Sharded indexes built and searched on Dask (newsindex.distributed, issue 16).

One two-worker LocalCluster (real processes) for the module; a few hundred
Wikinews articles plus the seeds, built once as one index and once as 3 shards.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import sys
from collections.abc import Iterator
from dataclasses import replace
from functools import partial
from itertools import islice
from pathlib import Path
from typing import Any

import pytest

from newsindex import NewsIndex, Results, SearchOptions

pytest.importorskip("distributed")

from distributed import Client, LocalCluster

from newsindex.analysis.thesaurus import DEBIAN_THESAURUS, THESAURUS_ENV
from newsindex.distributed import ShardedIndex, ShardError, build, open_sharded, shard_of
from newsindex.distributed.sharded import _LocalScatter

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
WIKINEWS = REPO.parent / "shared" / "corpora" / "wikinews_de_1000" / "articles.jsonl.gz"
QUERIES = [json.loads(line)["text"] for line in (REPO / "benchmarks" / "queries_de.jsonl").open()]
SHARDS = 3


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    import cloudpickle

    # The fault-injection hook below is defined here: workers get it by value.
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    with (
        LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None) as cluster,
        Client(cluster) as c,
    ):
        yield c


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    if not WIKINEWS.is_file():
        pytest.skip("../shared/corpora is not beside the repository")
    folder = tmp_path_factory.mktemp("sources")
    with gzip.open(WIKINEWS, "rt", encoding="utf-8") as f:
        (folder / "wiki.jsonl").write_text("".join(islice(f, 100)), encoding="utf-8")
    return [str(folder), str(SEEDS)]


@pytest.fixture(scope="module")
def single(sources: list[str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[NewsIndex]:
    path = tmp_path_factory.mktemp("single") / "ix"
    with NewsIndex.create(path, analysis="builtin", workers=1, batch_size=300) as ix:
        ix.add_path(sources)  # several commits: several segments, unlike the shards
    with NewsIndex.open(path) as ix:
        yield ix


@pytest.fixture(scope="module")
def sharded_dir(sources: list[str], client: Client, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sharded") / "ix"
    build(sources, path, SHARDS, client, analysis="builtin")
    return path


@pytest.fixture(scope="module")
def sharded(sharded_dir: Path) -> Iterator[NewsIndex]:
    with NewsIndex.open(sharded_dir) as ix:
        yield ix


def _ids(ix: NewsIndex) -> dict[str, int]:
    """article id -> paragraphs stored, over the index's documents."""
    searcher = ix._current_searcher()
    out: dict[str, int] = {}
    for fields in searcher.all_stored_fields():
        out[fields["article_id"]] = out.get(fields["article_id"], 0) + 1
    return out


def _same(single: Results, sharded: Results, wider: Results) -> None:
    """Same scores (1e-9), totals and suggestion; the same passages except within the
    last tie group (ties are broken differently: see newsindex.distributed.merge),
    whose passages must be among the single index's passages with that score."""
    assert (sharded.total, sharded.total_exact, sharded.suggestion) == (
        single.total,
        single.total_exact,
        single.suggestion,
    ), single.query
    assert [h.score for h in sharded] == pytest.approx([h.score for h in single], abs=1e-9), single.query
    if not single.hits:
        return
    last = single.hits[-1].score
    head = {(h.article_id, h.paragraph) for h in single if h.score > last + 1e-9}
    assert head == {(h.article_id, h.paragraph) for h in sharded if h.score > last + 1e-9}, single.query
    tied = {(h.article_id, h.paragraph) for h in wider if abs(h.score - last) <= 1e-9}
    assert {(h.article_id, h.paragraph) for h in sharded if abs(h.score - last) <= 1e-9} <= tied


def test_shards_hold_exactly_the_single_index_articles(single: NewsIndex, sharded: NewsIndex) -> None:
    assert isinstance(sharded, ShardedIndex)
    assert len(sharded.shards) == SHARDS
    together: dict[str, int] = {}
    for i, shard in enumerate(sharded.shards):
        ids = _ids(shard)
        assert ids, f"shard {i} is empty"
        assert all(shard_of(aid, SHARDS) == i for aid in ids)
        assert not set(ids) & set(together), "an article in two shards"
        together.update(ids)
    assert together == _ids(single)
    assert sharded.stats()["paragraphs"] == single.stats()["paragraphs"]
    assert sharded.stats()["articles"] == single.stats()["articles"]
    report = sharded.check()
    assert report.ok, report.problems
    assert report.documents == single.stats()["paragraphs"]


def test_sharded_results_equal_single_index_for_the_benchmark_queries(
    single: NewsIndex, sharded: NewsIndex
) -> None:
    for query in QUERIES:
        _same(single.search(query), sharded.search(query), single.search(query, limit=100))
    # the other shapes of a search: no cap per article, groups, dates
    for query in QUERIES[:40]:
        a = single.search(query, limit=5, max_per_article=None)
        b = sharded.search(query, limit=5, max_per_article=None)
        _same(a, b, single.search(query, limit=100, max_per_article=None))
        g1 = single.search(query, limit=3, group_by_article=True)
        g2 = sharded.search(query, limit=3, group_by_article=True)
        assert [round(g.score, 9) for g in g1.groups] == [round(g.score, 9) for g in g2.groups]
        assert g1.total == g2.total
        d1 = single.search(query, since="2010", until="2020-06")
        d2 = sharded.search(query, since="2010", until="2020-06")
        _same(d1, d2, single.search(query, limit=100, since="2010", until="2020-06"))


def _keys(results: Results) -> list[tuple[str, int, int]]:
    return [(h.article_id, h.paragraph, h.rank) for h in results]


def test_sort_paging_facets_and_browse_equal_the_single_index(single: NewsIndex, sharded: NewsIndex) -> None:
    facets = ("source", "author", "year", "month")
    for query in [*QUERIES[:25], "", "source:Wikinews", "date:2010"]:
        for sort in ("newest", "oldest"):  # date orders have no score ties: exact same pages
            for offset in (0, 7):
                a = single.search(query, limit=7, offset=offset, sort=sort, facets=facets)
                b = sharded.search(query, limit=7, offset=offset, sort=sort, facets=facets)
                assert _keys(a) == _keys(b), (query, sort, offset)
                assert (a.total, a.browse, a.offset, a.sort) == (b.total, b.browse, b.offset, b.sort)
                assert a.facets == b.facets, (query, sort)
        # Relevance pages: page 2 of the shards continues page 1 as one index's does.
        a = single.search(query, limit=5, offset=5)
        b = sharded.search(query, limit=5, offset=5)
        _same(a, b, single.search(query, limit=100))
        assert [h.rank for h in b] == [h.rank for h in a]
    author = next(h.author for h in single.search("", limit=50) if h.author)
    assert author
    a, b = single.search("", author=author, limit=50), sharded.search("", author=author, limit=50)
    assert _keys(a) == _keys(b) and a.total == b.total > 0


def test_the_proximity_window_is_the_best_of_all_shards(single: NewsIndex, sharded: NewsIndex) -> None:
    """The bonus rescores the best 20 passages of the whole collection: with each shard
    rescoring its own best 20 instead, scores differ from one index's."""
    assert isinstance(sharded, ShardedIndex)
    # (with years: the date weight reads each shard's own columns)
    questions = [q for q in QUERIES if len(q.split()) > 1] + ["Regierung 2005", "Wahl im Jahr 2004", "2005"]
    default = single.search_options
    try:
        # (coverage on, the default, and off)
        for coverage in (1.0, 0.0):
            options = SearchOptions(proximity_weight=0.4, coverage_weight=coverage)
            single.search_options = sharded.search_options = options
            for query in questions:
                _same(single.search(query), sharded.search(query), single.search(query, limit=100))
        # Each shard deciding its own window (the floor not passed on) differs (on these
        # questions without coverage, which ranks more of the passages the bonus lifts,
        # and with a strong bonus, which lifts passages from beyond the window).
        strong = SearchOptions(proximity_weight=2.0, coverage_weight=0.0)
        single.search_options = sharded.search_options = strong
        for query in questions:
            _same(single.search(query), sharded.search(query), single.search(query, limit=100))
        original = _LocalScatter.__call__

        def per_shard(self: _LocalScatter, plan: Any, options: Any, suggest: bool, floor: Any) -> Any:
            return original(self, plan, options, suggest, None)

        differs = 0
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(_LocalScatter, "__call__", per_shard)
            for query in questions:
                a, b = single.search(query), sharded.search(query)
                differs += [round(h.score, 9) for h in a] != [round(h.score, 9) for h in b]
        assert differs >= 1, differs
    finally:
        single.search_options = sharded.search_options = default


def test_each_shard_prepares_a_query_once_for_both_steps(
    sharded: NewsIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first step (best scores) leaves each shard's query built, filtered, checked for
    phrases and scored; the second only finishes it."""
    import newsindex.search.searching as searching

    calls: list[int] = []
    original = searching._with_phrases

    def counted(*args: Any) -> Any:
        calls.append(1)
        return original(*args)

    monkeypatch.setattr(searching, "_with_phrases", counted)
    default = sharded.search_options
    sharded.search_options = SearchOptions(proximity_weight=0.4)
    try:
        results = sharded.search("Regierung Berlin Haushalt")
    finally:
        sharded.search_options = default
    assert results.hits and len(calls) == SHARDS


@pytest.mark.skipif(not DEBIAN_THESAURUS.is_file(), reason="Debian's mythes-de is not installed")
def test_synonyms_give_the_same_results_on_shards(
    single: NewsIndex, sharded: NewsIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A synonym's figures come from every shard, like any query word's."""
    monkeypatch.setenv(THESAURUS_ENV, str(DEBIAN_THESAURUS))
    questions = [q for q in QUERIES if len(q.split()) > 1]
    expanded = 0
    for query in questions:
        _same(single.search(query), sharded.search(query), single.search(query, limit=100))
        monkeypatch.setenv(THESAURUS_ENV, "off")
        plain = [round(h.score, 9) for h in single.search(query)]
        monkeypatch.setenv(THESAURUS_ENV, str(DEBIAN_THESAURUS))
        expanded += plain != [round(h.score, 9) for h in single.search(query)]
    assert expanded >= 5, expanded


def test_export_article_ids_and_delete_many_on_shards(single: NewsIndex, sharded: NewsIndex) -> None:
    query = QUERIES[0]
    assert sorted(sharded.article_ids(query)) == sorted(single.article_ids(query))
    newest = [(h.article_id, h.paragraph) for h in single.export("source:Wikinews", sort="newest")]
    assert [(h.article_id, h.paragraph) for h in sharded.export("source:Wikinews", sort="newest")] == newest
    exported = sorted(a.id for a in sharded.export(query, articles=True))  # type: ignore[union-attr]
    assert exported == sorted(single.article_ids(query))


def test_more_like_equals_the_single_index(single: NewsIndex, sharded: NewsIndex) -> None:
    for article_id in sorted(_ids(single))[:8]:
        a, b = single.more_like(article_id, limit=5), sharded.more_like(article_id, limit=5)
        _same(a, b, single.more_like(article_id, limit=50))
        assert a.query == b.query and a.hits


def test_a_local_statistics_merge_differs(single: NewsIndex, sharded_dir: Path) -> None:
    """Without global statistics the scores depend on the sharding: the equality above can fail."""
    naive = open_sharded(sharded_dir)
    naive.global_statistics = False
    try:
        differs = 0
        for query in QUERIES[:30]:
            a, b = single.search(query), naive.search(query)
            if [round(h.score, 9) for h in a] != [round(h.score, 9) for h in b]:
                differs += 1
        assert differs >= 10
    finally:
        naive.close()


def test_shard_searchers_on_workers_give_the_same_results(
    single: NewsIndex, sharded_dir: Path, client: Client
) -> None:
    served = open_sharded(sharded_dir)
    try:
        served.serve(client)
        assert served.remote is not None and len(served.remote.actors) == SHARDS
        for query in QUERIES[::8]:
            _same(single.search(query), served.search(query), single.search(query, limit=100))
        # the coordinator's ranking options reach the workers
        default = single.search_options
        single.search_options = served.search_options = SearchOptions(
            bm25_k1=2.0, bm25_b=0.5, proximity_weight=0.4
        )
        try:
            for query in QUERIES[:12]:
                _same(single.search(query), served.search(query), single.search(query, limit=100))
        finally:
            single.search_options = default
    finally:
        served.close()


def _kill_first_attempt(marker: Path, shard: int) -> None:
    """On the first attempt at shard 1: leave a half-written folder and kill the worker."""
    if shard != 1 or marker.exists():
        return
    marker.write_text(str(os.getpid()))
    junk = marker.parent / "ix" / ".shard-001.tmp-killed"
    junk.mkdir(parents=True)
    (junk / "half.seg").write_bytes(b"\0" * 100)
    os._exit(1)  # the worker process dies mid-task; its nanny starts another


def test_a_worker_killed_during_the_build_changes_nothing(
    sources: list[str], sharded: NewsIndex, client: Client, tmp_path: Path
) -> None:
    marker = tmp_path / "killed"
    out = tmp_path / "ix"
    build(sources, out, SHARDS, client, analysis="builtin", before=partial(_kill_first_attempt, marker))
    assert marker.exists(), "the worker was not killed"
    assert not list(out.glob(".shard-*")), "a half-written shard was left"
    with NewsIndex.open(out) as rebuilt:
        assert isinstance(rebuilt, ShardedIndex) and isinstance(sharded, ShardedIndex)
        for mine, theirs in zip(rebuilt.shards, sharded.shards, strict=True):
            assert _ids(mine) == _ids(theirs)
        assert rebuilt.check().ok
        for query in QUERIES[:20]:
            a, b = sharded.search(query), rebuilt.search(query)
            assert [(h.article_id, h.paragraph, round(h.score, 9)) for h in a] == [
                (h.article_id, h.paragraph, round(h.score, 9)) for h in b
            ]


@pytest.fixture
def small(sources: list[str], client: Client, tmp_path: Path) -> Iterator[ShardedIndex]:
    build([sources[1]], tmp_path / "small", 2, client, analysis="builtin")
    with NewsIndex.open(tmp_path / "small") as ix:
        assert isinstance(ix, ShardedIndex)
        yield ix


def test_updates_and_deletes_go_to_the_owning_shard(small: ShardedIndex) -> None:
    from newsindex import Article

    before = [_ids(s) for s in small.shards]
    aid = next(iter(before[0] or before[1]))
    owner = small.shard_for(aid)
    old = small.article(aid)
    assert old is not None
    new = replace(old, paragraphs=(*old.paragraphs, "Der Zauberlehrling Quastenflosser besuchte Pforzheim."))
    summary = small.update(new)
    assert summary.updated == 1
    after = [_ids(s) for s in small.shards]
    assert after[owner][aid] == len(old.paragraphs) + 1
    assert after[1 - owner] == before[1 - owner], "the other shard changed"
    hits = small.search("Quastenflosser").hits
    assert [h.article_id for h in hits] == [aid]
    fresh = Article(id="neu-1", title="Neu", paragraphs=("Ein Quastenflosser in Pforzheim.",))
    small.add([fresh])
    assert "neu-1" in _ids(small.shards[shard_of("neu-1", 2)])
    assert small.delete(aid) is True
    assert small.delete(aid) is False
    assert small.article(aid) is None
    assert aid not in _ids(small.shards[owner])
    assert [h.article_id for h in small.search("Quastenflosser").hits] == ["neu-1"]
    # delete_many: each id from its own shard (neu-1 and an article of the other shard, if any)
    others = [a for i, s in enumerate(small.shards) for a in _ids(s) if a != "neu-1"]
    second = sorted(others, key=lambda a: small.shard_for(a) == shard_of("neu-1", 2))[0]
    assert sorted(small.delete_many(["neu-1", second, "nicht-da"])) == sorted(["neu-1", second])
    assert small.article("neu-1") is None and small.article(second) is None
    assert small.check().ok


def test_a_missing_or_damaged_shard_is_a_clear_error_naming_it(small: ShardedIndex) -> None:
    root = small.path
    small.close()
    shutil.move(root / "shard-001", root / "elsewhere")
    with pytest.raises(ShardError, match="shard-001"):
        NewsIndex.open(root)
    shutil.move(root / "elsewhere", root / "shard-001")
    layout = json.loads((root / "shards.json").read_text())
    (root / "shards.json").write_text(json.dumps({**layout, "analysis_fingerprint": "0000"}))
    with pytest.raises(ShardError, match=r"shard-000.*another analysis"):
        NewsIndex.open(root)
    (root / "shards.json").write_text(json.dumps(layout))
    with NewsIndex.open(root) as ok:
        assert ok.search("Krieg").total >= 0
    for seg in (root / "shard-001").glob("*.seg"):
        seg.write_bytes(b"\0" * 64)  # damaged under an index that opens
    with pytest.raises(ShardError, match="shard-001"), NewsIndex.open(root) as damaged:
        damaged.search("Krieg")


def test_the_core_never_imports_dask(seed_index_dir: Path, tmp_path: Path) -> None:
    import subprocess

    code = (
        "import sys, newsindex\n"
        f"ix = newsindex.NewsIndex.open({str(seed_index_dir)!r})\n"
        "ix.search('Krieg'); ix.stats()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    missing = "import sys; sys.modules['distributed'] = None\nimport newsindex.distributed\n"
    failed = subprocess.run([sys.executable, "-c", missing], capture_output=True, text=True)
    assert failed.returncode != 0 and "pip install newsindex[dask]" in failed.stderr




def test_cli_builds_searches_and_checks_a_sharded_index(
    client: Client, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from newsindex.interfaces.cli import main

    where = tmp_path / "cli"

    def run(*args: str) -> tuple[int, str]:
        code = main([*args, "--index", str(where)])
        out, err = capsys.readouterr()
        return code, out + err

    address = client.scheduler.address
    code, out = run("index", str(SEEDS), "--shards", "2", "--scheduler", address, "--analysis", "builtin")
    assert code == 0 and "in 2 shards" in out, out
    assert json.loads((where / "shards.json").read_text())["shards"] == 2
    code, out = run("search", "Venezuela", "--json")
    assert code == 0 and json.loads(out)["total"] > 0, out
    code, out = run("index", str(SEEDS))  # updates route to the shards: nothing new
    assert code == 0, out
    code, out = run("check")
    assert code == 0 and "ok" in out, out
    layout = json.loads((where / "shards.json").read_text())
    (where / "shards.json").write_text(json.dumps({**layout, "analysis_fingerprint": "0000"}))
    code, out = run("check")
    assert code != 0 and "another analysis" in out, out
