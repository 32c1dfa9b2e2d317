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
    """A service; ``maxCapacity`` is the people one slot takes, ``maxGroupSize`` per booking."""

    object: Literal["service"]
    id: str
    name: str | None
    description: str | None
    duration: int = Field(description="The default length in minutes")
    durationSelect: bool = Field(description="True when the service offers several lengths")
    durationMin: int
    durationMax: int
    bookingInterval: int = Field(description="Minutes between offered starts")
    maxCapacity: int
    maxGroupSize: int
    showOnline: bool
    serviceGroupId: int | None
    serviceGroupName: str | None


class ServiceListViewModel(_List):
    """One page of services."""

    data: list[ServiceViewModel]


class ContactViewModel(_View):
    """Phone numbers of a resource or customer."""

    businessPhone: str | None
    mobilePhone: str | None


class ResourceViewModel(_View):
    """A resource with the GUID of its location, its group and contact details."""

    object: Literal["resource"]
    id: str
    locationId: str
    name: str
    description: str | None
    email: str | None
    groupId: str | None = Field(description="Its first resource group, if any")
    timezoneIana: str
    deletedStatus: bool
    address: AddressViewModel
    contact: ContactViewModel


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
    status: Literal["IN", "RS", "BK", "CN", "NS"] = Field(
        description="IN hold, RS reserved, BK booked, CN cancelled, NS booked but no-show"
    )
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


class AppointmentListViewModel(_List):
    """One page of appointments."""

    data: list[AppointmentViewModel]


class CustomerViewModel(_View):
    """A customer; the phone number is ``contact.mobilePhone``."""

    object: Literal["customer"]
    id: str
    firstname: str | None
    lastname: str | None
    name: str | None
    email: str | None
    birthdate: str | None = Field(description="YYYY-MM-DD")
    address: AddressViewModel
    contact: ContactViewModel
    deletedStatus: bool = Field(description="True once the customer's data was erased")


class CustomerListViewModel(_List):
    """One page of customers."""

    data: list[CustomerViewModel]


class GroupViewModel(_View):
    """A service group or resource group."""

    object: Literal["serviceGroup", "resourceGroup"]
    id: str
    name: str | None
    description: str | None


class ServiceGroupListViewModel(_List):
    """One page of service groups."""

    data: list[GroupViewModel]


class ResourceGroupListViewModel(_List):
    """One page of resource groups."""

    data: list[GroupViewModel]


class ResourceServiceViewModel(_View):
    """A service a resource performs."""

    object: Literal["resourceService"]
    resourceId: int
    resourceName: str
    serviceId: int
    serviceName: str | None


class ResourceServiceListViewModel(_List):
    """One page of the services of a resource."""

    data: list[ResourceServiceViewModel]


class RepeatViewModel(_View):
    """How an allocation repeats: weekly on ``weekdays`` (0 Sunday .. 6 Saturday)."""

    frequency: Literal["W"]
    interval: int
    weekdays: str


class ServiceAllocationViewModel(_View):
    """Opening hours of a service on one resource: one range on some weekdays."""

    object: Literal["serviceAllocation"]
    id: str
    serviceId: str
    serviceName: str | None
    serviceDuration: int
    resourceId: str
    resourceName: str
    locationId: str
    startTime: int = Field(description="HHmm")
    endTime: int = Field(description="HHmm; 2400 is midnight")
    repeats: bool
    repeat: RepeatViewModel
    timezoneName: str
    bookingLimit: int = Field(description="People per slot")


class ServiceAllocationListViewModel(_List):
    """One page of allocations."""

    data: list[ServiceAllocationViewModel]


class BookingFieldViewModel(_View):
    """A question asked when booking (``fieldName`` is what a booking sends as ``name``)."""

    object: Literal["bookingField"]
    id: str
    fieldName: str
    fieldLabel: str | None
    fieldType: Literal["text", "date"]
    fieldLength: int
    fieldRequired: bool
    sortKey: int


class BookingFieldListViewModel(_View):
    """The booking fields of appointments or customers."""

    object: Literal["bookingFields"]
    total: int
    bookingFields: list[BookingFieldViewModel]


class CustomFieldDefinitionListViewModel(_View):
    """Custom fields: Slotbook has none, so the list is empty."""

    object: Literal["customFields"]
    total: int
    customFields: list[dict[str, str]]


class CountryViewModel(_View):
    """A country (ISO 3166 code)."""

    object: Literal["country"]
    code: str
    name: str


class StateViewModel(_View):
    """A state or province of a country."""

    object: Literal["state"]
    code: str
    name: str
    country: str
    countryName: str


class AvailableDayViewModel(_View):
    """One day of a range: closed, fully booked, or with free starts."""

    object: Literal["availableDay"]
    date: dt.date
    available: bool
    closed: bool
    reason: str | None
    reasonCode: int = Field(description="0 available, 1 closed, 2 fully booked")


class AvailabilityDayViewModel(_View):
    """Which days of a range have free starts."""

    object: Literal["availableDays"]
    url: str
    serviceId: str
    serviceName: str | None
    serviceDescription: str | None
    resourceId: str | None
    resourceName: str | None
    tzRequested: int | None
    availableDays: list[AvailableDayViewModel]


class UnavailableTimeViewModel(_View):
    """A time when a resource of the service is taken (no customer details)."""

    date: dt.date
    fromTime: int = Field(description="HHmm")
    toTime: int = Field(description="HHmm")
    startDateTime: dt.datetime
    endDateTime: dt.datetime
    reason: Literal["Booked"]
    reasonCode: Literal["BK"]
    entityType: Literal["resource"]
    resourceId: str
    resourceName: str
    locationId: str
    serviceId: str
    tzOffset: int = Field(description="Minutes east of UTC of the times shown")


class UnavailableTimeListViewModel(_View):
    """Times in a range when the service's resources are taken."""

    object: Literal["unavailableTimes"]
    url: str
    unavailableTimes: list[UnavailableTimeViewModel]


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
