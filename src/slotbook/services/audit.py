"""The audit log: every write records who, what, when and how it ended (append-only)."""

from __future__ import annotations

from datetime import datetime

from slotbook.domain.model import Appointment, Catalog
from slotbook.services.actor import Actor
from slotbook.services.context import Slotbook
from slotbook.services.ports import AuditEntry, UnitOfWork

MAX_ENTRIES = 10_000


def record(
    uow: UnitOfWork,
    catalog: Catalog,
    actor: Actor,
    operation: str,
    now: datetime,
    *,
    appointment: Appointment | str | None = None,
    outcome: str = "ok",
    detail: str | None = None,
) -> None:
    """Append an entry in the caller's transaction: it commits (or not) with the change."""
    ref = appointment.public_id if isinstance(appointment, Appointment) else appointment
    uow.audit.add(
        catalog.ref,
        AuditEntry(
            at=now,
            operation=operation,
            outcome=outcome,
            key_id=actor.key_id,
            scope=actor.scope.value,
            client_address=actor.address,
            route=actor.route,
            appointment=ref,
            detail=detail,
        ),
    )


def record_refusal(
    app: Slotbook,
    catalog: Catalog,
    actor: Actor,
    *,
    operation: str,
    outcome: str,
    appointment: str | None = None,
) -> None:
    """Append a refused write in a transaction of its own (the write itself rolled back)."""
    now = app.now()
    with app.uows(write=True) as uow:
        record(uow, catalog, actor, operation, now, appointment=appointment, outcome=outcome)
        uow.commit()


def read_log(
    app: Slotbook, catalog: Catalog, *, since: datetime | None = None, limit: int = MAX_ENTRIES
) -> list[AuditEntry]:
    """A tenant's audit entries from ``since`` on, oldest first."""
    with app.uows() as uow:
        return uow.audit.list(catalog.ref, since=since, limit=min(limit, MAX_ENTRIES))
