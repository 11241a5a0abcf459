"""The ``newsindex`` command: every command, its output, exit codes and error paths."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newsindex import NewsIndex
from newsindex.interfaces import paths
from newsindex.interfaces.cli import SAMPLE_QUERIES, main

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
NEWSINDEX = Path(sys.executable).with_name("newsindex")
TRUMP_TITLE = "Trump droht mit Krieg! Venezuela bittet Putin um Unterstützung"
PUTIN_TITLE = "Während Trump in Venezuela operiert: Umstrittener Deal von Putin"
TIMEOUT = 60


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run the command in-process; (exit code, stdout, stderr)."""
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(err: str, *needles: str) -> None:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("newsindex: error: "), err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in lines[0], err


@pytest.fixture
def index_dir(seed_index_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the seed index (safe to write to)."""
    dest = tmp_path / "index"
    shutil.copytree(seed_index_dir, dest)
    return dest


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never touch the real per-user folders."""
    monkeypatch.delenv(paths.INDEX_ENV, raising=False)
    monkeypatch.setenv(paths.HISTORY_ENV, str(tmp_path / "history"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))


# -- help, version, usage ---------------------------------------------------------------------
@pytest.mark.slow
def test_help_lists_every_command_without_loading_spacy_or_whoosh() -> None:
    proc = subprocess.run([str(NEWSINDEX), "--help"], capture_output=True, text=True, timeout=TIMEOUT)
    assert proc.returncode == 0, proc.stderr
    for command in ("index", "search", "shell", "stats", "demo", "check", "unlock", "trust"):
        assert command in proc.stdout
    # What keeps --help quick (0.3 s; timed in benchmarks, not here): the command
    # module imports neither spaCy nor Whoosh until a command needs them.
    check = "import sys, newsindex.interfaces.cli; print('spacy' in sys.modules, 'whoosh' in sys.modules)"
    lazy = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, timeout=TIMEOUT)
    assert lazy.stdout.split() == ["False", "False"]


@pytest.mark.slow
def test_python_dash_m_runs_the_command() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "newsindex", "--version"], capture_output=True, text=True, timeout=TIMEOUT
    )
    assert proc.returncode == 0
    assert proc.stdout.startswith("newsindex ")


def test_no_arguments_shows_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys)
    assert code == 0 and "search" in out


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["bogus"], "No such command 'bogus'"),
        (["search"], "Missing argument 'QUERY'"),
        (["search", "Krieg", "--limit", "0"], "--limit"),
        (["search", "Krieg", "--since", "gestern"], "--since: 'gestern' is not a date"),
        (["search", "   "], "the query is empty"),
        (["index"], "Missing argument"),
        (["stats", "--nope"], "No such option"),
    ],
)
def test_usage_errors_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], args: list[str], needle: str
) -> None:
    code, _, err = run(capsys, *args)
    assert code == 2
    assert_one_line_error(err, needle)


# -- index --------------------------------------------------------------------------------
def test_index_creates_then_updates_without_duplicates(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    where = tmp_path / "new-index"
    code, out, err = run(capsys, "index", str(SEEDS), "--index", str(where), "--analysis", "builtin")
    assert code == 0, err
    assert f"Creating index {where}" in err
    assert "added" in out and "skipped" in out
    with NewsIndex.open(where) as ix:
        stats = ix.stats()
    assert stats["articles"] == 2

    code, out, err = run(capsys, "index", str(SEEDS), "--index", str(where))
    assert code == 0, err
    assert f"Updating index {where}" in err
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if "added" in line)
    assert lines[header + 1].split()[:3] == ["0", "0", "2"]  # added, updated, skipped
    with NewsIndex.open(where) as ix:
        assert ix.stats()["paragraphs"] == stats["paragraphs"]


def test_index_reports_problems_with_file_and_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(next(SEEDS.glob("*.txt")), corpus / "good.txt")
    (corpus / "bad.jsonl").write_text(
        json.dumps({"title": "Gut", "paragraphs": ["Ein Absatz über Venezuela."]}) + "\n{kaputt\n",
        encoding="utf-8",
    )
    (corpus / "binary.txt").write_bytes(b"\x00\xff\xfe" * 200)
    code, out, err = run(
        capsys, "index", str(corpus), "--index", str(tmp_path / "ix"), "--analysis", "builtin"
    )
    assert code == 0, err
    assert "Problems" in out
    assert "bad.jsonl" in out
    problem_lines = [line for line in out.splitlines() if "bad.jsonl" in line]
    assert any(" 2 " in f" {line} " for line in problem_lines), out  # the line number of {kaputt


def test_index_missing_path_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "index", str(tmp_path / "nowhere"), "--index", str(tmp_path / "ix"))
    assert code == 2
    assert_one_line_error(err, "no such file or folder", "nowhere")
    assert not (tmp_path / "ix").exists()


def test_index_unknown_analysis_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(
        capsys, "index", str(SEEDS), "--index", str(tmp_path / "ix"), "--analysis", str(tmp_path / "no-model")
    )
    assert code == 2
    assert_one_line_error(err)


def test_index_existing_index_notes_ignored_analysis(
    capsys: pytest.CaptureFixture[str], index_dir: Path
) -> None:
    code, _, err = run(
        capsys, "index", str(SEEDS), "--index", str(index_dir), "--analysis", "de_core_news_sm"
    )
    assert code == 0
    assert "--analysis only applies to new indexes" in err


def test_ctrl_c_keeps_committed_batches(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import newsindex.ingest

    real_read = newsindex.ingest.read

    def read_then_ctrl_c(path: Any, **kw: Any) -> Iterator[Any]:
        articles = real_read(path, **kw)
        yield next(iter(articles))
        raise KeyboardInterrupt

    where = tmp_path / "ix"
    monkeypatch.setattr(newsindex.ingest, "read", read_then_ctrl_c)
    code, out, err = run(
        capsys, "index", str(SEEDS), "--index", str(where), "--analysis", "builtin", "--batch-size", "1"
    )
    assert code == 130
    assert "added" in out and "interrupted" not in out.lower()  # the summary; the news is said once:
    assert err.lower().count("interrupted") == 1 and "committed before Ctrl-C are kept" in err
    assert "Traceback" not in err
    with NewsIndex.open(where) as ix:  # not broken, and the first article is there
        assert ix.stats()["articles"] == 1

    monkeypatch.setattr(newsindex.ingest, "read", real_read)
    code, out, err = run(capsys, "index", str(SEEDS), "--index", str(where))
    assert code == 0, err
    with NewsIndex.open(where) as ix:
        assert ix.stats()["articles"] == 2


# -- search ------------------------------------------------------------------------------
def test_search_prints_ranked_marked_passages(capsys: pytest.CaptureFixture[str], index_dir: Path) -> None:
    code, out, err = run(capsys, "search", "Krieg", "--index", str(index_dir))
    assert code == 0, err
    assert f"1. {TRUMP_TITLE}" in out
    assert "DerWesten.de" in out or "derwesten" in out.lower()
    assert "**Krieg**" in out or "**Kriege**" in out
    assert "\x1b[" not in out


def test_search_words_are_joined_and_filters_apply(
    capsys: pytest.CaptureFixture[str], index_dir: Path
) -> None:
    code, out, _ = run(
        capsys, "search", "Wer", "liefert", "Waffen", "an", "Venezuela?", "--index", str(index_dir)
    )
    assert code == 0 and "passages match Wer liefert Waffen an Venezuela?" in out
    code, out, _ = run(
        capsys, "search", "Putin", "--since", "2025-10-30", "--index", str(index_dir), "--json"
    )
    titles = {h["title"] for h in json.loads(out)["hits"]}
    assert code == 0 and titles == {TRUMP_TITLE}
    code, out, _ = run(
        capsys, "search", "Putin", "--until", "2025-10-29", "--index", str(index_dir), "--json"
    )
    assert {h["title"] for h in json.loads(out)["hits"]} == {PUTIN_TITLE}
    code, out, _ = run(capsys, "search", "Putin", "--source", "nirgendwo", "--index", str(index_dir))
    assert code == 1


def test_search_json_shape(capsys: pytest.CaptureFixture[str], index_dir: Path) -> None:
    code, out, _ = run(capsys, "search", "Kartell", "--json", "--limit", "2", "--index", str(index_dir))
    assert code == 0
    data = json.loads(out)
    assert set(data) >= {"query", "total", "total_exact", "elapsed_ms", "suggestion", "notes", "hits"}
    assert data["query"] == "Kartell" and 1 <= len(data["hits"]) <= 2
    hit = data["hits"][0]
    assert set(hit) >= {
        "rank", "score", "article_id", "paragraph", "title", "source", "published", "url", "author",
        "text", "highlights", "snippet", "snippet_html",
    }  # fmt: skip
    assert hit["title"] == TRUMP_TITLE
    start, end = hit["highlights"][0]
    assert hit["text"][start:end] == "Drogenkartelle"
    assert "<mark>Drogenkartelle</mark>" in hit["snippet_html"]


def test_search_no_results_exit_1_with_suggestion(
    capsys: pytest.CaptureFixture[str], index_dir: Path
) -> None:
    # A typo that finds nothing is searched as its closest index word (issue 14), and said so.
    code, out, err = run(capsys, "search", "Kriek", "--json", "--index", str(index_dir))
    assert code == 0 and err == ""
    data = json.loads(out)
    assert data["suggestion"] == "Krieg" and data["total"] > 0
    assert "nothing matched „Kriek“; showing results for „Krieg“" in data["notes"]
    code, out, err = run(capsys, "search", "Xqzvbnwq", "--index", str(index_dir))
    assert code == 1 and err == ""


def test_missing_index_is_one_line_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    for command in (["search", "Krieg"], ["stats"], ["shell"]):
        code, _, err = run(capsys, *command, "--index", str(tmp_path / "none"))
        assert code == 2
        assert_one_line_error(err, "no index at", "newsindex index PATH")


def test_debug_shows_the_traceback(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from newsindex import IndexNotFoundError

    with pytest.raises(IndexNotFoundError):
        main(["search", "Krieg", "--index", str(tmp_path / "none"), "--debug"])


def test_index_location_env_var_and_default(
    capsys: pytest.CaptureFixture[str], index_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(paths.INDEX_ENV, str(index_dir))
    assert paths.resolve_index(None) == index_dir
    code, out, _ = run(capsys, "search", "Krieg")
    assert code == 0 and TRUMP_TITLE in out
    assert paths.resolve_index(tmp_path / "x") == tmp_path / "x"  # --index wins
    monkeypatch.delenv(paths.INDEX_ENV)
    default = paths.resolve_index(None)
    assert default == paths.default_index_dir()
    if sys.platform.startswith("linux"):
        assert default == tmp_path / "xdg-data" / "newsindex" / "index"
    code, _, err = run(capsys, "stats")
    assert code == 2 and str(default) in err


def test_history_file_location(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert paths.history_file() == tmp_path / "history"  # $NEWSINDEX_HISTORY (set for every test)
    monkeypatch.delenv(paths.HISTORY_ENV)
    if sys.platform.startswith("linux"):
        assert paths.history_file() == tmp_path / "xdg-state" / "newsindex" / "history"


# -- stats, shell, demo ---------------------------------------------------------------------------
def test_stats(capsys: pytest.CaptureFixture[str], index_dir: Path) -> None:
    code, out, _ = run(capsys, "stats", "--index", str(index_dir))
    assert code == 0
    for label in ("articles", "paragraphs", "sources", "dates", "analysis", "size on disk"):
        assert label in out
    assert "2025-10-28 … 2025-11-01" in out
    code, out, _ = run(capsys, "stats", "--json", "--index", str(index_dir))
    data = json.loads(out)
    assert data["articles"] == 2 and data["size_bytes"] > 0


def test_shell_reads_a_pipe(
    capsys: pytest.CaptureFixture[str], index_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO("Kartell\n:stats\n:quit\n"))
    code, out, _ = run(capsys, "shell", "--index", str(index_dir))
    assert code == 0
    assert "**Drogenkartelle**" in out and "articles" in out


def test_demo_without_a_terminal_runs_sample_searches(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no seeds/ here: it falls back to the checkout's
    code, out, err = run(capsys, "demo", "--analysis", "builtin")
    assert code == 0, err
    for query in SAMPLE_QUERIES:
        assert f"newsindex search {query!r}" in out
    assert TRUMP_TITLE in out and "**Drogenkartelle**" in out


def test_demo_with_a_path_and_a_kept_index(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    corpus = tmp_path / "mine"
    corpus.mkdir()
    shutil.copy(sorted(SEEDS.glob("*.txt"))[-1], corpus / "one.txt")
    code, out, _ = run(
        capsys, "demo", str(corpus), "--index", str(tmp_path / "kept"), "--analysis", "builtin"
    )
    assert code == 0
    assert PUTIN_TITLE in out and TRUMP_TITLE not in out
    with NewsIndex.open(tmp_path / "kept") as ix:
        assert ix.stats()["articles"] == 1


def test_demo_without_seeds_is_a_clear_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = run(capsys, "demo", str(tmp_path / "missing"))
    assert code == 2
    assert_one_line_error(err, "missing")
    import newsindex

    monkeypatch.chdir(tmp_path)  # no ./seeds, and pretend the package is installed far from a checkout
    monkeypatch.setattr(newsindex, "__file__", str(tmp_path / "pkg" / "newsindex" / "__init__.py"))
    code, _, err = run(capsys, "demo")
    assert code == 2
    assert_one_line_error(err, "cannot find the example corpus seeds/")


@pytest.mark.slow
def test_make_demo_path_never_waits_for_input(tmp_path: Path) -> None:
    """What `make demo </dev/null` runs: a fresh process, default analysis, no terminal."""
    env = {k: v for k, v in os.environ.items() if k != paths.INDEX_ENV}
    env["NEWSINDEX_HISTORY"] = str(tmp_path / "history")
    proc = subprocess.run(
        [str(NEWSINDEX), "demo"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=TIMEOUT,
    )
    assert proc.returncode == 0, proc.stderr
    assert TRUMP_TITLE in proc.stdout
    assert "\x1b[" not in proc.stdout


@pytest.mark.slow
def test_demo_on_a_terminal_opens_the_prompt(tmp_path: Path) -> None:
    pexpect = pytest.importorskip("pexpect")
    env = {k: v for k, v in os.environ.items() if k != paths.INDEX_ENV}
    env.update(TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1", NEWSINDEX_HISTORY=str(tmp_path / "history"))
    child = pexpect.spawn(
        str(NEWSINDEX),
        ["demo", "--analysis", "builtin"],
        cwd=str(REPO),
        env=env,
        dimensions=(40, 120),
        encoding="utf-8",
        timeout=TIMEOUT,
    )
    try:
        child.expect("added")  # the summary table
        child.expect("Ctrl-D")  # the prompt's banner
        child.sendline("Kartell")
        child.expect("Drogenkartelle")
        child.sendline(":quit")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0


@pytest.mark.slow
def test_real_ctrl_c_in_a_terminal_stops_cleanly(tmp_path: Path) -> None:
    """SIGINT to the process group mid-run: exit 130, no tracebacks, committed articles stay."""
    pexpect = pytest.importorskip("pexpect")
    corpus = REPO.parent / "shared" / "corpora" / "wikinews_de_1000" / "articles.jsonl.gz"
    if not corpus.exists():
        pytest.skip("../shared/corpora is not here")
    where = tmp_path / "ix"
    args = ["index", str(corpus), "--index", str(where), "--analysis", "builtin", "--batch-size", "100"]
    child = pexpect.spawn(
        str(NEWSINDEX), args, env={**os.environ, "TERM": "xterm"}, dimensions=(30, 160), encoding="utf-8",
        timeout=TIMEOUT,
    )  # fmt: skip
    try:
        child.expect(r"paragraphs read · [1-9][\d,]* indexed")  # a batch is committed
        child.sendintr()
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 130
    transcript = child.before or ""
    assert "Traceback" not in transcript and "KeyboardInterrupt" not in transcript
    assert "committed before Ctrl-C are kept" in transcript
    with NewsIndex.open(where) as ix:
        assert 0 < ix.stats()["articles"] < 998


def test_foreign_index_is_refused_until_trusted(
    capsys: pytest.CaptureFixture[str], index_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSINDEX_KEY_FILE", str(tmp_path / "another-user.key"))
    code, out, err = run(capsys, "search", "Venezuela", "--index", str(index_dir))
    assert code == 2 and not out
    assert_one_line_error(err, "not signed with your key", "newsindex trust --index")
    code, out, err = run(capsys, "trust", "--index", str(index_dir))
    assert code == 0, err
    assert "trusted" in out and "2 articles" in out
    code, out, err = run(capsys, "search", "Venezuela", "--index", str(index_dir))
    assert code == 0, err
    assert "Venezuela" in out
