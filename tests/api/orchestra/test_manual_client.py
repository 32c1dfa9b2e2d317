"""A client that follows the manual, end to end, against a real ``slotbook serve``."""

from __future__ import annotations

import time
from typing import Any

import httpx2
import pytest

from tests.conftest import LiveServer
from tests.factories import every_day

pytestmark = pytest.mark.slow


def _catalog() -> dict[str, Any]:
    return {
        "tenants": [
            {
                "id": "town",
                "name": "Town",
                "reservation_ttl_seconds": 2,
                "branches": [
                    {
                        "id": "hall",
                        "name": "Town hall",
                        "time_zone": "Europe/Amsterdam",
                        "hours": every_day(["08:00-18:00"]),
                        "resources": [
                            {"id": "desk", "name": "Desk"},
                            {"id": "room", "name": "Room"},
                        ],
                    }
                ],
                "services": [
                    {
                        "id": "passport",
                        "public_id": "Paspoort",
                        "name": "Passport",
                        "duration": 10,
                        "additional_customer_duration": 5,
                        "slot_step": 5,
                        "max_custom_length": 40,  # the manual's customSlotLength example
                        "branches": ["hall"],
                        "resources": ["desk"],
                    },
                    {
                        "id": "idcard",
                        "public_id": "IDkaart",
                        "name": "ID card",
                        "duration": 10,
                        "slot_step": 5,
                        "branches": ["hall"],
                        "resources": ["desk"],
                    },
                    {
                        "id": "course",
                        "public_id": "Cursus",
                        "name": "Course",
                        "duration": 60,
                        "slot_step": 60,
                        "capacity": 3,
                        "branches": ["hall"],
                        "resources": ["room"],
                    },
                ],
                "combinations": [["passport", "idcard"]],
            }
        ]
    }


def test_the_manuals_flows_against_a_real_server(live_server: LiveServer) -> None:
    url = live_server.start(_catalog(), workers=2)
    api = httpx2.Client(base_url=url + "/calendar-backend/public/api", timeout=30)

    branch = api.get("/v1/branches").json()["branchList"][0]["publicId"]
    assert api.get(f"/v1/branches/{branch}/").json()["branch"]["name"] == "Town hall"
    assert len(api.get(f"/v1/branches/{branch}/services").json()["serviceList"]) == 3
    assert len(api.get("/v1/services").json()["serviceList"]) == 3
    assert api.get("/v1/services/Paspoort/branches").json()["branchList"][0]["publicId"] == branch
    day = api.get(f"/v1/branches/{branch}/services/Paspoort/dates").json()["dates"][1][
        :10
    ]  # tomorrow
    times = api.get(f"/v1/branches/{branch}/services/Paspoort/dates/{day}/times").json()["times"]
    assert times[:2] == ["08:00", "08:05"]

    # Book (v1), several customers (v2), a custom length, several services.
    one = api.post(
        f"/v1/branches/{branch}/services/Paspoort/dates/{day}/times/08:00/book",
        json={"customer": {"firstName": "A", "externalId": "EXT-1"}},
    ).json()
    assert one["status"] == 20
    two = api.post(
        f"/v2/branches/{branch}/services/Paspoort/dates/{day}/times/09:00/book",
        json={"customers": [{"firstName": "B"}, {"firstName": "C"}]},
    ).json()
    assert (two["numberOfCustomers"], two["end"][11:16]) == (1, "08:15")  # 15 minutes, in UTC
    custom = api.post(
        f"/v2/branches/{branch}/services/Paspoort/dates/{day}/times/10:00/book;customSlotLength=40",
        json={"customers": [{"firstName": "D", "externalId": "EXT-1"}]},
    ).json()
    assert custom["customSlotLength"] == 40
    both = api.post(
        f"/v2/branches/{branch}/dates/{day}/times/11:00/book",
        json={
            "customers": [{"firstName": "E"}],
            "services": [{"publicId": "Paspoort"}, {"publicId": "IDkaart"}],
        },
    ).json()
    assert len(both["services"]) == 2
    assert api.get(
        f"/v2/branches/{branch}/dates;servicePublicId=Paspoort;servicePublicId=IDkaart"
    ).json()["dates"]
    assert (
        api.get("/v1/services/groups;servicePublicId=Paspoort").json()[0]["branchPublicId"]
        == branch
    )
    assert api.get(f"/v2/branches/{branch}/services/groups;servicePublicId=IDkaart").json()[0][
        "services"
    ]
    assert (
        api.get("/v2/branches/available;servicePublicId=Paspoort").json()[0]["publicId"] == branch
    )

    # Reserve -> confirm (v1 and v2), and a reservation that expires.
    held = api.post(
        f"/v1/branches/{branch}/services/Paspoort/dates/{day}/times/12:00/reserve"
    ).json()
    assert (
        api.post(
            f"/v1/branches/appointments/{held['publicId']}/confirm",
            json={"customer": {"firstName": "F"}},
        ).json()["status"]
        == 20
    )
    held2 = api.post(
        f"/v2/branches/{branch}/dates/{day}/times/13:00/reserve;numberOfCustomers=1",
        json={"services": [{"publicId": "Paspoort"}]},
    ).json()
    assert (
        api.post(
            f"/v2/branches/appointments/{held2['publicId']}/confirm",
            json={"customers": [{"firstName": "G"}, {"firstName": "H"}]},
        ).json()["status"]
        == 20
    )
    lapsing = api.post(
        f"/v1/branches/{branch}/services/Paspoort/dates/{day}/times/14:00/reserve"
    ).json()
    time.sleep(2.5)
    late = api.post(f"/v1/branches/appointments/{lapsing['publicId']}/confirm", json={})
    assert (late.status_code, late.headers["ERROR_CODE"]) == (400, "460")
    assert (
        "14:00"
        in api.get(f"/v1/branches/{branch}/services/Paspoort/dates/{day}/times").json()["times"]
    )

    # Group capacity: three places in the course.
    course = f"/v2/branches/{branch}/services/Cursus/dates/{day}/times/09:00/book"
    assert (
        api.post(course, json={"customers": [{"firstName": "I"}, {"firstName": "J"}]}).status_code
        == 200
    )
    assert api.post(course, json={"customers": [{"firstName": "K"}]}).status_code == 200
    assert api.post(course, json={"customers": [{"firstName": "L"}]}).headers["ERROR_CODE"] == "440"

    # Reads, lookups, reschedule, delete.
    customer = one["customers"][0]["publicId"]
    assert api.get(f"/v1/customers/{customer}").json()["customer"]["externalId"] == "EXT-1"
    assert len(api.get(f"/v1/customers/{customer}/appointments").json()["appointmentList"]) == 2
    assert (
        len(api.get("/v1/customers/externalId/EXT-1/appointments").json()["appointmentList"]) == 2
    )
    moved = api.put(
        f"/v1/appointments/{one['publicId']}/reschedule",
        params={"start": f"{day}T15:00:00", "end": f"{day}T15:10:00"},
    ).json()["appointment"]
    assert moved["start"][11:16] in ("13:00", "14:00")  # 15:00 local in UTC (CET or CEST)
    assert api.delete(f"/v1/appointments/{one['publicId']}").status_code == 200
    assert api.get(f"/v1/appointments/{one['publicId']}").headers["ERROR_CODE"] == "142"

    # The manual's error codes.
    assert (
        api.post(
            f"/v1/branches/nope/services/Paspoort/dates/{day}/times/08:00/book", json={}
        ).headers["ERROR_CODE"]
        == "410"
    )
    assert (
        api.post(
            f"/v1/branches/{branch}/services/nope/dates/{day}/times/08:00/book", json={}
        ).headers["ERROR_CODE"]
        == "420"
    )
    assert (
        api.post(
            f"/v1/branches/{branch}/services/Paspoort/dates/{day}/times/09:00/book", json={}
        ).headers["ERROR_CODE"]
        == "440"
    )
    assert api.get("/v1/customers/" + "0" * 64).headers["ERROR_CODE"] == "140"
    api.close()
