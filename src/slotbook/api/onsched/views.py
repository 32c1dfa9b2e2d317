"""What the OnSched consumer API answers, as documented models (the vendor's schema names).

The routes build their JSON in ``mapping.py``; these models only describe it in the OpenAPI
document, field for field (``extra="forbid"``: an answer carries nothing they lack).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _View(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Error(_View):
    """Every refusal of the consumer API."""

    error: str = Field(
        description="invalid_request, unauthorized, forbidden, not_found, method_not_allowed, "
        "slot_unavailable, hold_expired, invalid_status, too_large, idempotency_key_reused, "
        "idempotency_key_in_use, too_many_requests, busy"
    )
    message: str = Field(description="A sentence naming the field or rule")


class _List(_View):
    object: Literal["list"]
    url: str
    hasMore: bool
    count: int
    total: int


class AddressViewModel(_View):
    """A location's postal address."""

    addressLine1: str | None
    addressLine2: str | None
    city: str | None
    state: str | None
    country: str | None
    postalCode: str | None


class LocationViewModel(_View):
    """A location (a branch of the catalog)."""

    object: Literal["location"]
    id: str = Field(description="GUID")
    name: str
    timezoneIana: str
    address: AddressViewModel
    phone: str | None
    email: str | None


class LocationListViewModel(_List):
    """One page of locations."""

    data: list[LocationViewModel]


class ServiceViewModel(_View):
    """A service; ``bookingsPerSlot`` is its capacity."""

    object: Literal["service"]
    id: str
    name: str | None
    description: str | None
    duration: int = Field(description="The default length in minutes")
    bookingsPerSlot: int


class ServiceListViewModel(_List):
    """One page of services."""

    data: list[ServiceViewModel]


class ResourceViewModel(_View):
    """A resource with the GUID of its location."""

    object: Literal["resource"]
    id: str
    locationId: str
    name: str


class ResourceListViewModel(_List):
    """One page of resources."""

    data: list[ResourceViewModel]


class AvailableTimeViewModel(_View):
    """One free start and the host the round robin would pick for it."""

    date: dt.date
    time: int = Field(description="Clock time as HHmm, e.g. 930")
    displayTime: str = Field(description="e.g. 9:30 AM")
    duration: int
    startDateTime: dt.datetime
    endDateTime: dt.datetime
    resourceId: str
    availableBookings: int
    allowableBookings: int


class AvailabilityViewModel(_View):
    """Free start times of a service over a range of dates."""

    object: Literal["availableTimes"]
    url: str
    locationId: str
    serviceId: str
    serviceName: str | None
    serviceDuration: int
    resourceId: str | None
    startDate: dt.date
    endDate: dt.date
    tzRequested: int | None = Field(description="The requested tzOffset in minutes, or null")
    firstAvailableDate: dt.date | None
    availableTimes: list[AvailableTimeViewModel]


class AppointmentViewModel(_View):
    """An appointment, its times in its location's zone."""

    object: Literal["appointment"]
    id: str
    status: Literal["IN", "RS", "BK", "CN"]
    confirmed: bool
    confirmationNumber: str
    locationId: str
    serviceId: str
    serviceName: str | None
    resourceId: str
    resourceName: str
    customerId: str | None
    name: str | None
    firstname: str | None
    lastname: str | None
    email: str | None
    phone: str | None
    groupSize: int
    date: str = Field(description="M/D/YYYY")
    time: int = Field(description="Clock time as HHmm")
    duration: int
    startDateTime: dt.datetime
    endDateTime: dt.datetime
    timezoneIana: str
    notes: str | None
    customerMessage: str | None
    createDate: dt.datetime | None
    lastModifiedOn: dt.datetime | None
    expired: bool = Field(
        default=True, description="Present (true) only on an IN whose booking timer ran out"
    )


class AppointmentListViewModel(_List):
    """One page of appointments."""

    data: list[AppointmentViewModel]


class AppointmentDeletedViewModel(_View):
    """A released hold."""

    object: Literal["appointment"]
    id: str
    deleted: Literal[True]


class CustomerViewModel(_View):
    """A customer."""

    object: Literal["customer"]
    id: str
    firstname: str | None
    lastname: str | None
    name: str | None
    email: str | None
    phone: str | None


class CustomerListViewModel(_List):
    """One page of customers."""

    data: list[CustomerViewModel]


# --- /connect/token -------------------------------------------------------------------------


class TokenViewModel(_View):
    """A bearer token for the consumer API (OAuth 2 client credentials)."""

    access_token: str
    token_type: Literal["Bearer"]
    expires_in: int = Field(description="Seconds")


class OAuthError(_View):
    """A refused token request (RFC 6749 section 5.2), plus the surface's ``message``."""

    error: str = Field(description="invalid_request, invalid_client, unsupported_grant_type")
    error_description: str
    message: str
