"""Bad input: a corpus of nasty files indexed in one run, and a test for each ingest fix it needed.

The corpus is generated in a temporary folder at test time (nothing big is
committed): empty files, binaries (random bytes, PNG and ZIP headers), a 50 MB
one-line text file and a 50 MB JSON Lines line, gzip bombs, JSON nested 100,000
levels deep, invalid UTF-8, latin-1 next to UTF-8 in one file, NUL bytes,
control characters and lone surrogates in JSON, a truncated gzip stream, and
100,000 tiny files (mostly empty or bad, with good articles scattered among
them). ``newsindex index`` runs over all of it in a subprocess; the test then
checks that every good article is found, every bad file is reported with its
file, line and reason, the run succeeds, and the peak memory (the child's own
high-water RSS) stays far below holding a 50 MB file even once.

What broke before the fixes, and is tested below one by one: the 50 MB line took
24.5 minutes (``split_long`` sliced the rest of the paragraph after every
1,500-character cut: quadratic); it would have been held and indexed whole;
latin-1 lines in a UTF-8 file became U+FFFD; NUL and ESC reached the index
(and terminals); a lone surrogate in a JSON record crashed the whole run; a
number with 5,000 digits ended the reading of its file; a JSON date such as
``"[/x]"`` crashed the summary (rich markup); 100,000 problems took minutes to
print as a table.
"""

from __future__ import annotations

import gzip
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from newsindex import NewsIndex
from newsindex.ingest import MAX_ARTICLE_BYTES, Problem, read_all
from newsindex.ingest.decoding import decode, iter_lines
from newsindex.ingest.fields import MAX_FIELD_CHARS, MAX_ID_CHARS
from newsindex.ingest.paragraphs import MAX_PARAGRAPH_CHARS, normalize_text
from newsindex.interfaces.cli import main
from newsindex.interfaces.render import MAX_PROBLEM_ROWS

MB = 1024 * 1024
HUGE = 50 * MB
TINY_FILES = 100_000
WORDS = [
    "Regierung", "Bundestag", "Haushalt", "Verhandlung", "Ministerin", "Straßenbahn", "Bürger",
    "Wahlkampf", "Gemeinderat", "Hochwasser", "Feuerwehr", "Innenstadt", "Rathaus", "Polizei", "Gericht",
    "Urteil",
]
_PROBLEM_LINE = re.compile(r"^(?P<path>.+?)(?::(?P<line>\d+))?: (?P<sev>error|warning|note): (?P<reason>.*)$")


def _body(rng: random.Random, marker: str, paragraphs: int = 2) -> str:
    out = []
    for _ in range(paragraphs):
        words = [rng.choice(WORDS) for _ in range(20)]
        words.insert(rng.randrange(len(words)), marker)
        out.append("Die " + " ".join(words) + ".")
    return "\n\n".join(out)


def _record(rng: random.Random, marker: str, url: str | None = None) -> bytes:
    d = {"title": f"Meldung {marker}", "text": _body(rng, marker), "url": url or f"https://example.org/{marker}"}
    return json.dumps(d).encode() + b"\n"


# Runs ``python -m newsindex ARGS`` and, at exit, writes the process's peak RSS
# (VmHWM, in KiB) to a file. Not ``ru_maxrss``: Linux carries the high-water mark
# of the memory map replaced by ``exec`` into it, and subprocesses start as a
# vfork of the test process, so a child's ``ru_maxrss`` is at least pytest's own RSS.
_PEAK_RSS_WRAPPER = """
import atexit, runpy, sys
def _peak(path=sys.argv[1]):
    with open("/proc/self/status") as fh:
        kib = next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:"))
    with open(path, "w") as out:
        out.write(str(kib))
atexit.register(_peak)
sys.argv = ["newsindex", *sys.argv[2:]]
runpy.run_module("newsindex", run_name="__main__", alter_sys=True)
"""


def _run_cli(args: list[str], cwd: Path) -> tuple[int, str, str, float]:
    """``python -m newsindex ARGS`` in a subprocess: exit code, stdout, stderr, peak RSS (MiB)."""
    peak = cwd / "peak_rss_kib.txt"
    done = subprocess.run(
        [sys.executable, "-c", _PEAK_RSS_WRAPPER, str(peak), *args],
        cwd=cwd,
        capture_output=True,
        timeout=900,  # a hang guard (the quadratic split took 25 minutes), not a measurement
    )
    out, err = (b.decode("utf-8", errors="replace") for b in (done.stdout, done.stderr))
    return done.returncode, out, err, int(peak.read_text()) / 1024


@dataclass
class Corpus:
    """The generated files and what a run over them must report."""

    root: Path
    huge: Path  # the folder holding only the huge files and bombs
    markers: list[str] = field(default_factory=list)  # unique words, each in one good article
    articles: int = 0  # good articles
    expected: list[tuple[Path, int | None, str, str]] = field(default_factory=list)  # path, line, sev, reason
    good_files: set[Path] = field(default_factory=set)

    def bad(self, path: Path, severity: str, reason: str, line: int | None = None) -> None:
        self.expected.append((path, line, severity, reason))


def _write_gzip(path: Path, pieces: Iterator[bytes]) -> None:
    with gzip.open(path, "wb", compresslevel=1) as fh:
        for piece in pieces:
            fh.write(piece)


def _make_corpus(root: Path) -> Corpus:
    rng = random.Random(7)
    c = Corpus(root, root / "huge")
    special = root / "special"
    for folder in (c.huge, special):
        folder.mkdir(parents=True)

    # -- huge: a 50 MB line, in a text file and in a JSON Lines file; gzip bombs
    line = (" ".join(WORDS) + " ").encode()
    big = (line * (HUGE // len(line) + 1))[:HUGE]
    (c.huge / "huge.txt").write_bytes(big)
    c.bad(c.huge / "huge.txt", "error", "larger than 16 MiB (the limit for one article); skipped")
    with (c.huge / "huge.jsonl").open("wb") as fh:
        fh.write(_record(rng, "hugepre0001"))
        fh.write(b'{"title": "riesig", "text": "' + big + b'"}\n')
        fh.write(_record(rng, "hugepost0001"))
    c.markers += ["hugepre0001", "hugepost0001"]
    c.articles += 2
    c.bad(c.huge / "huge.jsonl", "error", "line longer than 16 MiB; skipped", 2)
    del big
    chunk = b"a" * MB
    _write_gzip(
        c.huge / "bomb.jsonl.gz",
        iter([_record(rng, "bombpre0001"), *([chunk] * 60), b"\n", _record(rng, "bombpost0001")]),
    )
    c.markers += ["bombpre0001", "bombpost0001"]
    c.articles += 2
    c.bad(c.huge / "bomb.jsonl.gz", "error", "line longer than 16 MiB; skipped", 2)
    _write_gzip(c.huge / "bomb.txt.gz", iter([b"Wort " * (MB // 5)] * 20))
    c.bad(c.huge / "bomb.txt.gz", "error", "unpacks to more than 16 MiB (the limit for one article)")

    # -- empty and binary files
    (special / "empty.txt").write_bytes(b"")
    (special / "blank.md").write_bytes(b" \n\t\n\n")
    (special / "empty.jsonl").write_bytes(b"\n\n")
    for name in ("empty.txt", "blank.md", "empty.jsonl"):
        c.bad(special / name, "note", "empty file; skipped")
    (special / "random.txt").write_bytes(rng.randbytes(64 * 1024))
    (special / "bild.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + rng.randbytes(4096))
    (special / "archiv.md").write_bytes(b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + rng.randbytes(4096))
    (special / "bild.jsonl").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + rng.randbytes(4096))
    for name in ("random.txt", "bild.txt", "archiv.md", "bild.jsonl"):
        c.bad(special / name, "warning", "binary file (not text); skipped")

    # -- JSON: nested 100,000 levels, a number of 5,000 digits, a lone surrogate
    (special / "nested.json").write_bytes(b"[" * 100_000 + b"]" * 100_000)
    c.bad(special / "nested.json", "error", "not valid JSON (nested too deeply to parse)", 1)
    deep60 = {"title": "tief", "text": "Ein Absatz.", "meta": json.loads("[" * 60 + "]" * 60)}
    with (special / "nested.jsonl").open("wb") as fh:
        fh.write(_record(rng, "nestgood0001"))
        fh.write(b'{"title": "x", "text": "y", "meta": ' + b"[" * 100_000 + b"]" * 100_000 + b"}\n")
        fh.write(json.dumps(deep60).encode() + b"\n")
        fh.write(b'{"title": "Zahl", "text": "Ein Absatz.", "zahl": ' + b"7" * 5_000 + b"}\n")
        halves = b'{"title": "Halb\\ud83d", "text": "Ein Absatz mit \\udfff surrogat0001 hier.", '
        halves += b'"x": "\\ud800"}\n'
        fh.write(halves)
        fh.write(_record(rng, "nestlast0001"))
    c.markers += ["nestgood0001", "surrogat0001", "nestlast0001"]
    c.articles += 3
    c.bad(special / "nested.jsonl", "error", "not valid JSON (nested too deeply to parse)", 2)
    c.bad(special / "nested.jsonl", "error", "JSON nested deeper than 50 levels", 3)
    c.bad(special / "nested.jsonl", "error", "not valid JSON (Exceeds the limit", 4)

    # -- encodings: invalid UTF-8, latin-1 next to UTF-8, NUL bytes, control characters
    text = ("Überschrift\n\n" + "Ärger über die Straßenbahn in Köln. " * 4 + "badutf0001 ").encode()
    (special / "invalid_utf8.txt").write_bytes(text + b"\xff\xfe\xc3\x28 Ende der Meldung.\n")
    c.markers.append("badutf0001")
    c.articles += 1
    c.bad(special / "invalid_utf8.txt", "warning", "undecodable bytes replaced by U+FFFD")
    (special / "mixed.txt").write_bytes(
        "Gemischt\n\nGrüße aus München, schöne Grüße mixutf0001 heute.\n\n".encode()
        + "Die Straßenbahn fährt mixlatin0001 über die Brücke.\n".encode("latin-1")
    )
    c.markers += ["mixutf0001", "mixlatin0001"]  # one article
    c.articles += 1
    c.bad(special / "mixed.txt", "warning", "mixed encodings: 1 line not UTF-8, read as cp1252")
    (special / "nul_head.txt").write_bytes(b"Titel\n\nEin Absatz\x00 mit NUL.")
    c.bad(special / "nul_head.txt", "warning", "binary file (not text); skipped")
    late = ("Titel\n\n" + "Ein Absatz über den Haushalt. " * 400 + "nullate0001 Ende").encode()
    (special / "nul_late.txt").write_bytes(late + b"\x00\x00 danach.")
    c.markers.append("nullate0001")
    c.articles += 1
    c.bad(special / "nul_late.txt", "warning", "2 NUL characters removed")
    escaped = {"title": "Steuer\u001b[31mzeichen", "text": "Ein\u0000 Absatz\u0007 mit ctrl0001 \u001b[0m."}
    (special / "control.jsonl").write_text(json.dumps(escaped) + "\n", encoding="utf-8")
    c.markers.append("ctrl0001")
    c.articles += 1

    # -- a gzip stream cut in the middle: the lines before the cut are read
    payload = b"".join(_record(rng, "trunc0001", url="https://example.org/same") for _ in range(3000))
    packed = gzip.compress(payload, compresslevel=6)
    (special / "truncated.jsonl.gz").write_bytes(packed[: len(packed) // 2])
    c.markers.append("trunc0001")  # every line is the same article (same URL)
    c.articles += 1
    c.bad(special / "truncated.jsonl.gz", "error", "cannot read further: damaged gzip file")

    # -- 100,000 tiny files, a good article every 1,000
    tiny_bad: list[tuple[str, bytes, str, str, int | None]] = [
        ("e{}.txt", b"", "note", "empty file; skipped", None),
        ("e{}.txt", b"", "note", "empty file; skipped", None),
        ("e{}.txt", b"", "note", "empty file; skipped", None),
        ("w{}.md", b" \n\t\n", "note", "empty file; skipped", None),
        ("o{}.jsonl", b"{}\n", "note", "no article text; skipped", 1),
        ("b{}.txt", b"\x00\x01", "warning", "binary file (not text); skipped", None),
        ("u{}.dat", b"x", "note", "not a known article file type; skipped", None),
        ("a{}.json", b"[1]", "error", "expected a JSON object, got list", 1),
        ("n{}.jsonl", b"\n\n", "note", "empty file; skipped", None),
        ("z{}.jsonl.gz", b"\x1f\x8b\x08\x00", "error", "cannot read: damaged gzip file", None),
    ]
    tiny = root / "tiny"
    for d in range(TINY_FILES // 1000):
        (tiny / f"d{d:03d}").mkdir(parents=True)
    for i in range(TINY_FILES):
        folder = tiny / f"d{i // 1000:03d}"
        if i % 1000 == 500:
            marker = f"tinymark{i:06d}"
            path = folder / f"gut{i:06d}.txt"
            path.write_text(f"Titel {marker}\n\n" + _body(rng, marker), encoding="utf-8")
            c.markers.append(marker)
            c.articles += 1
            c.good_files.add(path)
            continue
        name, data, severity, reason, line_no = tiny_bad[i % len(tiny_bad)]
        path = folder / name.format(f"{i:06d}")
        path.write_bytes(data)
        c.bad(path, severity, reason, line_no)
    return c


def _memory_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new folder in RAM (``/dev/shm``) where there is one with room, else on disk.

    Writing, walking and removing 100,000 small files takes three times as long on
    disk; what the tests check (the reader's verdict on each file) does not depend on it.
    """
    shm = Path("/dev/shm")
    try:
        if shm.is_dir() and shutil.disk_usage(shm).free > 1 << 30:
            return Path(tempfile.mkdtemp(prefix="newsindex-nasty-", dir=shm))
    except OSError:
        pass
    return tmp_path_factory.mktemp("nasty")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Corpus]:
    """The corpus, removed afterwards (pytest keeps old temporary folders: 100,000 files, 100 MB)."""
    folder = _memory_folder(tmp_path_factory)
    try:
        yield _make_corpus(folder / "corpus")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def baseline_rss(tmp_path_factory: pytest.TempPathFactory) -> float:
    """Peak RSS (MiB) of ``newsindex index`` over one small good article: spaCy, Whoosh, rich."""
    work = tmp_path_factory.mktemp("baseline")
    (work / "in").mkdir()
    (work / "in" / "a.txt").write_text("Titel\n\n" + _body(random.Random(1), "basis0001"), encoding="utf-8")
    code, _, err, rss = _run_cli(["index", "in", "--index", "ix", "--analysis", "builtin"], work)
    assert code == 0, err
    return rss


@dataclass
class Run:
    code: int
    out: str
    err: str
    rss: float
    index: Path


@pytest.fixture(scope="module")
def nasty_run(corpus: Corpus, tmp_path_factory: pytest.TempPathFactory) -> Run:
    work = tmp_path_factory.mktemp("nasty-run")
    code, out, err, rss = _run_cli(
        ["index", str(corpus.root), "--index", str(work / "ix"), "--analysis", "builtin"], work
    )
    return Run(code, out, err, rss, work / "ix")


def _reported(out: str) -> dict[tuple[str, int | None], list[tuple[str, str]]]:
    """The problem lines of the summary: (path, line) → [(severity, reason)]."""
    found: dict[tuple[str, int | None], list[tuple[str, str]]] = {}
    for text in out.splitlines():
        m = _PROBLEM_LINE.match(text)
        if m:
            key = (m["path"], int(m["line"]) if m["line"] else None)
            found.setdefault(key, []).append((m["sev"], m["reason"]))
    return found


@pytest.mark.slow
def test_the_nasty_corpus_indexes_in_one_run(corpus: Corpus, nasty_run: Run, baseline_rss: float) -> None:
    assert nasty_run.code == 0, nasty_run.err[-2000:]
    counts = re.search(r"added.*\n\s*([\d,]+)\s+([\d,]+)\s+([\d,]+)\s+([\d,]+)\s+([\d,]+)", nasty_run.out)
    assert counts is not None, nasty_run.out[:2000]
    added, problems = (int(counts[i].replace(",", "")) for i in (1, 5))
    assert added == corpus.articles

    # Every bad file reported, with its file, line and reason; nothing else reported.
    assert len(corpus.expected) > MAX_PROBLEM_ROWS  # so the summary lists plain lines
    reported = _reported(nasty_run.out)
    assert problems == sum(len(v) for v in reported.values())
    for path, line, severity, reason in corpus.expected:
        found = reported.get((str(path), line), [])
        assert any(sev == severity and reason in r for sev, r in found), (path, line, found)
    expected_keys = {(str(p), line) for p, line, _, _ in corpus.expected}
    assert set(reported) == expected_keys
    assert not {p for p, _ in reported} & {str(p) for p in corpus.good_files}

    # Every good article is found; what was repaired reads right.
    with NewsIndex.open(nasty_run.index) as ix:
        for marker in corpus.markers:
            hits = ix.search(marker, limit=5).hits
            assert hits and marker in hits[0].text.lower(), marker
        mixed = ix.search("mixlatin0001").hits[0].text
        assert mixed == "Die Straßenbahn fährt mixlatin0001 über die Brücke."
        control = ix.search("ctrl0001").hits[0]
        assert (control.text, control.title) == ("Ein Absatz mit ctrl0001 [0m.", "Steuer[31mzeichen")
        surrogate = ix.search("surrogat0001").hits[0]
        assert (surrogate.text, surrogate.title) == ("Ein Absatz mit \ufffd surrogat0001 hier.", "Halb\ufffd")
        assert ix.stats()["articles"] == added

    # Memory: the bookkeeping of 100,000 files (their list and 110,000 problem
    # records) costs about 90 MB here; holding the 50 MB line or file, even
    # once as bytes and once as text, would add 100 MB more.
    assert nasty_run.rss - baseline_rss < 200, (nasty_run.rss, baseline_rss)


@pytest.mark.slow
def test_huge_files_and_gzip_bombs_are_never_held_in_memory(
    corpus: Corpus, baseline_rss: float, tmp_path: Path
) -> None:
    args = ["index", str(corpus.huge), "--index", "ix", "--analysis", "builtin"]
    code, out, err, rss = _run_cli(args, tmp_path)
    assert code == 0, err
    assert "line longer than 16 MiB" in out and "larger than 16 MiB" in out, out
    # 50 MB text, a 50 MB line and a 60 MB gzipped line, read past in pieces: the
    # most held at once is one line up to the 16 MiB cap.
    assert rss - baseline_rss < 40, (rss, baseline_rss)


# -- the fixes, one by one ------------------------------------------------------------------


@pytest.mark.slow
def test_a_50_mb_run_without_sentence_ends_is_split_in_one_pass(tmp_path: Path) -> None:
    """Cutting a long run used to copy the rest after every cut: 24.5 minutes for 50 MB.

    Run under a CPU-time limit (a resource cap, not a clock): for these 40 MB
    the linear split takes about 1 s of CPU, the quadratic one about 80 s.
    """
    script = (
        "import resource\n"
        "resource.setrlimit(resource.RLIMIT_CPU, (15, 15))\n"
        "from newsindex.ingest.paragraphs import clean_paragraphs\n"
        "text = 'Wort ' * 8_000_000 + 'Ende'\n"
        "parts = clean_paragraphs([text.replace('Wort', 'Wahl', 1)])\n"
        "print(len(parts), max(map(len, parts)))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-500:]  # killed by SIGXCPU when quadratic
    count, longest = map(int, done.stdout.split())
    assert longest <= MAX_PARAGRAPH_CHARS and count == 3  # first, middle (kept once: identical), last


def test_a_file_too_large_for_one_article_is_refused_unread(tmp_path: Path) -> None:
    sparse = tmp_path / "gross.txt"
    with sparse.open("wb") as fh:  # 17 MiB of nothing on disk: a sparse file
        fh.truncate(MAX_ARTICLE_BYTES + MB)
    with gzip.open(tmp_path / "bombe.md.gz", "wb", compresslevel=1) as fh:
        for _ in range(17):
            fh.write(b"Wort " * (MB // 5))
    articles, problems = read_all(tmp_path)
    assert articles == []
    assert [(Path(p.path).name, p.severity, p.reason) for p in problems] == [
        ("bombe.md.gz", "error", "unpacks to more than 16 MiB (the limit for one article); skipped"),
        ("gross.txt", "error", "larger than 16 MiB (the limit for one article); skipped"),
    ]


class _Recording:
    """A binary stream that records the largest piece ever handed out."""

    def __init__(self, data: bytes) -> None:
        import io

        self._fh = io.BytesIO(data)
        self.largest = 0

    def readline(self, size: int = -1) -> bytes:
        piece = self._fh.readline(size)
        self.largest = max(self.largest, len(piece))
        return piece


def test_a_json_lines_line_over_the_cap_is_read_past_never_held(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stream = _Recording(b'{"a": 1}\n' + b"x" * (3 * MB) + b"\n" + b'{"b": 2}\n')
    lines = list(iter_lines(stream, limit=1024))  # type: ignore[arg-type]
    assert lines == [(1, b'{"a": 1}\n'), (2, None), (3, b'{"b": 2}\n')]
    assert stream.largest <= MB  # never the 3 MB line: pieces of at most 1 MiB

    import newsindex.ingest.jsonl as jsonl

    monkeypatch.setattr(jsonl, "MAX_ARTICLE_BYTES", 2_000)
    rng = random.Random(3)
    (tmp_path / "feed.jsonl").write_bytes(
        _record(rng, "eins0001")
        + json.dumps({"text": "Wort " * 1_000}).encode()
        + b"\n"
        + _record(rng, "zwei0001")
    )
    articles, problems = read_all(tmp_path / "feed.jsonl")
    assert [a.title for a in articles] == ["Meldung eins0001", "Meldung zwei0001"]
    assert [(p.line, p.reason) for p in problems] == [(2, "line longer than 2,000 bytes; skipped")]


def test_json_nesting_huge_numbers_and_surrogates_spoil_only_their_line(tmp_path: Path) -> None:
    rng = random.Random(5)
    lines = [
        _record(rng, "vorher0001"),
        b"[" * 100_000 + b"]" * 100_000 + b"\n",
        b'{"text": "Ein Absatz.", "zahl": ' + b"9" * 5_000 + b"}\n",
        b'{"title": "Halb\\ud83d", "text": "Ein Absatz \\udfff hier.", "extra": {"k\\udc00": ["\\ud800"]}}\n',
        _record(rng, "nachher0001"),
    ]
    (tmp_path / "feed.jsonl").write_bytes(b"".join(lines))
    articles, problems = read_all(tmp_path / "feed.jsonl")
    assert [a.title for a in articles] == ["Meldung vorher0001", "Halb\ufffd", "Meldung nachher0001"]
    assert articles[1].paragraphs == ("Ein Absatz \ufffd hier.",)
    assert articles[1].extra == {"extra": {"k\ufffd": ["\ufffd"]}}
    assert articles[1].content_hash()  # hashable: no lone surrogate left anywhere
    assert [(p.line, p.reason[:40]) for p in problems] == [
        (2, "not valid JSON (nested too deeply to par"),
        (3, "not valid JSON (Exceeds the limit (4300 "),
    ]
    with NewsIndex.in_memory(analysis="builtin") as ix:  # and the whole run survives it
        assert ix.add_path(tmp_path).added == 3


def test_latin1_lines_next_to_utf8_are_read_as_cp1252(tmp_path: Path) -> None:
    data = "Grüße aus Köln\n".encode() + "Straße in München\n".encode("latin-1") + b"Ende\n"
    decoded = decode(data)
    assert decoded.text == "Grüße aus Köln\nStraße in München\nEnde\n"
    assert (decoded.legacy_lines, decoded.replaced) == (1, 0)
    # A damaged byte in a line of UTF-8 text is still a replacement, not a code page.
    damaged = decode("Ärger über die Straßenbahn \xff Ende.\n".encode().replace(b"\xc3\xbf", b"\xff"))
    assert (damaged.legacy_lines, damaged.replaced) == (0, 1)
    (tmp_path / "gemischt.jsonl").write_bytes(
        json.dumps({"text": "Grüße aus Köln."}, ensure_ascii=False).encode() + b"\n"
        + json.dumps({"text": "Straße in München."}, ensure_ascii=False).encode("latin-1") + b"\n"
    )
    articles, problems = read_all(tmp_path / "gemischt.jsonl")
    assert [a.paragraphs[0] for a in articles] == ["Grüße aus Köln.", "Straße in München."]
    assert [(p.line, p.severity, p.reason) for p in problems] == [
        (2, "warning", "mixed encodings: 1 line not UTF-8, read as cp1252")
    ]


def test_nul_and_control_characters_never_reach_the_index(tmp_path: Path) -> None:
    assert normalize_text("Ein\x00 Absatz\x07 mit \x1b[31mFarbe\x7f\x9b.") == "Ein Absatz mit [31mFarbe."
    assert normalize_text("Tab\tund\x0bVT\x0cFF") == "Tab und\nVT\nFF"  # whitespace controls stay breaks
    (tmp_path / "spaet.txt").write_bytes(b"Titel\n\n" + b"Ein Absatz. " * 1_000 + b"\x00\x00\x00 Ende.")
    (article,), problems = read_all(tmp_path)
    assert "\x00" not in article.text and article.paragraphs[-1].endswith("Ein Absatz. Ende.")
    assert [(p.severity, p.reason) for p in problems] == [
        ("warning", "3 NUL characters removed (binary data in a text file?)")
    ]


def test_metadata_stored_with_every_paragraph_is_capped(tmp_path: Path) -> None:
    record = {"title": "Titel " * 100_000, "author": "A" * 5_000, "id": "i" * 1_000, "text": "Ein Absatz."}
    (tmp_path / "lang.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    (article,), problems = read_all(tmp_path)
    assert len(article.title) <= MAX_FIELD_CHARS and len(article.author or "") == MAX_FIELD_CHARS
    assert len(article.id) < MAX_ID_CHARS
    assert sorted(p.reason for p in problems) == [
        f"author longer than {MAX_FIELD_CHARS:,} characters; cut",
        f"id longer than {MAX_ID_CHARS} characters; a derived id is used",
        f"title longer than {MAX_FIELD_CHARS:,} characters; cut",
    ]


@pytest.fixture
def wide(monkeypatch: pytest.MonkeyPatch) -> None:
    """A wide console: table cells are not wrapped, so paths and reasons can be matched."""
    monkeypatch.setenv("COLUMNS", "400")


@pytest.mark.usefixtures("wide")
def test_the_summary_survives_markup_in_reasons_and_control_characters_in_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "in"
    corpus.mkdir()
    record = {"title": "T", "date": "[/x] [bold]", "text": "Ein Absatz über Wahlen in Berlin."}
    (corpus / "a.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    (corpus / "esc\x1b[31mrot.dat").write_text("x")
    code = main(["index", str(corpus), "--index", str(tmp_path / "ix"), "--analysis", "builtin"])
    out = capsys.readouterr().out
    assert code == 0
    assert "could not read the date '[/x] [bold]'" in out  # once raised rich's MarkupError
    assert "\x1b" not in out and "esc\\x1b[31mrot.dat" in out


def test_many_problems_print_as_plain_lines_errors_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "in"
    corpus.mkdir()
    (corpus / "gut.txt").write_text("Titel\n\nEin Absatz über Wahlen in Berlin.", encoding="utf-8")
    for i in range(MAX_PROBLEM_ROWS + 50):
        (corpus / f"leer{i:04d}.txt").write_bytes(b"")
    (corpus / "zz.json").write_text("[1]")
    code = main(["index", str(corpus), "--index", str(tmp_path / "ix"), "--analysis", "builtin"])
    lines = capsys.readouterr().out.splitlines()
    assert code == 0
    start = lines.index("Problems: 1 error, 0 warnings, 250 notes")
    assert lines[start + 1] == f"{corpus / 'zz.json'}:1: error: expected a JSON object, got list"
    assert lines[start + 2] == f"{corpus / 'leer0000.txt'}: note: empty file; skipped"
    assert len(lines) == start + 1 + 251


# -- symlinks from the command line ------------------------------------------------------------


@pytest.mark.usefixtures("wide")
def test_cli_does_not_follow_symlinks_out_of_the_folder_unless_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "geheim.txt").write_text("Geheim\n\nDas Passwort geheimwort0001 ist geheim.", encoding="utf-8")
    root = tmp_path / "root"
    root.mkdir()
    (root / "a.txt").write_text("Titel\n\nEin Absatz über innenwort0001 hier.", encoding="utf-8")
    (root / "link.txt").symlink_to(outside / "geheim.txt")
    (root / "ordner").symlink_to(outside)

    code = main(["index", str(root), "--index", str(tmp_path / "ix1"), "--analysis", "builtin"])
    out = capsys.readouterr().out
    assert code == 0
    assert f"{root / 'link.txt'}" in out and "symlink to a place outside the folder; skipped" in out
    with NewsIndex.open(tmp_path / "ix1") as ix:
        assert ix.search("innenwort0001").hits
        assert not ix.search("geheimwort0001").hits

    code = main(
        ["index", str(root), "--index", str(tmp_path / "ix2"), "--analysis", "builtin", "--follow-symlinks"]
    )
    out = capsys.readouterr().out
    assert code == 0 and "symlink" not in out
    with NewsIndex.open(tmp_path / "ix2") as ix:
        assert ix.search("innenwort0001").hits
        assert len({h.article_id for h in ix.search("geheimwort0001", max_per_article=None)}) == 1
        assert ix.stats()["articles"] == 2  # the file reached twice (link and folder) is one article


@pytest.mark.slow
def test_add_path_passes_follow_symlinks_to_the_walk(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "geheim.txt").write_text("Geheim\n\nDas Passwort lautet geheimwort0002.", encoding="utf-8")
    root = tmp_path / "root"
    root.mkdir()
    (root / "link.txt").symlink_to(outside / "geheim.txt")
    with NewsIndex.in_memory(analysis="builtin") as ix:
        skipped = ix.add_path(root)
        assert skipped.added == 0
        assert next(p.reason for p in skipped.problems if isinstance(p, Problem)).startswith("symlink")
        assert ix.add_path(root, follow_symlinks=True).added == 1
