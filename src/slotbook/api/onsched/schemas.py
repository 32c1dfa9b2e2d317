"""Request bodies and parameter formats of the OnSched consumer API.

The bodies carry the vendor document's schema names (``AppointmentInitialModel`` ...).
They ignore fields they do not know (OnSched clients send many more), but every field they
do know is checked for type, length and format.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
)

from slotbook.api.kit.errors import BadInput
from slotbook.api.kit.parsers import ID_FORMATS, check_instant
from slotbook.domain.model import Address, CustomerDetails

MAX_OFFSET_MINUTES = 14 * 60  # UTC-14:00 .. UTC+14:00 covers every zone in use
MAX_GROUP_SIZE = 1000
MAX_BOOKING_FIELDS = 50
OLDEST_BIRTH_YEAR = 1900
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_INSTANT = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?"
    r"(?:(Z)|([+-])(\d{1,2})(?::?(\d{2}))?)",
    re.IGNORECASE | re.ASCII,
)

# JSON schemas of the id formats (the parsers' own patterns), for the document.
DIGIT_ID: dict[str, Any] = {"type": "string", "pattern": f"^{ID_FORMATS['digits'][0].pattern}$"}
GUID: dict[str, Any] = {"type": "string", "pattern": f"^{ID_FORMATS['guid'][0].pattern}$"}
INSTANT: dict[str, Any] = {
    "type": "string",
    "format": "date-time",
    "description": "ISO 8601 with a UTC offset, whole minutes: 2030-03-04T09:00:00+01:00",
}


def _blank_to_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def _number_to_text(value: Any) -> Any:
    """Digit ids may arrive as JSON numbers; booleans are not numbers here."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _printable(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("contains control characters")
    return value.strip()


def _email(value: str) -> str:
    if not _EMAIL.fullmatch(value):
        raise ValueError("is not an e-mail address")
    return value


Text = Annotated[
    Annotated[str, StringConstraints(max_length=255), AfterValidator(_printable)] | None,
    BeforeValidator(_blank_to_none),
]
LongText = Annotated[
    Annotated[str, StringConstraints(max_length=4000), AfterValidator(_printable)] | None,
    BeforeValidator(_blank_to_none),
]
Phone = Annotated[
    Annotated[str, StringConstraints(max_length=50), AfterValidator(_printable)] | None,
    BeforeValidator(_blank_to_none),
]
Email = Annotated[
    Annotated[
        str, StringConstraints(max_length=255), AfterValidator(_printable), AfterValidator(_email)
    ]
    | None,
    BeforeValidator(_blank_to_none),
]
IdText = Annotated[
    Annotated[str, StringConstraints(max_length=100)] | None,
    BeforeValidator(_blank_to_none),
    BeforeValidator(_number_to_text),
]
GroupSize = Annotated[int | None, Field(ge=1, le=MAX_GROUP_SIZE)]
# Read by the route (a missing one is 400 naming it); the document shows them as required.
RequiredInstant = Annotated[str | None, WithJsonSchema(INSTANT)]


def _nullable(schema: dict[str, Any]) -> WithJsonSchema:
    return WithJsonSchema({"anyOf": [schema, {"type": "null"}]})


def _required(*names: str) -> ConfigDict:
    """A body whose route refuses it without ``names``: the document says they are required."""

    def mark(schema: dict[str, Any]) -> None:
        schema["required"] = list(names)
        for name in names:
            schema["properties"][name].pop("default", None)

    return ConfigDict(extra="ignore", strict=True, json_schema_extra=mark)


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)


class BookingFieldItem(_Body):
    """One booking field: an answer to a service's question, or a customer fact."""

    name: Annotated[
        str, StringConstraints(min_length=1, max_length=100), AfterValidator(_printable)
    ]
    value: LongText = None


BookingFields = Annotated[
    Annotated[list[BookingFieldItem], Field(max_length=MAX_BOOKING_FIELDS)] | None,
    BeforeValidator(_blank_to_none),
]


class PersonIn(_Body):
    """Customer fields shared by the appointment bodies."""

    name: Text = None
    email: Email = None
    phone: Phone = None
    notes: LongText = None
    customerMessage: LongText = None

    def details(self) -> CustomerDetails:
        """Customer details from ``name`` (last word = last name), ``email`` and ``phone``."""
        first, last = split_name(self.name)
        return CustomerDetails(first_name=first, last_name=last, email=self.email, phone=self.phone)


class _Booking(PersonIn):
    appointmentBookingFields: BookingFields = Field(
        default=None,
        description="Answers: `name` is the id of one of the service's questions.",
    )
    customerBookingFields: BookingFields = Field(
        default=None,
        description="Customer facts; the one accepted `name` is `dateOfBirth` (YYYY-MM-DD).",
    )


class AppointmentInitialModel(_Booking):
    """``POST appointments`` body."""

    model_config = _required("serviceId", "startDateTime", "endDateTime")

    locationId: Annotated[IdText, _nullable(GUID)] = None
    serviceId: Annotated[IdText, WithJsonSchema(DIGIT_ID)] = None
    resourceId: Annotated[IdText, _nullable(DIGIT_ID)] = None
    resourceIds: Annotated[str | list[str] | None, BeforeValidator(_blank_to_none)] = None
    startDateTime: RequiredInstant = None
    endDateTime: RequiredInstant = None
    customerId: Annotated[IdText, _nullable(DIGIT_ID)] = None
    groupSize: GroupSize = None


class AppointmentBookModel(_Booking):
    """``PUT appointments/{id}/book`` (and ``confirm``) body."""

    groupSize: GroupSize = None


class AppointmentRescheduleModel(_Body):
    """``PUT appointments/{id}/reschedule`` body."""

    model_config = _required("startDateTime", "endDateTime")

    startDateTime: RequiredInstant = None
    endDateTime: RequiredInstant = None
    resourceId: Annotated[IdText, _nullable(DIGIT_ID)] = None


class AddressInputModel(_Body):
    """A customer's postal address."""

    addressLine1: Text = None
    addressLine2: Text = None
    city: Text = None
    state: Text = None
    country: Text = None
    postalCode: Text = None

    def address(self) -> Address:
        """Domain address."""
        return Address(
            line1=self.addressLine1,
            line2=self.addressLine2,
            city=self.city,
            state=self.state,
            country=self.country,
            zip=self.postalCode,
        )


class ContactInputModel(_Body):
    """A customer's phone numbers; the first given of mobile, home, business is kept."""

    mobilePhone: Phone = None
    homePhone: Phone = None
    businessPhone: Phone = None

    def phone(self) -> str | None:
        """The one number Slotbook keeps."""
        return self.mobilePhone or self.homePhone or self.businessPhone


class CustomerUpdateModel(_Body):
    """``PUT customers/{id}`` body: the fields given replace the customer's."""

    firstname: Text = None
    lastname: Text = None
    name: Text = Field(default=None, description="Split into first and last name if those lack")
    email: Email = None
    phone: Phone = Field(default=None, description="Older spelling of contact.mobilePhone")
    address: AddressInputModel | None = None
    contact: ContactInputModel | None = None

    def details(self) -> CustomerDetails:
        """Domain customer details (None: keep the current value)."""
        first, last = self.firstname, self.lastname
        if first is None and last is None:
            first, last = split_name(self.name)
        return CustomerDetails(
            first_name=first,
            last_name=last,
            email=self.email,
            phone=(self.contact.phone() if self.contact else None) or self.phone,
            address=self.address.address() if self.address else Address(),
        )


class CustomerInputModel(CustomerUpdateModel):
    """``POST customers`` body; ``email`` and ``lastname`` (or ``name``) are required."""

    model_config = _required("email", "lastname")

    lastname: Annotated[Text, WithJsonSchema({"type": "string", "maxLength": 255})] = None
    email: Annotated[
        Email, WithJsonSchema({"type": "string", "format": "email", "maxLength": 255})
    ] = None


BODIES: tuple[type[BaseModel], ...] = (
    AppointmentInitialModel,
    AppointmentBookModel,
    AppointmentRescheduleModel,
    CustomerInputModel,
    CustomerUpdateModel,
)


def split_name(name: str | None) -> tuple[str | None, str | None]:
    """``"Ada King Lovelace"`` -> (``"Ada King"``, ``"Lovelace"``); one word is a last name."""
    if not name:
        return None, None
    words = name.split()
    return (" ".join(words[:-1]) or None), words[-1]


# --- parameters -----------------------------------------------------------------------------


def parse_instant(text: str | None, field: str) -> datetime:
    """ISO 8601 with a UTC offset (``-05:00``, ``-5:00``, ``-0500`` or ``Z``), whole minutes.

    The offset is at most 14:00 either way, the same bound as availability's ``tzOffset``;
    the years are the shared booking years (``check_instant``).
    """
    if text is None:
        raise BadInput(
            f"{field} is required (ISO 8601 with offset, e.g. 2030-03-04T09:00:00+01:00)"
        )
    found = _INSTANT.fullmatch(text.strip())
    if found is None:
        raise BadInput(
            f"{field} must be an ISO 8601 date and time with a UTC offset, "
            f"e.g. 2030-03-04T09:00:00+01:00, not {text[:40]!r}"
        )
    year, month, day, hour, minute, second, fraction, zulu, sign, oh, om = found.groups()
    offset = 0
    if not zulu:
        hours, minutes = int(oh), int(om or 0)
        if minutes > 59 or hours * 60 + minutes > MAX_OFFSET_MINUTES:
            raise BadInput(f"{field} has an impossible UTC offset")
        offset = (hours * 60 + minutes) * (-1 if sign == "-" else 1)
    if (second and int(second)) or (fraction and int(fraction)):
        raise BadInput(f"{field} must be a whole minute (seconds 00)")
    try:
        value = datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            tzinfo=timezone(timedelta(minutes=offset)),
        )
    except ValueError:
        raise BadInput(f"{field} is not a valid date and time: {text[:40]!r}") from None
    check_instant(value, field)
    return value


def parse_birth_date(text: str, field: str, today: date) -> date:
    """A date of birth: ``YYYY-MM-DD``, from 1900 to today (older than the booking years)."""
    found = _DATE.fullmatch(text.strip())
    if found is None:
        raise BadInput(f"{field} must be a date of the form YYYY-MM-DD, not {text[:40]!r}")
    try:
        value = date(int(found[1]), int(found[2]), int(found[3]))
    except ValueError:
        raise BadInput(f"{field}: {text.strip()} is not a date of the calendar") from None
    if value.year < OLDEST_BIRTH_YEAR:
        raise BadInput(f"{field} must be a date from {OLDEST_BIRTH_YEAR} on")
    if value > today:
        raise BadInput(f"{field} lies in the future")
    return value


def body_object(data: Any) -> dict[str, Any]:
    """The JSON body as an object (an empty body is an empty object)."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise BadInput("The request body must be a JSON object")
    return data
