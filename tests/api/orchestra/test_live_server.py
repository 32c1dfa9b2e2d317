"""Against real ``slotbook serve`` processes: races with real threads, and restarts."""

from __future__ import annotations

import socket
from typing import Any

import httpx2
import pytest

from tests.conftest import LiveServer, race
from tests.factories import every_day

BASE = "/calendar-backend/public/api"
pytestmark = pytest.mark.slow


def _catalog() -> dict[str, Any]:
    return {
        "tenants": [
            {
                "id": "race",
                "name": "Race Town",
                "branches": [
                    {
                        "id": "hall",
                        "public_id": "hall",
                        "name": "Town hall",
                        "time_zone": "Europe/Amsterdam",
                        "hours": every_day(["00:00-24:00"]),
                        "resources": [{"id": "desk", "name": "The only desk"}],
                    }
                ],
                "services": [
                    {
                        "id": "visit",
                        "public_id": "visit",
                        "name": "Visit",
                        "duration": 30,
                        "branches": ["hall"],
                    },
                    {
                        "id": "class",
                        "public_id": "class",
                        "name": "Class",
                        "duration": 60,
                        "capacity": 5,
                        "branches": ["hall"],
                    },
                ],
            }
        ]
    }


def _tomorrow_noon(url: str, service: str) -> tuple[str, str]:
    dates = httpx2.get(f"{url}{BASE}/v1/branches/hall/services/{service}/dates").json()["dates"]
    return dates[1][:10], "12:00"


def test_twenty_five_simultaneous_bookings_of_one_slot_one_wins(live_server: LiveServer) -> None:
    url = live_server.start(_catalog(), workers=2)
    day, time = _tomorrow_noon(url, "visit")
    path = f"{BASE}/v1/branches/hall/services/visit/dates/{day}/times/{time}/book"
    responses = race(
        url, [("POST", path, {"json": {"customer": {"externalId": f"p{i}"}}}) for i in range(25)]
    )
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] + [400] * 24
    assert {r.headers["ERROR_CODE"] for r in responses if r.status_code == 400} == {"440"}
    winners = [r.json() for r in responses if r.status_code == 200]
    booked = [
        httpx2.get(f"{url}{BASE}/v1/customers/externalId/p{i}/appointments").json()[
            "appointmentList"
        ]
        for i in range(25)
    ]
    assert sum(len(b) for b in booked) == 1
    assert (
        booked[int(winners[0]["customers"][0]["externalId"][1:])][0]["publicId"]
        == winners[0]["publicId"]
    )


def test_thirty_simultaneous_seats_in_a_five_space_class(live_server: LiveServer) -> None:
    url = live_server.start(_catalog(), workers=2)
    day, time = _tomorrow_noon(url, "class")
    path = f"{BASE}/v1/branches/hall/services/class/dates/{day}/times/{time}/book"
    responses = race(url, [("POST", path, {"json": {}})] * 30)
    assert sorted(r.status_code for r in responses) == [200] * 5 + [400] * 25
    times = httpx2.get(f"{url}{BASE}/v1/branches/hall/services/class/dates/{day}/times").json()[
        "times"
    ]
    assert time not in times


def test_appointments_survive_a_restart(live_server: LiveServer) -> None:
    url = live_server.start(_catalog())
    day, time = _tomorrow_noon(url, "visit")
    booked = httpx2.post(
        f"{url}{BASE}/v1/branches/hall/services/visit/dates/{day}/times/{time}/book",
        json={"customer": {"firstName": "Kept", "externalId": "keep-me"}},
    ).json()
    held = httpx2.post(
        f"{url}{BASE}/v1/branches/hall/services/visit/dates/{day}/times/14:00/reserve"
    ).json()
    live_server.stop()
    url = live_server.start()  # no catalog this time: everything comes from the database
    again = httpx2.get(f"{url}{BASE}/v1/appointments/{booked['publicId']}").json()["appointment"]
    assert again == booked
    assert (
        httpx2.get(f"{url}{BASE}/v1/appointments/{held['publicId']}").json()["appointment"][
            "status"
        ]
        == 10
    )
    times = httpx2.get(f"{url}{BASE}/v1/branches/hall/services/visit/dates/{day}/times").json()[
        "times"
    ]
    assert time not in times and "14:00" not in times


def test_a_client_that_hangs_up_mid_body_leaves_no_traceback(live_server: LiveServer) -> None:
    url = live_server.start(_catalog())
    day, time = _tomorrow_noon(url, "visit")
    port = int(url.rsplit(":", 1)[1])
    path = f"{BASE}/v1/branches/hall/services/visit/dates/{day}/times/{time}/book"
    with socket.create_connection(("127.0.0.1", port)) as conn:
        conn.sendall(
            f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            'Content-Length: 100\r\n\r\n{"customer":'.encode()
        )
    # The server is still fine and booked nothing.
    times = httpx2.get(f"{url}{BASE}/v1/branches/hall/services/visit/dates/{day}/times").json()
    assert time in times["times"]
    live_server.stop()
    assert "Traceback" not in live_server.log.read_text()
