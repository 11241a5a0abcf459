"""The search prompt: its commands on a recording console, and the real prompt in a terminal."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document
from rich.console import Console

from newsindex import NewsIndex
from newsindex.interfaces.shell import Shell, make_completer

TRUMP_TITLE = "Trump droht mit Krieg! Venezuela bittet Putin um Unterstützung"
PUTIN_TITLE = "Während Trump in Venezuela operiert: Umstrittener Deal von Putin"
NEWSINDEX = Path(sys.executable).with_name("newsindex")
TIMEOUT = 30
PROMPT = "›"  # the end of the prompt "newsindex›"


@pytest.fixture
def shell(seed_index: NewsIndex) -> Shell:
    console = Console(record=True, width=120, force_terminal=False, no_color=True, highlight=False)
    return Shell(seed_index, console, plain=True, page_size=2)


def screen(shell: Shell, *lines: str) -> str:
    """Type ``lines`` into the shell; what it printed."""
    for line in lines:
        assert shell.handle(line) is True, line
    return shell.console.export_text()


# -- commands ----------------------------------------------------------------------------
def test_query_shows_ranked_hits_with_marks(shell: Shell) -> None:
    out = screen(shell, "Krieg")
    assert f"1. {TRUMP_TITLE}" in out
    assert "2. " in out and "3. " not in out  # page size 2
    assert "**Krieg**" in out or "**Kriege**" in out
    assert "n: next page" in out


def test_paging_forward_and_back(shell: Shell) -> None:
    screen(shell, "Krieg")
    out = screen(shell, "n")
    assert "showing 3–4" in out and "3. " in out and "p: previous page" in out
    out = screen(shell, ":more")
    assert "no more results" in out
    out = screen(shell, "p")
    assert "showing 1–2" in out
    assert "already on the first page" in screen(shell, "p")


def test_open_shows_the_whole_article_with_all_marks(shell: Shell, seed_index: NewsIndex) -> None:
    screen(shell, "Krieg")
    out = screen(shell, ":open 1")
    article = seed_index.article(seed_index.search("Krieg")[0].article_id)
    assert article is not None
    assert TRUMP_TITLE in out
    assert re.search(rf"¶\s+{len(article.paragraphs)}\s", out)  # every paragraph
    assert "**Drogenkrieg**" in out and "**Kriegserklärung**" in out  # marks beyond the hit's passage
    assert "▶ ¶" in out


def test_open_beyond_the_page_fetches_more(shell: Shell) -> None:
    screen(shell, "Krieg")
    out = screen(shell, ":open 4")
    assert PUTIN_TITLE in out


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([":open 1"], "no results yet — type a query first"),
        (["Krieg", ":open 99"], "no hit 99"),
        (["Krieg", ":open x"], ":open needs a hit number"),
        (["n"], "no results yet"),
        ([":filter colour=red"], "cannot read 'colour=red'"),
        ([":filter since=gestern"], "since: 'gestern' is not a date"),
        ([":bogus"], "unknown command ':bogus'"),
        ([":analyze"], ":analyze needs some text"),
    ],
)
def test_mistakes_are_one_line_and_the_session_goes_on(shell: Shell, lines: list[str], message: str) -> None:
    assert message in screen(shell, *lines)


def test_filter_reruns_the_query_and_shows_in_the_prompt(shell: Shell) -> None:
    screen(shell, "Putin")
    out = screen(shell, ":filter since=2025-10-30")
    assert "filters: since=2025-10-30" in out
    assert shell.results is not None and shell.results.hits
    assert {h.title for h in shell.results} == {TRUMP_TITLE}
    assert ("ansiyellow", " [since=2025-10-30]") in shell.prompt_message()
    screen(shell, ":filter until=2025-10-29 since=")
    assert {h.title for h in shell.results} == {PUTIN_TITLE}
    out = screen(shell, ":filter source=nirgendwo")
    assert "No passages for Putin." in out
    assert "(:clear drops them)" in screen(shell, "Krieg")
    assert "source=nirgendwo until=2025-10-29" in screen(shell, ":filter")


def test_clear_drops_filters_and_results(shell: Shell) -> None:
    screen(shell, ":filter source=nirgendwo", "Krieg")
    assert "filters and results cleared" in screen(shell, ":clear")
    assert not shell.filters and shell.results is None
    screen(shell, "Krieg")
    assert shell.results is not None and shell.results.hits


def test_did_you_mean(shell: Shell) -> None:
    out = screen(shell, "Kriek")
    # A typo that finds nothing shows the closest word's results, noted (issue 14).
    assert "nothing matched „Kriek“; showing results for „Krieg“" in out and "Krieg" in out


def test_stats_help_analyze(shell: Shell) -> None:
    out = screen(shell, ":stats")
    assert re.search(r"articles\s+2", out)
    out = screen(shell, ":help")
    for command in (":open N", ":filter", ":clear", ":stats", ":help", ":quit", ":more, n", "p "):
        assert command in out
    assert re.search(
        r"Drogenkartelle\s+0–14\s+drogenkartell\s+droge, kartell", screen(shell, ":analyze Drogenkartelle")
    )


def test_bare_letters_page_only_on_their_own(shell: Shell) -> None:
    screen(shell, "Krieg")
    assert shell.handle("n Putin") is True
    assert shell.query == "n Putin" and shell.page == 0


def test_empty_input_does_nothing_and_quit_ends(shell: Shell) -> None:
    assert screen(shell, "", "   ") == ""
    for word in (":quit", ":q", ":exit", ":QUIT"):
        assert shell.handle(word) is False


def test_run_lines_stops_at_quit(shell: Shell) -> None:
    shell.run_lines(["Kartell\n", ":quit\n", "Krieg\n"])
    out = shell.console.export_text()
    assert "**Drogenkartelle**" in out
    assert "passages match Krieg" not in out


# -- completion ------------------------------------------------------------------------------
def complete(shell: Shell, text: str) -> list[str]:
    completer = make_completer(shell)
    return [
        c.text for c in completer.get_completions(Document(text), CompleteEvent(completion_requested=True))
    ]


def test_completion_of_commands_fields_and_values(shell: Shell) -> None:
    assert complete(shell, ":o") == [":open"]
    assert set(complete(shell, ":")) >= {":open", ":filter", ":clear", ":stats", ":help", ":quit", ":more"}
    assert "n" in complete(shell, "") and "p" in complete(shell, "")
    assert complete(shell, "Krieg so") == ["source:"]
    assert complete(shell, "da") == ["date:"]
    assert complete(shell, ":filter s") == ["source=", "since="]
    assert complete(shell, "Krieg source:der") == ["source:derwesten.de"]
    assert complete(shell, ":filter source=D") == ["source=derwesten.de"]
    assert complete(shell, ":open 1") == []


def test_typed_and_stored_escape_sequences_never_reach_the_terminal(shell: Shell) -> None:
    crafted = "\x1b]0;pwned\x07\x9b2J\u202e"
    out = screen(shell, f":filter source='{crafted}'", f":bogus{crafted}")
    assert "\x1b" not in out and "\x9b" not in out and "\u202e" not in out
    assert "source=\\x1b]0;pwned\\x07\\x9b2J\\u202e" in out
    prompt = "".join(text for _, text in shell.prompt_message())
    assert "\x1b" not in prompt and "\\x1b]0;pwned" in prompt
    shell._sources = ["Quelle" + crafted]  # a source name stored in a crafted index
    [completion] = make_completer(shell).get_completions(
        Document("Krieg source:Q"), CompleteEvent(completion_requested=True)
    )
    shown = "".join(text for _, text in completion.display)
    assert "\x1b" not in shown and shown.startswith("Quelle\\x1b]0;pwned")


# -- the real thing: a pseudo-terminal and a pipe ------------------------------------------------
def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        TERM="xterm",
        PROMPT_TOOLKIT_NO_CPR="1",
        NEWSINDEX_HISTORY=str(tmp_path / "history"),
        COLUMNS="120",
        LINES="40",
    )
    env.pop("NO_COLOR", None)
    return env


@pytest.fixture
def pty_shell(seed_index_dir: Path, tmp_path: Path) -> Iterator[object]:
    pexpect = pytest.importorskip("pexpect")
    child = pexpect.spawn(
        str(NEWSINDEX),
        ["shell", "--index", str(seed_index_dir)],
        env=_env(tmp_path),
        dimensions=(40, 120),
        encoding="utf-8",
        timeout=TIMEOUT,
    )
    try:
        yield child
    finally:
        child.close(force=True)


@pytest.mark.slow
def test_prompt_in_a_terminal(pty_shell: object, tmp_path: Path) -> None:
    child = pty_shell
    child.expect("Ctrl-D")  # the banner
    child.expect(PROMPT)
    child.sendline("Krieg")
    child.expect_exact(TRUMP_TITLE)
    child.expect(":open N: whole article")
    child.expect(PROMPT)
    child.sendline(":open 1")
    child.expect("Kriegserklärung")
    child.expect(PROMPT)
    child.sendline(":filter source=nirgendwo")
    child.expect(r"filters: source=nirgendwo")
    child.expect(PROMPT)  # now with the filter: "newsindex [source=nirgendwo]›"
    child.sendline(":quit")
    child.expect(pexpect_eof())
    child.close()
    assert child.exitstatus == 0
    assert "Krieg" in (tmp_path / "history").read_text(encoding="utf-8")


def pexpect_eof() -> object:
    import pexpect

    return pexpect.EOF


@pytest.mark.slow
def test_history_persists_across_sessions_and_ctrl_keys(seed_index_dir: Path, tmp_path: Path) -> None:
    pexpect = pytest.importorskip("pexpect")
    env = _env(tmp_path)
    args = ["shell", "--index", str(seed_index_dir)]
    first = pexpect.spawn(
        str(NEWSINDEX), args, env=env, dimensions=(40, 120), encoding="utf-8", timeout=TIMEOUT
    )
    first.expect("Ctrl-D")
    first.expect(PROMPT)
    first.sendline("Drogenkartelle")
    first.expect_exact(TRUMP_TITLE)
    first.expect(PROMPT)  # keys typed before the prompt is back would reach a cooked terminal
    first.sendcontrol("d")  # Ctrl-D leaves
    first.expect(pexpect.EOF)
    first.close()
    assert first.exitstatus == 0
    assert "+Drogenkartelle" in (tmp_path / "history").read_text(encoding="utf-8")

    second = pexpect.spawn(
        str(NEWSINDEX), args, env=env, dimensions=(40, 120), encoding="utf-8", timeout=TIMEOUT
    )
    try:
        second.expect("Ctrl-D")
        second.expect(PROMPT)
        second.send("halb fertig")
        second.expect("fertig")
        second.sendcontrol("c")  # Ctrl-C drops the line, the prompt stays
        second.expect(PROMPT)
        second.send("\x1b[A")  # arrow up: the last session's query
        second.expect("Drogenkartelle")
        second.send("\r")
        second.expect_exact(TRUMP_TITLE)
        second.expect(PROMPT)
        second.sendline(":quit")
        second.expect(pexpect.EOF)
    finally:
        second.close(force=True)
    assert second.exitstatus == 0


@pytest.mark.slow
def test_pipe_mode_prints_plain_text(seed_index_dir: Path, tmp_path: Path) -> None:
    proc = subprocess.run(
        [str(NEWSINDEX), "shell", "--index", str(seed_index_dir)],
        input="Krieg\n\n:open 1\nKriek\n",
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        timeout=TIMEOUT,
    )
    assert proc.returncode == 0, proc.stderr
    assert "\x1b[" not in proc.stdout
    assert f"1. {TRUMP_TITLE}" in proc.stdout
    assert "**Krieg**" in proc.stdout or "**Kriege**" in proc.stdout
    assert "**Kriegserklärung**" in proc.stdout  # from :open 1
    assert "nothing matched „Kriek“; showing results for „Krieg“" in proc.stdout
    assert not (tmp_path / "history").exists()  # pipes leave no history
