"""Publication dates as news files write them: ISO 8601, German forms, RFC 2822 (feeds).

Understood: ``2025-10-28``, ``2025-10-28T14:05:00+01:00``, ``28.10.2025``,
``28.10.25``, ``28. Oktober 2025``, ``28. Okt. 2025``, ``1. Jänner 2024``, each
optionally with a weekday before (``Dienstag, 28. Oktober 2025``), a time after
(``, 14:05 Uhr``, ``um 14.05 Uhr``, `` - 14:05``) and a label such as ``Stand:``
or ``Veröffentlicht am`` around it; and ``Tue, 28 Oct 2025 14:05:00 +0100``.
A time gives a naive :class:`~datetime.datetime` (ISO with an offset keeps it),
no time gives a :class:`~datetime.date`. A month without a day (``Juli 2024``)
is not a date: it is not read, rather than given an invented day.

The index stores every publication date as a ``datetime`` (so that dates sort
and compare as one type); :func:`stored_date` gives a date without a time back
as a ``date``. A time of exactly midnight with no UTC offset is therefore read
back as a date: no feed or page in practice dates an article 00:00:00.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time

__all__ = ["MONTHS", "as_published", "parse_date", "stored_date"]

MONTHS = {
    "januar": 1, "jänner": 1, "jaenner": 1, "jan": 1, "jän": 1, "februar": 2, "feber": 2, "feb": 2,
    "märz": 3, "maerz": 3, "mär": 3, "mrz": 3, "april": 4, "apr": 4, "mai": 5, "juni": 6, "jun": 6,
    "juli": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9, "oktober": 10,
    "okt": 10, "november": 11, "nov": 11, "dezember": 12, "dez": 12,
    # English, as some German sites and most feeds write them
    "january": 1, "february": 2, "march": 3, "mar": 3, "may": 5, "june": 6, "july": 7, "october": 10,
    "oct": 10, "december": 12, "dec": 12,
}
_TIME = r"(?:\s*(?:,|-|–|\||um)?\s*(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?::\d{2})?(?:\s*Uhr)?)?"
_NUMERIC = re.compile(
    r"(?<![\d.])(?P<day>\d{1,2})\.\s?(?P<month>\d{1,2})\.\s?(?P<year>\d{4}|\d{2})(?![\d])" + _TIME
)
_WORDS = re.compile(
    r"(?<!\d)(?P<day>\d{1,2})\.?\s*(?P<month>[A-Za-zÄÖÜäöü]{3,9})\.?\s+(?P<year>\d{4})(?!\d)" + _TIME
)
_ISO = re.compile(r"(?<!\d)(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})(?!\d)" + _TIME)
_RFC2822 = re.compile(r"^[A-Za-z]{3}, \d{1,2} [A-Za-z]{3} \d{4}")
_MAX_LABELLED = 80  # "Veröffentlicht am Dienstag, 28. Oktober 2025, 14:05 Uhr" fits


def _from_match(m: re.Match[str]) -> date | datetime | None:
    month_s = m.group("month")
    month = int(month_s) if month_s.isdigit() else MONTHS.get(month_s.lower())
    year = int(m.group("year"))
    if len(m.group("year")) == 2:
        year += 2000 if year < 70 else 1900  # "28.10.25": news archives do not reach back to 1969
    if month is None:
        return None
    try:
        if m.group("hour") is not None:
            return datetime(year, month, int(m.group("day")), int(m.group("hour")), int(m.group("minute")))
        return date(year, month, int(m.group("day")))
    except ValueError:  # 31.02., 25:00
        return None


def parse_date(value: str | None) -> date | datetime | None:
    """A ``date`` or ``datetime`` from the forms listed in the module docstring; ``None`` if none fits."""
    if not value:
        return None
    text = " ".join(value.split())
    if text[:4].isdigit():
        try:
            if len(text) == 10:
                return date.fromisoformat(text)
            return datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            pass
    if len(text) > _MAX_LABELLED:
        return None
    if _RFC2822.match(text):  # as in RSS feeds; keeps the UTC offset
        from email.utils import parsedate_to_datetime

        try:
            return parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            pass
    for pattern in (_NUMERIC, _WORDS, _ISO):
        m = pattern.search(text)
        if m is not None and (found := _from_match(m)) is not None:
            return found
    return None


def as_published(value: object) -> date | datetime | None:
    """A publication date from a ``date``, ``datetime`` or string (ISO 8601 or German, as
    :func:`parse_date`); ``None`` and ``""`` are no date. Anything else raises ``ValueError``."""
    if value is None or isinstance(value, date):  # datetime is a date
        return value
    if isinstance(value, str):
        if not value.strip():
            return None
        parsed = parse_date(value)
        if parsed is not None:
            return parsed
        raise ValueError(
            f"published: cannot read the date {value[:80]!r}; give a date or datetime, an ISO 8601 "
            "string (2024-07-05, 2024-07-05T08:30) or a German one (5. Juli 2024, 05.07.2024 08:30)"
        )
    raise ValueError(f"published must be a date, datetime or string, not {type(value).__name__}")


def stored_date(value: object) -> date | datetime | None:
    """A publication date as the index gives it back: a naive midnight ``datetime`` is the
    ``date`` it was stored for (the index keeps one type); other values are unchanged."""
    if isinstance(value, datetime):
        if value.tzinfo is None and value.time() == time():
            return value.date()
        return value
    return value if isinstance(value, date) else None
