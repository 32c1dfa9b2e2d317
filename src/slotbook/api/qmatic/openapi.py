"""What this surface's OpenAPI document says: answer shapes, error answers, request bodies.

The routes answer with the dicts of ``mapping``; the models here only describe them (a route
returns its ``JSON`` response as is). Request bodies are read by ``parse_model``, so their
schemas go into the document through ``body``; ``finish`` puts them in ``components``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import Path, Query
from pydantic import BaseModel, WithJsonSchema

from slotbook.api.kit.docs import Responses, error_answers, request_body
from slotbook.api.qmatic.schemas import (
    DATE_SCHEMA,
    GUID_SCHEMA,
    MAX_PEOPLE,
    MAX_SERVICES,
    PERSONAL_ID_PATTERN,
    CombinationReservationIn,
    ConfirmIn,
    CustomerBody,
    RescheduleIn,
    ReservationIn,
    SearchIn,
)

# --- answers ---------------------------------------------------------------------------------


class Error(BaseModel):
    """Every refusal of this surface: a snake_case code and a sentence naming the field."""

    code: str
    message: str


class Address(BaseModel):
    """A branch's postal address."""

    streetName: str | None
    zipCode: str | None
    city: str | None
    country: str | None


class Location(BaseModel):
    """A branch's position."""

    longitude: float | None
    latitude: float | None


class Branch(BaseModel):
    """A branch."""

    id: UUID
    name: str
    address: Address
    location: Location


class ServiceConfig(BaseModel):
    """How a service may be booked."""

    maxNumberOfReservations: int
    onlineBookable: bool


class Service(BaseModel):
    """A service with its booking configuration."""

    id: UUID
    name: str | None
    config: ServiceConfig


class ServiceRef(BaseModel):
    """A service by id and name."""

    id: UUID
    name: str | None


class Resource(BaseModel):
    """A desk, room or person."""

    id: UUID
    name: str


class ResourceSelection(BaseModel):
    """Whether a resource must be chosen, and which can be."""

    required: bool
    availableResources: list[Resource]


class InformationQuestion(BaseModel):
    """A question the customer answers when confirming."""

    id: UUID
    required: bool
    questionText: str | None
    clarificationText: str | None


class ScreeningQuestion(BaseModel):
    """A question the client asks before booking (the server only lists it)."""

    id: UUID
    yesRequiredAnswer: bool
    questionText: str | None
    clarificationText: str | None
    answerDeniedMessage: str | None


class ServiceOffer(BaseModel):
    """A service at a branch that offers it."""

    branch: Branch
    service: Service
    resourceSelection: ResourceSelection
    informationQuestions: list[InformationQuestion]
    screeningQuestions: list[ScreeningQuestion]


class GroupedService(BaseModel):
    """A service as the group listing shows it."""

    id: UUID
    name: str | None
    index: int
    externalDescription: str | None
    onlineBookable: bool


class ServiceGroup(BaseModel):
    """A named group of services."""

    id: UUID
    name: str | None
    index: int
    services: list[GroupedService]


class ServiceGroups(BaseModel):
    """Services of no group, and the groups."""

    services: list[GroupedService]
    serviceGroups: list[ServiceGroup]


class ServiceBranch(BaseModel):
    """A branch that offers a service, with the service's resource selection there."""

    branch: Branch
    resourceSelection: ResourceSelection


class TimeSlot(BaseModel):
    """A time slot in the branch's offset."""

    startTime: datetime
    endTime: datetime


class Reservation(BaseModel):
    """A held time slot waiting for confirmation."""

    reservationId: UUID
    expiresAt: datetime | None
    timeSlot: TimeSlot
    service: Service
    services: list[Service]
    branch: Branch
    resource: Resource | None
    numberOfReservations: int
    notes: str | None


class Customer(BaseModel):
    """The customer of an appointment."""

    personalIdentifier: str | None
    firstName: str | None
    lastName: str | None
    phoneNumber: str | None
    email: str | None
    dateOfBirth: date | None


class Appointment(BaseModel):
    """A booked appointment (``service`` is the first of ``services``)."""

    appointmentId: UUID
    timeSlot: TimeSlot
    customer: Customer | None
    service: Service
    services: list[Service]
    branch: Branch
    resource: Resource | None
    numberOfReservations: int
    supportNotes: str | None


class ServiceCombination(BaseModel):
    """Services bookable together in one appointment."""

    services: list[ServiceRef]


class CombinationBranch(BaseModel):
    """A branch with the service combinations it offers."""

    branch: Branch
    serviceCombinations: list[ServiceCombination]


# --- parameters ------------------------------------------------------------------------------
# As the document declares them; the routes parse them (``kit.parsers``), so that a refusal is
# this surface's 400 naming the parameter, not a validation error of FastAPI's.
_GUID = WithJsonSchema(GUID_SCHEMA)
_DATE = WithJsonSchema(DATE_SCHEMA)
ServiceId = Annotated[str, _GUID, Path(description="The service's GUID.")]
ReservationId = Annotated[str, _GUID, Path(description="The reservation's GUID.")]
AppointmentId = Annotated[str, _GUID, Path(description="The appointment's GUID.")]
BranchParam = Annotated[str, _GUID, Query(description="The branch's GUID.")]
PeopleParam = Annotated[
    str | None,
    WithJsonSchema({"type": "integer", "minimum": 1, "maximum": MAX_PEOPLE}),
    Query(description="Number of people in the appointment (default 1)."),
]
ResourceParam = Annotated[
    str | None, _GUID, Query(description="Only slots of this resource (its GUID).")
]
StartParam = Annotated[
    str | None, _DATE, Query(description="First branch-local day (default: today).")
]
EndParam = Annotated[
    str | None,
    _DATE,
    Query(description="Last branch-local day (default: 6 days after startDate; at most 62)."),
]
ServiceIdsParam = Annotated[
    list[str],
    WithJsonSchema(
        {"type": "array", "items": GUID_SCHEMA, "minItems": 1, "maxItems": MAX_SERVICES}
    ),
    Query(description="The services' GUIDs, repeated or comma-separated (`A,B`)."),
]
PersonParam = Annotated[
    str | None,
    WithJsonSchema({"type": "string", "pattern": f"^{PERSONAL_ID_PATTERN}$"}),
    Query(description="The customer's personal identifier (when the body does not name it)."),
]


# --- error answers ---------------------------------------------------------------------------

_WHEN = {
    400: "Malformed or invalid input; the message names the field "
    "(`bad_request`, `invalid_id`, `tenant_required`).",
    401: "No API key, or an unknown one (`unauthorized`).",
    403: "An API key of another tenant (`forbidden`), or a service that is not bookable "
    "online (`not_bookable_online`).",
    404: "Unknown tenant or id (`tenant_not_found`, `service_not_found`, `branch_not_found`, "
    "`resource_not_found`, `reservation_not_found`, `appointment_not_found`).",
    409: "The time slot is taken or not a slot (`timeslot_not_available`), or the "
    "appointment changed state meanwhile (`wrong_state`).",
    410: "The reservation ran out (`reservation_expired`) or was used (`reservation_not_pending`).",
    413: "The request body is over 1 MB (`too_large`).",
    422: "This Idempotency-Key was already used for another request (`idempotency_key_reused`).",
    429: "Too many changes from this client (`too_many_requests`); retry after `Retry-After`.",
    503: "The server is busy with other bookings; try again (`busy`).",
}
_ALWAYS = (400, 401, 403, 404, 503)
# What a read with a body, and what every write, can answer besides.
WITH_BODY = (413,)
WRITE = (413, 422, 429)


def errors(*statuses: int) -> Responses:
    """The ``responses=`` of a route: the refusals every route can give, and ``statuses``."""
    return error_answers(Error, _WHEN, {*_ALWAYS, *statuses})


# --- request bodies --------------------------------------------------------------------------

BODIES: tuple[type[BaseModel], ...] = (
    ReservationIn,
    CombinationReservationIn,
    ConfirmIn,
    CustomerBody,
    SearchIn,
    RescheduleIn,
)
"""The bodies the routes read themselves; their schemas go into the document."""


def body(model: type[BaseModel], *, required: bool = True) -> dict[str, Any]:
    """The ``openapi_extra`` of a route that reads ``model`` from its JSON body."""
    return {"requestBody": request_body(model, required=required)}
