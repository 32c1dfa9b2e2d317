"""Many clients racing for one slot on a real multi-process server: exactly one wins."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx2
import pytest

from tests.api.onsched.conftest import ACME_KEY, ACME_STAFF_KEY, BASE, catalog
from tests.conftest import LiveServer, race
from tests.factories import every_day

RACERS = 12


def _round_the_clock() -> dict[str, Any]:
    """The test catalog open all day (the server uses the real clock), one desk only."""
    result = catalog()
    north = result["tenants"][0]["branches"][0]
    north["hours"] = every_day(["00:00-24:00"])
    north["resources"] = [{"id": "desk-1", "name": "Desk 1"}]
    result["tenants"][0]["branches"] = [north]
    services = result["tenants"][0]["services"]
    services[0].update(branches=["north"], resources=["desk-1"])
    result["tenants"][0]["services"] = [services[0]]
    return result


@pytest.mark.slow
def test_simultaneous_bookings_of_one_slot_have_exactly_one_winner(
    live_server: LiveServer,
) -> None:
    url = live_server.start(_round_the_clock(), workers=2)
    auth = {"Authorization": f"Bearer {ACME_KEY}"}
    with httpx2.Client(base_url=url + BASE, headers=auth, timeout=30) as client:
        consult = client.get("services").json()["data"][0]["id"]
        day = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
        slot = client.get(f"availability/{consult}/{day}/{day}").json()["availableTimes"][10]
    body = {
        "serviceId": consult,
        "startDateTime": slot["startDateTime"],
        "endDateTime": slot["endDateTime"],
        "name": "Ada Lovelace",
        "email": "ada@example.com",
    }
    # Holds and bookings compete alike.
    calls = [
        (
            "POST",
            BASE + "appointments",
            {"params": {"completeBooking": "BK" if i % 2 else "IN"}, "json": body, "headers": auth},
        )
        for i in range(RACERS)
    ]
    statuses = [r.status_code for r in race(url, calls)]
    assert sorted(statuses) == [200] + [409] * (RACERS - 1)
    desk = {"Authorization": f"Bearer {ACME_STAFF_KEY}"}
    with httpx2.Client(base_url=url + BASE, headers=auth, timeout=30) as client:
        listed = client.get(
            "appointments", params={"startDate": day, "endDate": day}, headers=desk
        ).json()
        again = client.get(f"availability/{consult}/{day}/{day}").json()["availableTimes"]
    assert listed["total"] == 1
    assert listed["data"][0]["startDateTime"] == slot["startDateTime"]
    assert slot["startDateTime"] not in [t["startDateTime"] for t in again]
