"""A real server with two worker processes: many clients race for one slot, one wins."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest

from tests.api.qmatic.conftest import BASE
from tests.conftest import LiveServer, race
from tests.factories import every_day

RACERS = 16

CATALOG: dict[str, Any] = {
    "tenants": [
        {
            "id": "city",
            "name": "City",
            "branches": [
                {
                    "id": "hall",
                    "name": "City Hall",
                    "time_zone": "Europe/Amsterdam",
                    "hours": every_day(["00:00-24:00"]),
                    "resources": [{"id": "desk", "name": "Desk"}],
                }
            ],
            "services": [
                {"id": "passport", "name": "Passport", "duration": 30, "branches": ["hall"]}
            ],
        }
    ]
}

HEADERS = {"X-TENANT-ID": "city"}


@pytest.mark.slow
def test_many_simultaneous_reservations_of_one_slot_give_exactly_one_201(
    live_server: LiveServer,
) -> None:
    url = live_server.start(CATALOG, workers=2) + BASE
    [offer] = httpx2.get(url + "services", headers=HEADERS).json()
    service, branch = offer["service"]["id"], offer["branch"]["id"]
    slots = httpx2.get(
        f"{url}services/{service}/timeslots", params={"branchId": branch}, headers=HEADERS
    ).json()
    slot = slots[len(slots) // 2]  # hours away: cannot slip into the past during the test
    body = {"serviceId": service, "branchId": branch, "timeSlot": slot}

    responses = race(url, [("POST", "reservations", {"json": body, "headers": HEADERS})] * RACERS)
    statuses = [r.status_code for r in responses]
    assert sorted(statuses) == [201] + [409] * (RACERS - 1)
    after = httpx2.get(
        f"{url}services/{service}/timeslots",
        params={"branchId": branch, "startDate": slot["startTime"][:10]},
        headers=HEADERS,
    ).json()
    assert slot not in after
