"""The package's shape: no import cycles between its modules, no module over 500 lines.

The import graph is read from the source with ``ast``, counting imports at module
level *and* inside functions: an import moved into a function hides a cycle from
Python's import machinery but not from the design (each module still needs the other).
Imports under ``if TYPE_CHECKING:`` are counted too; type-only references are no
excuse for two modules knowing each other.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "newsindex"
MAX_LINES = 500


def _module_name(file: Path) -> str:
    parts = list(file.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(f): f for f in sorted(PACKAGE.rglob("*.py"))}


def _resolve(module: str, is_package: bool, level: int, target: str | None) -> str:
    """The absolute name of ``from <level dots><target> import …`` written in ``module``."""
    if level == 0:
        return target or ""
    base = module.split(".")
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - (level - 1)] if level > 1 else base
    return ".".join([*base, target] if target else base)


def _edges(name: str, file: Path) -> set[str]:
    """The newsindex modules that ``name`` imports anywhere in its source."""
    is_package = file.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"), str(file))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            source = _resolve(name, is_package, node.level, node.module)
            for alias in node.names:
                sub = f"{source}.{alias.name}"
                found.add(sub if sub in MODULES else source)  # a submodule, or a name in ``source``
    return {m for m in found if m in MODULES and m != name}


GRAPH = {name: _edges(name, file) for name, file in MODULES.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected component with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_graph_is_read() -> None:
    """The graph sees relative, absolute and function-level imports (so an empty one cannot pass)."""
    assert "newsindex.index.errors" in GRAPH["newsindex.index.writing"]  # ``from .errors import``
    assert "newsindex.interfaces.shell" in GRAPH["newsindex.interfaces.cli.commands_search"]  # in a function
    assert "newsindex.analysis" in GRAPH["newsindex.index.schema"]  # ``from ..analysis import``
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycles() -> None:
    """No two modules of newsindex import each other, directly or round a loop."""
    cycles = _cycles(GRAPH)
    assert not cycles, "import cycles: " + "; ".join(" ↔ ".join(c) for c in cycles)


@pytest.mark.parametrize(
    "file",
    [pytest.param(f, id=str(f.relative_to(PACKAGE))) for f in MODULES.values()],
)
def test_modules_are_small(file: Path) -> None:
    """Each module holds one concern: under 500 lines."""
    lines = len(file.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{file.relative_to(PACKAGE)} has {lines} lines (at most {MAX_LINES})"
