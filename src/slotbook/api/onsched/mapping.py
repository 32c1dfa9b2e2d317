"""Domain objects <-> OnSched consumer API JSON (the vendor's field names and formats)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import Any

from slotbook.api.kit.errors import BadInput
from slotbook.api.kit.questions import answers_by_question
from slotbook.api.onsched.schemas import BookingFieldItem, parse_birth_date
from slotbook.domain.availability import Opening
from slotbook.domain.model import (
    Address,
    Appointment,
    Arrival,
    Branch,
    Catalog,
    Customer,
    Resource,
    ResourceGroup,
    Service,
    ServiceGroup,
    Status,
)

STATUS_CODES = {
    Status.HELD: "IN",
    Status.RESERVED: "RS",
    Status.CONFIRMED: "BK",
    Status.CANCELLED: "CN",
}
STATUS_OF_CODE = {code: status for status, code in STATUS_CODES.items()}


def offset_zone(minutes: int) -> tzinfo:
    """A fixed UTC offset given in minutes (``-300`` is UTC-05:00)."""
    return timezone(timedelta(minutes=minutes))


def iso(value: datetime | None, zone: tzinfo) -> str | None:
    """``2019-02-22T11:30:00-05:00`` in the given zone."""
    return None if value is None else value.astimezone(zone).isoformat(timespec="seconds")


def hhmm(value: datetime) -> int:
    """Clock time as the vendor's integer ``HHmm`` (``1130``)."""
    return value.hour * 100 + value.minute


def display_time(value: datetime) -> str:
    """Twelve-hour clock as the vendor shows it: ``"9:05 AM"``, ``"12:30 PM"``."""
    hour = value.hour % 12 or 12
    return f"{hour}:{value.minute:02d} {'AM' if value.hour < 12 else 'PM'}"


def us_date(value: datetime) -> str:
    """``M/D/YYYY`` without padding, as in the vendor's appointment ``date``."""
    return f"{value.month}/{value.day}/{value.year}"


def envelope(
    path: str, items: Sequence[dict[str, Any]], *, total: int, offset: int
) -> dict[str, Any]:
    """The vendor's list envelope around one page of items."""
    return {
        "object": "list",
        "url": path,
        "hasMore": offset + len(items) < total,
        "count": len(items),
        "total": total,
        "data": list(items),
    }


def location_json(branch: Branch) -> dict[str, Any]:
    """A branch as an OnSched location."""
    return {
        "object": "location",
        "id": branch.ids.uuid,
        "name": branch.name,
        "timezoneIana": branch.time_zone,
        "address": _address_json(branch.address),
        "phone": branch.phone,
        "email": branch.email,
    }


def _address_json(address: Address) -> dict[str, Any]:
    return {
        "addressLine1": address.line1,
        "addressLine2": address.line2,
        "city": address.city,
        "state": address.state,
        "country": address.country,
        "postalCode": address.zip,
    }


def service_json(service: Service, catalog: Catalog) -> dict[str, Any]:
    """A service; capacity is ``maxCapacity`` (per slot) and ``maxGroupSize`` (per booking)."""
    locale = catalog.settings.default_locale
    lengths = service.allowed_durations
    group = next((g for g in catalog.service_groups if service.key in g.service_keys), None)
    return {
        "object": "service",
        "id": service.ids.digits,
        "name": service.name.get(locale),
        "description": service.description.get(locale),
        "duration": service.default_duration,
        "durationSelect": len(lengths) > 1,
        "durationMin": min(lengths),
        "durationMax": max(lengths),
        "bookingInterval": service.step,
        "maxCapacity": service.capacity,
        "maxGroupSize": service.capacity,
        "showOnline": service.online_bookable,
        "serviceGroupId": int(group.ids.digits) if group else None,
        "serviceGroupName": group.name.get(locale) if group else None,
    }


def resource_json(resource: Resource, catalog: Catalog) -> dict[str, Any]:
    """A resource with the GUID of its location, its first group and contact details."""
    branch = catalog.branch(resource.branch_key, include_retired=True)
    group = next((g for g in catalog.resource_groups if resource.key in g.resource_keys), None)
    return {
        "object": "resource",
        "id": resource.ids.digits,
        "locationId": branch.ids.uuid,
        "name": resource.name,
        "description": resource.description.get(catalog.settings.default_locale),
        "email": resource.email,
        "groupId": group.ids.digits if group else None,
        "timezoneIana": branch.time_zone,
        "deletedStatus": not resource.active,
        "address": _address_json(resource.address),
        "contact": {"businessPhone": resource.phone, "mobilePhone": None},
    }


def customer_json(customer: Customer, *, deleted: bool = False) -> dict[str, Any]:
    """A customer; the phone number is ``contact.mobilePhone``."""
    birth = customer.date_of_birth
    return {
        "object": "customer",
        "id": customer.ids.digits,
        "firstname": customer.first_name,
        "lastname": customer.last_name,
        "name": customer.name,
        "email": customer.email,
        "birthdate": birth.isoformat() if birth else None,
        "address": _address_json(customer.address),
        "contact": {"businessPhone": None, "mobilePhone": customer.phone},
        "deletedStatus": deleted,
    }


def group_json(kind: str, group: ServiceGroup | ResourceGroup, catalog: Catalog) -> dict[str, Any]:
    """A service group (``kind`` serviceGroup) or resource group (resourceGroup)."""
    locale = catalog.settings.default_locale
    return {
        "object": kind,
        "id": group.ids.digits,
        "name": group.name.get(locale),
        "description": group.description.get(locale),
    }


def resource_service_json(resource: Resource, service: Service, catalog: Catalog) -> dict[str, Any]:
    """One service a resource performs."""
    return {
        "object": "resourceService",
        "resourceId": int(resource.ids.digits),
        "resourceName": resource.name,
        "serviceId": int(service.ids.digits),
        "serviceName": service.name.get(catalog.settings.default_locale),
    }


def available_time_json(
    opening: Opening, catalog: Catalog, capacity: int, zone: tzinfo
) -> dict[str, Any]:
    """One free start; ``resourceId`` is the host the round robin would pick for it."""
    start = datetime.fromtimestamp(opening.start, zone)
    end = datetime.fromtimestamp(opening.end, zone)
    if opening.sessions:  # joining the fullest group session is preferred over opening one
        host, free = opening.sessions[0].resource_key, opening.sessions[0].free
    else:
        host, free = opening.resources[0], capacity
    return {
        "date": start.date().isoformat(),
        "time": hhmm(start),
        "displayTime": display_time(start),
        "duration": (opening.end - opening.start) // 60,
        "startDateTime": start.isoformat(timespec="seconds"),
        "endDateTime": end.isoformat(timespec="seconds"),
        "resourceId": catalog.resource(host, include_retired=True).ids.digits,
        "availableBookings": free,
        "allowableBookings": capacity,
    }


def status_code(appointment: Appointment) -> str:
    """IN, RS, BK or CN; a booked appointment the customer did not come to is NS."""
    if appointment.status is Status.CONFIRMED and appointment.arrival is Arrival.NO_SHOW:
        return "NS"
    return STATUS_CODES.get(appointment.status, "CN")


def appointment_json(appointment: Appointment, catalog: Catalog, now: datetime) -> dict[str, Any]:
    """An appointment in the branch's zone (an expired hold is still IN, as the vendor's)."""
    branch = catalog.branch(appointment.branch_key, include_retired=True)
    zone = branch.zone
    service = catalog.service(appointment.service_keys[0], include_retired=True)
    resource = catalog.resource(appointment.resource_key, include_retired=True)
    customer = appointment.customers[0] if appointment.customers else None
    local = appointment.start.astimezone(zone)
    body: dict[str, Any] = {
        "object": "appointment",
        "id": appointment.ids.digits,
        "status": status_code(appointment),
        "confirmed": appointment.status is Status.CONFIRMED,
        "confirmationNumber": appointment.ids.hex24.upper(),
        "locationId": branch.ids.uuid,
        "serviceId": service.ids.digits,
        "serviceName": service.name.get(catalog.settings.default_locale),
        "resourceId": resource.ids.digits,
        "resourceName": resource.name,
        "customerId": customer.ids.digits if customer else None,
        "name": customer.name if customer else None,
        "firstname": customer.first_name if customer else None,
        "lastname": customer.last_name if customer else None,
        "email": customer.email if customer else None,
        "phone": customer.phone if customer else None,
        "groupSize": appointment.people,
        "date": us_date(local),
        "time": hhmm(local),
        "duration": appointment.length_minutes,
        "startDateTime": iso(appointment.start, zone),
        "endDateTime": iso(appointment.end, zone),
        "timezoneIana": branch.time_zone,
        "notes": appointment.notes,
        "customerMessage": appointment.customer_message,
        "createDate": iso(appointment.created, zone),
        "lastModifiedOn": iso(appointment.updated, zone),
    }
    return body


# --- booking fields -> use-case arguments ----------------------------------------------------

BIRTH_DATE_FIELD = "dateOfBirth"


def answers_of(
    services: Sequence[Service], fields: Sequence[BookingFieldItem] | None
) -> dict[str, str]:
    """``appointmentBookingFields`` -> answers by question; unknown names and repeats: 400.

    A field's ``name`` is the id of one of the services' information questions (its catalog
    id, or its digit id or GUID); a blank ``value`` answers nothing.
    """
    return answers_by_question(
        services,
        [(item.name, item.value) for item in fields or ()],
        lambda index: f"appointmentBookingFields[{index}].name",
    )


def birth_date_of(fields: Sequence[BookingFieldItem] | None, today: date) -> date | None:
    """``customerBookingFields`` -> the customer's date of birth; other names: 400."""
    found: date | None = None
    seen = False
    for index, item in enumerate(fields or ()):
        if item.name.lower() != BIRTH_DATE_FIELD.lower():
            raise BadInput(
                f"customerBookingFields[{index}].name: unknown field {item.name[:40]!r}; "
                f"the customer field accepted here is {BIRTH_DATE_FIELD}"
            )
        if seen:
            raise BadInput(
                f"customerBookingFields[{index}].name: {BIRTH_DATE_FIELD} is given twice"
            )
        seen = True
        if item.value:
            found = parse_birth_date(item.value, f"customerBookingFields.{BIRTH_DATE_FIELD}", today)
    return found
