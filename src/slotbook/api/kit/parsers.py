"""Parsers for what clients type: dates, instants, bounded numbers and ids, one rule each.

Every surface calls these, so a date is checked the same way everywhere (including the
message: ``2026-02-30`` is "not a date of the calendar", not "expected YYYY-MM-DD").
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from slotbook.api.kit.errors import BadInput

# Booking dates and instants: far outside any booking, well inside what time zones handle.
MIN_YEAR, MAX_YEAR = 1971, 2999

_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_INT = re.compile(r"[+-]?[0-9]{1,12}")
ID_FORMATS = {
    "guid": (
        re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"),
        "a GUID like 3fa85f64-5717-4562-b3fc-2c963f66afa6",
    ),
    "digits": (re.compile(r"[1-9][0-9]{0,19}"), "an id made of digits"),
    "hex24": (re.compile(r"[0-9a-fA-F]{24}"), "a 24-character hexadecimal id"),
}


def _shown(text: str) -> str:
    return repr(text[:40])


def parse_date(text: str, field: str, *, code: str | None = None) -> date:
    """A ``YYYY-MM-DD`` calendar date from MIN_YEAR to MAX_YEAR; BadInput naming the field."""
    found = _DATE.fullmatch(text.strip())
    if found is None:
        raise BadInput(
            f"{field} must be a date of the form YYYY-MM-DD, not {_shown(text)}",
            field=field,
            code=code,
        )
    try:
        day = date(int(found[1]), int(found[2]), int(found[3]))
    except ValueError:
        raise BadInput(
            f"{field}: {text.strip()} is not a date of the calendar", field=field, code=code
        ) from None
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise BadInput(
            f"{field} must be a date from {MIN_YEAR} to {MAX_YEAR}", field=field, code=code
        )
    return day


def check_instant(value: datetime, field: str, *, code: str | None = None) -> datetime:
    """An aware instant within the booking years, as UTC; BadInput naming the field."""
    try:
        result = value.astimezone(UTC)
    except (OverflowError, ValueError):
        result = None
    if result is None or not MIN_YEAR <= result.year <= MAX_YEAR:
        raise BadInput(
            f"{field} must be a date and time from {MIN_YEAR} to {MAX_YEAR}",
            field=field,
            code=code,
        )
    return result


def parse_int(
    text: str | None,
    field: str,
    low: int,
    high: int,
    *,
    default: int | None = None,
    code: str | None = None,
) -> int | None:
    """A whole number from ``low`` to ``high`` (blank: ``default``); BadInput naming it."""
    if text is None or not text.strip():
        return default
    value = text.strip()
    if not _INT.fullmatch(value) or not low <= int(value) <= high:
        raise BadInput(
            f"{field} must be a whole number from {low} to {high}, not {_shown(value)}",
            field=field,
            code=code,
        )
    return int(value)


def matches_id(value: str, kind: str) -> bool:
    """True when ``value`` has the format of an id of ``kind`` (guid, digits, hex24)."""
    return ID_FORMATS[kind][0].fullmatch(value) is not None


def parse_id(value: str, kind: str, field: str, *, code: str | None = None) -> str:
    """An id of ``kind`` (GUIDs and hex ids lower-cased); BadInput naming the field."""
    if not matches_id(value, kind):
        raise BadInput(
            f"{field} must be {ID_FORMATS[kind][1]}, not {_shown(value)}", field=field, code=code
        )
    return value.lower() if kind != "digits" else value
