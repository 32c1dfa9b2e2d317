"""Shape of a catalog file. Key names are fixed (see docs/catalog.md); unknown keys are errors."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

Id = Annotated[
    str, StringConstraints(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9._~-]*$")
]
PublicId = Annotated[
    str, StringConstraints(min_length=1, max_length=255, pattern=r"^[A-Za-z0-9._~-]+$")
]
Text = Annotated[str, StringConstraints(min_length=1, max_length=255)]
LongText = Annotated[str, StringConstraints(max_length=4000)]
Locale = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}_[A-Z]{2}$")]
LocalizedText = Text | Annotated[dict[Locale, Text], Field(min_length=1)]
LocalizedLongText = LongText | Annotated[dict[Locale, LongText], Field(min_length=1)]
# A plain name (as before) or a name per locale.
CategoryText = (
    Annotated[str, StringConstraints(max_length=255)]
    | Annotated[dict[Locale, Text], Field(min_length=1)]
)
Minutes = Annotated[int, Field(ge=1, le=24 * 60)]
FreeMinutes = Annotated[int, Field(ge=0, le=24 * 60)]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Hours = dict[Weekday, list[str]]
# Minutes before the start; up to 30 days.
ReminderMinutes = Annotated[int, Field(ge=1, le=30 * 24 * 60)]


def _calendar_date(value: Any) -> Any:
    """``YYYY-MM-DD`` text (or a YAML date) as a date; anything else is left to be refused."""
    if isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError(f'"{value}" is not a date of the calendar') from None
    if isinstance(value, datetime):  # YAML reads an unquoted date-time as one
        raise ValueError("expected a date of the form YYYY-MM-DD, not a date-time")
    return value


CalendarDate = Annotated[date, BeforeValidator(_calendar_date)]


class _Strict(BaseModel):
    # strict: a catalog says what it means; "10" is not 10, true is not 1, 0 is not a date.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class AddressIn(_Strict):
    """Postal address."""

    line1: str | None = Field(None, max_length=255)
    line2: str | None = Field(None, max_length=255)
    city: str | None = Field(None, max_length=255)
    state: str | None = Field(None, max_length=255)
    zip: str | None = Field(None, max_length=255)
    country: str | None = Field(None, max_length=255)


class ResourceIn(_Strict):
    """A desk, room or person of a branch; contact fields and address are shown, not used."""

    id: Id
    name: Text
    hours: Hours | None = None
    closed: list[CalendarDate] | None = None
    description: LocalizedLongText | None = None
    email: str | None = Field(None, max_length=255)
    phone: str | None = Field(None, max_length=255)
    address: AddressIn | None = None


class BranchIn(_Strict):
    """An office."""

    id: Id
    public_id: PublicId | None = None
    name: Text
    time_zone: str
    address: AddressIn = AddressIn()
    phone: str | None = Field(None, max_length=255)
    email: str | None = Field(None, max_length=255)
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    hours: Hours = Field(default_factory=dict)
    closed: list[CalendarDate] = Field(default_factory=list)
    resources: list[ResourceIn] = Field(default_factory=list)


class DurationIn(_Strict):
    """An alternative length of a service."""

    minutes: Minutes
    price: float | None = Field(None, ge=0)
    default: bool = False


class InformationQuestionIn(_Strict):
    """A question answered when confirming."""

    id: Id
    text: LocalizedText
    clarification: LocalizedLongText | None = None
    required: bool = False


class ScreeningQuestionIn(_Strict):
    """A yes/no question shown before booking."""

    id: Id
    text: LocalizedText
    clarification: LocalizedLongText | None = None
    yes_required: bool = True
    denied_message: LocalizedLongText | None = None


class ServiceIn(_Strict):
    """Something customers book."""

    id: Id
    public_id: PublicId | None = None
    name: LocalizedText
    description: LocalizedLongText | None = None
    what_to_bring: LocalizedLongText | None = None
    reminders: list[ReminderMinutes] | None = Field(None, max_length=5)
    index: int | None = None
    duration: Minutes
    additional_customer_duration: FreeMinutes = 0
    slot_step: Minutes | None = None
    capacity: Annotated[int, Field(ge=1, le=10_000)] = 1
    buffer_before: FreeMinutes = 0
    buffer_after: FreeMinutes = 0
    price: float | None = Field(None, ge=0)
    category: CategoryText | None = None
    durations: list[DurationIn] = Field(default_factory=list)
    branches: list[Id] = Field(min_length=1)
    resources: list[Id] | None = None
    online_bookable: bool = True
    max_reservations: Annotated[int, Field(ge=1, le=10_000)] | None = None
    max_custom_length: Annotated[int, Field(ge=1, le=480)] | None = None
    resource_selection: Literal["none", "optional", "required"] = "none"
    date_of_birth_required: bool = False
    information_questions: list[InformationQuestionIn] = Field(default_factory=list)
    screening_questions: list[ScreeningQuestionIn] = Field(default_factory=list)


class ServiceGroupIn(_Strict):
    """A listing group of services."""

    id: Id
    name: LocalizedText
    index: int = 0
    description: LocalizedLongText | None = None
    services: list[Id] = Field(min_length=1)


class ResourceGroupIn(_Strict):
    """A named group of resources (a team, a floor) for listings."""

    id: Id
    name: LocalizedText
    index: int = 0
    description: LocalizedLongText | None = None
    resources: list[Id] = Field(min_length=1)


KeyScope = Literal["booking", "staff", "admin"]


class ApiKeyIn(_Strict):
    """An API key with its scope; ``internal: true`` is the older spelling of ``staff``."""

    key: Annotated[str, StringConstraints(min_length=8, max_length=255)]
    scope: KeyScope | None = None
    internal: bool | None = None
    label: Annotated[str, StringConstraints(min_length=1, max_length=255)] | None = None

    @model_validator(mode="after")
    def _one_scope(self) -> ApiKeyIn:
        if (
            self.internal is not None
            and self.scope is not None
            and self.internal != (self.scope != "booking")
        ):
            raise ValueError(f"internal: {self.internal} contradicts scope {self.scope}")
        return self

    @property
    def effective_scope(self) -> KeyScope:
        """The scope this entry grants."""
        if self.scope is not None:
            return self.scope
        return "staff" if self.internal else "booking"


HttpsUrl = Annotated[str, StringConstraints(max_length=500, pattern=r"^https://[^\s\"'<>]+$")]
Origin = Annotated[
    str, StringConstraints(max_length=200, pattern=r"^https://[A-Za-z0-9.-]+(:[0-9]+)?$")
]


class BookingPageIn(_Strict):
    """How the tenant's booking page looks and where it may be embedded."""

    name: Text | None = None
    logo_url: HttpsUrl | None = None
    primary_colour: Annotated[str, StringConstraints(pattern=r"^#[0-9A-Fa-f]{6}$")] | None = None
    frame_ancestors: list[Origin] = Field(default_factory=list, max_length=20)


MailAddress = Annotated[
    str, StringConstraints(max_length=254, pattern=r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")
]
# Webhook receivers and SMS gateways may sit on the organisation's own network (http).
ReceiverUrl = Annotated[str, StringConstraints(max_length=500, pattern=r"^https?://[^\s\"'<>]+$")]
EventType = Literal[
    "appointment.booked",
    "appointment.rescheduled",
    "appointment.cancelled",
    "appointment.checked_in",
    "appointment.no_show",
    "hold.expired",
    "*",
]


class SmsIn(_Strict):
    """The tenant's SMS gateway for text reminders."""

    url: ReceiverUrl
    token: Annotated[str, StringConstraints(min_length=1, max_length=500)] | None = None
    template: Annotated[str, StringConstraints(min_length=1, max_length=480)] | None = None


class NotificationsIn(_Strict):
    """Mail sender, reminders and SMS of a tenant."""

    sender: MailAddress | None = Field(None, alias="from")
    reply_to: MailAddress | None = None
    email: bool = True
    reminders: list[ReminderMinutes] = Field(default_factory=lambda: [1440], max_length=5)
    reminder_grace_minutes: Annotated[int, Field(ge=0, le=24 * 60)] = 60
    sms: SmsIn | None = None


class WebhookIn(_Strict):
    """A receiver of the tenant's appointment events (Standard Webhooks)."""

    url: ReceiverUrl
    secret: Annotated[str, StringConstraints(min_length=10, max_length=200)]
    events: list[EventType] = Field(
        default_factory=lambda: list[EventType](["*"]), min_length=1, max_length=10
    )


class TenantIn(_Strict):
    """An organisation with its own branches, services, customers and keys."""

    id: Id
    name: Text
    default_locale: Locale = "en_US"
    api_keys: list[Annotated[str, StringConstraints(min_length=8, max_length=255)] | ApiKeyIn] = (
        Field(default_factory=list)
    )
    reservation_ttl_seconds: Annotated[int, Field(ge=1, le=7 * 24 * 3600)] | None = None
    horizon_days: Annotated[int, Field(ge=1, le=3660)] = 60
    min_notice_minutes: Annotated[int, Field(ge=0, le=365 * 24 * 60)] = 0
    max_live_holds_per_client: Annotated[int, Field(ge=1, le=10_000)] | None = 5
    writes_per_minute: Annotated[int, Field(ge=1, le=1_000_000)] | None = 30
    retention_days: Annotated[int, Field(ge=1, le=36_500)] | None = None
    waitlist_hold_minutes: Annotated[int, Field(ge=5, le=7 * 24 * 60)] = 120
    booking_page: BookingPageIn = BookingPageIn()
    notifications: NotificationsIn = NotificationsIn()
    webhooks: list[WebhookIn] = Field(default_factory=list, max_length=20)
    branches: list[BranchIn] = Field(default_factory=list)
    services: list[ServiceIn] = Field(default_factory=list)
    service_groups: list[ServiceGroupIn] = Field(default_factory=list)
    resource_groups: list[ResourceGroupIn] = Field(default_factory=list)
    combinations: list[list[Id]] = Field(default_factory=list)


class CatalogIn(_Strict):
    """A whole catalog file."""

    tenants: list[TenantIn] = Field(min_length=1)
