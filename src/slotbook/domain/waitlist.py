"""The waitlist: people who asked to be offered a time that frees up.

When a time frees, the first waiting person whose wish it fits is offered it as a hold; an
offer not confirmed in time lapses and the time passes to the next person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from slotbook.domain.errors import NotHeld, WrongState


class WaitStatus(StrEnum):
    """Where a waiting person stands."""

    WAITING = "waiting"
    OFFERED = "offered"  # a time is held for them until ``offered_until``
    BOOKED = "booked"  # they took the offer
    LAPSED = "lapsed"  # the offer ran out; they are off the list
    WITHDRAWN = "withdrawn"


@dataclass(slots=True)
class WaitlistEntry:
    """One person's wish: a service at a branch, on a day between two dates."""

    uuid: str
    branch_key: str
    service_keys: tuple[str, ...]
    people: int
    first_day: date
    last_day: date
    first_name: str
    last_name: str
    email: str
    phone: str | None = None
    language: str | None = None
    status: WaitStatus = WaitStatus.WAITING
    offer_public_id: str | None = None  # the held appointment of the current offer
    offered_until: datetime | None = None
    created: datetime | None = None
    id: int | None = None

    def offer(self, public_id: str, until: datetime) -> None:
        """A freed time is held for this person until ``until``."""
        if self.status is not WaitStatus.WAITING:
            raise WrongState("Only a waiting person can be offered a time")
        self.status, self.offer_public_id, self.offered_until = WaitStatus.OFFERED, public_id, until

    def accept(self, now: datetime) -> None:
        """The person takes the offered time (before it runs out)."""
        if self.status is not WaitStatus.OFFERED:
            raise WrongState("There is no offer to take")
        if self.offered_until is None or now >= self.offered_until:
            raise NotHeld("The offered time is no longer held", expired=True)
        self.status = WaitStatus.BOOKED

    def lapse(self, now: datetime) -> None:
        """The offer ran out unconfirmed: off the list, the time goes to the next person."""
        if self.status is not WaitStatus.OFFERED or (
            self.offered_until is not None and now < self.offered_until
        ):
            raise WrongState("Only an offer that ran out lapses")
        self.status = WaitStatus.LAPSED
