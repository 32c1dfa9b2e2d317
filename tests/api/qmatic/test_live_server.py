"""A real server with two worker processes: many clients race for one slot, one wins."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest

from tests.api.qmatic.conftest import BASE, customer
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


def _serve(live_server: LiveServer) -> tuple[str, str, str, list[dict[str, Any]]]:
    """Two workers over the catalog: the surface's URL, service, branch and its time slots."""
    url = live_server.start(CATALOG, workers=2) + BASE
    [offer] = httpx2.get(url + "services", headers=HEADERS).json()
    service, branch = offer["service"]["id"], offer["branch"]["id"]
    slots = httpx2.get(
        f"{url}services/{service}/timeslots", params={"branchId": branch}, headers=HEADERS
    ).json()
    return url, service, branch, slots


@pytest.mark.slow
def test_many_simultaneous_reservations_of_one_slot_give_exactly_one_201(
    live_server: LiveServer,
) -> None:
    url, service, branch, slots = _serve(live_server)
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


@pytest.mark.slow
def test_two_appointments_racing_for_one_reservation_one_moves_the_rest_get_410(
    live_server: LiveServer,
) -> None:
    url, service, branch, slots = _serve(live_server)

    def reserve(slot: dict[str, Any]) -> str:
        body = {"serviceId": service, "branchId": branch, "timeSlot": slot}
        made = httpx2.post(url + "reservations", json=body, headers=HEADERS)
        return str(made.json()["reservationId"])

    middle = len(slots) // 2  # hours away: cannot slip into the past during the test
    booked = []
    for slot in slots[middle : middle + 2]:
        reservation = reserve(slot)
        confirmed = httpx2.put(
            f"{url}reservations/{reservation}", json={"customer": customer()}, headers=HEADERS
        )
        assert confirmed.status_code == 201, confirmed.text
        booked.append(reservation)
    target = {"json": {"reservationId": reserve(slots[middle + 4])}, "headers": HEADERS}

    responses = race(
        url, [("PUT", f"appointments/{a}/reschedule", target) for a in booked for _ in range(4)]
    )
    outcomes = sorted((r.status_code, r.json().get("code", "")) for r in responses)
    assert outcomes == [(200, "")] + [(410, "reservation_not_pending")] * 7, outcomes
