"""Changing appointments: cancel, release a hold, keep it, move it, update its customer."""

from __future__ import annotations

from datetime import datetime

from slotbook.domain.errors import InvalidRequest, NotHeld, WrongState
from slotbook.domain.model import Appointment, Catalog, CustomerDetails, Status, check_length
from slotbook.services import audit, outbox
from slotbook.services.actor import SYSTEM, Actor
from slotbook.services.availability import SlotQuery
from slotbook.services.booking import (
    AppointmentRef,
    load_appointment,
    lock_host,
    move,
    query_of,
    reclaim,
    reread,
    save,
)
from slotbook.services.context import Slotbook, retrying
from slotbook.services.ports import UnitOfWork


def _finish(
    uow: UnitOfWork,
    catalog: Catalog,
    appointment: Appointment,
    now: datetime,
    *,
    actor: Actor,
    operation: str,
    firming_a_hold: bool = False,
) -> Appointment:
    """Save, recount the session (``reclaim`` it when a hold becomes firm), audit, commit."""
    save(uow, catalog, appointment, now)
    assert appointment.session_id is not None
    if firming_a_hold:
        reclaim(uow, appointment.session_id, now)
    else:
        uow.bookings.recount(appointment.session_id, now)
    result = reread(uow, catalog, appointment)
    audit.record(uow, catalog, actor, operation, now, appointment=result)
    outbox.publish(uow, catalog, result, now)
    uow.commit()
    return result


@retrying
def cancel(
    app: Slotbook,
    catalog: Catalog,
    *,
    ref: AppointmentRef,
    allowed_from: tuple[Status, ...] = (Status.HELD, Status.RESERVED, Status.CONFIRMED),
    actor: Actor = SYSTEM,
    reason: str | None = None,
    notify: bool = True,
) -> Appointment:
    """Cancel an appointment; its spaces are free at once (``notify``: mail the customer)."""
    with app.uows(write=True) as uow:
        appointment = load_appointment(uow, catalog, ref, for_update=True)
        if appointment.status not in allowed_from:
            raise WrongState(f"An appointment in status {appointment.status} cannot be cancelled")
        lock_host(uow, catalog, appointment)
        now = app.now()  # after the locks (see booking.reclaim)
        appointment.cancel(now, reason=reason, by_staff=actor.staff, notify=notify)
        return _finish(uow, catalog, appointment, now, actor=actor, operation="cancel")


@retrying
def release_hold(
    app: Slotbook, catalog: Catalog, *, ref: AppointmentRef, actor: Actor = SYSTEM
) -> Appointment:
    """Give up a hold before it expires."""
    with app.uows(write=True) as uow:
        appointment = load_appointment(uow, catalog, ref, for_update=True)
        if appointment.status is not Status.HELD:
            raise WrongState("Only a pending hold can be released")
        lock_host(uow, catalog, appointment)
        now = app.now()  # after the locks (see booking.reclaim)
        appointment.release()
        return _finish(uow, catalog, appointment, now, actor=actor, operation="release")


@retrying
def keep_hold(
    app: Slotbook, catalog: Catalog, *, ref: AppointmentRef, actor: Actor = SYSTEM
) -> Appointment:
    """Turn a live hold into a reservation that does not expire (not yet confirmed)."""
    with app.uows(write=True) as uow:
        appointment = load_appointment(uow, catalog, ref, for_update=True)
        if appointment.status is not Status.HELD:
            raise WrongState("Only a pending hold can be reserved")
        lock_host(uow, catalog, appointment)
        now = app.now()  # after the locks (see booking.reclaim)
        appointment.reserve(now)
        return _finish(
            uow, catalog, appointment, now, actor=actor, operation="reserve", firming_a_hold=True
        )


@retrying
def reschedule(
    app: Slotbook,
    catalog: Catalog,
    *,
    ref: AppointmentRef,
    start: datetime,
    end: datetime | None = None,
    resource_key: str | None = None,
    allowed_from: tuple[Status, ...] = (Status.HELD, Status.RESERVED, Status.CONFIRMED),
    actor: Actor = SYSTEM,
) -> Appointment:
    """Move an appointment to a new start (and end), on its resource unless another is given.

    Without staff rights the new start lies on the service's grid and a new length keeps
    within the service's rules (as when booking).
    """
    with app.uows(write=True) as uow:
        appointment = load_appointment(uow, catalog, ref, for_update=True)
        target = resource_key or appointment.resource_key
        resource = catalog.resource(target)
        # Both resources in one call (it sorts them), so two opposite moves cannot deadlock.
        uow.bookings.lock_resources(
            [catalog.resource(appointment.resource_key, include_retired=True).ref, resource.ref]
        )
        now = app.now()  # after the locks (see booking.reclaim)
        if appointment.status not in allowed_from or not appointment.is_live(now):
            raise WrongState("Only a live appointment can be rescheduled")
        base = query_of(catalog, appointment)
        custom_length = appointment.custom_length
        if end is not None:
            minutes = (end.timestamp() - start.timestamp()) / 60  # elapsed, not wall clock
            if minutes <= 0 or minutes != int(minutes):
                raise InvalidRequest("The end must be whole minutes after the start", "end")
            if int(minutes) != appointment.length_minutes:
                custom_length = int(minutes)
                check_length(
                    base.services, appointment.people, custom_length, staff=actor.staff, field="end"
                )
        branch = catalog.branch(resource.branch_key)
        if branch.key != appointment.branch_key:
            raise InvalidRequest("An appointment cannot move to another branch", "resourceId")
        query = SlotQuery(
            branch=branch,
            services=base.services,
            people=appointment.people,
            custom_length=custom_length,
            resource_keys=(target,),
        )
        before = appointment.start, appointment.end
        move(uow, catalog, appointment, start=start, query=query, now=now, on_grid=not actor.staff)
        appointment.custom_length = custom_length
        appointment.rescheduled(now, *before)
        return _finish(uow, catalog, appointment, now, actor=actor, operation="reschedule")


@retrying
def reschedule_to_hold(
    app: Slotbook,
    catalog: Catalog,
    *,
    ref: AppointmentRef,
    hold: AppointmentRef,
    actor: Actor = SYSTEM,
) -> Appointment:
    """Move an appointment into the slot of a live hold; the hold is used up, the id kept."""
    with app.uows(write=True) as uow:
        # Lock both rows in storage order, as every writer does, so two moves cannot deadlock.
        found = {r: load_appointment(uow, catalog, r) for r in (ref, hold)}
        for r in sorted(found, key=lambda r: found[r].id or 0):
            found[r] = load_appointment(uow, catalog, r, for_update=True)
        appointment, held = found[ref], found[hold]
        uow.bookings.lock_resources(
            [
                catalog.resource(a.resource_key, include_retired=True).ref
                for a in (appointment, held)
            ]
        )
        now = app.now()  # after the locks (see booking.reclaim)
        if appointment.status not in (Status.CONFIRMED, Status.RESERVED):
            raise WrongState("Only a booked appointment can be rescheduled")
        if held.id == appointment.id or held.status is not Status.HELD:
            raise NotHeld("The reservation was already used or given up")
        if not held.is_live_hold(now):
            raise NotHeld("The reservation has expired", expired=True)
        if sorted(held.service_keys) != sorted(appointment.service_keys):
            raise InvalidRequest("The reservation is for other services", "reservationId")
        if held.people != appointment.people:
            raise InvalidRequest("The reservation is for another number of people", "reservationId")
        old_session = appointment.session_id
        assert old_session is not None
        before = appointment.start, appointment.end
        for name in ("session_id", "branch_key", "resource_key", "start", "end", "spaces"):
            setattr(appointment, name, getattr(held, name))
        appointment.buffer_before, appointment.buffer_after = held.buffer_before, held.buffer_after
        appointment.custom_length = held.custom_length
        appointment.rescheduled(now, *before)
        held.release()
        save(uow, catalog, held, now)
        uow.bookings.recount(old_session, now, excluding=appointment.id)
        # The appointment now counts in the hold's session.
        return _finish(
            uow,
            catalog,
            appointment,
            now,
            actor=actor,
            operation="reschedule",
            firming_a_hold=True,
        )


@retrying
def update_customer(
    app: Slotbook,
    catalog: Catalog,
    *,
    ref: AppointmentRef,
    details: CustomerDetails,
    actor: Actor = SYSTEM,
) -> Appointment:
    """Update the (first) customer of an appointment; a new external id re-links it."""
    now = app.now()
    with app.uows(write=True) as uow:
        appointment = load_appointment(uow, catalog, ref, for_update=True)
        if appointment.status in (Status.CANCELLED, Status.RELEASED):
            raise WrongState("The appointment is no longer active")
        current = appointment.customers[0] if appointment.customers else None
        if current is None or (
            details.external_id is not None and details.external_id != current.external_id
        ):
            replacement = uow.customers.upsert(catalog.ref, details, now)
            appointment.customers = [replacement, *appointment.customers[1:]]
        else:
            appointment.customers[0] = uow.customers.update(current, details, now)
        save(uow, catalog, appointment, now)
        result = reread(uow, catalog, appointment)
        audit.record(uow, catalog, actor, "update_customer", now, appointment=result)
        uow.commit()
    return result
