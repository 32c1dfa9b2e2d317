"""Reading Orchestra requests: tenant, matrix/query parameters, dates, times, bodies."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request

from slotbook.api.kit.access import Needs, TenantOf
from slotbook.api.kit.errors import BadInput
from slotbook.api.kit.http import json_body, parse_model
from slotbook.api.kit.locale import resolve_locale
from slotbook.api.kit.parsers import parse_date, parse_int
from slotbook.api.kit.paths import matrix_params
from slotbook.api.orchestra.errors import (
    INVALID_BODY,
    INVALID_DATE,
    INVALID_PARAMETER,
    INVALID_TIME,
)
from slotbook.api.orchestra.schemas import BookingIn
from slotbook.domain.errors import DomainError, NotFound, SlotTaken
from slotbook.domain.model import Appointment, Branch, Catalog, Service, Status
from slotbook.domain.schedule import local_occurrences, parse_clock
from slotbook.services import queries
from slotbook.services.access import Access
from slotbook.services.actor import Scope
from slotbook.services.availability import SlotQuery
from slotbook.services.booking import check_bookable
from slotbook.services.context import Slotbook

S = TypeVar("S")
T = TypeVar("T")

MAX_EXTRA_CUSTOMERS = 100
_ALIASES = {"service-publicId": "servicePublicId", "service-publicid": "servicePublicId"}


def _tenant_header(request: Request) -> str | None:
    return request.headers.get("x-tenant-id", "").strip() or None


# ``X-TENANT-ID``, else the key's tenant, else the first tenant (as the manual's server has one).
_TENANT = TenantOf(_tenant_header)
BookingAccess = Annotated[Access, Depends(Needs(_TENANT, Scope.BOOKING))]
BookingWriteAccess = Annotated[Access, Depends(Needs(_TENANT, Scope.BOOKING, write=True))]
StaffAccess = Annotated[Access, Depends(Needs(_TENANT, Scope.STAFF))]
BodyDep = Annotated[Any, Depends(json_body)]


def locale_of(request: Request) -> str | None:
    """The caller's ``Accept-Language`` as a catalog locale; None: the tenant's default."""
    return resolve_locale(request.headers.get("accept-language"), "") or None


def params_of(request: Request) -> dict[str, list[str]]:
    """Matrix and query parameters, merged; comma lists of service ids split."""
    merged: dict[str, list[str]] = {}
    pairs = [(k, v) for k, vs in matrix_params(request).items() for v in vs]
    pairs += list(request.query_params.multi_items())
    for key, value in pairs:
        name = _ALIASES.get(key, key)
        values = [v.strip() for v in value.split(",")] if name == "servicePublicId" else [value]
        merged.setdefault(name, []).extend(v for v in values if v)
    return merged


def int_param(params: Mapping[str, Sequence[str]], name: str, low: int, high: int) -> int | None:
    """The last value of a whole-number parameter (``[n]``, as meta echoes it, works too)."""
    values = params.get(name)
    if not values:
        return None
    # Blank (like an empty ``;name=``, which params_of drops) is absent.
    return parse_int(values[-1].strip().strip("[]"), name, low, high, code=INVALID_PARAMETER)


def parse_day(text: str) -> date:
    """A ``YYYY-MM-DD`` path date (a ``T00:00:00`` suffix is tolerated)."""
    core = text[:-9] if text.endswith("T00:00:00") else text
    return parse_date(core, "date", code=INVALID_DATE)


def parse_time(text: str) -> int:
    try:
        return parse_clock(text, allow_midnight_end=False)
    except ValueError:
        raise BadInput(
            f"Invalid time {text!r}: expected HH:MM", field="time", code=INVALID_TIME
        ) from None


def parse_local_datetime(text: str, field: str) -> tuple[date, int]:
    """``yyyy-MM-ddTHH:mm[:ss]`` branch-local -> (date, minutes)."""
    day_text, sep, clock_text = text.partition("T")
    if not sep:
        raise BadInput(
            f"Invalid {field} {text!r}: expected yyyy-MM-ddTHH:mm:ss",
            field=field,
            code=INVALID_DATE,
        )
    day = parse_day(day_text)
    clock = clock_text[:5]
    if len(clock_text) not in (5, 8) or (len(clock_text) == 8 and clock_text[5:] != ":00"):
        raise BadInput(
            f"Invalid {field} {text!r}: expected yyyy-MM-ddTHH:mm:ss (whole minutes)",
            field=field,
            code=INVALID_TIME,
        )
    return day, parse_time(clock)


def starts_at(branch: Branch, day: date, minutes: int) -> tuple[datetime, ...]:
    """Every instant a branch-local time names on a date: two in the hour a fall-back repeats."""
    found = local_occurrences(day, minutes, branch.zone)
    if not found:  # skipped by a DST change: that time does not exist
        raise SlotTaken()
    # In UTC: Python compares and subtracts datetimes sharing one ZoneInfo by wall clock.
    return tuple(datetime.fromtimestamp(instant, tz=UTC) for instant in found)


def first_free(starts: Sequence[S], attempt: Callable[[S], T]) -> T:
    """``attempt`` at the first of ``starts`` (instants, or start/end pairs) that is free.

    The API names a start by wall-clock time only, so a time the times list offers from the
    repeated hour of a fall-back night must be bookable even when its first occurrence is taken.
    """
    for start in starts[:-1]:
        try:
            return attempt(start)
        except SlotTaken:
            continue
    return attempt(starts[-1])


def booking_body(data: Any) -> BookingIn:
    if data is not None and not isinstance(data, dict):
        raise BadInput("The request body must be a JSON object", code=INVALID_BODY)
    return parse_model(BookingIn, data)


def services_by_id(catalog: Catalog, ids: Sequence[str]) -> tuple[Service, ...]:
    if not ids:
        raise NotFound("service", None, "Service not found")
    return tuple(catalog.service_by_alias(i) for i in ids)


def listing_query(
    access: Access, branch_id: str, service_ids: Sequence[str], params: Mapping[str, Sequence[str]]
) -> SlotQuery | None:
    """The slot query of a listing; None when it names something unknown or unbookable."""
    extra = int_param(params, "numberOfCustomers", 0, MAX_EXTRA_CUSTOMERS) or 0
    custom = int_param(params, "customSlotLength", 1, 480)
    catalog = access.catalog
    try:
        query = SlotQuery(
            branch=catalog.branch_by_alias(branch_id),
            services=services_by_id(catalog, service_ids),
            people=extra + 1,
            custom_length=custom,
        )
        check_bookable(catalog, query, internal=access.internal)
    except DomainError:
        return None
    return query


def visible(access: Access, service: Service) -> bool:
    return service.online_bookable or access.internal


def live_appointment(app: Slotbook, catalog: Catalog, public_id: str) -> Appointment:
    """A live appointment by publicId: cancelled and released ones count as deleted, and a
    reservation whose time ran out is gone too (it no longer holds its slot)."""
    found = queries.get_appointment(app, catalog, ("public_id", public_id))
    if found.status in (Status.CANCELLED, Status.RELEASED):
        raise NotFound("appointment", public_id, "Appointment not found")
    if found.is_expired_hold(app.now()):
        raise NotFound(
            "appointment", public_id, "This reservation has expired; reserve a time again"
        )
    return found
