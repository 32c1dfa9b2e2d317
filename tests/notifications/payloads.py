"""Shared data for the notification tests: one sample ``EventPayload`` (a passport appointment
in Katwijk), the customer's mail composed from it, and the address and webhook secret the
end-to-end tests use."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any, cast

from slotbook.notifications.mail import compose_mail
from slotbook.notifications.payload import BOOKED, CANCELLED, EventPayload, Person

APPOINTMENT_ID = "0b5c1d2e-3f40-4a5b-8c6d-7e8f9a0b1c2d"
MANAGE = "https://book.example.org/book/katwijk/manage/tok3n"
SECRET = "whsec_" + base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()
EMAIL = "ann@example.org"


def sample_event(
    event_type: str,
    *,
    language: str = "en",
    start: str = "2026-12-01T09:00:00Z",
    minutes: int = 30,
    sequence: int = 0,
    branch: str = "Town hall",
    customer: Person | None = None,
    what_to_bring: list[str] | None = None,
    **data: Any,
) -> EventPayload:
    """An event as the outbox stores it; ``data`` adds ``reason``, ``previous`` and the like.

    Every call builds new lists and dicts, so a test may change what it gets.
    """
    end = datetime.fromisoformat(start) + timedelta(minutes=minutes)
    if customer is None:
        customer = {
            "first_name": "Ann",
            "last_name": "de Vries",
            "email": "ann@example.org",
            "phone": None,
        }
    if what_to_bring is None:
        what_to_bring = ["Your old passport", "A passport photo"]
    payload = {
        "type": event_type,
        "timestamp": "2026-11-20T08:15:00Z",
        "data": {
            "appointment": {
                "id": APPOINTMENT_ID,
                "reference": "482913",
                "tenant": "katwijk",
                "status": "cancelled" if event_type == CANCELLED else "confirmed",
                "start": start,
                "end": end.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "sequence": sequence,
                "people": 1,
                "services": [
                    {"key": "passport", "name": "Passport"},
                    {"key": "id-card", "name": "ID card"},
                ],
                "branch": {
                    "key": "town-hall",
                    "name": branch,
                    "address_lines": ["Lageweg 35", "2222 AG Katwijk"],
                    "time_zone": "Europe/Amsterdam",
                },
                "resource": {"key": "desk-1", "name": "Desk 1"},
                "customers": [dict(customer)],
                "what_to_bring": list(what_to_bring),
                "language": language,
            },
            **data,
        },
    }
    return cast(EventPayload, payload)


def event(kind: str = BOOKED, language: str = "en", **data: Any) -> EventPayload:
    """An event as the outbox stores it: a passport appointment at 10:00 Amsterdam time."""
    return sample_event(kind, language=language, sequence=3, **data)


def mail(payload: EventPayload, **overrides: Any) -> EmailMessage:
    """The customer's mail for an event, with Katwijk's addresses; ``overrides`` replace any."""
    arguments: dict[str, Any] = {
        "to": "ann@example.org",
        "sender": "afspraken@katwijk.example",
        "reply_to": "balie@katwijk.example",
        "message_id": "<7a1f0c5e-2b1d-4c39-9d0e-5f6a7b8c9d0e@slotbook>",
        "manage_url": MANAGE,
        "tenant_name": "Gemeente Katwijk",
    }
    return compose_mail(payload, **(arguments | overrides))
