"""Publication dates as news files write them: ISO 8601 and German forms."""

from __future__ import annotations

import re
from datetime import date, datetime

__all__ = ["parse_date"]

_MONTHS = {
    "januar": 1, "jänner": 1, "jan": 1, "februar": 2, "feber": 2, "feb": 2, "märz": 3, "maerz": 3, "mär": 3,
    "april": 4, "apr": 4, "mai": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9, "oktober": 10, "okt": 10, "november": 11, "nov": 11,
    "dezember": 12, "dez": 12,
}
_NUMERIC = re.compile(r"^(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})(?:,?\s+(\d{1,2}):(\d{2})(?:\s*Uhr)?)?$")
_WORDS = re.compile(r"^(\d{1,2})\.\s*([A-Za-zÄÖÜäöü]+)\.?\s+(\d{4})(?:,?\s+(\d{1,2}):(\d{2})(?:\s*Uhr)?)?$")


def parse_date(value: str | None) -> date | datetime | None:
    """``2025-10-28``, ``2025-10-28T14:05:00+01:00``, ``28.10.2025``, ``28. Oktober 2025``
    (optionally with ``, 14:05 Uhr``). Returns ``None`` when the text is not a date."""
    if not value:
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        pass
    for pattern in (_NUMERIC, _WORDS):
        m = pattern.match(text)
        if not m:
            continue
        day, month_s, year_s, hour, minute = m.groups()
        month = int(month_s) if month_s.isdigit() else _MONTHS.get(month_s.lower())
        if month is None:
            return None
        try:
            if hour is not None:
                return datetime(int(year_s), month, int(day), int(hour), int(minute))
            return date(int(year_s), month, int(day))
        except ValueError:
            return None
    return None
