"""Request shapes of the Qmatic cloud API, with the JSON schema each field documents.

Ids, dates, whole numbers and the range of instants are checked by ``slotbook.api.kit.parsers``
(the same rule on every surface); this module keeps what only this surface says: the GUID
hint, ISO 8601 instants with an offset, personal identifiers, the customer's fields.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    WithJsonSchema,
)
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError

from slotbook.api.kit.errors import BadInput
from slotbook.api.kit.parsers import ID_FORMATS, matches_id, parse_id
from slotbook.domain.model import CustomerDetails

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
PERSONAL_ID_PATTERN = "[A-Za-z0-9]{10,48}"
_PERSONAL_ID = re.compile(PERSONAL_ID_PATTERN)
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
MAX_PEOPLE = 10_000
MAX_SERVICES = 20
MAX_ANSWER = 2048
MAX_INSTANT_TEXT = 64

GUID_HINT = f"must be {ID_FORMATS['guid'][1]}"
# What the document says of a GUID (upper- or lower-case, as the parsers accept).
GUID_SCHEMA: dict[str, Any] = {"type": "string", "format": "uuid"}
INSTANT_SCHEMA: dict[str, Any] = {"type": "string", "format": "date-time"}
DATE_SCHEMA: dict[str, Any] = {"type": "string", "format": "date"}


# --- plain parsers (query parameters, path segments) -----------------------------------------


def parse_guid(value: str, field: str) -> str:
    """A GUID from a path or query parameter (lower-cased); 400 ``invalid_id`` otherwise."""
    return parse_id(value.strip(), "guid", field, code="invalid_id")


def parse_instant(value: str) -> datetime:
    """An ISO 8601 date-time with an offset (an aware datetime); ValueError otherwise.

    Its range is checked where the field is named (``kit.parsers.check_instant``).
    """
    if len(value) > MAX_INSTANT_TEXT:
        raise ValueError("is too long")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(
            "must be an ISO 8601 date-time with offset, like 2030-03-04T09:00:00+01:00"
        ) from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise ValueError("must include a UTC offset, like 2030-03-04T09:00:00+01:00")
    return parsed


# --- pydantic field types (request bodies) ---------------------------------------------------


def _custom(kind: str, message: str) -> PydanticCustomError:
    return PydanticCustomError(kind, message)


def _guid(value: Any) -> str:
    if not isinstance(value, str) or not matches_id(value.strip(), "guid"):
        raise _custom("guid", GUID_HINT)
    return value.strip().lower()


def _optional_guid(value: Any) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return _guid(value)


def _instant(value: Any) -> datetime:
    if not isinstance(value, str):
        raise _custom("datetime", "must be an ISO 8601 date-time string")
    try:
        return parse_instant(value)
    except ValueError as exc:
        raise _custom("datetime", str(exc)) from None


def _personal_id(value: Any) -> str:
    if not isinstance(value, str) or not _PERSONAL_ID.fullmatch(value):
        raise _custom("personal_identifier", "must be 10 to 48 letters or digits (A-Z, a-z, 0-9)")
    return value


def _email(value: str) -> str:
    if not _EMAIL.fullmatch(value):
        raise _custom("email", "must be an e-mail address like name@example.com")
    return value


def _phone(value: Any) -> Any:
    # The manual types the phone number as an integer; clients send either.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _birth_date(value: Any) -> date:
    if not isinstance(value, str) or not _DATE.fullmatch(value.strip()):
        raise _custom("date", "must be a date of the form YYYY-MM-DD")
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise _custom("date", "is not a valid date") from None
    if day.year < 1850:
        raise _custom("date", "is out of range")
    return day


def _answer(value: Any) -> Any:
    # The manual shows the answer as an array in one place: accept a list of texts too.
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ", ".join(value)
    return value


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


Guid = Annotated[str, BeforeValidator(_guid), WithJsonSchema(GUID_SCHEMA)]
OptionalGuid = Annotated[
    str | None,
    BeforeValidator(_optional_guid),
    WithJsonSchema({"anyOf": [GUID_SCHEMA, {"type": "null"}]}),
]
Instant = Annotated[datetime, BeforeValidator(_instant), WithJsonSchema(INSTANT_SCHEMA)]
People = Annotated[StrictInt, Field(ge=1, le=MAX_PEOPLE)]
Notes = Annotated[str, Field(max_length=4000)]
PersonalId = Annotated[
    str,
    BeforeValidator(_personal_id),
    WithJsonSchema({"type": "string", "pattern": f"^{PERSONAL_ID_PATTERN}$"}),
]
Name = Annotated[str, BeforeValidator(_strip), Field(min_length=1, max_length=255)]
Email = Annotated[
    str, BeforeValidator(_strip), Field(min_length=1, max_length=255), AfterValidator(_email)
]
Phone = Annotated[
    str,
    BeforeValidator(_phone),
    BeforeValidator(_strip),
    Field(max_length=255),
    WithJsonSchema({"anyOf": [{"type": "string", "maxLength": 255}, {"type": "integer"}]}),
]
BirthDate = Annotated[date, BeforeValidator(_birth_date), WithJsonSchema(DATE_SCHEMA)]
Answer = Annotated[
    str,
    BeforeValidator(_answer),
    Field(max_length=MAX_ANSWER),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "maxLength": MAX_ANSWER},
                {"type": "array", "items": {"type": "string"}},
            ]
        }
    ),
]


class _In(BaseModel):
    # Unknown fields are ignored: clients of the vendor API send more than we read.
    model_config = ConfigDict(extra="ignore", frozen=True)


class TimeSlotIn(_In):
    """``{startTime, endTime}``; the end is optional but must match the slot when given."""

    startTime: Instant
    endTime: Instant | None = None


class ReservationBase(_In):
    """Fields every reservation body has."""

    branchId: Guid
    requestedResourceId: OptionalGuid = None
    timeSlot: TimeSlotIn
    numberOfReservations: People | None = None
    notes: Notes | None = None

    @property
    def people(self) -> int:
        """Number of people (1 when not given)."""
        return self.numberOfReservations or 1


def _one_service_only(value: Any) -> None:
    if value is not None:
        raise _custom(
            "one_service", "belongs to POST serviceCombination/reservations; send serviceId only"
        )


class ReservationIn(ReservationBase):
    """Body of ``POST reservations``."""

    serviceId: Guid
    # Refused rather than ignored: a client sending it expects a combination.
    serviceIds: SkipJsonSchema[Annotated[None, BeforeValidator(_one_service_only)]] = None


class CombinationReservationIn(ReservationBase):
    """Body of ``POST serviceCombination/reservations``."""

    serviceIds: Annotated[list[Guid], Field(min_length=1, max_length=MAX_SERVICES)]


class CustomerFields(_In):
    """The customer's fields; each optional here, required ones are checked by the caller."""

    personalIdentifier: PersonalId | None = None
    firstName: Name | None = None
    lastName: Name | None = None
    phoneNumber: Phone | None = None
    email: Email | None = None
    dateOfBirth: BirthDate | None = None

    def given(self) -> bool:
        """True when at least one field was sent."""
        return any(v is not None for v in self.model_dump().values())

    def details(self) -> CustomerDetails:
        """The core's view of these fields (``personalIdentifier`` is the external id)."""
        return CustomerDetails(
            external_id=self.personalIdentifier,
            first_name=self.firstName,
            last_name=self.lastName,
            email=self.email,
            phone=self.phoneNumber,
            date_of_birth=self.dateOfBirth,
        )


class AnswerIn(_In):
    """An answer to an information question: ``id`` is its GUID or catalog id."""

    id: Annotated[str, BeforeValidator(_strip), Field(min_length=1, max_length=100)]
    answer: Answer | None = None


class CustomerBody(CustomerFields):
    """A body with the customer in ``customer`` or, as some clients do, at the top level."""

    customer: CustomerFields | None = None

    def fields(self) -> tuple[CustomerFields, str]:
        """The customer's fields and the prefix that names them in errors."""
        if self.customer is not None:
            return self.customer, "customer."
        top = CustomerFields.model_construct(
            **{name: getattr(self, name) for name in CustomerFields.model_fields}
        )
        return top, "" if top.given() else "customer."


class ConfirmIn(CustomerBody):
    """Body of ``PUT reservations/{id}``."""

    informationQuestions: Annotated[list[AnswerIn], Field(max_length=100)] | None = None


class SearchIn(_In):
    """Body of ``appointments/search``."""

    customer: CustomerFields | None = None
    personalIdentifier: PersonalId | None = None

    def identifier(self) -> str | None:
        """The personal identifier from either place."""
        if self.customer is not None and self.customer.personalIdentifier is not None:
            return self.customer.personalIdentifier
        return self.personalIdentifier


class RescheduleIn(_In):
    """Body of ``appointments/{id}/reschedule``."""

    reservationId: Guid


def check_personal_id(value: str) -> str:
    """A personal identifier from a query parameter; BadInput naming it otherwise."""
    if not _PERSONAL_ID.fullmatch(value.strip()):
        raise BadInput("personalIdentifier must be 10 to 48 letters or digits (A-Z, a-z, 0-9)")
    return value.strip()
