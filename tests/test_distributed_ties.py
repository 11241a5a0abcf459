"""Prefix and typo expansion must not depend on the order segments are read in.

One index and its shards hold the same terms in different segments (and a merge
reorders them too): equally frequent candidates are ordered alphabetically, so
``Bundes*`` or ``Merkl~`` expands to the same terms however the index is cut.
"""

from __future__ import annotations

from array import array

from newsindex.index.vocabulary import SegmentVocabulary, Vocabularies


class _Fixed(Vocabularies):
    def __init__(self, segments: list[SegmentVocabulary]) -> None:
        super().__init__()
        self._segments = segments

    def segments(self, reader: object) -> list[SegmentVocabulary]:
        return self._segments


def _segment(*terms: str) -> SegmentVocabulary:
    return SegmentVocabulary(sorted(terms), array("I", [1] * len(terms)))


def test_prefix_ties_do_not_depend_on_the_segment_order() -> None:
    a, b = _segment("klimaziel"), _segment("klimaanlage", "klimabonus")
    one = _Fixed([a, b]).prefixed_df(None, "klima", 2, 1000)  # type: ignore[arg-type]
    other = _Fixed([b, a]).prefixed_df(None, "klima", 2, 1000)  # type: ignore[arg-type]
    assert list(one) == list(other) == ["klimaanlage", "klimabonus"]


def test_typo_ties_do_not_depend_on_the_segment_order() -> None:
    a, b = _segment("merkle"), _segment("merkel")
    one = _Fixed([a, b]).near_terms(None, "merkl", 1, 1)  # type: ignore[arg-type]
    other = _Fixed([b, a]).near_terms(None, "merkl", 1, 1)  # type: ignore[arg-type]
    assert one.terms == other.terms == ["merkel"]
