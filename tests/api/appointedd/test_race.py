"""The acceptance race: 30 clients at once for a 5-space class on a real server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx2
import pytest

from slotbook.bootstrap import build_slotbook
from slotbook.services.catalog import tenant_catalog
from slotbook.services.queries import get_session
from tests.conftest import LiveServer, race
from tests.factories import every_day

KEY = "race-appointedd-key-0001"
CLIENTS = 30


def _catalog() -> dict[str, Any]:
    return {
        "tenants": [
            {
                "id": "gym",
                "name": "Gym",
                "api_keys": [{"key": KEY, "scope": "staff"}],
                "reservation_ttl_seconds": 600,
                "branches": [
                    {
                        "id": "main",
                        "name": "Main",
                        "time_zone": "UTC",
                        "hours": every_day(["00:00-24:00"]),
                        "resources": [{"id": "studio", "name": "Studio"}],
                    }
                ],
                "services": [
                    {
                        "id": "spin",
                        "name": "Spinning",
                        "duration": 60,
                        "slot_step": 60,
                        "capacity": 5,
                        "branches": ["main"],
                    }
                ],
            }
        ]
    }


def serve_gym(live_server: LiveServer) -> tuple[str, dict[str, str], dict[str, Any]]:
    """Two workers over the gym catalog: the surface's URL, key headers and the class."""
    base = live_server.start(_catalog(), workers=2) + "/v1"
    headers = {"X-API-KEY": KEY}
    [service] = httpx2.get(f"{base}/services", headers=headers).json()["data"]
    return base, headers, service


@pytest.mark.slow
def test_thirty_simultaneous_slots_for_five_spaces_give_exactly_five(
    live_server: LiveServer, db_url: str
) -> None:
    base, headers, service = serve_gym(live_server)
    start = (datetime.now(UTC) + timedelta(days=1)).replace(
        hour=12, minute=0, second=0, microsecond=0
    )
    body = {
        "data": {
            "timezone": "UTC",
            "required_spaces": 1,
            "start": start.isoformat(),
            "service_id": service["id"],
        }
    }
    responses = race(
        base, [("POST", "availability/slots", {"json": body, "headers": headers})] * CLIENTS
    )

    statuses = [r.status_code for r in responses]
    assert statuses.count(201) == 5, statuses
    assert statuses.count(409) == 25, statuses
    slots = [r.json()["data"] for r in responses if r.status_code == 201]
    joined = [s["booking_id"] for s in slots if s["booking_id"] is not None]
    assert len(joined) == 4  # the first opened the class, the others joined it
    [session_id] = set(joined)

    # The session itself, as stored: five spaces taken, none free.
    app = build_slotbook(db_url, run_migrations=False)
    try:
        view = get_session(app, tenant_catalog(app, "gym"), "hex24", session_id)
    finally:
        engine = getattr(app.uows, "engine", None)
        if engine is not None:
            engine.dispose()
    assert (view.session.capacity, view.session.taken) == (5, 5)

    # Through the API: nothing left at that start, and all five book into one booking.
    search = httpx2.post(
        f"{base}/availability/intervals/search",
        headers=headers,
        json={
            "ranges": [
                {"start": start.isoformat(), "end": (start + timedelta(minutes=1)).isoformat()}
            ],
            "service_id": service["id"],
        },
    )
    assert search.json()["data"] == []
    for number, slot in enumerate(slots):
        profile = {"firstname": "Rider", "lastname": str(number)}
        booked = httpx2.post(
            f"{base}/bookings",
            headers=headers,
            json={
                "slot_id": slot["id"],
                "data": {"customers": [{"customer": {"profile": profile}}]},
            },
        )
        assert booked.status_code == 201, booked.text
        assert booked.json()["data"]["id"] == session_id
    final = httpx2.get(f"{base}/bookings/{session_id}", headers=headers).json()["data"]
    assert sum(c["spaces"] for c in final["customers"]) == 5
