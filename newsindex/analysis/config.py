"""What an analysis is made of: the options an index records and rebuilds from."""

from __future__ import annotations

import importlib.metadata
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
    The other switches exist for ablation benchmarks; the defaults are what
    newsindex is tuned for.
    """

    lemmatizer: str = "auto"
    lemmatize: bool = True
    fold: bool = True
    decompound: bool = True
    stopwords: bool = True

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
