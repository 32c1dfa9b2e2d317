"""Turning an appointment's recorded events into outbox messages, in the change's transaction.

Every change that the customer or a webhook receiver must hear of calls ``publish`` before
its unit of work commits: the messages and the change commit together or not at all. Workers
send them later (``notifications.worker``); a request never waits for a mail server.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from slotbook.domain.events import AppointmentEvent, EventKind
from slotbook.domain.model import Appointment, Catalog, Localized
from slotbook.domain.waitlist import WaitlistEntry
from slotbook.notifications.payload import (
    REMINDER,
    WAITLIST_OFFER,
    AppointmentInfo,
    EventData,
    EventPayload,
)
from slotbook.services.ports import NewDelivery, UnitOfWork

LANGUAGES = ("en", "nl")
_MAILED = (EventKind.BOOKED, EventKind.RESCHEDULED, EventKind.CANCELLED)


def publish(
    uow: UnitOfWork,
    catalog: Catalog,
    appointment: Appointment,
    now: datetime,
    *,
    new: bool = False,
) -> None:
    """Queue the messages for the events the appointment recorded (and plan its reminders).

    ``new``: the appointment was made in this transaction, so nothing is planned for it yet.
    """
    events = appointment.pop_events()
    if not events:
        return
    assert appointment.id is not None
    settings = catalog.settings.notifications
    for event in events:
        payload = _payload(catalog, appointment, event)
        customer = appointment.customers[0] if appointment.customers else None
        mailed = event.kind in _MAILED and event.notify and settings.email
        if mailed and customer and customer.email:
            _queue(uow, catalog, appointment, payload, "email", customer.email, now, now)
        for hook in settings.webhooks:
            if "*" in hook.events or event.kind.value in hook.events:
                _queue(uow, catalog, appointment, payload, "webhook", hook.url, now, now)
        if event.kind in _MAILED:
            _plan_reminders(uow, catalog, appointment, event, now, new=new)


def offer(
    uow: UnitOfWork,
    catalog: Catalog,
    held: Appointment,
    entry: WaitlistEntry,
    now: datetime,
) -> None:
    """Queue the mail that offers a waiting person the time held for them."""
    assert held.expires_at is not None
    payload = _payload(catalog, held, AppointmentEvent(EventKind.BOOKED, now))
    payload["type"] = WAITLIST_OFFER
    payload["data"]["appointment"]["customers"] = [
        {
            "first_name": entry.first_name,
            "last_name": entry.last_name,
            "email": entry.email,
            "phone": entry.phone,
        }
    ]
    payload["data"]["offered_until"] = _instant(held.expires_at)
    payload["data"]["waitlist_id"] = entry.uuid
    _queue(uow, catalog, held, payload, "email", entry.email, now, now)


def _plan_reminders(
    uow: UnitOfWork,
    catalog: Catalog,
    appointment: Appointment,
    event: AppointmentEvent,
    now: datetime,
    *,
    new: bool = False,
) -> None:
    """A booking plans its reminders; a move plans them anew; a cancellation drops them."""
    assert appointment.id is not None
    if not new:
        # Any earlier plan goes (a reservation moved before it was confirmed has one too).
        uow.outbox.drop_pending(appointment.id, REMINDER, now)
    if event.kind is EventKind.CANCELLED:
        return
    settings = catalog.settings.notifications
    services = [catalog.service(k, include_retired=True) for k in appointment.service_keys]
    minutes = next((s.reminders for s in services if s.reminders is not None), None)
    customer = appointment.customers[0] if appointment.customers else None
    if customer is None:
        return
    for before in minutes if minutes is not None else settings.reminders:
        due = appointment.start - timedelta(minutes=before)
        if due <= now:
            continue  # booked closer to the start than this reminder: the confirmation does
        payload = _payload(catalog, appointment, AppointmentEvent(EventKind.BOOKED, due))
        payload["type"] = REMINDER
        payload["data"]["minutes_before"] = before
        if settings.email and customer.email:
            _queue(uow, catalog, appointment, payload, "email", customer.email, due, now)
        if settings.sms is not None and customer.phone:
            _queue(uow, catalog, appointment, payload, "sms", customer.phone, due, now)


def _queue(
    uow: UnitOfWork,
    catalog: Catalog,
    appointment: Appointment,
    payload: EventPayload,
    channel: str,
    target: str,
    due: datetime,
    now: datetime,
) -> None:
    uow.outbox.add(
        catalog.ref,
        NewDelivery(
            message_id=str(uuid.uuid4()),
            event_type=payload["type"],
            channel=channel,
            target=target,
            payload=dict(payload),
            due_at=due,
            appointment_id=appointment.id,
        ),
        now,
    )


def language_of(catalog: Catalog, appointment: Appointment) -> str:
    """The customer's language for messages: theirs, else the tenant's, else English."""
    for candidate in (appointment.language, catalog.settings.default_locale):
        language = (candidate or "").split("_")[0].split("-")[0].lower()
        if language in LANGUAGES:
            return language
    return "en"


def _text(localized: Localized, language: str, catalog: Catalog, fallback: str = "") -> str:
    for locale, text in localized.texts:
        if locale.split("_")[0].lower() == language:
            return text
    return localized.get(None, catalog.settings.default_locale) or fallback


def _instant(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _payload(catalog: Catalog, appointment: Appointment, event: AppointmentEvent) -> EventPayload:
    language = language_of(catalog, appointment)
    branch = catalog.branch(appointment.branch_key, include_retired=True)
    resource = catalog.resource(appointment.resource_key, include_retired=True)
    services = [catalog.service(k, include_retired=True) for k in appointment.service_keys]
    address = branch.address
    place = " ".join(p for p in (address.zip, address.city) if p)
    info = AppointmentInfo(
        id=appointment.ids.uuid,
        reference=appointment.ids.digits,
        tenant=catalog.key,
        status=appointment.status.value,
        arrival=appointment.arrival.value if appointment.arrival else None,
        start=_instant(appointment.start),
        end=_instant(appointment.end),
        sequence=appointment.sequence,
        people=appointment.people,
        services=[
            {"key": s.key, "name": _text(s.name, language, catalog, s.key)} for s in services
        ],
        branch={
            "key": branch.key,
            "name": branch.name,
            "address_lines": [p for p in (address.line1, address.line2, place) if p],
            "time_zone": branch.time_zone,
        },
        resource={"key": resource.key, "name": resource.name},
        customers=[
            {
                "first_name": c.first_name,
                "last_name": c.last_name,
                "email": c.email,
                "phone": c.phone,
            }
            for c in appointment.customers
        ],
        what_to_bring=[t for s in services if (t := _text(s.what_to_bring, language, catalog))],
        language=language,
    )
    data = EventData(appointment=info)
    if event.kind is EventKind.CANCELLED:
        data["reason"] = event.reason
        data["cancelled_by"] = "staff" if event.by_staff else "customer"
    if event.previous_start is not None and event.previous_end is not None:
        data["previous"] = {
            "start": _instant(event.previous_start),
            "end": _instant(event.previous_end),
        }
    return EventPayload(type=event.kind.value, timestamp=_instant(event.at), data=data)
