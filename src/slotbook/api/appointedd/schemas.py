"""Request bodies and response shapes of the Appointedd surface.

Bodies ignore fields Slotbook does not use (Appointedd clients send many optional ones),
but every field it does use is strictly typed and bounded.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
from pydantic_core import PydanticCustomError

# ``typing.TypedDict`` before Python 3.12 has no schema in pydantic: the answers need one.
from typing_extensions import TypedDict

from slotbook.api.kit.parsers import matches_id

HEX24_PATTERN = "^[0-9a-fA-F]{24}$"
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")

MAX_SPACES = 10_000


def _hex24(value: str) -> str:
    if not matches_id(value, "hex24"):
        raise PydanticCustomError("hex_id", "must be a 24-character hexadecimal id")
    return value.lower()


def _email(value: str) -> str:
    if not _EMAIL.fullmatch(value):
        raise PydanticCustomError("email", "is not an e-mail address")
    return value


HexId = Annotated[
    str,
    StringConstraints(max_length=64),
    AfterValidator(_hex24),
    Field(json_schema_extra={"pattern": HEX24_PATTERN}),
]
TimeText = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64),
    Field(
        description="ISO 8601 date-time; without an offset it is read in the request's timezone",
        examples=["2030-03-04T09:00:00.000+01:00"],
    ),
]
ZoneText = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64),
    Field(description="IANA time zone name (default UTC)", examples=["Europe/London"]),
]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Email = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=254), AfterValidator(_email)
]
Mobile = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
Spaces = Annotated[int, Field(ge=1, le=MAX_SPACES)]
Minutes = Annotated[int, Field(ge=1, le=24 * 60)]


class _In(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True, frozen=True)


# --- requests -------------------------------------------------------------------------------


class RangeIn(_In):
    """One period to search in."""

    start: TimeText
    end: TimeText


class IntervalSearchIn(_In):
    """``POST availability/intervals/search``."""

    ranges: list[RangeIn] = Field(min_length=1, max_length=100)
    service_id: HexId
    resource_ids: list[HexId] | None = Field(None, max_length=100)
    spaces: Spaces = 1
    timezone: ZoneText | None = None
    duration: Minutes | None = None


class SlotDataIn(_In):
    """What to reserve."""

    timezone: ZoneText | None = None
    required_spaces: Spaces = 1
    start: TimeText
    service_id: HexId
    resource_id: HexId | None = None
    duration: Minutes | None = None


class SlotIn(_In):
    """``POST availability/slots``."""

    data: SlotDataIn


class ProfileIn(_In):
    """The customer's own details."""

    firstname: Name
    lastname: Name
    email: Email | None = None
    mobile: Mobile | None = None


class CustomerIn(_In):
    """A customer of a booking."""

    profile: ProfileIn


class ParticipantIn(_In):
    """One customer and the spaces they take."""

    customer: CustomerIn
    spaces: Spaces | None = None


class BookingDataIn(_In):
    """Who is booked."""

    customers: list[ParticipantIn] = Field(min_length=1, max_length=100)


class BookingIn(_In):
    """``POST bookings``."""

    timezone: ZoneText | None = None
    slot_id: HexId
    data: BookingDataIn


# --- responses ------------------------------------------------------------------------------


class BuffersOut(TypedDict):
    """Minutes kept free around a service."""

    before: int
    after: int


class DurationOut(TypedDict):
    """A length a client may book."""

    default: bool
    minutes: int
    price: float
    old_price: float


class ServiceBookingOut(TypedDict):
    """Booking rules of a service."""

    occupancy: int
    type: str
    buffers: BuffersOut
    durations: list[DurationOut]
    tiers: list[object]
    allow_group: bool


class ServiceOut(TypedDict):
    """A service."""

    id: str
    category_id: str | None
    name: str
    description: str | None
    booking: ServiceBookingOut


class AddressOut(TypedDict):
    """A postal address."""

    line1: str | None
    line2: str | None
    city: str | None
    state: str | None
    postcode: str | None
    country: str | None


class ProfileOut(TypedDict):
    """A resource's public profile: name, description, contact details and address."""

    name: str
    description: str | None
    email: str | None
    phone: str | None
    address: AddressOut


class CategoryOut(TypedDict):
    """A service category (its name in the tenant's language)."""

    id: str
    name: str


class ResourceGroupOut(TypedDict):
    """A group of resources."""

    id: str
    name: str
    description: str | None
    resource_ids: list[str]


class CustomerProfileOut(TypedDict):
    """A customer's details."""

    firstname: str | None
    lastname: str | None
    email: str | None
    mobile: str | None


class CustomerOut(TypedDict):
    """A customer."""

    id: str
    profile: CustomerProfileOut
    created: str | None
    updated: str | None


class ResourceOut(TypedDict):
    """A resource."""

    id: str
    profile: ProfileOut
    services: list[str]
    resource_group_ids: list[str]


class PartOut(TypedDict):
    """One continuous part of an appointment."""

    start: str
    end: str


class IdOut(TypedDict):
    """A reference by id."""

    id: str


class GroupBookingOut(TypedDict):
    """An existing group booking with room, as the interval search lists it."""

    id: str
    resource_id: str
    service_id: str
    start: str
    start_buffer: str
    end: str
    end_buffer: str
    parts: list[PartOut]
    spaces: int
    price: float
    resources: list[IdOut]


class IntervalOut(TypedDict):
    """A bookable start."""

    start: str
    resource_ids: list[str]
    group_bookings: list[GroupBookingOut]
    group_slots: list[object]


class SlotOut(TypedDict):
    """An availability slot: spaces held until ``expiry``."""

    id: str
    resource_id: str
    service_id: str
    resources: list[IdOut]
    booking_id: str | None
    start: str
    start_buffer: str
    end: str
    end_buffer: str
    parts: list[PartOut]
    expiry: str | None
    max_spaces: int
    reserved_spaces: int
    allow_additional_spaces: bool
    created: str | None
    updated: str | None


class BookingCustomerOut(TypedDict):
    """One participant of a booking; ``id`` is ``customer_id`` (the customer's own id)."""

    id: str | None
    customer_id: str | None
    customer_booking_id: str
    booking_source: str
    status: str
    locale: str
    spaces: int
    total_spaces: int
    timezone: str
    created: int | None


class BookingBuffersOut(TypedDict):
    """Buffers of a booking (strings, as Appointedd sends them)."""

    before: str
    after: str


class ResourceRefOut(TypedDict):
    """A resource of a booking."""

    _id: str


class BookingOut(TypedDict):
    """A booking: one session of a resource, with its participants."""

    id: str
    service_id: str
    service: str
    resource_id: str
    resource: str
    customers: list[BookingCustomerOut]
    start: str
    end: str
    start_buffer: str
    end_buffer: str
    buffers: BookingBuffersOut
    parts: list[PartOut]
    status: str
    price: float
    total_spaces: int
    resources: list[ResourceRefOut]
    created: str
    updated: str
    created_source: str


# --- envelopes: the answers as sent ---------------------------------------------------------


class ErrorOut(TypedDict):
    """An error: a stable code and a sentence naming the field."""

    error: str
    message: str


class ServiceList(TypedDict):
    """A page of services."""

    data: list[ServiceOut]
    total: int
    prev: str | None
    next: str | None


class ServiceData(TypedDict):
    """One service."""

    data: ServiceOut


class ResourceList(TypedDict):
    """A page of resources."""

    data: list[ResourceOut]
    total: int
    prev: str | None
    next: str | None


class CategoryList(TypedDict):
    """A page of service categories."""

    data: list[CategoryOut]
    total: int
    prev: str | None
    next: str | None


class ResourceGroupList(TypedDict):
    """A page of resource groups."""

    data: list[ResourceGroupOut]
    total: int
    prev: str | None
    next: str | None


class CustomerList(TypedDict):
    """A page of customers."""

    data: list[CustomerOut]
    total: int
    prev: str | None
    next: str | None


class CustomerData(TypedDict):
    """One customer."""

    data: CustomerOut


class ResourceData(TypedDict):
    """One resource."""

    data: ResourceOut


class IntervalList(TypedDict):
    """Bookable starts, in time order."""

    data: list[IntervalOut]


class SlotData(TypedDict):
    """One availability slot."""

    data: SlotOut


class BookingList(TypedDict):
    """A page of bookings."""

    data: list[BookingOut]
    total: int
    prev: str | None
    next: str | None


class BookingData(TypedDict):
    """One booking."""

    data: BookingOut
