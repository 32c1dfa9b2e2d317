"""Request bodies and parameter formats of the OnSched consumer API.

Bodies ignore fields they do not know (OnSched clients send many more), but every field
they do know is checked for type, length and format.
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
)

from slotbook.api.kit.errors import BadInput
from slotbook.domain.model import CustomerDetails

MIN_YEAR, MAX_YEAR = 1900, 2999
MAX_OFFSET_MINUTES = 14 * 60  # UTC-14:00 .. UTC+14:00 covers every zone in use
MAX_GROUP_SIZE = 1000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)
_INSTANT = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?"
    r"(?:(Z)|([+-])(\d{1,2})(?::?(\d{2}))?)",
    re.IGNORECASE | re.ASCII,
)
_DIGITS = re.compile(r"[0-9]{1,20}")
_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


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


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)


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


class AppointmentIn(PersonIn):
    """``POST appointments`` body."""

    locationId: IdText = None
    serviceId: IdText = None
    resourceId: IdText = None
    resourceIds: Annotated[str | list[str] | None, BeforeValidator(_blank_to_none)] = None
    startDateTime: str | None = None
    endDateTime: str | None = None
    customerId: IdText = None
    groupSize: GroupSize = None


class BookIn(PersonIn):
    """``PUT appointments/{id}/book`` (and ``confirm``) body."""

    groupSize: GroupSize = None


class RescheduleIn(_Body):
    """``PUT appointments/{id}/reschedule`` body."""

    startDateTime: str | None = None
    endDateTime: str | None = None
    resourceId: IdText = None


class CustomerIn(_Body):
    """``POST customers`` body; ``email`` and ``lastname`` are required."""

    firstname: Text = None
    lastname: Text = None
    email: Email = None
    phone: Phone = None

    def details(self) -> CustomerDetails:
        """Domain customer details."""
        return CustomerDetails(
            first_name=self.firstname, last_name=self.lastname, email=self.email, phone=self.phone
        )


def split_name(name: str | None) -> tuple[str | None, str | None]:
    """``"Ada King Lovelace"`` -> (``"Ada King"``, ``"Lovelace"``); one word is a last name."""
    if not name:
        return None, None
    words = name.split()
    return (" ".join(words[:-1]) or None), words[-1]


# --- parameters -----------------------------------------------------------------------------


def parse_date(text: str, field: str) -> date:
    """A ``YYYY-MM-DD`` calendar date."""
    found = _DATE.fullmatch(text.strip())
    try:
        if found is None:
            raise ValueError
        value = date(int(found[1]), int(found[2]), int(found[3]))
    except ValueError:
        raise BadInput(
            f"{field} must be a date of the form YYYY-MM-DD, not {text[:40]!r}"
        ) from None
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise BadInput(f"{field} must be a date between {MIN_YEAR} and {MAX_YEAR}")
    return value


def parse_instant(text: str | None, field: str) -> datetime:
    """ISO 8601 with a UTC offset (``-05:00``, ``-5:00``, ``-0500`` or ``Z``), whole minutes.

    The offset is at most 14:00 either way, the same bound as availability's ``tzOffset``.
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
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise BadInput(f"{field} must be between the years {MIN_YEAR} and {MAX_YEAR}")
    return value


def check_digits(value: str, field: str) -> str:
    """A digit-string id (services, resources, appointments, customers)."""
    if not _DIGITS.fullmatch(value):
        raise BadInput(f"{field} must be an id made of digits, not {value[:40]!r}")
    return value


def check_guid(value: str, field: str) -> str:
    """A GUID id (locations)."""
    if not _GUID.fullmatch(value):
        raise BadInput(f"{field} must be a location GUID, not {value[:40]!r}")
    return value


def parse_int(
    params: dict[str, str], name: str, low: int, high: int, default: int | None = None
) -> int | None:
    """An integer query parameter within bounds; BadInput naming it otherwise."""
    text = params.get(name)
    if text is None or not text.strip():
        return default
    text = text.strip()
    if not re.fullmatch(r"[+-]?[0-9]{1,9}", text) or not low <= int(text) <= high:
        raise BadInput(f"{name} must be a whole number from {low} to {high}, not {text[:40]!r}")
    return int(text)


def body_object(data: Any) -> dict[str, Any]:
    """The JSON body as an object (an empty body is an empty object)."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise BadInput("The request body must be a JSON object")
    return data
