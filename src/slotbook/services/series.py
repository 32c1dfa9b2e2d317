"""Series: staff book one customer on a weekly or monthly rule (RFC 5545 RRULE).

Every occurrence is booked exactly like a single staff booking; what does not fit is
listed with the reason. ``all_or_nothing`` books them in one transaction, or none.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr

from slotbook.domain.errors import InvalidRequest, SlotTaken
from slotbook.domain.model import Appointment, Catalog, Status
from slotbook.services.actor import Actor
from slotbook.services.availability import SlotQuery
from slotbook.services.booking import BookingDetails, check_placement, place, place_in
from slotbook.services.context import Slotbook, retrying

MAX_OCCURRENCES = 104  # two years of weekly appointments
FREQUENCIES = ("WEEKLY", "MONTHLY")
# One RRULE line of NAME=VALUE parts; no DTSTART (the first start comes separately) and
# no second line (RDATE, EXDATE), which would make it a set.
_RULE = re.compile(r"(?:RRULE:)?[A-Z]+=[A-Z0-9,+\-]+(?:;[A-Z]+=[A-Z0-9,+\-]+)*", re.IGNORECASE)
_GAP = "This local time does not exist on that day (the clocks go forward)"


@dataclass(frozen=True, slots=True)
class Refusal:
    """An occurrence that was not booked, and why."""

    start: datetime
    reason: str


@dataclass(frozen=True, slots=True)
class SeriesResult:
    """The booked occurrences and the refused ones (with ``all_or_nothing``, a refusal
    means nothing was booked)."""

    booked: list[Appointment]
    refused: list[Refusal]


def occurrences(
    rule: str, first_start: datetime, zone: ZoneInfo, *, cap: int = MAX_OCCURRENCES
) -> list[datetime]:
    """The starts a rule gives from ``first_start`` on, as wall-clock times in ``zone``.

    A weekly 09:00 stays 09:00 local across a DST change. InvalidRequest for a rule that
    is malformed, repeats more often than weekly, is unbounded (no COUNT or UNTIL) or
    gives more than ``cap`` starts.
    """
    text = rule.strip()
    if not _RULE.fullmatch(text):
        raise InvalidRequest("rule must be one RRULE line such as FREQ=WEEKLY;COUNT=6", "rule")
    parts = dict(p.split("=", 1) for p in text.upper().removeprefix("RRULE:").split(";"))
    if parts.get("FREQ") not in FREQUENCIES:
        raise InvalidRequest(f"rule FREQ must be one of {', '.join(FREQUENCIES)}", "rule")
    if ("COUNT" in parts) == ("UNTIL" in parts):
        raise InvalidRequest("rule must end: give COUNT or UNTIL (not both)", "rule")
    local = first_start.astimezone(zone)
    # RFC 5545: with a zoned start an UNTIL is in UTC ("Z"); a floating one is wall-clock
    # time in the branch's zone. Either way the rule runs on wall-clock times.
    utc_until = parts.get("UNTIL", "").endswith("Z")
    start = local if utc_until else local.replace(tzinfo=None)
    try:
        expanded = rrulestr(text, dtstart=start)
    except (ValueError, TypeError) as exc:
        raise InvalidRequest(f"rule is not a valid RRULE: {exc}", "rule") from None
    assert isinstance(expanded, rrule)
    # The rule's own iteration is bounded by COUNT or UNTIL; one more than the cap is
    # enough to refuse it.
    starts = list(itertools.islice(expanded, cap + 1))
    if len(starts) > cap:
        raise InvalidRequest(f"A series has at most {cap} occurrences", "rule")
    return [s.replace(tzinfo=zone) for s in starts]


def _exists(moment: datetime) -> bool:
    """False for a wall-clock time in a DST gap (it comes back shifted from UTC)."""
    tz = moment.tzinfo
    return moment.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == moment.replace(tzinfo=None)


def book_series(
    app: Slotbook,
    catalog: Catalog,
    *,
    query: SlotQuery,
    first_start: datetime,
    rule: str,
    details: BookingDetails,
    all_or_nothing: bool,
    actor: Actor,
) -> SeriesResult:
    """Book every occurrence of ``rule`` from ``first_start`` as staff; list what did not fit.

    Without ``all_or_nothing`` each occurrence is its own transaction; with it they are
    booked in one, and a single refusal books none (the refusals are then the answer).
    """
    check_placement(catalog, query, status=Status.CONFIRMED, actor=actor)
    starts = occurrences(rule, first_start, query.branch.zone)
    if not starts:
        raise InvalidRequest("The rule gives no date from the start on", "rule")
    if all_or_nothing:
        return _book_together(
            app, catalog, query=query, starts=starts, details=details, actor=actor
        )
    return _book_each(
        starts,
        details,
        lambda start, wanted: place(
            app,
            catalog,
            query=query,
            start=start,
            status=Status.CONFIRMED,
            details=wanted,
            actor=actor,
            on_grid=False,
        ),
    )


def _book_each(
    starts: list[datetime],
    details: BookingDetails,
    book_one: Callable[[datetime, BookingDetails], Appointment],
) -> SeriesResult:
    """Book every occurrence that fits; list the others with the reason."""
    booked: list[Appointment] = []
    refused: list[Refusal] = []
    for start in starts:
        if not _exists(start):
            refused.append(Refusal(start, _GAP))
            continue
        try:
            appointment = book_one(start.astimezone(UTC), details)
        except SlotTaken as exc:
            # Go on: the answer names every date that does not fit, not just the first.
            refused.append(Refusal(start, exc.message))
            continue
        booked.append(appointment)
        # One customer record for the whole series, not one per occurrence.
        details = replace(details, customers=appointment.customers)
    return SeriesResult(booked, refused)


@retrying
def _book_together(
    app: Slotbook,
    catalog: Catalog,
    *,
    query: SlotQuery,
    starts: list[datetime],
    details: BookingDetails,
    actor: Actor,
) -> SeriesResult:
    """All occurrences in one unit of work, committed only when every one fits."""
    with app.uows(write=True) as uow:
        result = _book_each(
            starts,
            details,
            lambda start, wanted: place_in(
                uow,
                app,
                catalog,
                query=query,
                start=start,
                status=Status.CONFIRMED,
                details=wanted,
                actor=actor,
                on_grid=False,
            ),
        )
        if result.refused:
            return SeriesResult([], result.refused)  # leaving without commit rolls it all back
        uow.commit()
    return result
