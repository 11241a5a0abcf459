"""The Whoosh schema: one document per paragraph, carrying its article's metadata.

Fields:

* ``body``: the paragraph, analysed without stop words (the ranked field); stored
  with character offsets so highlights come from the postings, not a re-analysis.
  Each word's lemma sits at the word's position, its compound parts on a separate
  position lane (:data:`~newsindex.analysis.whoosh_analyzer.PART_LANE`).
* ``stops``: the paragraph's stop words alone, at their positions. With ``body``'s
  lemma positions they make exact phrases such as ``"Krieg gegen Drogenkartelle"``
  (see :mod:`newsindex.search.phrases`); a second copy of every word, as a phrase
  field would be, cost a third of indexing time and of the index size.
* ``stems``: each content word's Snowball stem (``AnalysisConfig(stems=True)``; off by
  default), frequencies only: a second reading beside the lemma, searched at a low
  weight. Its own field, so a stem never meets a lemma or a compound part (the stem
  ``bau`` of *Bauern* does not find *Bau* in ``body``) and never marks a word.
* ``title``: the article title (analysed like ``body``; boosted at query time).
* metadata: ``article_id``, ``paragraph``, ``source``, ``author``, ``published``, ``url``;
  ``doc_id`` (``article#paragraph``) and ``article_hash`` are stored, not indexed
  (a term per paragraph cost a tenth of indexing time).
* ``period``: the publication day as three calendar terms, ``y2023 m202305
  d20230517``, for date filters: any range of days is a union of a few whole
  years, months and days (``2023-01-01..2023-12-31`` is the one term ``y2023``),
  which Whoosh intersects lazily with the query. A numeric range field instead
  compiles to nested term ranges that Whoosh materialises per segment.
"""

from __future__ import annotations

from datetime import date

from whoosh import fields
from whoosh.analysis import IDTokenizer, LowercaseFilter, RegexTokenizer

from ..analysis import AnalysisConfig
from ..analysis.whoosh_analyzer import GermanAnalyzer

__all__ = ["BODY", "PERIOD", "STEMS", "STOPS", "TITLE", "build_schema", "period_terms"]

BODY = "body"
STOPS = "stops"
STEMS = "stems"
TITLE = "title"
PERIOD = "period"


def period_terms(day: date) -> str:
    """The ``period`` field's text for a publication day."""
    return f"y{day.year:04d} m{day.year:04d}{day.month:02d} d{day.year:04d}{day.month:02d}{day.day:02d}"


def build_schema(config: AnalysisConfig) -> fields.Schema:
    """The paragraph schema for an analysis configuration."""
    ranked = GermanAnalyzer(config)
    extra: dict[str, fields.FieldType] = {}
    if config.stems and config.lemmatize:
        extra[STEMS] = fields.TEXT(analyzer=GermanAnalyzer(config, only_stems=True), phrase=False)
    return fields.Schema(
        doc_id=fields.STORED(),
        article_id=fields.ID(stored=True, sortable=True),
        paragraph=fields.STORED(),
        body=fields.TEXT(analyzer=ranked, stored=True, chars=True),
        stops=fields.TEXT(analyzer=GermanAnalyzer(config, only_stops=True), phrase=True),
        title=fields.TEXT(analyzer=ranked, stored=True, phrase=False),
        source=fields.ID(stored=True, analyzer=IDTokenizer() | LowercaseFilter()),
        author=fields.TEXT(analyzer=RegexTokenizer() | LowercaseFilter(), stored=True, phrase=False),
        published=fields.STORED(),
        period=fields.KEYWORD(),
        url=fields.STORED(),
        article_hash=fields.STORED(),
        paragraphs_total=fields.STORED(),
        **extra,
    )
