"""Nothing from data or another process reaches a terminal raw; surrogates never break a batch or JSON.

Issue 12, findings 4 and 9. A crafted article id or title holding ``ESC ] 0 ; … BEL``
(sets the terminal title), ``ESC [ 2 J`` (clears the screen), the one-byte C1 forms
U+009B (CSI) and U+009D (OSC) and U+202E (right-to-left override) was printed raw
by the prompt, ``:open``'s error, ``newsindex check`` and lock errors (a lock
holder's command line from ``/proc``). Articles are now cleaned when built, and
every renderer escapes what it prints; these tests read the raw bytes a
pseudo-terminal receives.

A lone surrogate in an id or title raised ``UnicodeEncodeError`` and dropped the
whole ``add()`` batch, ``Results.to_dict()`` echoed one in the query, and a
non-UTF-8 byte in argv made ``--json`` output invalid UTF-8.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsindex import Article, NewsIndex
from newsindex.index.storage import open_index
from newsindex.index.writing import paragraph_docnum
from newsindex.ingest import read_all
from newsindex.interfaces.cli import main

pexpect = pytest.importorskip("pexpect")
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a pty and /proc")

NEWSINDEX = Path(sys.executable).with_name("newsindex")
TIMEOUT = 30
PROMPT = "›".encode()
# Sets the title, clears the screen (7-bit and C1 forms), starts an OSC, reverses the line.
CRAFT = "\x1b]0;pwned\x07\x1b[2J\x9b2J\x9d0;osc\x9c\u202e"
FORBIDDEN = (b"\x1b]0;pwned", b"pwned\x07", b"\x1b[2J", "\x9b".encode(), "\x9d".encode(), "\u202e".encode())
CRAFTED_ID = "kartell" + CRAFT
UNSAFE = set("\x1b\x07\x9b\x9c\x9d\u202e\u2028\u2029\u2066\ud800\udfff")


def assert_clean(raw: bytes) -> None:
    found = [f for f in FORBIDDEN if f in raw]
    assert not found, f"raw {found} reached the terminal"


def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        TERM="xterm",
        PROMPT_TOOLKIT_NO_CPR="1",
        NEWSINDEX_HISTORY=str(tmp_path / "history"),
        COLUMNS="160",
        LINES="40",
    )
    env.pop("NO_COLOR", None)
    return env


def run_in_pty(tmp_path: Path, *args: str) -> tuple[bytes, int]:
    """Run ``newsindex args`` on a pseudo-terminal: every byte it wrote, and its exit code."""
    child = pexpect.spawn(
        str(NEWSINDEX), list(args), env=_env(tmp_path), dimensions=(40, 160), timeout=TIMEOUT
    )
    log = io.BytesIO()
    child.logfile_read = log
    child.expect(pexpect.EOF)
    child.close()
    return log.getvalue(), child.exitstatus


def crafted_article() -> Article:
    """An article whose fields bypass the model's clean-up, as in an index built before it."""
    article = Article(id="roh", title="", paragraphs=())
    fields = {
        "id": CRAFTED_ID,
        "title": "Drogenkartelle [bold]fett[/bold] im Titel " + CRAFT,
        "source": "Quelle" + CRAFT,
        "author": "Autorin" + CRAFT,
        "url": "https://example.org/" + CRAFT,
        "paragraphs": (
            "Im Krieg gegen Drogenkartelle " + CRAFT + " konfrontiert Trump den venezolanischen Diktator.",
            "Zweiter Absatz: die Kartelle antworten " + CRAFT + " mit Gewalt.",
        ),
    }
    for name, value in fields.items():
        object.__setattr__(article, name, value)
    return article


@pytest.fixture
def crafted_index(tmp_path: Path) -> Path:
    """An on-disk index holding the crafted article, in a folder whose name is crafted too."""
    path = tmp_path / ("ix" + CRAFT)
    with NewsIndex.create(path, analysis="builtin", workers=1) as ix:
        ix.add([crafted_article()])
    return path


# -- the prompt in a terminal ----------------------------------------------------------------
@pytest.mark.slow
def test_prompt_shows_a_crafted_article_and_open_error_escaped(crafted_index: Path, tmp_path: Path) -> None:
    child = pexpect.spawn(
        str(NEWSINDEX),
        ["shell", "--index", str(crafted_index)],
        env=_env(tmp_path),
        dimensions=(40, 160),
        timeout=TIMEOUT,
    )
    log = io.BytesIO()
    child.logfile_read = log
    try:
        child.expect(b"Ctrl-D")
        child.expect(PROMPT)
        child.sendline("Drogenkartelle")
        child.expect(b":open N")  # the hit, with title, source and snippet
        child.expect(PROMPT)
        child.sendline(":open 1")
        child.expect(b"Zweiter Absatz")  # the whole article
        child.expect(PROMPT)
        with NewsIndex.open(crafted_index) as ix:  # gone before the next :open
            assert ix.delete(CRAFTED_ID)
        child.sendline(":open 1")
        child.expect(b"no longer in the index")
        child.expect(PROMPT)
        child.sendline(":quit")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    raw = log.getvalue()
    assert_clean(raw)
    assert b"kartell\\x1b]0;pwned\\x07" in raw  # the id, shown with visible escapes
    assert b"[bold]fett[/bold]" in raw  # markup in a title is text, not style


# -- check, stats and lock errors --------------------------------------------------------------
def _drop_paragraph(path: Path, article_id: str, paragraph: int) -> None:
    """Delete one stored paragraph through Whoosh (as newsindex never would), then sign the commit."""
    with NewsIndex.open(path) as ix:
        writer = ix._ix.writer()
        with ix._ix.searcher() as searcher:
            writer.delete_document(paragraph_docnum(searcher, article_id, paragraph))
        writer.commit()
    ix2, _ = open_index(path, trust=True)
    ix2.close()


@pytest.mark.slow
def test_check_and_stats_escape_ids_and_folder_names(crafted_index: Path, tmp_path: Path) -> None:
    _drop_paragraph(crafted_index, CRAFTED_ID, 1)
    raw, code = run_in_pty(tmp_path, "check", "--index", str(crafted_index))
    assert code == 1 and b"missing" in raw
    assert b"article kartell\\x1b]0;pwned" in raw
    assert_clean(raw)
    raw, code = run_in_pty(tmp_path, "stats", "--index", str(crafted_index))
    assert code == 0 and b"ix\\x1b]0;pwned" in raw
    assert_clean(raw)


HOLDER = r"""
import sys
from newsindex import NewsIndex
ix = NewsIndex.open(sys.argv[2])
writer = ix._ix.writer()   # holds the write lock
print("locked", flush=True)
sys.stdin.read()           # until the test closes our stdin
writer.cancel()
"""


@pytest.fixture
def crafted_holder(tmp_path: Path) -> Iterator[tuple[Path, int]]:
    """A process holding an index's write lock, with an escape sequence in its command line."""
    path = tmp_path / "ix"
    with NewsIndex.create(path, analysis="builtin", workers=1) as ix:
        ix.add([Article(id="a", title="Krieg", paragraphs=("Der Krieg geht weiter.",))])
    script = tmp_path / "hold.py"
    script.write_text(HOLDER)
    proc = subprocess.Popen(  # the crafted argument early: /proc command lines are shown cut
        [sys.executable, script.name, CRAFT, str(path)],
        cwd=tmp_path,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == b"locked"
        yield path, proc.pid
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()


@pytest.mark.slow
def test_a_lock_holders_command_line_is_escaped(crafted_holder: tuple[Path, int], tmp_path: Path) -> None:
    path, pid = crafted_holder
    raw, code = run_in_pty(tmp_path, "unlock", "--index", str(path))
    assert code == 1 and f"process {pid}".encode() in raw and b"\\x1b]0;pwned" in raw
    assert_clean(raw)
    raw, code = run_in_pty(tmp_path, "check", "--index", str(path))
    assert code == 0 and f"process {pid}".encode() in raw
    assert_clean(raw)


@pytest.mark.slow
def test_library_lock_errors_carry_no_raw_escapes(crafted_holder: tuple[Path, int]) -> None:
    """A Python caller printing the exception (or --debug's traceback) gets escapes, not controls."""
    from newsindex.index.errors import IndexLockedError
    from newsindex.index.maintenance import lock_status

    path, pid = crafted_holder
    text = lock_status(path).describe()
    assert f"process {pid}" in text and "\\x1b]0;pwned" in text and not UNSAFE & set(text), text
    with NewsIndex.open(path, lock_timeout=0.2) as ix, pytest.raises(IndexLockedError) as raised:
        ix.add([Article(id="b", title="Frieden", paragraphs=("Der Frieden hält.",))])
    message = str(raised.value)
    assert f"process {pid}" in message and not UNSAFE & set(message), message


def test_rich_markup_in_a_folder_name_is_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seeds = Path(__file__).resolve().parents[1] / "seeds"
    where = tmp_path / "ix[/]b"  # "[/]" closes a tag that is not open: rich raised MarkupError
    code = main(["index", str(seeds), "--index", str(where), "--analysis", "builtin"])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "ix[/]b" in err and "MarkupError" not in err


# -- the model cleans what it is given -------------------------------------------------------
def test_articles_in_code_lose_c1_bidi_and_separators_in_every_field() -> None:
    dirty = "Krieg\x9b2J\x9d0;x\x9c\u202e\u2066 in\u2028Venezuela\x1b[2J"
    made = [
        Article(
            id="id" + dirty,
            title=dirty,
            paragraphs=(dirty,),
            source=dirty,
            author=dirty,
            url=dirty,
            photo_credits=(dirty,),
        ),
        Article.create(title=dirty, paragraphs=[dirty], source=dirty, author=dirty, url=dirty),
    ]
    for article in made:
        fields = (article.id, article.title, article.source, article.author, article.url)
        for value in (*fields, *article.paragraphs, *article.photo_credits):
            assert value is not None and not UNSAFE & set(value), repr(value)
        assert article.title == "Krieg2J0;x in Venezuela[2J"


def test_surrogates_in_id_and_title_no_longer_drop_the_batch() -> None:
    batch = [
        Article(id="halb\ud800", title="Krieg\udfff im Netz", paragraphs=("Der Krieg geht weiter.",)),
        Article.create(title="Kartell\ud800", source="Quelle", paragraphs=["Das Kartell schweigt."]),
        Article.create(title="Frieden", paragraphs=["Die Waffenruhe hält\udc80 seit Montag."]),  # id: text
        Article(id="gut", title="Venezuela", paragraphs=("Venezuela bittet Putin um Unterstützung.",)),
    ]
    assert batch[0].id == "halb\ufffd" and batch[0].title == "Krieg\ufffd im Netz"
    with NewsIndex.in_memory(analysis="builtin") as ix:
        assert ix.add(batch).added == 4
        assert ix.search("Kartell").hits[0].title == "Kartell\ufffd"
        assert ix.article("halb\ufffd") is not None
        assert ix.article("halb\ud800") is not None  # looked up by the id as given, cleaned alike
        assert ix.delete("halb\ud800") and ix.article("halb\ufffd") is None


def test_jsonl_ids_are_cleaned_with_a_warning(tmp_path: Path) -> None:
    lines = [
        {"id": "a" + CRAFT, "title": "Krieg", "text": "Der Krieg geht weiter."},
        {"id": "\x1b\u202e", "title": "Frieden", "text": "Die Waffenruhe hält."},
        {"id": "sauber", "title": "Kartell", "text": "Das Kartell schweigt."},
    ]
    source = tmp_path / "news.jsonl"
    source.write_text("\n".join(json.dumps(line) for line in lines), encoding="utf-8")
    articles, problems = read_all(source)
    ids = [a.id for a in articles]
    assert ids[0] == "a]0;pwned[2J2J0;osc" and ids[2] == "sauber"
    assert ids[1] and not UNSAFE & set(ids[1])  # an id of nothing but controls: derived instead
    warned = [p for p in problems if "id" in p.reason and p.severity == "warning"]
    assert [p.line for p in warned] == [1, 2]


# -- JSON stays valid UTF-8 ----------------------------------------------------------------
def test_to_dict_of_a_query_with_a_lone_surrogate_encodes(seed_index: NewsIndex) -> None:
    results = seed_index.search("Krieg \ud800")
    assert results.hits
    data = results.to_dict()
    encoded = json.dumps(data, ensure_ascii=False).encode("utf-8")
    assert json.loads(encoded)["query"] == "Krieg \ufffd"


@pytest.mark.slow
@pytest.mark.parametrize("locale", [None, "C"])
def test_a_non_utf8_argv_byte_gives_valid_json(seed_index_dir: Path, locale: str | None) -> None:
    env = dict(os.environ)
    if locale:
        env["LC_ALL"] = locale
    proc = subprocess.run(
        [NEWSINDEX, b"search", b"Krieg \xff", b"--json", b"--index", str(seed_index_dir).encode()],
        capture_output=True,
        env=env,
        timeout=TIMEOUT,
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout.decode("utf-8"))  # strict: raises on an invalid byte
    assert data["query"] == "Krieg \ufffd" and data["hits"]


def test_json_output_escapes_c1_and_bidi(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "ix"
    with NewsIndex.create(path, analysis="builtin", workers=1) as ix:
        ix.add([crafted_article()])
    assert main(["search", "Drogenkartelle", "--json", "--index", str(path)]) == 0
    out = capsys.readouterr().out
    assert not {"\x1b", "\x9b", "\x9d", "\u202e"} & set(out)
    assert json.loads(out)["hits"][0]["title"].endswith(CRAFT)  # the same value, escaped


def test_terminal_safe_keeps_plain_text_and_escapes_the_rest() -> None:
    from newsindex.safe_text import terminal_safe

    assert terminal_safe("Grüße aus Köln — „Zitat“") == "Grüße aus Köln — „Zitat“"
    assert terminal_safe("a\nb\tc", multiline=True) == "a\nb\tc"
    assert terminal_safe("a\nb\rc") == "a\\x0ab\\x0dc"
    assert terminal_safe(CRAFT + "\ud800\u2028") == (
        "\\x1b]0;pwned\\x07\\x1b[2J\\x9b2J\\x9d0;osc\\x9c\\u202e\\ud800\\u2028"
    )


def test_ansi_snippets_escape_the_texts_own_sequences() -> None:
    from newsindex.search.results import Hit

    text = "Im Krieg " + CRAFT + " gegen Drogenkartelle."
    hit = Hit(1, 1.0, "a", 0, text, "Titel", None, None, None, None, ((3, 8),))
    ansi = hit.snippet(format="ansi")
    assert "\x1b[1;33mKrieg" in ansi  # the mark itself is still styled
    assert not {"\x07", "\x9b", "\x9d", "\u202e"} & set(ansi) and "\x1b]0;" not in ansi
