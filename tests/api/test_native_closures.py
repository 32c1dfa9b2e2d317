"""Closing a branch day and blocking a desk: what is inside is cancelled (and its customers told),
nothing new gets in, whatever races it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from starlette.testclient import TestClient

from slotbook.domain.errors import DomainError
from slotbook.domain.model import CustomerDetails, Status
from slotbook.services import deliveries
from slotbook.services.availability import SlotQuery
from slotbook.services.booking import BookingDetails, place
from slotbook.services.catalog import tenant_catalog
from slotbook.services.context import Slotbook
from tests.factories import one_office, passport

STAFF = "desk-key-000000002"
ORCHESTRA = "/calendar-backend/public/api/v1"
TOMORROW = datetime(2030, 3, 5, tzinfo=UTC)  # the test clock: Monday 2030-03-04 08:00 Amsterdam


def catalog() -> dict[str, Any]:
    return one_office(
        keys={STAFF: "staff"},
        desks=2,
        public_ids=True,
        services=[passport(public_id="passport", resources=["desk-1", "desk-2"])],
    )


@pytest.fixture
def api(make_client: Callable[[dict[str, Any]], TestClient]) -> TestClient:
    client = make_client(catalog())
    client.headers["Authorization"] = f"Bearer {STAFF}"
    return client


def slotbook(api: TestClient) -> Slotbook:
    return api.app.state.slotbook  # type: ignore[attr-defined,no-any-return]


def book(app: Slotbook, start: datetime, n: int = 0) -> str:
    """Book a passport appointment at ``start`` (UTC); its UUID."""
    acme = tenant_catalog(app, "acme")
    done = place(
        app,
        acme,
        query=SlotQuery(branch=acme.branch("north"), services=(acme.service("passport"),)),
        start=start,
        status=Status.CONFIRMED,
        details=BookingDetails(
            customers=[CustomerDetails(first_name="P", last_name=str(n), email=f"p{n}@example.org")]
        ),
    )
    return done.ids.uuid


def times(api: TestClient, day: datetime) -> list[str]:
    answer = api.get(
        f"{ORCHESTRA}/branches/north/services/passport/dates/{day.date()}/times",
        headers={"X-API-KEY": STAFF},
    )
    assert answer.status_code == 200, answer.text
    return list(answer.json()["times"])


def test_closing_a_branch_day_cancels_exactly_its_50_appointments_and_tells_each_customer(
    api: TestClient,
) -> None:
    app = slotbook(api)
    # 50 appointments tomorrow from 09:00 (08:00 UTC) on two desks; 3 the day after.
    day = [book(app, TOMORROW + timedelta(hours=8, minutes=10 * (i // 2)), i) for i in range(50)]
    later = [
        book(app, TOMORROW + timedelta(days=1, hours=8, minutes=10 * i), 50 + i) for i in range(3)
    ]
    assert times(api, TOMORROW)
    closed = api.post(
        "/api/v1/closures",
        json={"branch": "north", "date": "2030-03-05", "reason": "Staff training"},
    )
    assert closed.status_code == 201, closed.text
    answer = closed.json()
    assert sorted(a["id"] for a in answer["cancelled"]) == sorted(day)
    assert {b["resource"] for b in answer["blocks"]} == {"desk-1", "desk-2"}
    for appointment in day[:3]:
        assert api.get(f"/api/v1/appointments/{appointment}").json()["status"] == "cancelled"
    for appointment in later:
        assert api.get(f"/api/v1/appointments/{appointment}").json()["status"] == "confirmed"
    # The day is gone on every surface; the next day is not.
    assert times(api, TOMORROW) == []
    assert len(times(api, TOMORROW + timedelta(days=1))) == 48  # a free desk at every time
    onsched = api.get(
        "/consumer/v1/appointments",
        params={"startDate": "2030-03-05", "endDate": "2030-03-05", "limit": "100"},
        headers={"X-API-KEY": STAFF},
    ).json()["data"]
    assert sorted(a["status"] for a in onsched if a["startDateTime"].startswith("2030-03-05")) == (
        ["CN"] * 50
    )
    # One cancellation mail per customer, with the reason, written with the closure.
    logged = deliveries.listing(app, tenant_catalog(app, "acme"), failed_only=False, limit=500)
    cancellations = [
        d for d in logged if d.event_type == "appointment.cancelled" and d.channel == "email"
    ]
    assert len(cancellations) == 50
    assert {d.payload["data"]["reason"] for d in cancellations} == {"Staff training"}
    booking = api.post(
        "/calendar-backend/public/api/v2/branches/north/services/passport/dates/2030-03-05"
        "/times/13:00/book",
        json={"customers": [{"firstName": "Late", "lastName": "Comer"}]},
        headers={"X-API-KEY": STAFF},
    )
    assert booking.status_code != 200


def test_a_booking_racing_a_closure_lands_before_it_and_is_cancelled_or_is_refused(
    api: TestClient,
) -> None:
    app = slotbook(api)
    acme = tenant_catalog(app, "acme")
    from slotbook.services import closures

    start = TOMORROW + timedelta(hours=8)
    gate = threading.Barrier(9)
    booked: list[str] = []
    refused: list[str] = []

    def booker(n: int) -> None:
        gate.wait()
        try:
            booked.append(book(app, start + timedelta(minutes=10 * n), n))
        except DomainError as error:
            refused.append(type(error).__name__)

    def closer() -> None:
        gate.wait()
        closures.close(
            app,
            acme,
            branch_key="north",
            resource_key=None,
            start=TOMORROW + timedelta(hours=-1),
            end=TOMORROW + timedelta(hours=23),
            reason="Flood",
        )

    threads = [threading.Thread(target=booker, args=(n,)) for n in range(8)]
    threads.append(threading.Thread(target=closer))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(booked) + len(refused) == 8
    for appointment in booked:  # whoever got in before the closure was cancelled by it
        assert api.get(f"/api/v1/appointments/{appointment}").json()["status"] == "cancelled"
    listed = api.get(
        "/api/v1/appointments",
        params={"date_from": "2030-03-05", "date_to": "2030-03-05", "status": "confirmed"},
    )
    assert listed.json()["data"] == []


def test_a_desk_block_hides_its_time_refuses_when_booked_and_can_be_lifted(
    api: TestClient,
) -> None:
    app = slotbook(api)
    busy = book(app, TOMORROW + timedelta(hours=8))
    window = {
        "start": "2030-03-05T10:00:00+01:00",
        "end": "2030-03-05T12:00:00+01:00",
        "reason": "Desk out of order",
    }
    refused = api.post(
        "/api/v1/blocks",
        json={"resource": "desk-1", **window} | {"start": "2030-03-05T09:00:00+01:00"},
    )
    assert refused.status_code == 409, refused.text
    before = times(api, TOMORROW)
    blocked = api.post("/api/v1/blocks", json={"resource": "desk-2", **window})
    assert blocked.status_code == 201, blocked.text
    block = blocked.json()
    assert block["resource"] == "desk-2" and block["reason"] == "Desk out of order"
    assert times(api, TOMORROW) == before  # desk 1 still serves 10:00-12:00
    both = api.post("/api/v1/blocks", json={"resource": "desk-1", **window})
    assert both.status_code == 201
    assert not [t for t in times(api, TOMORROW) if "10:00" <= t < "12:00"]
    assert {b["id"] for b in api.get("/api/v1/blocks").json()["data"]} == {
        block["id"],
        both.json()["id"],
    }
    assert api.delete(f"/api/v1/blocks/{both.json()['id']}").status_code == 204
    assert api.delete(f"/api/v1/blocks/{both.json()['id']}").status_code == 404
    assert "10:00" in times(api, TOMORROW)
    assert api.get(f"/api/v1/appointments/{busy}").json()["status"] == "confirmed"


@pytest.mark.parametrize(
    "body",
    [
        {"branch": "north", "reason": "x"},
        {"branch": "north", "date": "2030-03-05", "start": "2030-03-05T10:00:00Z", "reason": "x"},
        {
            "branch": "north",
            "start": "2030-03-05T10:00:00",
            "end": "2030-03-05T11:00:00Z",
            "reason": "x",
        },
        {
            "branch": "north",
            "start": "2030-03-05T11:00:00Z",
            "end": "2030-03-05T10:00:00Z",
            "reason": "x",
        },
        {"branch": "north", "date": "2030-03-05", "reason": ""},
    ],
    ids=["no time", "date and range", "naive start", "end before start", "no reason"],
)
def test_a_closure_that_does_not_say_when_or_why_is_refused(
    api: TestClient, body: dict[str, Any]
) -> None:
    answer = api.post("/api/v1/closures", json=body)
    assert answer.status_code == 400, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
