"""Small statistics helpers: percentiles and median-with-spread summaries."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Spread", "percentile", "spread"]


def percentile(values: Sequence[float], p: float) -> float:
    """The ``p``-th percentile (0–100) with linear interpolation between order statistics."""
    if not values:
        return math.nan
    xs = sorted(values)
    pos = (len(xs) - 1) * p / 100.0
    lo, hi = math.floor(pos), math.ceil(pos)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


@dataclass(frozen=True, slots=True)
class Spread:
    """Median of repeated measurements plus their min and max."""

    median: float
    low: float
    high: float
    n: int

    def fmt(self, digits: int = 1, scale: float = 1.0) -> str:
        """``median (min–max)``, or just the median when there was one run."""
        m, lo, hi = (self.median * scale, self.low * scale, self.high * scale)
        if self.n <= 1 or math.isnan(m):
            return f"{m:,.{digits}f}"
        return f"{m:,.{digits}f} ({lo:,.{digits}f}–{hi:,.{digits}f})"


def spread(values: Sequence[float]) -> Spread:
    """Summarise repeated runs as median, min and max (NaN when empty)."""
    vals = [v for v in values if v is not None and not math.isnan(v)]
    if not vals:
        return Spread(math.nan, math.nan, math.nan, 0)
    return Spread(statistics.median(vals), min(vals), max(vals), len(vals))
