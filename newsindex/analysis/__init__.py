"""German analysis: text → tokens → index terms (see ``analyze`` and ``analysis_info``)."""

from __future__ import annotations

from .chain import AnalysisChain, get_chain
from .config import AnalysisConfig
from .info import AnalysisInfo, AnalysisMismatchError, analysis_info, check_reproducible
from .lemmatizers import AnalysisUnavailableError
from .tokens import Token

__all__ = [
    "AnalysisChain",
    "AnalysisConfig",
    "AnalysisInfo",
    "AnalysisMismatchError",
    "AnalysisUnavailableError",
    "Token",
    "analysis_info",
    "analyze",
    "check_reproducible",
    "get_chain",
]


def analyze(text: str, config: AnalysisConfig | None = None, *, query: bool = False) -> list[Token]:
    """Run the analysis chain on ``text`` and return one :class:`Token` per word.

    >>> [t.terms for t in analyze("Drogenkartelle")]  # doctest: +SKIP
    [('drogenkartell', 'droge', 'kartell')]
    """
    return get_chain(config).analyze(text, query=query)
