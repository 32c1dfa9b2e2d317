"""Reading appointments, sessions and customers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from slotbook.domain.errors import InvalidRequest, NotFound
from slotbook.domain.model import (
    LIVE_STATUSES,
    Appointment,
    Catalog,
    Customer,
    CustomerDetails,
)
from slotbook.services import audit, outbox
from slotbook.services.actor import SYSTEM, Actor
from slotbook.services.booking import AppointmentRef, load_appointment
from slotbook.services.context import Slotbook, retrying
from slotbook.services.ports import AppointmentFilter, IdKind, SessionInfo


def get_appointment(app: Slotbook, catalog: Catalog, ref: AppointmentRef) -> Appointment:
    """An appointment of the tenant, or NotFound."""
    with app.uows() as uow:
        return load_appointment(uow, catalog, ref)


def find_appointments(
    app: Slotbook,
    catalog: Catalog,
    criteria: AppointmentFilter,
    *,
    offset: int = 0,
    limit: int | None = None,
) -> tuple[list[Appointment], int]:
    """Appointments matching criteria, by start, with the total count."""
    with app.uows() as uow:
        return uow.bookings.find(catalog.ref, criteria, offset=offset, limit=limit)


def get_customer(app: Slotbook, catalog: Catalog, kind: IdKind, value: str) -> Customer:
    """A customer of the tenant, or NotFound."""
    with app.uows() as uow:
        found = uow.customers.get(catalog.ref, kind, value)
    if found is None:
        raise NotFound("customer", value, "No customer found matching the specified id")
    return found


def customer_appointments(
    app: Slotbook, catalog: Catalog, customer: Customer, *, live_only: bool = True
) -> list[Appointment]:
    """A customer's appointments by start (cancelled and lapsed holds left out by default)."""
    assert customer.id is not None
    now = app.now()
    with app.uows() as uow:
        found = uow.bookings.for_customer(catalog.ref, customer.id)
    return [a for a in found if not live_only or a.is_live(now)]


def appointments_by_external_id(
    app: Slotbook, catalog: Catalog, external_id: str
) -> list[Appointment]:
    """Live appointments of the customer with this external id (none when unknown)."""
    with app.uows() as uow:
        customer = uow.customers.by_external_id(catalog.ref, external_id)
    if customer is None:
        return []
    return customer_appointments(app, catalog, customer)


@retrying
def create_customer(
    app: Slotbook, catalog: Catalog, details: CustomerDetails, *, actor: Actor = SYSTEM
) -> Customer:
    """Create a customer (or update the one with the same external id)."""
    now = app.now()
    with app.uows(write=True) as uow:
        customer = uow.customers.upsert(catalog.ref, details, now)
        audit.record(uow, catalog, actor, "save_customer", now)
        uow.commit()
    return customer


@retrying
def update_customer(
    app: Slotbook,
    catalog: Catalog,
    *,
    kind: IdKind,
    value: str,
    details: CustomerDetails,
    actor: Actor = SYSTEM,
) -> Customer:
    """Overwrite the given (non-None) fields of a customer of the tenant, or NotFound."""
    now = app.now()
    with app.uows(write=True) as uow:
        found = uow.customers.get(catalog.ref, kind, value)
        if found is None:
            raise NotFound("customer", value, "No customer found matching the specified id")
        customer = uow.customers.update(found, details, now)
        audit.record(uow, catalog, actor, "save_customer", now)
        uow.commit()
    return customer


def search_customers(
    app: Slotbook,
    catalog: Catalog,
    *,
    email: str | None,
    last_name: str | None,
    offset: int,
    limit: int,
    phone: str | None = None,
    external_id: str | None = None,
) -> tuple[list[Customer], int]:
    """Customers by e-mail, last name, phone and/or external id (all given must match)."""
    with app.uows() as uow:
        return uow.customers.search(
            catalog.ref,
            email=email,
            last_name=last_name,
            offset=offset,
            limit=limit,
            phone=phone,
            external_id=external_id,
        )


@dataclass(frozen=True, slots=True)
class SessionView:
    """A session with the appointments in it."""

    session: SessionInfo
    appointments: list[Appointment]


def get_session(app: Slotbook, catalog: Catalog, kind: IdKind, value: str) -> SessionView:
    """A session of the tenant with all its appointments."""
    with app.uows() as uow:
        found = uow.bookings.session(catalog.ref, kind, value)
        if found is None:
            raise NotFound("booking", value, "Booking not found")
        return SessionView(found, uow.bookings.in_session(found.id))


def sessions_by_id(
    app: Slotbook, catalog: Catalog, session_ids: Sequence[int]
) -> dict[int, SessionInfo]:
    """Sessions of the tenant by storage id (as the availability engine reports them)."""
    with app.uows() as uow:
        return {s.id: s for s in uow.bookings.sessions_by_id(catalog.ref, session_ids)}


@dataclass(frozen=True, slots=True)
class SessionListing:
    """A page of sessions with their appointments."""

    views: list[SessionView]
    total: int
    previous: str | None
    following: str | None


def list_sessions(
    app: Slotbook,
    catalog: Catalog,
    *,
    hex_ids: Sequence[str] | None = None,
    start: str | None = None,
    limit: int = 10,
) -> SessionListing:
    """Sessions someone booked (or holds), by start: a page beginning at session ``start``."""
    with app.uows() as uow:
        page = uow.bookings.session_page(
            catalog.ref, hex_ids=hex_ids, start_hex=start, limit=limit, now=app.now()
        )
        if page is None:
            raise InvalidRequest("start: no listed booking has this id", "start")
        members = uow.bookings.in_sessions([s.id for s in page.sessions])
    views = [SessionView(s, members.get(s.id, [])) for s in page.sessions]
    return SessionListing(views, page.total, page.previous, page.following)


@retrying
def cancel_session(
    app: Slotbook, catalog: Catalog, kind: IdKind, value: str, *, actor: Actor = SYSTEM
) -> SessionView:
    """Cancel every live appointment of a session; all its spaces are free."""
    with app.uows(write=True) as uow:
        found = uow.bookings.session(catalog.ref, kind, value)
        if found is None:
            raise NotFound("booking", value, "Booking not found")
        # Appointment rows first, then the resource: the order every other writer uses.
        members = [
            uow.bookings.get(catalog.ref, "public_id", a.public_id, for_update=True)
            for a in uow.bookings.in_session(found.id)
        ]
        uow.bookings.lock_resources(
            [catalog.resource(found.resource_key, include_retired=True).ref]
        )
        now = app.now()  # after the locks (see booking.reclaim)
        # Joining takes the resource lock too: whoever joined while we waited for it has
        # committed, and a fresh read sees them; nobody else can join until we commit.
        seen = {a.public_id for a in members if a is not None}
        members += [
            uow.bookings.get(catalog.ref, "public_id", a.public_id, for_update=True)
            for a in uow.bookings.in_session(found.id)
            if a.public_id not in seen
        ]
        for appointment in members:
            if appointment is not None and appointment.status in LIVE_STATUSES:
                appointment.cancel(now, by_staff=actor.staff)
                uow.bookings.save(
                    appointment,
                    branch_ref=catalog.branch(appointment.branch_key, include_retired=True).ref,
                    resource_ref=catalog.resource(
                        appointment.resource_key, include_retired=True
                    ).ref,
                    now=now,
                )
        uow.bookings.recount(found.id, now)
        view = SessionView(uow.bookings.session_by_id(found.id), uow.bookings.in_session(found.id))
        for appointment in members:
            if appointment is not None:
                audit.record(uow, catalog, actor, "cancel", now, appointment=appointment)
                outbox.publish(uow, catalog, appointment, now)
        uow.commit()
    return view
