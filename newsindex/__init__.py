"""newsindex: German full-text search over news articles.

>>> from newsindex import NewsIndex                     # doctest: +SKIP
>>> with NewsIndex.in_memory() as index:                # doctest: +SKIP
...     index.add_path("seeds/")
...     for hit in index.search("Wer liefert Waffen an Venezuela?"):
...         print(hit.title, hit.snippet())

Heavy modules (spaCy, Whoosh) load on first use, so ``import newsindex`` is fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from .analysis import (
        AnalysisConfig,
        AnalysisInfo,
        AnalysisMismatchError,
        AnalysisUnavailableError,
        Token,
        analysis_info,
        analyze,
    )
    from .article import Article
    from .engine import NewsIndex
    from .index.errors import (
        IndexExistsError,
        IndexFormatError,
        IndexLockedError,
        IndexNotFoundError,
        IndexWriteError,
        NewsIndexError,
    )
    from .index.maintenance import CheckReport
    from .index.signing import UntrustedIndexError
    from .index.writing import AddSummary
    from .search.request import SearchRequest
    from .search.results import ArticleGroup, Hit, Results
    from .search.searching import SearchOptions

_EXPORTS = {
    "NewsIndex": ".engine",
    "Article": ".article",
    "AddSummary": ".index.writing",
    "Hit": ".search.results",
    "Results": ".search.results",
    "ArticleGroup": ".search.results",
    "SearchOptions": ".search.searching",
    "SearchRequest": ".search.request",
    "analyze": ".analysis",
    "analysis_info": ".analysis",
    "AnalysisConfig": ".analysis",
    "AnalysisInfo": ".analysis",
    "Token": ".analysis",
    "AnalysisMismatchError": ".analysis",
    "AnalysisUnavailableError": ".analysis",
    "NewsIndexError": ".index.errors",
    "IndexExistsError": ".index.errors",
    "IndexFormatError": ".index.errors",
    "IndexNotFoundError": ".index.errors",
    "IndexLockedError": ".index.errors",
    "IndexWriteError": ".index.errors",
    "CheckReport": ".index.maintenance",
    "UntrustedIndexError": ".index.signing",
}

__all__ = sorted([*_EXPORTS, "__version__"])


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'newsindex' has no attribute {name!r}")
    value = getattr(import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
