"""Erasing a customer's personal data, and anonymising what is older than the tenant keeps.

Times, services, counts and the audit trail stay, so statistics and capacity stay right;
what said something about a person (names, contact data, answers, notes) is gone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from slotbook.domain.errors import InvalidRequest
from slotbook.domain.model import Catalog
from slotbook.services import audit
from slotbook.services.actor import SYSTEM, Actor
from slotbook.services.context import Slotbook, retrying


@dataclass(frozen=True, slots=True)
class Anonymised:
    """How many records an erasure or a retention run changed."""

    customers: int
    appointments: int


@retrying
def erase_customer(
    app: Slotbook,
    catalog: Catalog,
    *,
    email: str | None = None,
    external_id: str | None = None,
    customer_id: str | None = None,
    actor: Actor = SYSTEM,
) -> Anonymised:
    """Anonymise every customer record matching one identifier, and their appointments."""
    given = [v for v in (email, external_id, customer_id) if v is not None]
    if len(given) != 1 or not given[0].strip():
        raise InvalidRequest("Name the customer by exactly one of email, external id or id")
    now = app.now()
    with app.uows(write=True) as uow:
        customers = uow.customers.matching(
            catalog.ref, email=email, external_id=external_id, any_id=customer_id
        )
        theirs = uow.bookings.of_customers(customers)
        appointments = uow.bookings.anonymise(theirs, now)
        uow.outbox.forget(theirs)  # unsent messages to them are not sent; the log keeps no data
        erased = uow.customers.erase(customers, now)
        audit.record(
            uow,
            catalog,
            actor,
            "erase_customer",
            now,
            detail=f"{erased} customer(s), {appointments} appointment(s)",
        )
        uow.commit()
    return Anonymised(erased, appointments)


@retrying
def apply_retention(app: Slotbook, catalog: Catalog, *, actor: Actor = SYSTEM) -> Anonymised:
    """Anonymise appointments that ended more than ``retention_days`` ago, and customers
    with nothing more recent. Nothing happens for a tenant without ``retention_days``."""
    days = catalog.settings.retention_days
    if days is None:
        return Anonymised(0, 0)
    now = app.now()
    cutoff = now - timedelta(days=days)
    with app.uows(write=True) as uow:
        ended = uow.bookings.ended_before(catalog.ref, cutoff)
        appointments = uow.bookings.anonymise(ended, now)
        uow.outbox.forget(ended)
        customers = uow.customers.erase(uow.customers.idle_since(catalog.ref, cutoff), now)
        if appointments or customers:
            audit.record(
                uow,
                catalog,
                actor,
                "retention",
                now,
                detail=f"{customers} customer(s), {appointments} appointment(s)",
            )
        uow.commit()
    return Anonymised(customers, appointments)
