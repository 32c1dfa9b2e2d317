"""Domain objects -> Qmatic cloud JSON, and the language rules of ``Accept-Language``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from slotbook.domain.availability import Opening
from slotbook.domain.model import (
    Appointment,
    Branch,
    Catalog,
    Localized,
    Resource,
    ResourceSelection,
    Service,
    ServiceGroup,
)
from slotbook.services.availability import instant

_CATALOG_ALIASES = {"en_UK": "en_GB"}


class Texts:
    """Picks texts in the caller's language, falling back to the tenant's default."""

    def __init__(self, catalog: Catalog, locale: str) -> None:
        self.catalog = catalog
        self.locale = locale

    def __call__(self, text: Localized) -> str | None:
        """The text in the caller's locale (or the best fallback)."""
        texts = dict(text.texts)
        alias = _CATALOG_ALIASES.get(self.locale)
        if self.locale not in texts and alias is not None and alias in texts:
            return texts[alias]
        return text.get(self.locale, self.catalog.settings.default_locale)


def local_time(value: datetime, zone: ZoneInfo) -> str:
    """``2030-03-04T09:00:00+01:00``: an instant in the branch's offset."""
    return value.astimezone(zone).isoformat(timespec="seconds")


def branch_json(branch: Branch) -> dict[str, Any]:
    """A branch with its address and location."""
    return {
        "id": branch.ids.uuid,
        "name": branch.name,
        "address": {
            "streetName": branch.address.line1,
            "zipCode": branch.address.zip,
            "city": branch.address.city,
            "country": branch.address.country,
        },
        "location": {"longitude": branch.longitude, "latitude": branch.latitude},
    }


def config_json(service: Service) -> dict[str, Any]:
    """A service's booking configuration."""
    return {
        "maxNumberOfReservations": service.reservation_limit,
        "onlineBookable": service.online_bookable,
    }


def service_json(service: Service, text: Texts) -> dict[str, Any]:
    """``{id, name, config}``."""
    return {"id": service.ids.uuid, "name": text(service.name), "config": config_json(service)}


def service_ref_json(service: Service, text: Texts) -> dict[str, Any]:
    """``{id, name}``."""
    return {"id": service.ids.uuid, "name": text(service.name)}


def service_entry_json(service: Service, text: Texts) -> dict[str, Any]:
    """A service as ``services/groups`` lists it."""
    return {
        "id": service.ids.uuid,
        "name": text(service.name),
        "index": service.index,
        "externalDescription": text(service.description),
        "onlineBookable": service.online_bookable,
    }


def resource_json(resource: Resource) -> dict[str, Any]:
    """``{id, name}``."""
    return {"id": resource.ids.uuid, "name": resource.name}


def selection_of(services: Sequence[Service]) -> ResourceSelection:
    """How resources are chosen for these services: the strictest rule among them."""
    rules = {s.resource_selection for s in services}
    for rule in (ResourceSelection.REQUIRED, ResourceSelection.OPTIONAL):
        if rule in rules:
            return rule
    return ResourceSelection.NONE


def resource_selection_json(
    catalog: Catalog, branch: Branch, services: tuple[Service, ...]
) -> dict[str, Any]:
    """``{required, availableResources}``; no resources are shown when selection is off."""
    rule = selection_of(services)
    shown = [] if rule is ResourceSelection.NONE else catalog.resources_for(branch.key, services)
    return {
        "required": rule is ResourceSelection.REQUIRED,
        "availableResources": [resource_json(r) for r in shown],
    }


def offer_json(catalog: Catalog, branch: Branch, service: Service, text: Texts) -> dict[str, Any]:
    """One entry of ``GET services``: a service at a branch, with its questions."""
    return {
        "branch": branch_json(branch),
        "service": service_json(service, text),
        "resourceSelection": resource_selection_json(catalog, branch, (service,)),
        "informationQuestions": [
            {
                "id": q.ids.uuid,
                "required": q.required,
                "questionText": text(q.text),
                "clarificationText": text(q.clarification),
            }
            for q in service.information_questions
        ],
        "screeningQuestions": [
            {
                "id": q.ids.uuid,
                "yesRequiredAnswer": q.yes_required,
                "questionText": text(q.text),
                "clarificationText": text(q.clarification),
                "answerDeniedMessage": text(q.denied_message),
            }
            for q in service.screening_questions
        ],
    }


def group_json(group: ServiceGroup, services: Sequence[Service], text: Texts) -> dict[str, Any]:
    """A service group with its services."""
    return {
        "id": group.ids.uuid,
        "name": text(group.name),
        "index": group.index,
        "services": [service_entry_json(s, text) for s in services],
    }


def timeslot_json(opening: Opening, zone: ZoneInfo) -> dict[str, str]:
    """``{startTime, endTime}`` in the branch's offset."""
    return {
        "startTime": local_time(instant(opening.start), zone),
        "endTime": local_time(instant(opening.end), zone),
    }


def _parts(
    appointment: Appointment, catalog: Catalog
) -> tuple[Branch, list[Service], Resource | None]:
    branch = catalog.branch(appointment.branch_key, include_retired=True)
    services = [catalog.service(k, include_retired=True) for k in appointment.service_keys]
    shown = selection_of(services) is not ResourceSelection.NONE
    resource = catalog.resource(appointment.resource_key, include_retired=True) if shown else None
    return branch, services, resource


def reservation_json(appointment: Appointment, catalog: Catalog, text: Texts) -> dict[str, Any]:
    """A reservation (a hold waiting for confirmation)."""
    branch, services, resource = _parts(appointment, catalog)
    expires = appointment.expires_at
    return {
        "reservationId": appointment.ids.uuid,
        "expiresAt": None if expires is None else local_time(expires, branch.zone),
        "timeSlot": {
            "startTime": local_time(appointment.start, branch.zone),
            "endTime": local_time(appointment.end, branch.zone),
        },
        "service": service_json(services[0], text),
        "services": [service_json(s, text) for s in services],
        "branch": branch_json(branch),
        "resource": None if resource is None else resource_json(resource),
        "numberOfReservations": appointment.people,
        "notes": appointment.notes,
    }


def appointment_json(
    appointment: Appointment, catalog: Catalog, text: Texts, person: str | None = None
) -> dict[str, Any]:
    """An appointment with one customer: the one whose personal identifier is ``person``
    (the one searched for), else the first (the shape has room for one)."""
    branch, services, resource = _parts(appointment, catalog)
    customer = next(
        (c for c in appointment.customers if person and c.external_id == person),
        appointment.customers[0] if appointment.customers else None,
    )
    return {
        "appointmentId": appointment.ids.uuid,
        "timeSlot": {
            "startTime": local_time(appointment.start, branch.zone),
            "endTime": local_time(appointment.end, branch.zone),
        },
        "customer": None
        if customer is None
        else {
            "personalIdentifier": customer.external_id,
            "firstName": customer.first_name,
            "lastName": customer.last_name,
            "phoneNumber": customer.phone,
            "email": customer.email,
            "dateOfBirth": None
            if customer.date_of_birth is None
            else customer.date_of_birth.isoformat(),
        },
        "service": service_json(services[0], text),
        "services": [service_json(s, text) for s in services],
        "branch": branch_json(branch),
        "resource": None if resource is None else resource_json(resource),
        "numberOfReservations": appointment.people,
        "supportNotes": appointment.notes,
    }
