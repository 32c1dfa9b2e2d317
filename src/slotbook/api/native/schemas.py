"""Bodies and answers of the native API."""

from __future__ import annotations

from datetime import date as Day
from datetime import datetime
from typing import Annotated, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from slotbook.domain.model import MAX_CUSTOM_LENGTH

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    code: str


class EraseIn(BaseModel):
    """Which customer to erase: exactly one identifier."""

    model_config = ConfigDict(extra="forbid")

    email: Text | None = None
    external_id: Text | None = None
    id: Text | None = Field(None, description="Any id of the customer (any format)")

    @model_validator(mode="after")
    def _exactly_one(self) -> EraseIn:
        if sum(v is not None for v in (self.email, self.external_id, self.id)) != 1:
            raise ValueError("give exactly one of email, external_id or id")
        return self


class ErasedOut(BaseModel):
    """How many records an erasure changed."""

    customers: int
    appointments: int


class AuditEntryOut(BaseModel):
    """One entry of the audit log."""

    id: int
    at: datetime
    operation: str
    outcome: str
    key_id: int | None
    scope: str | None
    client_address: str | None
    route: str | None
    appointment: str | None
    detail: str | None


class AuditPage(BaseModel):
    """Audit entries, oldest first."""

    data: list[AuditEntryOut]


class KeyIn(BaseModel):
    """A key to create."""

    model_config = ConfigDict(extra="forbid")

    scope: Literal["booking", "staff", "admin"]
    label: Text | None = None


class KeyOut(BaseModel):
    """A key as listed (never its value)."""

    id: int
    prefix: str
    scope: str
    label: str | None
    source: str
    created: datetime
    revoked: datetime | None


class CreatedKeyOut(KeyOut):
    """A new key: ``key`` is shown this once."""

    key: str


class KeyList(BaseModel):
    """The tenant's keys."""

    data: list[KeyOut]


class NamedOut(BaseModel):
    """A catalog object: its id and name."""

    id: str
    name: str


class PersonOut(BaseModel):
    """A customer of an appointment."""

    first_name: str | None
    last_name: str | None
    email: str | None
    phone: str | None


class AppointmentOut(BaseModel):
    """An appointment as the organisation sees it."""

    id: str = Field(description="UUID")
    reference: str = Field(description="The number the customer is shown")
    status: Literal["held", "reserved", "confirmed", "cancelled", "released"]
    arrival: Literal["checked_in", "no_show", "completed"] | None
    arrived_at: datetime | None
    start: datetime
    end: datetime
    branch: NamedOut
    resource: NamedOut
    services: list[NamedOut]
    people: int
    customers: list[PersonOut]
    answers: dict[str, str]
    notes: str | None


class AppointmentPage(BaseModel):
    """A page of appointments by start; ``next`` is the cursor of the following page."""

    data: list[AppointmentOut]
    next: str | None


class CancelIn(BaseModel):
    """Why an appointment is cancelled, and whether the customer is told."""

    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None
    notify: bool = True


Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
CatalogId = Annotated[str, StringConstraints(min_length=1, max_length=100)]


class ClosureIn(BaseModel):
    """Close a branch (or one resource) for a day, or from ``start`` to ``end``."""

    model_config = ConfigDict(extra="forbid")

    branch: CatalogId
    resource: CatalogId | None = None
    date: Day | None = Field(None, description="A whole day in the branch's time zone")
    start: AwareDatetime | None = None
    end: AwareDatetime | None = None
    reason: Reason
    notify: bool = Field(True, description="Mail the customers whose appointments are cancelled")

    @model_validator(mode="after")
    def _day_or_range(self) -> ClosureIn:
        ranged = (self.start is not None, self.end is not None)
        if (self.date is not None and any(ranged)) or (self.date is None and not all(ranged)):
            raise ValueError("give either date, or start and end")
        return self


class BlockIn(BaseModel):
    """Make a resource unavailable for a while (refused when something is booked then)."""

    model_config = ConfigDict(extra="forbid")

    resource: CatalogId
    start: AwareDatetime
    end: AwareDatetime
    reason: Reason


class BlockOut(BaseModel):
    """Time a resource is not available."""

    id: str = Field(description="UUID")
    branch: str
    resource: str
    start: datetime
    end: datetime
    reason: str


class BlockList(BaseModel):
    """Blocks in force."""

    data: list[BlockOut]


class ClosureOut(BaseModel):
    """The blocks a closure put in place and the appointments it cancelled."""

    blocks: list[BlockOut]
    cancelled: list[AppointmentOut]


class PersonIn(BaseModel):
    """Who the appointment is for."""

    model_config = ConfigDict(extra="forbid")

    first_name: Text
    last_name: Text
    email: (
        Annotated[str, StringConstraints(max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")] | None
    ) = None
    phone: (
        Annotated[str, StringConstraints(max_length=40, pattern=r"^\+?[0-9 ()-]{6,40}$")] | None
    ) = None


class SlotIn(BaseModel):
    """A time: services at a branch (on a resource of choice), a start, how many people."""

    model_config = ConfigDict(extra="forbid")

    branch: CatalogId
    services: list[CatalogId] = Field(min_length=1, max_length=5)
    resource: CatalogId | None = None
    start: AwareDatetime
    people: Annotated[int, Field(ge=1, le=1000)] = 1


class BookIn(SlotIn):
    """A booking by staff: any start (off the grid), any length, a chosen resource."""

    length_minutes: Annotated[int, Field(ge=1, le=MAX_CUSTOM_LENGTH)] | None = None
    customer: PersonIn
    notes: Annotated[str, StringConstraints(max_length=2000)] | None = None


class MoveIn(BaseModel):
    """A new time (and maybe another resource of the same branch) for an appointment."""

    model_config = ConfigDict(extra="forbid")

    start: AwareDatetime
    end: AwareDatetime | None = None
    resource: CatalogId | None = None
