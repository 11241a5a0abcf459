"""The Whoosh schema: one document per paragraph, carrying its article's metadata.

Fields:

* ``body``: the paragraph, analysed without stop words (the ranked field); stored
  with character offsets so highlights come from the postings, not a re-analysis.
* ``phrase``: the same text with stop words kept, one lemma per word (no compound
  parts), positions only: exact phrases such as ``"Krieg gegen Drogenkartelle"``.
* ``title``: the article title (analysed like ``body``; boosted at query time).
* metadata: ``article_id``, ``paragraph``, ``source``, ``author``, ``published``, ``url``.
* ``day``: the publication day as a day number (``date.toordinal()``), for date
  filters: a range over a 32-bit day number touches a few dozen terms, where a
  range over Whoosh's microsecond ``DATETIME`` field enumerates thousands.
"""

from __future__ import annotations

from whoosh import fields
from whoosh.analysis import IDTokenizer, LowercaseFilter, RegexTokenizer

from ..analysis import AnalysisConfig
from ..analysis.whoosh_analyzer import GermanAnalyzer

__all__ = ["BODY", "PHRASE", "TITLE", "build_schema"]

BODY = "body"
PHRASE = "phrase"
TITLE = "title"


def build_schema(config: AnalysisConfig) -> fields.Schema:
    """The paragraph schema for an analysis configuration."""
    ranked = GermanAnalyzer(config)
    return fields.Schema(
        doc_id=fields.ID(unique=True, stored=True),
        article_id=fields.ID(stored=True, sortable=True),
        paragraph=fields.STORED(),
        body=fields.TEXT(analyzer=ranked, stored=True, chars=True),
        phrase=fields.TEXT(analyzer=GermanAnalyzer(config, keep_stops=True, parts=False), phrase=True),
        title=fields.TEXT(analyzer=ranked, stored=True, phrase=False),
        source=fields.ID(stored=True, analyzer=IDTokenizer() | LowercaseFilter()),
        author=fields.TEXT(analyzer=RegexTokenizer() | LowercaseFilter(), stored=True, phrase=False),
        published=fields.STORED(),
        day=fields.NUMERIC(int, bits=32, signed=False, shift_step=4),
        url=fields.STORED(),
        article_hash=fields.STORED(),
        paragraphs_total=fields.STORED(),
    )
