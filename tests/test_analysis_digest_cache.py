"""The index analyzers find their chain without resolving ``lemmatizer="auto"`` again.

Resolving asks the installed packages' metadata (about a millisecond); the index
analyzers asked for their chain once per field of every paragraph, which was most
of the writer's per-document work (issue 17).
"""

from __future__ import annotations

import pytest

from newsindex.analysis import chain as chain_module
from newsindex.analysis import config as config_module
from newsindex.analysis.config import AnalysisConfig
from newsindex.analysis.whoosh_analyzer import GermanAnalyzer


def test_auto_is_resolved_once_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = config_module.trained_pipeline_available

    def counting(name: str) -> bool:
        calls.append(name)
        return real(name)

    monkeypatch.setattr(config_module, "trained_pipeline_available", counting)
    monkeypatch.setattr(chain_module, "_chains", {})
    config = AnalysisConfig(lemmatizer="auto")
    first = chain_module.get_chain(config)
    analyzer = GermanAnalyzer(config)
    for _ in range(5):
        assert analyzer.chain is first
        assert chain_module.get_chain(config) is first
    assert chain_module.get_chain(first.config) is first  # the resolved config names the same chain
    assert len(calls) == 1
