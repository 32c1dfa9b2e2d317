"""What a notification says about an appointment: one neutral JSON shape for every channel.

The outbox stores an ``EventPayload`` per message, taken when the change happened (in the same
transaction), so a message sent an hour later still tells what was true then. Webhooks send it
as their body (the Standard Webhooks envelope: ``type``, ``timestamp``, ``data``); e-mail and
SMS are rendered from it. ``docs/webhooks.md`` documents it for receivers.
"""

from __future__ import annotations

from typing import NotRequired, TypedDict

# Event types a webhook can subscribe to ("*" subscribes to all of them).
BOOKED = "appointment.booked"
RESCHEDULED = "appointment.rescheduled"
CANCELLED = "appointment.cancelled"
CHECKED_IN = "appointment.checked_in"
NO_SHOW = "appointment.no_show"
HOLD_EXPIRED = "hold.expired"
WEBHOOK_EVENTS = (BOOKED, RESCHEDULED, CANCELLED, CHECKED_IN, NO_SHOW, HOLD_EXPIRED)
# Sent to the customer only (e-mail, SMS), never to webhooks.
REMINDER = "appointment.reminder"
WAITLIST_OFFER = "waitlist.offered"  # a freed time held for a waiting person


class Named(TypedDict):
    """A catalog object: its key and its name in the message's language."""

    key: str
    name: str


class BranchInfo(TypedDict):
    """Where the appointment takes place."""

    key: str
    name: str
    address_lines: list[str]  # e.g. ["Lageweg 35", "2222 AG Katwijk"]
    time_zone: str  # IANA, e.g. "Europe/Amsterdam"


class Person(TypedDict):
    """A customer of the appointment (any field may be unknown)."""

    first_name: str | None
    last_name: str | None
    email: str | None
    phone: str | None


class TimeRange(TypedDict):
    """Start and end as ISO 8601 instants in UTC (``2026-12-01T09:00:00Z``)."""

    start: str
    end: str


class AppointmentInfo(TypedDict):
    """The appointment as it is after the change."""

    id: str  # UUID, stable for the appointment's life (the .ics UID is f"{id}@slotbook")
    reference: str  # the number the booking page and the APIs show the customer
    tenant: str
    status: str  # held | reserved | confirmed | cancelled | released
    arrival: str | None  # checked_in | no_show | completed, on the day of a booked appointment
    start: str
    end: str
    sequence: int  # grows by one on every change the customer is told about (.ics SEQUENCE)
    people: int
    services: list[Named]
    branch: BranchInfo
    resource: Named
    customers: list[Person]
    what_to_bring: list[str]  # in ``language``
    language: str  # "en" or "nl": the customer's language, else the tenant's default


class EventData(TypedDict):
    """The event's data: the appointment and what the change was."""

    appointment: AppointmentInfo
    reason: NotRequired[str | None]  # why it was cancelled, when given
    cancelled_by: NotRequired[str]  # "customer" or "staff"
    previous: NotRequired[TimeRange]  # the old time of a rescheduled appointment
    minutes_before: NotRequired[int]  # a reminder's distance to the start
    offered_until: NotRequired[str]  # a waitlist offer: held until then (UTC)
    waitlist_id: NotRequired[str]


class EventPayload(TypedDict):
    """The Standard Webhooks envelope."""

    type: str  # one of WEBHOOK_EVENTS or REMINDER
    timestamp: str  # when it happened, ISO 8601 UTC
    data: EventData
