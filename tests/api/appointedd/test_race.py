"""The acceptance race: 30 clients at once for a 5-space class on a real server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx2
import pytest

from slotbook.bootstrap import build_slotbook
from slotbook.services.catalog import tenant_catalog
from slotbook.services.queries import get_session
from tests.api.appointedd.helpers import serve_gym
from tests.conftest import LiveServer, race

CLIENTS = 30


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
