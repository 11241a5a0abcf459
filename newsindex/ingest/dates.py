"""Publication dates as news files write them: see :mod:`newsindex.dates` (shared with ``Article``)."""

from __future__ import annotations

from ..dates import MONTHS, parse_date

__all__ = ["MONTHS", "parse_date"]
