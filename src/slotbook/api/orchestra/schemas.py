"""Request bodies of the Orchestra API, with the manual's field lengths."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

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
