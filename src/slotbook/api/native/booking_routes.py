"""The native API's booking flow, as a citizen's app uses it (any key, ``booking`` scope):
free days and times, a hold, its confirmation, or a booking in one step.

Times are on the service's grid and within its rules, as on every vendor surface; staff book
off the grid through ``POST /appointments``.
"""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, tzinfo
from functools import partial
from typing import Annotated, Any

from fastapi import FastAPI, Request
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from starlette.concurrency import run_in_threadpool

from slotbook.api.kit.docs import IDEMPOTENCY_KEY, request_body
from slotbook.api.kit.errors import BadInput
from slotbook.api.kit.http import JSON, parse_model, slotbook_of
from slotbook.api.kit.parsers import check_instant, parse_date, parse_id, parse_int
from slotbook.api.native.answers import PROBLEMS, PROBLEMS_OF_WRITES
from slotbook.api.native.deps import BodyDep, BookingWriteAccess, ReadAccess
from slotbook.api.native.mapping import appointment_out, person_details
from slotbook.api.native.schemas import AppointmentOut, CatalogId, PersonIn, SlotIn
from slotbook.domain.model import Catalog, Status
from slotbook.services.access import Access
from slotbook.services.availability import (
    SlotQuery,
    find_days,
    find_openings,
    instant,
    kept_openings,
)
from slotbook.services.booking import BookingDetails, confirm, place

Answer = Annotated[str, StringConstraints(max_length=1000)]


class ConfirmIn(BaseModel):
    """Who comes, and their answers to the service's questions (question id -> answer)."""

    model_config = ConfigDict(extra="forbid")

    customer: PersonIn
    answers: dict[CatalogId, Answer] = Field(default_factory=dict, max_length=50)
    notes: Annotated[str, StringConstraints(max_length=2000)] | None = None
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")] | None = None


class BookingIn(SlotIn, ConfirmIn):
    """A time and who comes, in one step."""


class DayList(BaseModel):
    """Local dates (the branch's time zone) with at least one free time."""

    data: list[date]


class TimeOut(BaseModel):
    """A free time and the resources that can take it."""

    start: datetime
    end: datetime
    resources: list[str]


class TimeList(BaseModel):
    """The free times of a day, earliest first."""

    data: list[TimeOut]


class HeldOut(AppointmentOut):
    """A held time: confirm it before ``expires``."""

    expires: datetime | None


BODIES = (SlotIn, ConfirmIn, BookingIn)


def _query(catalog: Catalog, branch: str, services: list[str], people: int) -> SlotQuery:
    return SlotQuery(
        branch=catalog.branch_by_alias(branch),
        services=tuple(catalog.service_by_alias(s) for s in services),
        people=people,
    )


def _services(text: str) -> list[str]:
    found = [s.strip() for s in text.split(",") if s.strip()]
    if not 1 <= len(found) <= 5:
        raise BadInput(
            "services: give one to five service ids, separated by commas", field="services"
        )
    return found


def _people(text: str) -> int:
    return parse_int(text, "people", 1, 1000, default=1) or 1


def _held(catalog: Catalog, done: Any) -> dict[str, Any]:
    shown = appointment_out(catalog, done).model_dump(mode="json")
    shown["expires"] = done.expires_at.isoformat() if done.expires_at else None
    return shown


def booking_routes(app: FastAPI) -> None:
    """Add availability, holds and bookings."""

    @app.get("/availability/dates", response_model=DayList, responses=PROBLEMS)
    def list_free_dates(
        request: Request,
        access: ReadAccess,
        branch: str,
        services: str,
        people: str = "1",
        first_day: str | None = None,
        last_day: str | None = None,
    ) -> JSON:
        """Days with a free time for these services (comma-separated ids) at the branch,
        from ``first_day`` to ``last_day`` (default: the whole booking horizon)."""
        catalog = access.catalog
        query = _query(catalog, branch, _services(services), _people(people))
        first = parse_date(first_day, "first_day") if first_day else None
        last = parse_date(last_day, "last_day") if last_day else None
        days = find_days(slotbook_of(request), catalog, query, first_day=first, last_day=last)
        return JSON({"data": [d.isoformat() for d in days]})

    @app.get("/availability/times", response_model=TimeList, responses=PROBLEMS)
    async def list_free_times(
        request: Request,
        access: ReadAccess,
        branch: str,
        services: str,
        date: str,
        people: str = "1",
    ) -> JSON:
        """Free times on one day (``YYYY-MM-DD``, the branch's time zone)."""
        catalog = access.catalog
        query = _query(catalog, branch, _services(services), _people(people))
        day = parse_date(date, "date")
        app = slotbook_of(request)
        # Asked since the last commit: answered on the event loop, else read in a thread.
        found = kept_openings(app, catalog, query, first_day=day, last_day=day)
        if found is None:
            found = await run_in_threadpool(
                partial(find_openings, app, catalog, query, first_day=day, last_day=day)
            )
        zone = query.branch.zone
        shown = [
            {
                "start": _local_text(o.start, zone),
                "end": _local_text(o.end, zone),
                "resources": list(o.resources),
            }
            for o in found
        ]
        return JSON({"data": shown})

    @app.post(
        "/holds",
        status_code=201,
        response_model=HeldOut,
        responses=PROBLEMS_OF_WRITES,
        openapi_extra={"requestBody": request_body(SlotIn), "parameters": [IDEMPOTENCY_KEY]},
    )
    def hold_time(request: Request, access: BookingWriteAccess, body: BodyDep) -> JSON:
        """Hold a free time for the tenant's hold time (10 minutes unless the catalog says
        otherwise); a taken time is 409 ``slot_taken``."""
        wanted = parse_model(SlotIn, body)
        done = _place(request, access, wanted, Status.HELD, BookingDetails(source="api"))
        return JSON(_held(access.catalog, done), status_code=201)

    @app.post(
        "/holds/{appointment_id}/confirm",
        response_model=AppointmentOut,
        responses=PROBLEMS_OF_WRITES,
        openapi_extra={"requestBody": request_body(ConfirmIn), "parameters": [IDEMPOTENCY_KEY]},
    )
    def confirm_hold(
        appointment_id: str, request: Request, access: BookingWriteAccess, body: BodyDep
    ) -> JSON:
        """Book a held time for the customer; a hold that ran out is 409 ``not_held``."""
        wanted = parse_model(ConfirmIn, body)
        done = confirm(
            slotbook_of(request),
            access.catalog,
            ref=("uuid", parse_id(appointment_id, "guid", "appointment_id")),
            details=_details(wanted),
            actor=access.actor,
            count_customers=False,
        )
        return JSON(appointment_out(access.catalog, done).model_dump(mode="json"))

    @app.post(
        "/bookings",
        status_code=201,
        response_model=AppointmentOut,
        responses=PROBLEMS_OF_WRITES,
        openapi_extra={"requestBody": request_body(BookingIn), "parameters": [IDEMPOTENCY_KEY]},
    )
    def book_time(request: Request, access: BookingWriteAccess, body: BodyDep) -> JSON:
        """Book a free time in one step (hold and confirm at once)."""
        wanted = parse_model(BookingIn, body)
        done = _place(request, access, wanted, Status.CONFIRMED, _details(wanted))
        return JSON(appointment_out(access.catalog, done).model_dump(mode="json"), status_code=201)


@functools.lru_cache(maxsize=65_536)
def _local_text(seconds: int, zone: tzinfo) -> str:
    """An instant as local ISO 8601 text (the same starts are shown again and again)."""
    return instant(seconds).astimezone(zone).isoformat()


def _details(wanted: ConfirmIn) -> BookingDetails:
    return BookingDetails(
        customers=[person_details(wanted.customer)],
        answers=dict(wanted.answers),
        notes=wanted.notes,
        source="api",
        language=wanted.language,
    )


def _place(
    request: Request, access: Access, wanted: SlotIn, status: Status, details: BookingDetails
) -> Any:
    catalog = access.catalog
    query = _query(catalog, wanted.branch, wanted.services, wanted.people)
    if wanted.resource:
        resource = catalog.resource_by_alias(wanted.resource).key
        query = SlotQuery(
            branch=query.branch,
            services=query.services,
            people=query.people,
            resource_keys=(resource,),
        )
    return place(
        slotbook_of(request),
        catalog,
        query=query,
        start=check_instant(wanted.start, "start").astimezone(UTC),
        status=status,
        details=details,
        hold_ttl=catalog.settings.hold_ttl(600) if status is Status.HELD else None,
        actor=access.actor,
    )
