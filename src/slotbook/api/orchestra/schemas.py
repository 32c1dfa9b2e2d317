"""Request bodies of the Orchestra API, with the manual's field lengths."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

import orjson
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from slotbook.domain.model import Address, CustomerDetails


def _blank_to_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def _parse_birth_date(value: Any) -> date | None:
    """``YYYY-MM-DD`` (an ISO date-time is cut to its date); epoch milliseconds accepted too."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError("must be a date of the form YYYY-MM-DD")
    if isinstance(value, int | float):
        try:
            return datetime.fromtimestamp(value / 1000, UTC).date()
        except (OverflowError, OSError, ValueError):
            raise ValueError("is not a valid date") from None
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            raise ValueError("must be a date of the form YYYY-MM-DD") from None
    raise ValueError("must be a date of the form YYYY-MM-DD")


def _json_text(value: Any) -> str | None:
    """``custom`` travels as a JSON-encoded string; objects are encoded for the client."""
    if value is None or isinstance(value, str):
        return value
    return orjson.dumps(value).decode()


# The length bound sits on the ``str`` arm: on the whole union it would also be applied to the
# ``None`` that a blank or null field becomes, and fail as a TypeError.
Short = Annotated[Annotated[str, Field(max_length=255)] | None, BeforeValidator(_blank_to_none)]
Name = Annotated[Annotated[str, Field(max_length=200)] | None, BeforeValidator(_blank_to_none)]
Phone = Annotated[Annotated[str, Field(max_length=50)] | None, BeforeValidator(_blank_to_none)]
CustomText = Annotated[Annotated[str, Field(max_length=4000)] | None, BeforeValidator(_json_text)]


class CustomerIn(BaseModel):
    """A customer in a book or confirm body (every field optional, extra fields ignored)."""

    model_config = ConfigDict(extra="ignore")

    firstName: Name = None
    lastName: Name = None
    email: Short = None
    phone: Phone = None
    addressLine1: Short = None
    addressLine2: Short = None
    addressCity: Short = None
    addressState: Short = None
    addressZip: Short = None
    addressCountry: Short = None
    identificationNumber: Short = None
    externalId: Short = None
    dateOfBirth: Annotated[date | None, BeforeValidator(_parse_birth_date)] = None
    custom: CustomText = None

    def details(self) -> CustomerDetails:
        """The core's view of these fields."""
        return CustomerDetails(
            external_id=self.externalId,
            first_name=self.firstName,
            last_name=self.lastName,
            email=self.email,
            phone=self.phone,
            date_of_birth=self.dateOfBirth,
            identification_number=self.identificationNumber,
            address=Address(
                line1=self.addressLine1,
                line2=self.addressLine2,
                city=self.addressCity,
                state=self.addressState,
                zip=self.addressZip,
                country=self.addressCountry,
            ),
            custom=self.custom,
        )


class ServiceRef(BaseModel):
    """``{"publicId": ...}`` in a multi-service body."""

    model_config = ConfigDict(extra="ignore")

    publicId: str = Field(min_length=1, max_length=255)


class BookingIn(BaseModel):
    """Body of book, reserve and confirm (v1 ``customer``, v2 ``customers``, v2 ``services``)."""

    model_config = ConfigDict(extra="ignore")

    title: Short = None
    notes: Annotated[str | None, Field(max_length=4000)] = None
    customer: CustomerIn | None = None
    customers: list[CustomerIn] | None = Field(None, max_length=100)
    services: list[ServiceRef] | None = Field(None, max_length=20)
    custom: CustomText = None

    @field_validator("customers", mode="before")
    @classmethod
    def _single_customer_object(cls, value: Any) -> Any:
        # Some clients send one object where the manual has an array.
        return [value] if isinstance(value, dict) else value

    def all_customers(self) -> list[CustomerIn]:
        """Customers from either field, ``customer`` first."""
        return [*([self.customer] if self.customer else []), *(self.customers or [])]


# --- answers ---------------------------------------------------------------------------------
# What mapping.py returns, for the OpenAPI document; ``extra="forbid"`` makes every object of
# the document closed, so a field added to an answer without its schema fails the tests.

UTC_TEXT = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}\+0000$"
DAY_TEXT = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T00:00:00$"
CLOCK_TEXT = r"^[0-9]{2}:[0-9]{2}$"


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorOut(_Out):
    """Every error's body (its code is in the ``ERROR_CODE`` header)."""

    msg: str


class MetaOut(_Out):
    """The envelope's ``meta``; ``arguments`` echoes the matrix/query arguments."""

    start: str
    end: str
    totalResults: int
    offset: None
    limit: None
    fields: str
    arguments: dict[str, str]


class BranchOut(_Out):
    """A branch (unknown values null)."""

    publicId: str
    name: str
    addressLine1: str | None
    addressLine2: str | None
    addressCity: str | None
    addressState: str | None
    addressZip: str | None
    addressCountry: str | None
    phone: str | None
    email: str | None
    latitude: float | None
    longitude: float | None
    timeZone: str
    fullTimeZone: str
    branchPrefix: None
    custom: None
    created: int | None = Field(description="Epoch milliseconds")
    updated: int | None = Field(description="Epoch milliseconds")


class AvailableBranchOut(BranchOut):
    """A branch as ``branches/available`` lists it, with its numeric ids."""

    id: int
    qpId: int


class ServiceShortOut(_Out):
    """A service as the service-group endpoints list it."""

    publicId: str
    name: str | None
    duration: int
    additionalCustomerDuration: int
    custom: None


class ServiceOut(ServiceShortOut):
    """A service."""

    active: bool
    publicEnabled: bool
    created: int | None = Field(description="Epoch milliseconds")
    updated: int | None = Field(description="Epoch milliseconds")


class CustomerOut(_Out):
    """A customer."""

    publicId: str
    firstName: str | None
    lastName: str | None
    name: str | None
    email: str | None
    phone: str | None
    dateOfBirth: int | None = Field(description="Epoch milliseconds of the date at 00:00 UTC")
    identificationNumber: str | None
    externalId: str | None
    addressLine1: str | None
    addressLine2: str | None
    addressCity: str | None
    addressState: str | None
    addressZip: str | None
    addressCountry: str | None
    custom: str | None = Field(description="null or a JSON-encoded string")
    created: int | None = Field(description="Epoch milliseconds")
    updated: int | None = Field(description="Epoch milliseconds")


class IdentifiedPropertiesOut(_Out):
    """A customer's details in an identification answer ("" when unknown)."""

    email: str
    phoneNumber: str
    externalId: str
    dateOfBirth: str = Field(description="YYYY-MM-DD or empty")
    address1: str
    address2: str
    city: str
    state: str
    postalCode: str
    country: str
    custom: str = Field(description="A JSON-encoded string")
    created: int | None = Field(description="Epoch milliseconds")


class IdentifiedCustomerOut(_Out):
    """A customer record found by ``customers/identify``."""

    id: int
    publicId: str
    firstName: str
    lastName: str
    cardNumber: str
    consentIdentifier: str | None
    consentTimestamp: str | None
    retentionPolicy: str | None
    lastInteractionTimestamp: str | None = Field(description="2024-05-29T18:11:32.223+0000")
    deletionTimestamp: str | None
    properties: IdentifiedPropertiesOut


class ResourceOut(_Out):
    """The resource an appointment takes."""

    name: str
    custom: None


class AppointmentOut(_Out):
    """An appointment; ``status`` 10 while reserved, 20 once confirmed."""

    publicId: str
    status: Literal[10, 20]
    start: Annotated[str, Field(pattern=UTC_TEXT, description="UTC")]
    end: Annotated[str, Field(pattern=UTC_TEXT, description="UTC")]
    title: str | None
    notes: str | None
    services: list[ServiceOut]
    customers: list[CustomerOut]
    branch: BranchOut
    resource: ResourceOut
    allDay: bool
    blocking: bool
    numberOfCustomers: int = Field(description="Additional customers (2 people: 1)")
    customSlotLength: int | None
    created: int | None = Field(description="Epoch milliseconds")
    updated: int | None = Field(description="Epoch milliseconds")
    custom: str | None = Field(description="null or a JSON-encoded string")


class _Envelope(_Out):
    notifications: list[Any]
    meta: MetaOut


class BranchListOut(_Envelope):
    """``branchList`` in the envelope."""

    branchList: list[BranchOut]


class BranchEnvelope(_Envelope):
    """One branch in the envelope."""

    branch: BranchOut


class ServiceListOut(_Envelope):
    """``serviceList`` in the envelope."""

    serviceList: list[ServiceOut]


class DatesOut(_Envelope):
    """Branch-local days with a free slot."""

    dates: list[Annotated[str, Field(pattern=DAY_TEXT)]]


class TimesOut(_Envelope):
    """Branch-local free start times (``HH:MM``)."""

    times: list[Annotated[str, Field(pattern=CLOCK_TEXT)]]


class AppointmentEnvelope(_Envelope):
    """One appointment in the envelope."""

    appointment: AppointmentOut


class AppointmentListOut(_Envelope):
    """``appointmentList`` in the envelope."""

    appointmentList: list[AppointmentOut]


class CustomerEnvelope(_Envelope):
    """One customer in the envelope."""

    customer: CustomerOut


class ServiceGroupOut(_Out):
    """Services bookable together in one appointment."""

    services: list[ServiceShortOut]


class BranchServiceGroupsOut(_Out):
    """A branch and its service groups."""

    branchPublicId: str
    branchName: str
    serviceGroups: list[ServiceGroupOut]
