"""newsindex: German full-text search over news articles.

>>> from newsindex import NewsIndex                     # doctest: +SKIP
>>> with NewsIndex.in_memory() as index:                # doctest: +SKIP
...     index.add_path("seeds/")
...     for hit in index.search("Wer liefert Waffen an Venezuela?"):
...         print(hit.title, hit.snippet())

Everything in ``__all__`` is the public API: the command line and the prompt
(:mod:`newsindex.interfaces`) use nothing else. Every error newsindex raises on
purpose is a :class:`NewsIndexError`.

Heavy modules (spaCy, Whoosh) load on first use, so ``import newsindex`` is fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

# Every public exception, imported now: errors.py imports nothing (cheap), and
# errors.__all__ is then the one list of them.
from . import errors as _errors
from .errors import *  # noqa: F403

__version__ = "0.1.0"

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from .analysis import AnalysisConfig, AnalysisInfo, Token, analysis_info, analyze
    from .article import Article
    from .distributed import ShardedIndex
    from .distributed import build as build_shards
    from .engine import NewsIndex
    from .index.maintenance import (
        CheckReport,
        LockStatus,
        UnlockReport,
        check_index,
        lock_status,
        unlock_index,
    )
    from .index.repair import RepairReport
    from .index.workers import ctrl_c_in_main_process_only
    from .index.writing import AddSummary
    from .ingest import Problem, iter_files
    from .ingest import parse_column_spec as parse_csv_columns
    from .ingest import read as read_articles
    from .reading import FileProgress
    from .safe_text import markup_safe, terminal_safe, utf8_safe
    from .search.facets import FACETS, merge_facets
    from .search.query_syntax import parse_date_bound
    from .search.request import SearchRequest
    from .search.results import ArticleGroup, Hit, Results
    from .search.searching import SearchOptions
    from .search.snippets import marked_pieces, snippet_window
    from .search.sorting import SORTS

# public name -> "module" (the same name there) or "module:name"
_EXPORTS = {
    # the index and what it returns
    "NewsIndex": ".engine",
    # sharded indexes on Dask (the extra newsindex[dask]; imported only when used)
    "build_shards": ".distributed:build",
    "ShardedIndex": ".distributed",
    "Article": ".article",
    "AddSummary": ".index.writing",
    "FileProgress": ".reading",
    "RepairReport": ".index.repair",
    "Hit": ".search.results",
    "Results": ".search.results",
    "ArticleGroup": ".search.results",
    "SearchOptions": ".search.searching",
    "FACETS": ".search.facets",
    "SORTS": ".search.sorting",
    "merge_facets": ".search.facets",
    # analysis
    "SearchRequest": ".search.request",
    "analyze": ".analysis",
    "analysis_info": ".analysis",
    "AnalysisConfig": ".analysis",
    "AnalysisInfo": ".analysis",
    "Token": ".analysis",
    # index folders without opening them (no signature check needed to look at the lock)
    "check_index": ".index.maintenance",
    "unlock_index": ".index.maintenance",
    "lock_status": ".index.maintenance",
    "CheckReport": ".index.maintenance",
    "UnlockReport": ".index.maintenance",
    "LockStatus": ".index.maintenance",
    # files
    "read_articles": ".ingest:read",
    "iter_files": ".ingest",
    "Problem": ".ingest",
    "parse_csv_columns": ".ingest:parse_column_spec",
    # text helpers the interfaces share with the library
    "parse_date_bound": ".search.query_syntax",
    "snippet_window": ".search.snippets",
    "marked_pieces": ".search.snippets",
    "terminal_safe": ".safe_text",
    "ctrl_c_in_main_process_only": ".index.workers",
    "markup_safe": ".safe_text",
    "utf8_safe": ".safe_text",
}

__all__ = [
    "__version__",
    "NewsIndex",
    "build_shards",
    "ShardedIndex",
    "Article",
    "AddSummary",
    "FileProgress",
    "RepairReport",
    "Hit",
    "Results",
    "ArticleGroup",
    "SearchOptions",
    "SearchRequest",
    "FACETS",
    "SORTS",
    "merge_facets",
    "analyze",
    "analysis_info",
    "AnalysisConfig",
    "AnalysisInfo",
    "Token",
    "check_index",
    "unlock_index",
    "lock_status",
    "CheckReport",
    "UnlockReport",
    "LockStatus",
    "read_articles",
    "iter_files",
    "Problem",
    "parse_csv_columns",
    "parse_date_bound",
    "snippet_window",
    "marked_pieces",
    "terminal_safe",
    "ctrl_c_in_main_process_only",
    "markup_safe",
    "utf8_safe",
    *_errors.__all__,
]


def __getattr__(name: str) -> Any:
    target = _EXPORTS.get(name)
    if target is None:
        raise AttributeError(f"module 'newsindex' has no attribute {name!r}")
    module, _, attr = target.partition(":")
    value = getattr(import_module(module, __name__), attr or name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
