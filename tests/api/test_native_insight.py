"""Staff look up customers and read the figures of their branches."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.conftest import FakeClock
from tests.factories import one_office, passport

STAFF, BOOKING = "desk-key-000000005", "page-key-000000005"
TODAY, TOMORROW = "2030-03-04", "2030-03-05"  # the test clock: Monday 08:00 in Amsterdam


@pytest.fixture
def api(make_client: Callable[[dict[str, Any]], TestClient]) -> TestClient:
    client = make_client(
        one_office(
            keys={STAFF: "staff", BOOKING: "booking"},
            hours="09:00-11:00",  # 2 hours, 2 desks: 240 minutes
            desks=2,
            services=[
                passport(duration=20),
                {"id": "idcard", "name": "ID card", "duration": 10, "branches": ["north"]},
            ],
        )
    )
    client.headers["Authorization"] = f"Bearer {STAFF}"
    return client


def book(api: TestClient, day: str, time: str, service: str, email: str) -> str:
    answer = api.post(
        "/api/v1/appointments",
        json={
            "branch": "north",
            "services": [service],
            "start": f"{day}T{time}:00+01:00",
            "customer": {
                "first_name": "P",
                "last_name": email.split("@", maxsplit=1)[0],
                "email": email,
            },
        },
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def test_the_figures_of_a_branch_day_count_bookings_cancellations_no_shows_and_use(
    api: TestClient, clock: FakeClock
) -> None:
    ann = book(api, TODAY, "09:00", "passport", "ann@example.org")
    bob = book(api, TODAY, "09:20", "passport", "bob@example.org")
    cancelled = book(api, TODAY, "09:40", "passport", "cy@example.org")
    book(api, TODAY, "09:00", "idcard", "di@example.org")
    book(api, TOMORROW, "10:00", "passport", "ann@example.org")
    assert api.post(f"/api/v1/appointments/{cancelled}/cancel").status_code == 200
    clock.advance(seconds=2 * 3600)  # 10:00: Ann and Bob's times have passed
    api.post(f"/api/v1/appointments/{ann}/check-in")
    api.post(f"/api/v1/appointments/{bob}/no-show")
    answer = api.get("/api/v1/statistics", params={"date_from": TODAY, "date_to": TOMORROW})
    assert answer.status_code == 200, answer.text
    rows = {(r["services"], r["day"]): r for r in answer.json()["services"]}
    passport = rows[("passport", TODAY)]
    assert (passport["bookings"], passport["cancellations"], passport["no_shows"]) == (3, 1, 1)
    assert passport["no_show_rate"] == 0.5
    assert passport["lead_time_hours"] is not None and passport["lead_time_hours"] > 0
    assert rows[("idcard", TODAY)]["bookings"] == 1
    assert rows[("passport", TOMORROW)]["bookings"] == 1
    days = {b["day"]: b for b in answer.json()["branches"]}
    # Today: 20 + 20 + 10 booked minutes (the cancelled one not) of 2 desks x 120 minutes.
    assert (days[TODAY]["booked_minutes"], days[TODAY]["open_minutes"]) == (50, 240)
    assert days[TODAY]["utilisation"] == pytest.approx(50 / 240)


def test_staff_find_a_customer_and_see_all_their_appointments(api: TestClient) -> None:
    first = book(api, TODAY, "09:00", "passport", "ann@example.org")
    book(api, TOMORROW, "09:00", "idcard", "ann@example.org")
    api.post(f"/api/v1/appointments/{first}/cancel")
    found = api.get("/api/v1/customers", params={"email": "ANN@example.org"}).json()
    # Without an external id each booking keeps its own customer record (as the vendors do).
    assert found["total"] == 2 and found["next"] is None
    assert {c["email"] for c in found["data"]} == {"ann@example.org"}
    statuses = [
        a["status"]
        for customer in found["data"]
        for a in api.get(f"/api/v1/customers/{customer['id']}").json()["appointments"]
    ]
    assert sorted(statuses) == ["cancelled", "confirmed"]


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/v1/customers", {}),
        ("/api/v1/statistics", {"date_from": TOMORROW, "date_to": TODAY}),
        ("/api/v1/statistics", {"date_from": "2029-01-01", "date_to": "2030-03-04"}),
        ("/api/v1/customers/not-a-uuid", {}),
    ],
    ids=["search without a criterion", "range backwards", "range too long", "bad id"],
)
def test_unclear_look_ups_are_400(api: TestClient, path: str, params: dict[str, str]) -> None:
    assert api.get(path, params=params).status_code == 400


def test_customers_and_figures_need_a_staff_key(api: TestClient) -> None:
    for path in ("/api/v1/customers?email=a@example.org", "/api/v1/statistics"):
        answer = api.get(path, headers={"Authorization": f"Bearer {BOOKING}"})
        assert answer.status_code == 403
