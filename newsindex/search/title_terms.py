"""A query word's title term, scored with its body term as one BM25F field pair.

Each paragraph carries its article's title in the ``title`` field, and a query word
searches both fields. Scored apart and summed, a word in the title and the body
counts twice, fully saturated in each: every paragraph of an article titled *Papst
Benedikt XVI.* outranked the paragraph that answers *Wie gut verkauft sich die erste
Enzyklika …?* with all its words. BM25F (Robertson & Zaragoza) instead adds the
fields' weighted, length-normalised frequencies and saturates the sum once
(:func:`.bm25.title_gain`). A :class:`TitleTerm` scores that gain: what the title
adds to the word's body score. The numpy scorer computes it from the postings it has
read (:mod:`.term_scoring`); :meth:`TitleTerm.matcher` is the same arithmetic for
Whoosh's own search (phrases, ``term_at_a_time=False``), so both give the same floats.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from whoosh import matching
from whoosh import query as wq
from whoosh.scoring import BM25F

from ..index.schema import BODY, TITLE
from .bm25 import normalised_tf, title_gain
from .postings_read import lengths_at, read_postings

__all__ = ["TitleTerm", "title_gains"]


class TitleTerm(wq.Term):  # type: ignore[misc]  # (whoosh is untyped)
    """``title:text``, scored as what the title adds to the word's ``body:body_text``.

    ``title_weight`` is the title field's weight in BM25F (a title occurrence counts as
    that many body occurrences of the same normalised frequency); ``word_weight``
    scales the gain as it scales the word's body terms (framing words count less).
    """

    def __init__(self, text: str, body_text: str, title_weight: float, word_weight: float = 1.0) -> None:
        super().__init__(TITLE, text)
        self.body_text = body_text
        self.title_weight = title_weight
        self.word_weight = word_weight

    def __eq__(self, other: object) -> bool:
        return (
            type(other) is TitleTerm
            and super().__eq__(other)
            and (self.body_text, self.title_weight, self.word_weight)
            == (other.body_text, other.title_weight, other.word_weight)
        )

    def __hash__(self) -> int:
        return hash((super().__hash__(), self.body_text, self.title_weight, self.word_weight))

    def __repr__(self) -> str:
        return f"TitleTerm({self.text!r}, body={self.body_text!r}, {self.title_weight}, {self.word_weight})"

    def matcher(self, searcher: Any, context: Any = None) -> matching.Matcher:
        """Whoosh's matcher over one segment: the title's documents with their gains."""
        weighting = context.weighting if context is not None else searcher.weighting
        if type(weighting) is not BM25F:  # another model: a plain boosted title term
            plain = wq.Term(TITLE, self.text, boost=self.title_weight * self.word_weight)
            return plain.matcher(searcher, context)
        schema = searcher.schema
        reader = searcher.reader()
        try:
            title_bytes = schema[TITLE].to_bytes(self.text)
            body_bytes = schema[BODY].to_bytes(self.body_text)
        except (KeyError, ValueError):
            return matching.NullMatcher()
        if (TITLE, title_bytes) not in reader:
            return matching.NullMatcher()
        # The segment's postings, deleted documents left out (Whoosh filters them).
        title_ids, title_tf = read_postings(reader.postings(TITLE, title_bytes))
        if (BODY, body_bytes) in reader:
            body_ids, body_tf = read_postings(reader.postings(BODY, body_bytes))
        else:
            body_ids, body_tf = [], []
        parent = searcher.get_parent()
        t_ids = np.array(title_ids, dtype=np.int64)
        b_ids = np.array(body_ids, dtype=np.int64)
        gains = title_gains(
            t_ids,
            np.array(title_tf, dtype=np.float64),
            lengths_at(reader, TITLE, t_ids),
            b_ids,
            np.array(body_tf, dtype=np.float64),
            lengths_at(reader, BODY, b_ids),
            title_avg=parent.avg_field_length(TITLE) or 1,
            body_avg=parent.avg_field_length(BODY) or 1,
            idf=float(parent.idf(BODY, body_bytes)),
            weighting=weighting,
            title_weight=self.title_weight,
        )
        if self.word_weight != 1.0:
            gains = gains * self.word_weight
        return matching.ListMatcher(title_ids, weights=gains.tolist(), term=(TITLE, title_bytes))


def title_gains(
    title_ids: np.ndarray,
    title_tf: np.ndarray,
    title_lengths: np.ndarray,
    body_ids: np.ndarray,
    body_tf: np.ndarray,
    body_lengths: np.ndarray,
    *,
    title_avg: float,
    body_avg: float,
    idf: float,
    weighting: BM25F,
    title_weight: float,
) -> np.ndarray:
    """The gain (:func:`.bm25.title_gain`) of each title posting: ``title_ids`` and
    ``body_ids`` ascending, each with its postings' frequencies and its documents'
    field lengths (aligned with the ids); ``idf`` is the body term's."""
    b_title = weighting._field_B.get(TITLE, weighting.B)
    b_body = weighting._field_B.get(BODY, weighting.B)
    title_x = normalised_tf(title_tf, title_lengths, title_avg, b_title)
    body_x = np.zeros(title_ids.size, dtype=np.float64)
    if body_ids.size:
        at = np.searchsorted(body_ids, title_ids)
        has = at < body_ids.size
        has[has] = body_ids[at[has]] == title_ids[has]
        hit = at[has]
        body_x[has] = normalised_tf(body_tf[hit], body_lengths[hit], body_avg, b_body)
    return title_gain(body_x, title_x, idf, weighting.K1, title_weight)
