"""What an analysis is made of: the options an index records and rebuilds from."""

from __future__ import annotations

import importlib.metadata
import os
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

__all__ = ["BUILTIN", "TRAINED_DEFAULT", "AnalysisConfig", "trained_pipeline_available"]

BUILTIN = "builtin"
TRAINED_DEFAULT = "de_core_news_sm"


def trained_pipeline_available(name: str) -> bool:
    """True if ``name`` is an installed spaCy pipeline package or a pipeline directory."""
    if Path(name).is_dir():
        return (Path(name) / "meta.json").is_file()
    try:
        importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


@dataclass(frozen=True, slots=True)
class AnalysisConfig:
    """Options of the German analysis chain.

    ``lemmatizer`` is ``"auto"`` (the trained ``de_core_news_sm`` when installed,
    else the built-in), ``"builtin"`` (simplemma plus rules), or the name or
    path of a trained spaCy pipeline (``"de_core_news_sm"``, ``"/models/my_de"``).
    ``overrides`` is the path of a TSV file of the user's own lemmas and
    compound splits (see :mod:`newsindex.analysis.overrides`); its content is
    part of the analysis fingerprint. ``stems=True`` indexes each word's Snowball
    stem beside its lemma in a field of its own (``stems``); a query word's stem
    raises the score of passages that match on their own
    (``SearchOptions.stem_boost``) and never finds or marks a word by itself. It
    is off by default: measured, it gains on questions (+0.004 MRR@10) but not on
    known items (-0.0003), and it costs a third more index (benchmarks/RESULTS.md). The
    other switches exist for ablation benchmarks; the defaults are what newsindex
    is tuned for.
    """

    lemmatizer: str = "auto"
    lemmatize: bool = True
    fold: bool = True
    decompound: bool = True
    stopwords: bool = True
    overrides: str | None = None
    stems: bool = False

    def __post_init__(self) -> None:
        if self.overrides is not None and not isinstance(self.overrides, str):
            object.__setattr__(self, "overrides", os.fspath(self.overrides))

    def resolved(self) -> AnalysisConfig:
        """The same config with ``lemmatizer="auto"`` replaced by what it means here."""
        if self.lemmatizer != "auto":
            return self
        name = TRAINED_DEFAULT if trained_pipeline_available(TRAINED_DEFAULT) else BUILTIN
        return replace(self, lemmatizer=name)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, as stored in an index."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> AnalysisConfig:
        """Inverse of :meth:`to_dict`; unknown keys are an error (a newer index format)."""
        return cls(**d)
