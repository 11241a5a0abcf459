"""The memory-mapped lemma table: the same lemmas as simplemma, a cache file that
is rebuilt whenever it cannot be trusted, and safe concurrent first use."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from newsindex.analysis import lemma_table
from newsindex.analysis.lemma_table import LemmaTable, build_table, german_table, open_table
from newsindex.analysis.lexicon import Lexicon

REPO = Path(__file__).resolve().parents[1]
WIKINEWS = REPO.parent / "shared" / "corpora" / "wikinews_de_1000" / "articles.jsonl.gz"

# Real German forms and their lemmas (umlauts and ß: multi-byte UTF-8 keys and values).
PAIRS = {
    "Kriege": "Krieg", "Krieges": "Krieg", "Kriegen": "Krieg", "lieferte": "liefern",
    "Waffen": "Waffe", "Präsidenten": "Präsident", "Straßen": "Straße", "größten": "groß",
    "Regierungen": "Regierung", "Drogenkartelle": "Drogenkartell", "stürzte": "stürzen",
    "Bürgermeisterin": "Bürgermeisterin", "Gespräche": "Gespräch", "Übergriffe": "Übergriff",
}


def _counting_source() -> tuple[Callable[[], Mapping[bytes, bytes]], list[int]]:
    calls: list[int] = []

    def source() -> Mapping[bytes, bytes]:
        calls.append(1)
        return {k.encode(): v.encode() for k, v in PAIRS.items()}

    return source, calls


def _assert_right(table: Mapping[str, str]) -> None:
    assert dict(table.items()) == PAIRS
    assert table.get("Frieden") is None and "Frieden" not in table
    assert table.get("\ud800") is None  # a lone surrogate is no word, not a crash


def test_a_built_table_maps_exactly_its_pairs() -> None:
    table = LemmaTable(build_table(PAIRS.items(), "id"), "id")
    _assert_right(table)
    assert len(table) == len(PAIRS)
    assert table["Straßen"] == "Straße"
    with pytest.raises(KeyError):
        table["Straße"]


def test_words_longer_than_a_length_byte_are_kept_whole() -> None:
    long_word = "Rindfleischetikettierungsüberwachungsaufgabenübertragungsgesetz" * 5  # 330 bytes
    pairs = {**PAIRS, long_word: long_word[:-3], "Gesetze": long_word}
    table = LemmaTable(build_table(pairs.items(), "id"), "id")
    assert dict(table.items()) == pairs
    assert table.get(long_word[:-1]) is None


def _flip(offset_from_end: int) -> Callable[[Path], None]:
    def damage(path: Path) -> None:
        data = bytearray(path.read_bytes())
        data[-offset_from_end] ^= 0x20  # a lemma's letter changes case: a wrong lemma if read
        path.write_bytes(bytes(data))

    return damage


DAMAGES: dict[str, Callable[[Path], None]] = {
    "missing": lambda p: p.unlink(),
    "empty": lambda p: p.write_bytes(b""),
    "truncated": lambda p: p.write_bytes(p.read_bytes()[: p.stat().st_size // 2]),
    "one byte short": lambda p: p.write_bytes(p.read_bytes()[:-1]),
    "garbage appended": lambda p: p.write_bytes(p.read_bytes() + b"\0" * 8),
    "lemma byte flipped": _flip(6),
    "header byte flipped": lambda p: p.write_bytes(b"X" + p.read_bytes()[1:]),
    "not a table": lambda p: p.write_text("Krieg\tKrieg\n", encoding="utf-8"),
}


@pytest.mark.parametrize("damage", list(DAMAGES), ids=list(DAMAGES))
def test_a_damaged_cache_file_is_rebuilt_never_read(tmp_path: Path, damage: str) -> None:
    path = tmp_path / "cache" / "lemmas.bin"
    source, calls = _counting_source()
    _assert_right(open_table(path, source, "simplemma 9.9 de"))
    assert len(calls) == 1 and path.is_file()
    _assert_right(open_table(path, source, "simplemma 9.9 de"))
    assert len(calls) == 1  # a good file is mapped, not rebuilt
    DAMAGES[damage](path)
    _assert_right(open_table(path, source, "simplemma 9.9 de"))
    assert len(calls) == 2
    _assert_right(open_table(path, source, "simplemma 9.9 de"))  # and the rebuilt file is good
    assert len(calls) == 2
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary files left


def test_a_table_of_another_simplemma_is_rebuilt(tmp_path: Path) -> None:
    path = tmp_path / "lemmas.bin"
    source, calls = _counting_source()
    open_table(path, source, "simplemma 9.9 de")
    _assert_right(open_table(path, source, "simplemma 10.0 de"))
    assert len(calls) == 2


def test_an_unwritable_cache_folder_gives_a_table_in_memory(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x", encoding="utf-8")
    source, calls = _counting_source()
    _assert_right(open_table(not_a_folder / "lemmas.bin", source, "id"))
    assert len(calls) == 1


def test_the_cache_folder_follows_xdg_cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = lemma_table.table_path("de")
    assert path.parent == tmp_path / "newsindex"
    assert "simplemma" in path.name and lemma_table._simplemma_version() in path.name


_RACE = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from newsindex.analysis.lemma_table import open_table
    pairs = {k.encode(): v.encode() for k, v in %r.items()}
    def slow():
        time.sleep(0.5)  # both processes are building at the same time
        return pairs
    table = open_table(Path(sys.argv[1]), slow, "race")
    assert dict(table.items()) == %r, dict(table.items())
    print("ok")
    """
) % (PAIRS, PAIRS)

_WATCH = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from newsindex.analysis.lemma_table import _map
    path, seen, end = Path(sys.argv[1]), 0, time.monotonic() + 20
    while time.monotonic() < end:
        try:
            table = _map(path, "race")
        except FileNotFoundError:
            continue
        assert len(table) == %d  # never a part of a file: ValueError would end this loop
        seen += 1
        if seen > 50:
            break
    print("seen", seen)
    """
) % len(PAIRS)


@pytest.mark.slow
def test_two_processes_building_at_once_both_get_a_whole_table(tmp_path: Path) -> None:
    path = tmp_path / "cache" / "lemmas.bin"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    run = [sys.executable, "-c"]
    watcher = subprocess.Popen([*run, _WATCH, str(path)], env=env, stdout=subprocess.PIPE, text=True)
    builders = [
        subprocess.Popen([*run, _RACE, str(path)], env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    for proc in builders:
        out, _ = proc.communicate(timeout=60)
        assert proc.returncode == 0 and out.split() == ["ok"]
    out, _ = watcher.communicate(timeout=60)
    assert watcher.returncode == 0, out
    assert int(out.split()[1]) > 0
    _assert_right(LemmaTable(path.read_bytes(), "race"))
    assert [p.name for p in path.parent.iterdir()] == [path.name]


@pytest.mark.slow
def test_the_table_gives_exactly_simplemmas_lemmas(wikinews_words: Callable[[int], list[str]]) -> None:
    """Every entry of simplemma's German dictionary, and real Wikinews words through
    the whole lexicon (dictionary, respellings, simplemma's rules for unknown words)."""
    if not WIKINEWS.is_file():
        pytest.skip("../shared/corpora is not beside the repository")
    import simplemma
    from simplemma.strategies.dictionaries import DefaultDictionaryFactory

    simplemma_de = DefaultDictionaryFactory().get_dictionary("de")
    table = german_table()
    assert len(table) == len(simplemma_de)
    assert all(table.get(word) == lemma for word, lemma in simplemma_de.items())

    words = wikinews_words(300)
    assert len(words) > 5_000
    variants = {v for w in words for v in (w, w.lower(), w[:1].upper() + w[1:], w + "s")}
    assert [table.get(v) for v in variants] == [simplemma_de.get(v) for v in variants]

    new = Lexicon()
    old = Lexicon()
    old.__dict__["_dictionary"] = simplemma_de  # what Lexicon read before the table
    old.__dict__["_simplemma_rules"] = lambda w: simplemma.lemmatize(w, lang="de")
    unknown = [v for v in variants if simplemma_de.get(v) is None]
    assert len(unknown) > 1_000  # simplemma's rules are exercised, not only the dictionary
    assert [new.lemma(v) for v in variants] == [old.lemma(v) for v in variants]


_NO_DECODE = textwrap.dedent(
    """
    from simplemma.strategies.dictionaries.dictionary_factory import DEFAULT_DICTIONARY_FACTORY
    from newsindex.analysis.lexicon import Lexicon
    lexicon = Lexicon()
    # known, respelled, and unknown to the dictionary (simplemma's rules decide)
    print(lexicon.lemma("Kriege"), lexicon.lemma("Praesidenten"), lexicon.lemma("Zwiebelkuchenbäckereien"))
    print(DEFAULT_DICTIONARY_FACTORY._get_dictionary.cache_info().currsize)
    """
)


@pytest.mark.slow
def test_lemmas_never_decode_simplemmas_own_dictionary() -> None:
    german_table()  # the cache file exists (built once per user and simplemma version)
    out = subprocess.run(
        [sys.executable, "-c", _NO_DECODE], capture_output=True, text=True, check=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    ).stdout.splitlines()
    assert out[0].split()[:2] == ["Krieg", "Präsident"]
    assert out[1] == "0"  # simplemma's 1.7 s decode did not happen
