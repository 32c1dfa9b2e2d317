"""Domain objects -> Orchestra Calendar JSON (shapes of the manual's section 4 and examples)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from slotbook.domain.model import Appointment, Branch, Catalog, Customer, Service, Status

RESERVED, CONFIRMED = 10, 20


def epoch_ms(value: datetime | None) -> int | None:
    """Milliseconds since the epoch, as the manual's ``created``/``updated``."""
    return None if value is None else int(value.timestamp() * 1000)


def utc_text(value: datetime) -> str:
    """``2016-11-10T11:30:00.000+0000``: the manual's appointment start/end format."""
    return (
        value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.")
        + f"{value.microsecond // 1000:03d}+0000"
    )


def date_text(day: date) -> str:
    """``2016-11-08T00:00:00``: a branch-local calendar day."""
    return day.strftime("%Y-%m-%dT00:00:00")


def date_of_birth_ms(day: date | None) -> int | None:
    """A date of birth as epoch milliseconds of that date at 00:00 UTC."""
    if day is None:
        return None
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)


def branch_json(branch: Branch) -> dict[str, Any]:
    """A branch object with every field of the manual (unknown values null)."""
    return {
        "publicId": branch.public_id,
        "name": branch.name,
        "addressLine1": branch.address.line1,
        "addressLine2": branch.address.line2,
        "addressCity": branch.address.city,
        "addressState": branch.address.state,
        "addressZip": branch.address.zip,
        "addressCountry": branch.address.country,
        "phone": branch.phone,
        "email": branch.email,
        "latitude": branch.latitude,
        "longitude": branch.longitude,
        "timeZone": branch.time_zone,
        "fullTimeZone": branch.time_zone,
        "branchPrefix": None,
        "custom": None,
        "created": epoch_ms(branch.created),
        "updated": epoch_ms(branch.updated),
    }


def available_branch_json(branch: Branch) -> dict[str, Any]:
    """A branch as ``branches/available`` lists it (with the numeric ids of the example)."""
    return {"id": branch.ref, "qpId": branch.ref, **branch_json(branch)}


def service_json(service: Service, locale: str | None, catalog: Catalog) -> dict[str, Any]:
    """A service object."""
    return {
        "publicId": service.public_id,
        "name": service.name.get(locale, catalog.settings.default_locale),
        "duration": service.default_duration,
        "additionalCustomerDuration": service.additional_customer_duration,
        "active": service.active,
        "publicEnabled": service.online_bookable,
        "custom": None,
        "created": epoch_ms(service.created),
        "updated": epoch_ms(service.updated),
    }


def service_short_json(service: Service, locale: str | None, catalog: Catalog) -> dict[str, Any]:
    """A service as the service-group endpoints list it."""
    return {
        "publicId": service.public_id,
        "name": service.name.get(locale, catalog.settings.default_locale),
        "duration": service.default_duration,
        "additionalCustomerDuration": service.additional_customer_duration,
        "custom": None,
    }


def customer_json(customer: Customer) -> dict[str, Any]:
    """A customer object."""
    return {
        "publicId": customer.public_id,
        "firstName": customer.first_name,
        "lastName": customer.last_name,
        "name": customer.name,
        "email": customer.email,
        "phone": customer.phone,
        "dateOfBirth": date_of_birth_ms(customer.date_of_birth),
        "identificationNumber": customer.identification_number,
        "externalId": customer.external_id,
        "addressLine1": customer.address.line1,
        "addressLine2": customer.address.line2,
        "addressCity": customer.address.city,
        "addressState": customer.address.state,
        "addressZip": customer.address.zip,
        "addressCountry": customer.address.country,
        "custom": customer.custom,
        "created": epoch_ms(customer.created),
        "updated": epoch_ms(customer.updated),
    }


def status_code(appointment: Appointment) -> int:
    """10 while reserved (held or kept), 20 once confirmed."""
    return CONFIRMED if appointment.status is Status.CONFIRMED else RESERVED


def appointment_json(
    appointment: Appointment, catalog: Catalog, locale: str | None
) -> dict[str, Any]:
    """An appointment object."""
    branch = catalog.branch(appointment.branch_key, include_retired=True)
    resource = catalog.resource(appointment.resource_key, include_retired=True)
    services = [catalog.service(k, include_retired=True) for k in appointment.service_keys]
    return {
        "publicId": appointment.public_id,
        "status": status_code(appointment),
        "start": utc_text(appointment.start),
        "end": utc_text(appointment.end),
        "title": appointment.title,
        "notes": appointment.notes,
        "services": [service_json(s, locale, catalog) for s in services],
        "customers": [customer_json(c) for c in appointment.customers],
        "branch": branch_json(branch),
        "resource": {"name": resource.name, "custom": None},
        "allDay": False,
        "blocking": False,
        "numberOfCustomers": appointment.people - 1,
        "customSlotLength": appointment.custom_length,
        "created": epoch_ms(appointment.created),
        "updated": epoch_ms(appointment.updated),
        "custom": appointment.custom,
    }


def meta(
    total: int, arguments: Mapping[str, Sequence[str]] | None = None, **extra: str
) -> dict[str, Any]:
    """The ``meta`` element; arguments echoed as ``"[a, b]"`` strings."""
    return {
        "start": extra.get("start", ""),
        "end": extra.get("end", ""),
        "totalResults": total,
        "offset": None,
        "limit": None,
        "fields": "",
        "arguments": {k: "[" + ", ".join(v) + "]" for k, v in (arguments or {}).items()},
    }


def envelope(
    name: str, value: Any, arguments: Mapping[str, Sequence[str]] | None = None, **extra: str
) -> dict[str, Any]:
    """``{"notifications": [], name: value, "meta": {...}}``."""
    total = len(value) if isinstance(value, list) else 1
    return {"notifications": [], name: value, "meta": meta(total, arguments, **extra)}


def identified_customer_json(customer: Customer) -> dict[str, Any]:
    """A customer record as ``appointment/customers/identify`` lists it (unknown text "")."""
    address = customer.address
    birth = customer.date_of_birth
    return {
        "id": int(customer.ids.digits),
        "publicId": customer.public_id,
        "firstName": customer.first_name or "",
        "lastName": customer.last_name or "",
        "cardNumber": "",
        "consentIdentifier": None,
        "consentTimestamp": None,
        "retentionPolicy": None,
        "lastInteractionTimestamp": utc_text(customer.updated) if customer.updated else None,
        "deletionTimestamp": None,
        "properties": {
            "email": customer.email or "",
            "phoneNumber": customer.phone or "",
            "externalId": customer.external_id or "",
            "dateOfBirth": birth.isoformat() if birth else "",
            "address1": address.line1 or "",
            "address2": address.line2 or "",
            "city": address.city or "",
            "state": address.state or "",
            "postalCode": address.zip or "",
            "country": address.country or "",
            "custom": customer.custom or "{}",
            "created": epoch_ms(customer.created),
        },
    }
