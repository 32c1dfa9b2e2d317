"""Orchestra availability and booking endpoints: dates, times, book, reserve, confirm."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from fastapi import FastAPI, Request

from slotbook.api.kit.errors import BadInput
from slotbook.api.kit.http import JSON, slotbook_of
from slotbook.api.orchestra import mapping as out
from slotbook.api.orchestra.deps import (
    MAX_EXTRA_CUSTOMERS,
    BodyDep,
    BookingAccess,
    BookingWriteAccess,
    booking_body,
    first_free,
    int_param,
    listing_query,
    live_appointment,
    locale_of,
    params_of,
    parse_day,
    parse_time,
    services_by_id,
    starts_at,
)
from slotbook.api.orchestra.errors import INVALID_BODY
from slotbook.api.orchestra.openapi import Clock, Day, documented
from slotbook.api.orchestra.schemas import AppointmentOut, BookingIn, DatesOut, TimesOut
from slotbook.domain.errors import NotHeld
from slotbook.domain.model import Status
from slotbook.services import queries
from slotbook.services.access import Access
from slotbook.services.availability import SlotQuery, find_days, find_openings
from slotbook.services.booking import BookingDetails, confirm, place

DEFAULT_HOLD_SECONDS = 600


def register(app: FastAPI) -> None:
    """Add the availability and booking routes."""
    _availability_routes(app)
    _booking_routes(app)


def _availability_routes(app: FastAPI) -> None:
    for version in ("v1", "v2"):

        @app.get(
            f"/{version}/branches/{{branch_id}}/services/{{service_id}}/dates",
            response_model=DatesOut,
            **documented("numberOfCustomers", "customSlotLength"),
        )
        def service_dates(
            branch_id: str, service_id: str, request: Request, access: BookingAccess
        ) -> JSON:
            """Dates with a free slot for one service (and extra customers)."""
            return _dates(request, access, branch_id, [service_id])

        @app.get(
            f"/{version}/branches/{{branch_id}}/dates",
            response_model=DatesOut,
            **documented("servicePublicId", "numberOfCustomers", "customSlotLength"),
        )
        def dates(branch_id: str, request: Request, access: BookingAccess) -> JSON:
            """Dates with a free slot for several services."""
            return _dates(request, access, branch_id, params_of(request).get("servicePublicId", []))

        @app.get(
            f"/{version}/branches/{{branch_id}}/services/{{service_id}}/dates/{{day}}/times",
            response_model=TimesOut,
            **documented("numberOfCustomers", "customSlotLength"),
        )
        def service_times(
            branch_id: str, service_id: str, day: Day, request: Request, access: BookingAccess
        ) -> JSON:
            """Free start times on a date for one service."""
            return _times(request, access, branch_id, [service_id], day)

        @app.get(
            f"/{version}/branches/{{branch_id}}/dates/{{day}}/times",
            response_model=TimesOut,
            **documented("servicePublicId", "numberOfCustomers", "customSlotLength"),
        )
        def times(branch_id: str, day: Day, request: Request, access: BookingAccess) -> JSON:
            """Free start times on a date for several services."""
            wanted = params_of(request).get("servicePublicId", [])
            return _times(request, access, branch_id, wanted, day)


def _dates(request: Request, access: Access, branch_id: str, service_ids: Sequence[str]) -> JSON:
    params = params_of(request)
    query = listing_query(access, branch_id, service_ids, params)
    found = [] if query is None else find_days(slotbook_of(request), access.catalog, query)
    return JSON(out.envelope("dates", [out.date_text(d) for d in found], params))


def _times(
    request: Request, access: Access, branch_id: str, service_ids: Sequence[str], day_text: str
) -> JSON:
    params = params_of(request)
    day = parse_day(day_text)
    query = listing_query(access, branch_id, service_ids, params)
    found: list[str] = []
    if query is not None:
        zone = query.branch.zone
        openings = find_openings(
            slotbook_of(request), access.catalog, query, first_day=day, last_day=day
        )
        # A fall-back night repeats an hour: each wall-clock time is listed once, in order,
        # and booking it takes whichever of its occurrences is free.
        shown = {datetime.fromtimestamp(o.start, zone).strftime("%H:%M") for o in openings}
        found = sorted(shown)
    return JSON(out.envelope("times", found, params))


def _booking_routes(app: FastAPI) -> None:
    for version in ("v1", "v2"):
        multi = f"/{version}/branches/{{branch_id}}/dates/{{day}}/times/{{time}}"
        single = multi.replace("/dates/", "/services/{service_id}/dates/")

        for action, hold in (("book", False), ("reserve", True)):
            _add_booking_routes(app, f"{single}/{action}", f"{multi}/{action}", hold=hold)

        @app.post(
            f"/{version}/branches/appointments/{{public_id}}/confirm",
            response_model=AppointmentOut,
            **documented(write=True, body=True),
        )
        def confirm_reservation(
            public_id: str, request: Request, access: BookingWriteAccess, body: BodyDep
        ) -> JSON:
            """Confirm a reserved slot with the customers' details."""
            payload = booking_body(body)
            slotbook = slotbook_of(request)
            appointment = queries.get_appointment(
                slotbook, access.catalog, ("public_id", public_id)
            )
            if appointment.is_expired_hold(slotbook.now()):
                raise NotHeld("This reservation has expired; reserve a time again", expired=True)
            live_appointment(slotbook, access.catalog, public_id)
            if not appointment.is_live_hold(slotbook.now()):
                raise NotHeld("Specified appointment is not in RESERVED state")
            confirmed = confirm(
                slotbook,
                access.catalog,
                ref=("public_id", public_id),
                details=_details(payload),
                actor=access.actor,
            )
            return JSON(out.appointment_json(confirmed, access.catalog, locale_of(request)))


def _add_booking_routes(app: FastAPI, single: str, multi: str, *, hold: bool) -> None:
    """Book (or, with ``hold``, reserve) one service by path, or several from the body."""
    what = "Hold a slot for the tenant's reservation time" if hold else "Book a slot"

    @app.post(
        single,
        summary=f"{what} (one service)",
        response_model=AppointmentOut,
        **documented("numberOfCustomers", "customSlotLength", write=True, body=True),
    )
    def one_service(
        branch_id: str,
        service_id: str,
        day: Day,
        time: Clock,
        request: Request,
        access: BookingWriteAccess,
        body: BodyDep,
    ) -> JSON:
        """Book or reserve the service named in the path."""
        return _book(request, access, branch_id, [service_id], day, time, body, hold=hold)

    @app.post(
        multi,
        summary=f"{what} (services from the body or servicePublicId)",
        response_model=AppointmentOut,
        **documented(
            "servicePublicId", "numberOfCustomers", "customSlotLength", write=True, body=True
        ),
    )
    def several_services(
        branch_id: str,
        day: Day,
        time: Clock,
        request: Request,
        access: BookingWriteAccess,
        body: BodyDep,
    ) -> JSON:
        """Book or reserve the services of the body's ``services`` (or ``servicePublicId``)."""
        return _book(request, access, branch_id, None, day, time, body, hold=hold)


def _details(payload: BookingIn) -> BookingDetails:
    customers = payload.all_customers()
    external = [c.externalId for c in customers if c.externalId]
    if len(external) != len(set(external)):
        raise BadInput(
            "customers: each customer of an appointment needs a different externalId",
            field="customers",
            code=INVALID_BODY,
        )
    return BookingDetails(
        customers=[c.details() for c in customers],
        title=payload.title,
        notes=payload.notes,
        custom=payload.custom,
        source="orchestra",
    )


def _book(
    request: Request,
    access: Access,
    branch_id: str,
    service_ids: Sequence[str] | None,
    day_text: str,
    time_text: str,
    body: Any,
    *,
    hold: bool,
) -> JSON:
    app, catalog, params = slotbook_of(request), access.catalog, params_of(request)
    day, minutes = parse_day(day_text), parse_time(time_text)
    payload = booking_body(body)
    custom = int_param(params, "customSlotLength", 1, 480)
    extra = int_param(params, "numberOfCustomers", 0, MAX_EXTRA_CUSTOMERS) or 0
    branch = catalog.branch_by_alias(branch_id)
    if service_ids is None:
        service_ids = [s.publicId for s in payload.services or []] or params.get(
            "servicePublicId", []
        )
    services = services_by_id(catalog, service_ids)
    details = _details(payload)
    # Book counts the customers in the body; reserve takes numberOfCustomers (additional ones).
    people = extra + 1 if hold else max(len(details.customers), 1)
    query = SlotQuery(branch=branch, services=services, people=people, custom_length=custom)
    appointment = first_free(
        starts_at(branch, day, minutes),
        lambda start: place(
            app,
            catalog,
            query=query,
            start=start,
            status=Status.HELD if hold else Status.CONFIRMED,
            hold_ttl=catalog.settings.hold_ttl(DEFAULT_HOLD_SECONDS) if hold else None,
            details=details,
            actor=access.actor,
        ),
    )
    return JSON(out.appointment_json(appointment, catalog, locale_of(request)))
