"""Domain objects -> native API answers."""

from __future__ import annotations

from slotbook.api.native.schemas import (
    AppointmentOut,
    AuditEntryOut,
    KeyOut,
    NamedOut,
    PersonIn,
    PersonOut,
)
from slotbook.domain.model import Appointment, Catalog, CustomerDetails
from slotbook.services.ports import ApiKeyInfo, AuditEntry


def key_out(info: ApiKeyInfo) -> KeyOut:
    """A key as listed."""
    return KeyOut(
        id=info.id,
        prefix=info.prefix,
        scope=info.scope,
        label=info.label,
        source=info.source,
        created=info.created,
        revoked=info.revoked,
    )


def audit_out(entry: AuditEntry) -> AuditEntryOut:
    """An audit entry."""
    assert entry.id is not None
    return AuditEntryOut(
        id=entry.id,
        at=entry.at,
        operation=entry.operation,
        outcome=entry.outcome,
        key_id=entry.key_id,
        scope=entry.scope,
        client_address=entry.client_address,
        route=entry.route,
        appointment=entry.appointment,
        detail=entry.detail,
    )


def appointment_out(catalog: Catalog, appointment: Appointment) -> AppointmentOut:
    """An appointment with its branch, resource, services and customers."""
    branch = catalog.branch(appointment.branch_key, include_retired=True)
    resource = catalog.resource(appointment.resource_key, include_retired=True)
    services = [catalog.service(k, include_retired=True) for k in appointment.service_keys]
    locale = catalog.settings.default_locale
    return AppointmentOut(
        id=appointment.ids.uuid,
        reference=appointment.ids.digits,
        status=appointment.status.value,
        arrival=appointment.arrival.value if appointment.arrival else None,
        arrived_at=appointment.arrived_at,
        start=appointment.start,
        end=appointment.end,
        branch=NamedOut(id=branch.key, name=branch.name),
        resource=NamedOut(id=resource.key, name=resource.name),
        services=[NamedOut(id=s.key, name=s.name.get(locale) or s.key) for s in services],
        people=appointment.people,
        customers=[
            PersonOut(first_name=c.first_name, last_name=c.last_name, email=c.email, phone=c.phone)
            for c in appointment.customers
        ],
        answers=dict(appointment.answers),
        notes=appointment.notes,
    )


def person_details(person: PersonIn) -> CustomerDetails:
    """The customer a request names."""
    return CustomerDetails(
        first_name=person.first_name,
        last_name=person.last_name,
        email=person.email,
        phone=person.phone,
    )
