"""The segment behind a Whoosh leaf reader: per-segment caches are keyed by it."""

from __future__ import annotations

from typing import Any

from whoosh.reading import IndexReader

__all__ = ["segment_ids", "segment_of"]


def segment_of(leaf: IndexReader) -> Any | None:
    """The Whoosh segment ``leaf`` reads, or ``None`` (an empty index's reader has none)."""
    return leaf.segment() if hasattr(leaf, "segment") else None


def segment_ids(reader: IndexReader) -> set[str]:
    """The ids of the segments ``reader`` reads (all of them, for a multi-segment reader)."""
    segments = (segment_of(leaf) for leaf, _ in reader.leaf_readers())
    return {segment.segment_id() for segment in segments if segment is not None}
