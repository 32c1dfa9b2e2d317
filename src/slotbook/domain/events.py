"""What happened to an appointment: events its life-cycle methods record.

The unit of work's caller turns them into outbox messages in the same transaction as the
change, so a committed change always has its messages and a rolled-back one has none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class EventKind(StrEnum):
    """The appointment events a notification or webhook can be about."""

    BOOKED = "appointment.booked"
    RESCHEDULED = "appointment.rescheduled"
    CANCELLED = "appointment.cancelled"
    CHECKED_IN = "appointment.checked_in"
    NO_SHOW = "appointment.no_show"
    HOLD_EXPIRED = "hold.expired"


@dataclass(frozen=True, slots=True)
class AppointmentEvent:
    """One event; ``previous_*`` for a reschedule, ``reason`` and ``by_staff`` for a cancel."""

    kind: EventKind
    at: datetime
    reason: str | None = None
    by_staff: bool = False
    previous_start: datetime | None = None
    previous_end: datetime | None = None
    notify: bool = True  # False: receivers (webhooks) hear of it, the customer is not mailed
