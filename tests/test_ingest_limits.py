"""The walk and the readers against hostile folders and files: symlink loops, FIFOs, sockets,
a CSV with 200,000 columns, gzip bombs. Memory is measured in a fresh subprocess (tracemalloc's
peak of Python allocations: independent of what the interpreter and imports cost)."""

from __future__ import annotations

import gzip
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from newsindex.ingest import CsvOptions, Problem, iter_files, read_all, read_file
from newsindex.ingest.decoding import GZIP_MAX_RATIO, GZIP_MIN_BYTES, gzip_limit
from newsindex.ingest.extra import MAX_EXTRA_CHARS, MAX_EXTRA_KEYS

REPO = Path(__file__).resolve().parents[1]
MB = 2**20
GOOD = (
    "Bundestag beschließt Haushalt\n\n"
    "Der Bundestag hat am Freitag den Haushalt für das kommende Jahr beschlossen. "
    "Die Opposition kritisierte die hohe Neuverschuldung scharf.\n\n"
    "Finanzminister und Fraktionen stritten bis in die Nacht über die Schuldenbremse."
)
SENTENCE = "Die Landesregierung kündigte am Montag neue Hilfen für die Landwirtschaft an. "


def _measured(script: str, cwd: Path) -> dict:
    """Run ``script`` in a fresh interpreter; it prints one JSON object, returned with ``peak_mb``.

    The timeout is a hang guard (an open FIFO blocks forever), not a measurement.
    """
    wrapper = (
        "import json, tracemalloc\n"
        "tracemalloc.start()\n"
        f"{script}\n"
        "result['peak_mb'] = tracemalloc.get_traced_memory()[1] / 2**20\n"
        "print(json.dumps(result))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", wrapper], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- the walk --------------------------------------------------------------------------------------


@pytest.mark.parametrize("follow", [False, True])
def test_symlink_loops_are_problems_and_the_good_file_is_read(tmp_path: Path, follow: bool) -> None:
    (tmp_path / "gut.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    (tmp_path / "selbst").symlink_to(tmp_path / "selbst")
    articles, problems = read_all(tmp_path, follow_symlinks=follow)
    assert [a.title for a in articles] == ["Bundestag beschließt Haushalt"]
    assert sorted((Path(p.path).name, p.severity, p.reason) for p in problems) == [
        ("a", "warning", "symlink loop; skipped"),
        ("b", "warning", "symlink loop; skipped"),
        ("selbst", "warning", "symlink loop; skipped"),
    ]


def test_a_loop_given_as_the_path_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "selbst").symlink_to(tmp_path / "selbst")
    articles, problems = read_all(tmp_path / "selbst")
    assert articles == []
    assert [(p.severity, p.reason) for p in problems] == [("error", "cannot read: symlink loop; skipped")]


def test_a_dangling_link_is_a_warning_and_a_vanished_file_an_error(tmp_path: Path) -> None:
    (tmp_path / "gut.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "weg.txt").symlink_to(tmp_path / "gibt-es-nicht.txt")
    problems: list[Problem] = []
    assert list(iter_files(tmp_path, on_problem=problems.append)) == [tmp_path / "gut.txt"]
    assert [(Path(p.path).name, p.severity, p.reason) for p in problems] == [
        ("weg.txt", "warning", "dangling symlink or vanished meanwhile; skipped")
    ]
    # A file deleted between the listing and the reading is that file's problem, not the run's.
    (tmp_path / "gut.txt").unlink()
    assert list(read_file(tmp_path / "gut.txt", on_problem=problems.append)) == []
    assert problems[-1].severity == "error" and problems[-1].reason.startswith("cannot read:")


def test_fifos_and_sockets_are_noted_and_never_opened(tmp_path: Path) -> None:
    (tmp_path / "gut.txt").write_text(GOOD, encoding="utf-8")
    os.mkfifo(tmp_path / "rohr.txt")  # a .txt name: the walk must not try to read it
    os.mkfifo(tmp_path / "rohr.jsonl")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(tmp_path / "sock.csv"))
    try:
        # In a subprocess: opening a FIFO would block for ever, and the timeout ends the test.
        script = (
            "from newsindex.ingest import read_all, read_file\n"
            f"articles, problems = read_all({str(tmp_path)!r})\n"
            "direct = []\n"
            "for name in ('rohr.txt', 'rohr.jsonl', 'sock.csv'):\n"
            f"    list(read_file({str(tmp_path)!r} + '/' + name, on_problem=direct.append))\n"
            "result = {'titles': [a.title for a in articles],\n"
            "          'walk': sorted((p.path.rsplit('/', 1)[1], p.severity, p.reason) for p in problems),\n"
            "          'direct': [(p.path.rsplit('/', 1)[1], p.severity, p.reason) for p in direct]}\n"
        )
        result = _measured(script, tmp_path)
    finally:
        sock.close()
    assert result["titles"] == ["Bundestag beschließt Haushalt"]
    assert result["walk"] == [
        ["rohr.jsonl", "note", "a FIFO (named pipe), not a file; skipped"],
        ["rohr.txt", "note", "a FIFO (named pipe), not a file; skipped"],
        ["sock.csv", "note", "a socket, not a file; skipped"],
    ]
    assert result["direct"] == [
        ["rohr.txt", "note", "a FIFO (named pipe), not a file; skipped"],
        ["rohr.jsonl", "note", "a FIFO (named pipe), not a file; skipped"],
        ["sock.csv", "note", "a socket, not a file; skipped"],
    ]


def test_a_path_too_long_to_list_is_an_error_and_the_walk_goes_on(tmp_path: Path) -> None:
    (tmp_path / "gut.txt").write_text(GOOD, encoding="utf-8")
    # 25 folders of 200 characters: deeper than PATH_MAX (4,096), made relative to each parent.
    fd = os.open(tmp_path, os.O_RDONLY)
    try:
        for _ in range(25):
            os.mkdir("o" * 200, dir_fd=fd)
            child = os.open("o" * 200, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = child
    finally:
        os.close(fd)
    articles, problems = read_all(tmp_path)
    assert [a.title for a in articles] == ["Bundestag beschließt Haushalt"]
    assert [(p.severity, p.reason) for p in problems] == [("error", "cannot list folder: File name too long")]


# -- extra metadata --------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_csv_with_200000_columns_keeps_memory_flat(tmp_path: Path) -> None:
    columns, rows = 200_000, 20
    path = tmp_path / "breit.csv"
    with path.open("w", encoding="utf-8") as fh:
        fh.write("title,text," + ",".join(f"spalte{i}" for i in range(columns)) + "\n")
        for r in range(rows):
            cells = ",".join(f"{r}.{i}" for i in range(columns))
            fh.write(f"Meldung {r},{SENTENCE}Zeile {r}.,{cells}\n")
    script = (
        "from newsindex.ingest import read_all\n"
        f"articles, problems = read_all({str(path)!r})\n"  # all held, as a batch holds them
        "result = {'articles': len(articles), 'extra': max(len(a.extra) for a in articles),\n"
        "          'problems': [(p.line, p.severity, p.reason) for p in problems]}\n"
    )
    result = _measured(script, tmp_path)
    assert result["articles"] == rows and result["extra"] == MAX_EXTRA_KEYS
    reason = (
        f"{columns - MAX_EXTRA_KEYS:,} extra fields beyond the first {MAX_EXTRA_KEYS} dropped "
        f"(at most {MAX_EXTRA_KEYS} fields and {MAX_EXTRA_CHARS:,} characters are kept)"
    )
    assert result["problems"] == [[line, "warning", reason] for line in range(2, rows + 2)]
    # Before the cap every article held a 200,000-key dict: about 600 MB for these 20 rows.
    assert result["peak_mb"] < 200, result["peak_mb"]


def test_extra_json_keys_are_capped_by_count_and_by_size(tmp_path: Path) -> None:
    many = {"title": "Viele Felder", "text": SENTENCE, **{f"feld{i}": i for i in range(1_000)}}
    big = {"title": "Große Felder", "text": SENTENCE, "anhang": "x" * (MAX_EXTRA_CHARS + 1), "klein": "k"}
    (tmp_path / "a.jsonl").write_text(json.dumps(many) + "\n" + json.dumps(big) + "\n", encoding="utf-8")
    articles, problems = read_all(tmp_path)
    assert [len(a.extra) for a in articles] == [MAX_EXTRA_KEYS, 1]
    assert articles[0].extra == {f"feld{i}": i for i in range(MAX_EXTRA_KEYS)}
    assert articles[1].extra == {"klein": "k"}
    assert [(p.line, p.severity, p.reason.split(" (")[0]) for p in problems] == [
        (1, "warning", f"936 extra fields beyond the first {MAX_EXTRA_KEYS} dropped"),
        (2, "warning", "1 extra fields beyond the first 1 dropped"),
    ]


# -- gzip bombs ------------------------------------------------------------------------------------


def test_a_gzip_may_unpack_to_100_times_its_size_and_at_least_512_mib(tmp_path: Path) -> None:
    assert GZIP_MAX_RATIO == 100 and GZIP_MIN_BYTES == 512 * MB
    assert gzip_limit(tmp_path, 2 * MB) == 512 * MB  # 2 GB of zeros pack into about 2 MB
    assert gzip_limit(tmp_path, 1_000 * MB) == 100_000 * MB  # a real 1 GB corpus dump


def _bomb(path: Path, line: bytes, unpacked: int) -> None:
    with gzip.open(path, "wb", compresslevel=6) as fh:
        fh.write(line * (unpacked // len(line)))


@pytest.mark.slow
def test_gzip_bombs_of_every_format_stop_at_the_cap_with_flat_memory(tmp_path: Path) -> None:
    unpacked = 48 * MB
    record = (json.dumps({"title": "Bombe", "text": SENTENCE * 12_000}) + "\n").encode()  # ~1 MB a line
    _bomb(tmp_path / "bombe.jsonl.gz", record, unpacked)
    _bomb(tmp_path / "bombe.json.gz", record, unpacked)
    _bomb(tmp_path / "bombe.csv.gz", f"Meldung,{SENTENCE * 1_200}\n".encode(), unpacked)  # 100 kB rows
    _bomb(tmp_path / "bombe.txt.gz", SENTENCE.encode(), unpacked)
    _bomb(tmp_path / "bombe.md.gz", SENTENCE.encode(), unpacked)
    _bomb(tmp_path / "bombe.html.gz", f"<p>{SENTENCE}</p>\n".encode(), unpacked)
    # The caps made small (parameters of the module) so that the test reads little: each file
    # packs to under 200 kB, so it may unpack to 2 MiB, not the 48 MiB it holds. The defaults
    # (512 MiB, 100 times) are checked above.
    script = (
        "from newsindex.ingest import decoding, read\n"
        "decoding.GZIP_MIN_BYTES = 2 * 2**20\n"
        "decoding.GZIP_MAX_RATIO = 10\n"
        "problems = []\n"
        "count = 0\n"
        f"for _ in read({str(tmp_path)!r}, on_problem=problems.append):\n"
        "    count += 1\n"  # not held: the streamed articles before the cap are fine
        f"folder = decoding.Path({str(tmp_path)!r})\n"
        "caps = {p.name: decoding.gzip_limit(p) for p in folder.iterdir()}\n"
        "result = {'count': count, 'caps': caps,\n"
        "          'problems': [(p.path.rsplit('/', 1)[1], p.severity, p.reason) for p in problems]}\n"
    )
    result = _measured(script, tmp_path)
    for name, cap in result["caps"].items():
        assert cap == 2 * MB, (name, cap)
    by_name = {name: (severity, reason) for name, severity, reason in result["problems"]}
    assert sorted(by_name) == sorted(result["caps"]), result["problems"]
    for name, (severity, reason) in by_name.items():
        cap = result["caps"][name]
        expected = "unpacks to more than 2 MiB, 10 times its packed size (a gzip bomb?); "
        assert severity == "error", (name, reason)
        assert reason.startswith(expected), (name, reason)
    assert by_name["bombe.jsonl.gz"][1].endswith("; the rest skipped")
    assert by_name["bombe.csv.gz"][1].endswith("; the rest skipped")
    assert by_name["bombe.json.gz"][1].endswith("; skipped")
    assert 0 < result["count"] < unpacked // len(record)  # the lines before the cap were read
    # Nothing but a line (~1 MB) or a 2 MiB file is ever held; the whole 48 MiB never.
    assert result["peak_mb"] < 32, result["peak_mb"]


def test_the_csv_field_limit_holds_whatever_the_process_set(tmp_path: Path) -> None:
    import csv

    path = tmp_path / "feld.csv"
    cell = (SENTENCE * (17 * MB // len(SENTENCE) + 1)).replace(",", "")
    path.write_text(f"title,text\nErste Meldung,{SENTENCE}\nZweite Meldung,\"{cell}\"\n", encoding="utf-8")
    previous = csv.field_size_limit(2**31 - 1)  # another library in the process lifted the limit
    try:
        articles, problems = read_all(path, csv_options=CsvOptions(delimiter=",", quotechar='"', header=True))
        assert csv.field_size_limit() == 2**31 - 1  # and gets it back
    finally:
        csv.field_size_limit(previous)
    assert [a.title for a in articles] == ["Erste Meldung"]
    assert [(p.severity, p.reason) for p in problems] == [
        ("error", "could not parse as csv: Error: field larger than field limit (16777216)")
    ]
