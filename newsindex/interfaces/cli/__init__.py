"""The ``newsindex`` command (also ``python -m newsindex``).

Commands: ``index``, ``search``, ``shell``, ``stats``, ``get``, ``delete``, ``demo``, ``check``, ``unlock``.
The index folder is
``--index DIR``, else ``$NEWSINDEX_INDEX``, else the platform's per-user data
folder (``~/.local/share/newsindex/index`` on Linux).

Exit codes: 0 ok, 1 a search found nothing, 2 usage error or unusable index
(missing, unreadable file, analysis not reproducible), 130 interrupted (Ctrl-C).
Errors are one line on stderr; ``--debug`` shows the traceback instead.

JSON output (``newsindex search QUERY --json``) is ``Results.to_dict()``, the
contract for calling newsindex from any language (one JSON object on stdout; the
exit code still says 0 hits found / 1 none / 2 error)::

    {
      "query": "Kartell",              // the query as typed
      "total": 1,                      // matching passages, exact up to 1,000 ...
      "total_exact": true,             // ... false means "1,000 or more"
      "elapsed_ms": 3.2,
      "suggestion": null,              // a "did you mean" query, or null
      "notes": [],                     // parts of the query that were ignored, and why
      "hits": [                        // best first, at most --limit, at most --per-article per article
        {
          "rank": 1,
          "score": 3.9803,
          "article_id": "0be6e845e7b562c9",
          "paragraph": 0,              // 0-based paragraph of the article
          "title": "Trump droht mit Krieg! Venezuela bittet Putin um Unterstützung",
          "source": "DerWesten.de",    // null when unknown (so are published, url, author)
          "published": "2025-11-01",  // ISO 8601; a time only when the source gave one
          "url": null,
          "author": "Yury Malakhov",
          "text": "Im Krieg gegen Drogenkartelle konfrontiert Trump den venezolanischen Diktator. …",
          "highlights": [[15, 29]],    // [start, end) character offsets of matched words in text
          "snippet": "Im Krieg gegen **Drogenkartelle** konfrontiert …",           // <= 240 chars
          "snippet_html": "Im Krieg gegen <mark>Drogenkartelle</mark> konfrontiert …"  // HTML-escaped
        }
      ]
    }

Heavy modules (spaCy, Whoosh) are imported only inside commands, so
``newsindex --help`` is fast.

The package: :mod:`.app` (the Typer app, shared options, ``main``),
:mod:`.output` (consoles, one-line messages, JSON), :mod:`.errors` (exceptions →
message and exit code, from a table), and one module of commands per concern:
:mod:`.commands_index` (``index``, ``demo``), :mod:`.commands_search`
(``search``, ``stats``, ``shell``), :mod:`.commands_articles` (``get``,
``delete``), :mod:`.commands_maintenance` (``check``, ``unlock``, ``trust``).
Like the prompt, it uses only what ``newsindex`` exports.
"""

from __future__ import annotations

# Importing the command modules registers their commands on ``app``.
from . import commands_articles, commands_index, commands_maintenance, commands_search
from .app import EXIT_INTERRUPTED, EXIT_NO_RESULTS, EXIT_OK, EXIT_USAGE, SAMPLE_QUERIES, app, main, run
from .commands_index import index_paths

__all__ = [
    "EXIT_INTERRUPTED",
    "EXIT_NO_RESULTS",
    "EXIT_OK",
    "EXIT_USAGE",
    "SAMPLE_QUERIES",
    "app",
    "commands_articles",
    "commands_index",
    "commands_maintenance",
    "commands_search",
    "index_paths",
    "main",
    "run",
]
