"""The notebook tour runs top to bottom on a fresh install and shows marked passages."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
TOUR = NOTEBOOKS / "tour.ipynb"

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("nbclient") is None or importlib.util.find_spec("nbformat") is None,
    reason="nbclient/nbformat not installed (pip install -e '.[dev]')",
)


def _outputs(cell: dict) -> str:
    text = []
    for out in cell.get("outputs", []):
        if "text" in out:
            text.append(out["text"])
        for mime in ("text/html", "text/plain"):
            if mime in out.get("data", {}):
                text.append(out["data"][mime])
    return "\n".join(text)


def test_committed_notebook_is_the_generated_one_without_outputs() -> None:
    import nbformat

    import_spec = importlib.util.spec_from_file_location("build_tour", NOTEBOOKS / "build_tour.py")
    assert import_spec is not None and import_spec.loader is not None
    builder = importlib.util.module_from_spec(import_spec)
    import_spec.loader.exec_module(builder)
    committed = nbformat.read(TOUR, as_version=4)
    nbformat.validate(committed)
    assert [c.source for c in committed.cells] == [c.source for c in builder.build().cells], (
        "tour.ipynb is stale: run python notebooks/build_tour.py"
    )
    assert all(not c.get("outputs") for c in committed.cells if c.cell_type == "code")


@pytest.mark.slow
def test_tour_runs_top_to_bottom() -> None:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(TOUR, as_version=4)
    client = NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
    )
    client.execute()  # raises CellExecutionError with the cell's traceback on failure
    everything = "\n".join(_outputs(c) for c in nb.cells if c.cell_type == "code")
    assert "<mark>Drogenkartelle</mark>" in everything  # the compound, marked
    assert "<mark>Kriege</mark>" in everything  # an inflected form, marked
    assert "Trump droht mit Krieg! Venezuela bittet Putin um Unterstützung" in everything
    assert "drogenkartell" in everything and "kartell" in everything  # the token table
    assert "Did you mean" in everything
