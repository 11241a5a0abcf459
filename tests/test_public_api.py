"""The public API: one error hierarchy, everything the interfaces need exported, and the
interfaces (command line, prompt) using nothing but ``newsindex`` itself."""

from __future__ import annotations

import ast
import gzip
import importlib
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

import newsindex
from newsindex import NewsIndex, NewsIndexError

if TYPE_CHECKING:
    from newsindex import FileProgress

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "newsindex"
SEEDS = REPO / "seeds"


# -- layering ------------------------------------------------------------------------
def _imports(path: Path) -> list[tuple[int, str, list[str]]]:
    """(line, absolute module, imported names) of every import in a module of the package."""
    relative = path.relative_to(REPO).with_suffix("")
    package = list(relative.parts)[:-1]  # a module's package; for __init__ the package itself
    found: list[tuple[int, str, list[str]]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            found.append((node.lineno, module, [alias.name for alias in node.names]))
    return found


def test_interfaces_import_only_the_public_api() -> None:
    """interfaces/** imports ``newsindex`` (names in its ``__all__``) and itself, never a subpackage."""
    offenders = []
    files = sorted((PACKAGE / "interfaces").rglob("*.py"))
    assert len(files) >= 8  # cli/ package, shell, render, paths
    for path in files:
        for line, module, names in _imports(path):
            where = f"{path.relative_to(REPO)}:{line}"
            if module == "newsindex":
                offenders += [f"{where}: {n} is not public" for n in names if n not in newsindex.__all__]
            elif module.startswith("newsindex.") and not module.startswith("newsindex.interfaces"):
                offenders.append(f"{where}: imports {module}")
    assert not offenders, "\n".join(offenders)


def test_errors_module_imports_nothing_from_newsindex() -> None:
    """The bottom layers import it, so it must sit below all of them."""
    modules = [m for _, m, _ in _imports(PACKAGE / "errors.py")]
    assert not [m for m in modules if m == "newsindex" or m.startswith("newsindex.")], modules


# -- errors --------------------------------------------------------------------------
def _all_modules() -> list[str]:
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(REPO).with_suffix("").parts)
        if parts[-1] == "__main__":
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names.append(".".join(parts))
    return names


def test_every_public_exception_is_a_newsindex_error() -> None:
    """Any exception class a module lists in ``__all__`` (or ``newsindex`` exports) derives from it."""
    checked, offenders = set(), []
    for name in _all_modules():
        module = importlib.import_module(name)
        for attr in getattr(module, "__all__", ()):
            value = getattr(module, attr)
            if isinstance(value, type) and issubclass(value, BaseException):
                checked.add(value)
                if not issubclass(value, NewsIndexError):
                    offenders.append(f"{name}.{attr}")
    assert not offenders, offenders
    assert len(checked) >= 15, checked


def test_errors_keep_their_old_homes_and_bases() -> None:
    """Old import paths give the very same classes; old built-in bases still catch them."""
    from newsindex import errors
    from newsindex.analysis import AnalysisMismatchError, AnalysisUnavailableError
    from newsindex.index.errors import IndexLockedError, IndexWriteError
    from newsindex.index.signing import InsecureKeyError, UntrustedIndexError
    from newsindex.ingest import IngestError
    from newsindex.ingest.decoding import BinaryFileError
    from newsindex.interfaces.paths import SeedsNotFoundError

    assert IndexLockedError is errors.IndexLockedError is newsindex.IndexLockedError
    assert IndexWriteError is errors.IndexWriteError
    assert UntrustedIndexError is errors.UntrustedIndexError
    assert InsecureKeyError is errors.InsecureKeyError
    assert IngestError is errors.IngestError is newsindex.IngestError
    assert SeedsNotFoundError is errors.SeedsNotFoundError
    assert issubclass(AnalysisUnavailableError, RuntimeError)
    assert issubclass(AnalysisMismatchError, RuntimeError)
    assert issubclass(SeedsNotFoundError, FileNotFoundError)
    assert issubclass(BinaryFileError, ValueError)


def test_cli_messages_come_from_a_table_most_specific_first(tmp_path: Path) -> None:
    from newsindex import IndexFormatError, IndexNotFoundError, IndexReplacedError, SeedsNotFoundError
    from newsindex.interfaces.cli.errors import MESSAGES, describe

    assert IndexFormatError in MESSAGES and IndexNotFoundError in MESSAGES
    rebuild = describe(IndexFormatError("index format 1 is too old: rebuild it"), tmp_path)
    assert str(rebuild) == "index format 1 is too old: rebuild it" and rebuild.code == 2
    missing = describe(IndexNotFoundError("nothing"), tmp_path)
    assert str(missing).startswith(f"no index at {tmp_path}: build one")
    replaced = describe(IndexReplacedError("the index was replaced meanwhile"), tmp_path)
    assert str(replaced) == "the index was replaced meanwhile"  # via IndexWriteError
    seeds = describe(SeedsNotFoundError("cannot find the example corpus seeds/"), None)
    assert str(seeds) == "cannot find the example corpus seeds/"  # not "no such file or folder"
    bug = describe(ZeroDivisionError("division by zero"), None)
    assert str(bug) == "ZeroDivisionError: division by zero (run with --debug for the traceback)"


# -- the package ---------------------------------------------------------------------
def test_everything_in_all_resolves_and_the_package_is_typed() -> None:
    code = (
        "import sys, newsindex\n"
        "assert 'whoosh' not in sys.modules and 'spacy' not in sys.modules\n"
        "missing = [n for n in newsindex.__all__ if getattr(newsindex, n, None) is None]\n"
        "assert not missing, missing\n"
        "assert sorted(dir(newsindex)) == sorted(newsindex.__all__)\n"
        "print(len(newsindex.__all__))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO, timeout=120
    )
    assert int(out.stdout) >= 40
    assert (PACKAGE / "py.typed").is_file()
    assert newsindex.read_articles is importlib.import_module("newsindex.ingest").read


# -- add_path(on_file=...) ------------------------------------------------------------
@pytest.fixture
def two_folders(tmp_path: Path) -> tuple[Path, Path]:
    """The seed articles, an empty file and a file of no known type; then a JSON Lines file."""
    first = tmp_path / "a"
    first.mkdir()
    for seed in sorted(SEEDS.iterdir()):
        shutil.copy(seed, first / seed.name)
    (first / "leer.txt").write_text("", encoding="utf-8")
    (first / "notizen.xyz").write_text("Kein Artikel.", encoding="utf-8")
    second = tmp_path / "b"
    second.mkdir()
    lines = [
        '{"id": "w1", "title": "Hochwasser an der Elbe", "paragraphs": ["Die Elbe trat über die Ufer.", '
        '"In Dresden wurden Keller geräumt."]}',
        '{"id": "w2", "title": "Wahl in Sachsen", "paragraphs": ["Die Wahlbeteiligung stieg deutlich."]}',
    ]
    with gzip.open(second / "meldungen.jsonl.gz", "wt", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    return first, second


def test_add_path_reports_every_file_as_one_run(two_folders: tuple[Path, Path]) -> None:
    """on_file sees the total first, then each file once (those without articles too), in order."""
    seen: list[tuple[int, int, str | None, int, int]] = []
    problems: list[object] = []
    batches: list[int] = []

    def on_file(state: FileProgress) -> None:
        name = state.path.name if state.path else None
        seen.append((state.files_done, state.files_total, name, state.articles, state.paragraphs))

    with NewsIndex.in_memory(analysis="builtin", workers=1) as ix:
        summary = ix.add_path(
            list(two_folders),
            on_file=on_file,
            on_problem=problems.append,
            progress=lambda s: batches.append(s.added),
        )
        assert summary.added == 4
        assert ix.article("w2") is not None
    seeds = sorted(p.name for p in SEEDS.iterdir())
    assert [s[2] for s in seen] == [None, *seeds, "leer.txt", "notizen.xyz", "meldungen.jsonl.gz"]
    assert [s[0] for s in seen] == [0, 1, 2, 3, 4, 5]
    assert {s[1] for s in seen} == {5}
    assert [s[3] for s in seen] == [0, 1, 2, 2, 2, 4]  # articles read when each file was done
    assert seen[-1][4] == summary.paragraphs
    assert batches == [4]  # both folders went into one batch: one run
    assert len(problems) == len(summary.problems) >= 2  # the empty file and the unknown type


def test_add_path_still_takes_one_path_without_callbacks(two_folders: tuple[Path, Path]) -> None:
    with NewsIndex.in_memory(analysis="builtin", workers=1) as ix:
        assert ix.add_path(str(two_folders[1])).added == 2
        assert ix.add_path(two_folders[0]).added == 2


# -- marks ---------------------------------------------------------------------------
def test_mark_uses_the_index_rule(seed_index: NewsIndex) -> None:
    text = "Die Kriege im Osten und der Kriegspfad des Diktators: ein Krieg ohne Ende."
    marked = [text[s:e] for s, e in seed_index.mark(text, "Krieg")]
    assert marked == ["Kriege", "Kriegspfad", "Krieg"]
    assert seed_index.mark(text, "-Krieg source:DerWesten.de") == ()
    assert [text[s:e] for s, e in seed_index.mark(text, "Dikta*")] == ["Diktators"]


def test_mark_article_adds_the_hits_highlights(seed_index: NewsIndex) -> None:
    results = seed_index.search("Venezuela Waffen")
    hit = results.hits[0]
    article = seed_index.article(hit.article_id)
    assert article is not None
    marks = seed_index.mark_article(article, results.query, results.hits)
    assert len(marks) == len(article.paragraphs)
    assert set(hit.highlights) <= set(marks[hit.paragraph])
    for para, spans in zip(article.paragraphs, marks, strict=True):
        assert list(spans) == sorted(set(spans))
        assert all(para[s:e] for s, e in spans)
    words = [para[s:e] for para, spans in zip(article.paragraphs, marks, strict=True) for s, e in spans]
    assert any("Venezuela" in word for word in words)
