"""One sample ``EventPayload`` for the notification tests: a passport appointment in Katwijk."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from slotbook.notifications.payload import CANCELLED, EventPayload, Person

APPOINTMENT_ID = "0b5c1d2e-3f40-4a5b-8c6d-7e8f9a0b1c2d"


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
