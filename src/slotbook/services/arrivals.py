"""The day of the appointment: the customer checks in, does not come, or has been served."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from slotbook.domain.model import Appointment, Catalog
from slotbook.services import audit, outbox
from slotbook.services.actor import SYSTEM, Actor
from slotbook.services.booking import AppointmentRef, load_appointment, reread, save
from slotbook.services.context import Slotbook, retrying


def check_in(
    app: Slotbook, catalog: Catalog, *, ref: AppointmentRef, actor: Actor = SYSTEM
) -> Appointment:
    """The customer has arrived (on the appointment's day, in the branch's time zone)."""

    def arrive(appointment: Appointment, now: datetime) -> None:
        appointment.check_in(now, catalog.branch(appointment.branch_key, include_retired=True).zone)

    return _record(app, catalog, ref, actor, "check_in", arrive)


def no_show(
    app: Slotbook, catalog: Catalog, *, ref: AppointmentRef, actor: Actor = SYSTEM
) -> Appointment:
    """The customer did not come (after the start); it can no longer be cancelled."""
    return _record(app, catalog, ref, actor, "no_show", Appointment.mark_no_show)


def complete(
    app: Slotbook, catalog: Catalog, *, ref: AppointmentRef, actor: Actor = SYSTEM
) -> Appointment:
    """The customer who checked in has been served."""
    return _record(app, catalog, ref, actor, "complete", Appointment.complete)


@retrying
def _record(
    app: Slotbook,
    catalog: Catalog,
    ref: AppointmentRef,
    actor: Actor,
    operation: str,
    change: Callable[[Appointment, datetime], None],
) -> Appointment:
    """Apply one arrival change in its own transaction, with its audit entry and messages."""
    with app.uows(write=True) as uow:
        appointment = load_appointment(uow, catalog, ref, for_update=True)
        now = app.now()
        change(appointment, now)
        save(uow, catalog, appointment, now)
        result = reread(uow, catalog, appointment)
        audit.record(uow, catalog, actor, operation, now, appointment=result)
        outbox.publish(uow, catalog, result, now)
        uow.commit()
    return result
