"""`newsindex get` and `delete`, `index --csv-columns`, and flags in `--help`."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from newsindex import NewsIndex
from newsindex.interfaces import paths
from newsindex.interfaces.cli import main

REPO = Path(__file__).resolve().parents[1]
MELDUNGEN = (
    "titel;quelle;datum;text\n"
    '"Neue Regierung in Den Haag";Agentur;02.07.2024;"Die neue Regierung wurde vereidigt.\n'
    "\n"
    'Sie stützt sich auf vier Parteien."\n'
    '"Fußball-EM: Aus im Viertelfinale";Sportdienst;5. Juli 2024;"Die Mannschaft schied aus."\n'
    '"Streik bei der Bahn";Agentur;3. Juli 2024;"Die Gewerkschaft ruft zum Streik auf."\n'
)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(paths.INDEX_ENV, raising=False)
    monkeypatch.setenv(paths.HISTORY_ENV, str(tmp_path / "history"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))


@pytest.fixture
def index(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    csv = tmp_path / "meldungen.csv"
    csv.write_text(MELDUNGEN, encoding="utf-8")
    where = tmp_path / "ix"
    code, _, err = run(capsys, "index", str(csv), "--index", str(where), "--analysis", "builtin")
    assert code == 0, err
    return where


def ids(where: Path) -> dict[str, str]:
    with NewsIndex.open(where) as ix:
        return {h.title: h.article_id for h in ix.search("Regierung Mannschaft Streik", limit=20)}


def test_get_prints_the_whole_article_or_its_json(capsys: pytest.CaptureFixture[str], index: Path) -> None:
    article_id = ids(index)["Neue Regierung in Den Haag"]
    code, out, err = run(capsys, "get", article_id, "--index", str(index))
    assert code == 0, err
    assert "Neue Regierung in Den Haag" in out and "Agentur · 2024-07-02 · 2 paragraphs" in out
    assert "¶ 1 Die neue Regierung wurde vereidigt." in out
    assert "¶ 2 Sie stützt sich auf vier Parteien." in out
    code, out, err = run(capsys, "get", article_id, "--json", "--index", str(index))
    assert code == 0, err
    assert json.loads(out) == {
        "id": article_id, "title": "Neue Regierung in Den Haag", "source": "Agentur",
        "published": "2024-07-02", "author": None, "url": None,
        "paragraphs": ["Die neue Regierung wurde vereidigt.", "Sie stützt sich auf vier Parteien."],
    }  # fmt: skip


def test_get_an_unknown_id(capsys: pytest.CaptureFixture[str], index: Path) -> None:
    code, out, err = run(capsys, "get", "0000000000000000", "--index", str(index))
    assert (code, out) == (1, "")
    assert err.startswith("newsindex: error: no article '0000000000000000' in the index")


def test_delete_one_prints_id_and_title_and_reports_unknown_ids(
    capsys: pytest.CaptureFixture[str], index: Path
) -> None:
    article_id = ids(index)["Streik bei der Bahn"]
    code, out, err = run(capsys, "delete", article_id, "--index", str(index))  # one, no terminal: no question
    assert code == 0, err
    assert out.split() == ["deleted", article_id, "Streik", "bei", "der", "Bahn"]
    assert "Streik bei der Bahn" not in ids(index)
    code, out, err = run(capsys, "delete", article_id, "--index", str(index))  # gone now
    assert (code, out) == (1, "")
    assert f"no article {article_id!r} in the index" in err


def test_deleting_several_needs_yes_without_a_terminal(
    capsys: pytest.CaptureFixture[str], index: Path
) -> None:
    found = ids(index)
    both = [found["Streik bei der Bahn"], found["Fußball-EM: Aus im Viertelfinale"]]
    code, out, err = run(capsys, "delete", *both, "--index", str(index))
    assert (code, out) == (2, "")
    assert "deleting 2 articles needs --yes" in err
    assert len(ids(index)) == 3  # nothing deleted
    code, out, err = run(capsys, "delete", *both, "nicht-da", "--yes", "--json", "--index", str(index))
    assert code == 0, err
    assert json.loads(out) == {
        "deleted": [
            {"id": both[0], "title": "Streik bei der Bahn"},
            {"id": both[1], "title": "Fußball-EM: Aus im Viertelfinale"},
        ],
        "unknown": ["nicht-da"],
        "declined": False,
    }
    assert list(ids(index)) == ["Neue Regierung in Den Haag"]


@pytest.mark.slow
def test_delete_asks_on_a_terminal(index: Path) -> None:
    pexpect = pytest.importorskip("pexpect")
    article_id = ids(index)["Streik bei der Bahn"]
    env = {**os.environ, "PYTHONPATH": str(REPO), "TERM": "xterm"}
    args = ["-m", "newsindex", "delete", article_id, "--index", str(index)]
    for answer, remaining in (("n", 3), ("y", 2)):
        child = pexpect.spawn(sys.executable, args, env=env, encoding="utf-8", timeout=60)
        try:
            child.expect(r"Delete this article\? \[y/N\]")
            assert "Streik bei der Bahn" in (child.before or "")
            child.sendline(answer)
            child.expect(pexpect.EOF)
        finally:
            child.close(force=True)
        assert child.exitstatus == (1 if answer == "n" else 0)
        assert len(ids(index)) == remaining


def test_index_csv_columns(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    csv = tmp_path / "stau.csv"
    text = "Kopfzeile;Wortlaut\nStau auf der A7;Zwischen Hamburg und Kiel staut es sich.\n"
    csv.write_text(text, encoding="utf-8")
    where = tmp_path / "ix"
    code, _, err = run(capsys, "index", str(csv), "--index", str(where), "--csv-columns", "kopf=Kopfzeile")
    assert code == 2 and "--csv-columns: unknown CSV field 'kopf'" in err
    assert not where.exists()  # refused before the index was made
    args = ["index", str(csv), "--index", str(where), "--analysis", "builtin"]
    code, _, err = run(capsys, *args, "--csv-columns", "Titel=Kopfzeile,text=wortlaut")
    assert code == 0, err
    with NewsIndex.open(where) as ix:
        assert ix.search("Stau").hits[0].title == "Stau auf der A7"


@pytest.mark.parametrize("command", ["search", "index", "check", "stats", "get", "delete"])
def test_help_shows_flags_without_a_value(capsys: pytest.CaptureFixture[str], command: str) -> None:
    code, out, _ = run(capsys, command, "--help")
    assert code == 0
    assert "--debug" in out and "<bool>" not in out
