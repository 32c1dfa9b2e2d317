"""A citizen's app books through the native API: free days and times, hold, confirm."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.factories import one_office, passport

CITIZEN = "citizen-key-000003"
API = "/api/v1"
TUESDAY = "2030-03-05"
PERSON = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.org"}


def catalog() -> dict[str, Any]:
    question = {"id": "bsn", "text": "Your BSN", "required": True}
    return one_office(
        keys={CITIZEN: "booking"},
        hours="09:00-10:00",
        services=[passport(information_questions=[question])],
        horizon_days=14,
    )


@pytest.fixture
def api(make_client: Callable[[dict[str, Any]], TestClient]) -> TestClient:
    client = make_client(catalog())
    client.headers["Authorization"] = f"Bearer {CITIZEN}"
    return client


def test_free_days_and_times_follow_the_catalog(api: TestClient) -> None:
    days = api.get(f"{API}/availability/dates", params={"branch": "north", "services": "passport"})
    assert days.status_code == 200, days.text
    assert days.json()["data"][:2] == ["2030-03-04", TUESDAY]
    assert len(days.json()["data"]) == 14
    found = api.get(
        f"{API}/availability/times",
        params={"branch": "north", "services": "passport", "date": TUESDAY},
    )
    assert found.status_code == 200
    first = found.json()["data"][0]
    assert first == {
        "start": "2030-03-05T09:00:00+01:00",
        "end": "2030-03-05T09:10:00+01:00",
        "resources": ["desk-1"],
    }
    assert len(found.json()["data"]) == 6


def test_a_hold_is_confirmed_with_the_answers_and_leaves_the_free_times(api: TestClient) -> None:
    slot = {"branch": "north", "services": ["passport"], "start": "2030-03-05T09:00:00+01:00"}
    held = api.post(f"{API}/holds", json=slot)
    assert held.status_code == 201, held.text
    shown = held.json()
    assert shown["status"] == "held" and shown["expires"] == "2030-03-04T07:10:00Z".replace(
        "Z", "+00:00"
    )
    assert shown["customers"] == []
    again = api.post(f"{API}/holds", json=slot)
    assert again.status_code == 409 and again.json()["code"] == "slot_taken"
    unanswered = api.post(f"{API}/holds/{shown['id']}/confirm", json={"customer": PERSON})
    assert unanswered.status_code == 400
    assert "bsn" in unanswered.json()["detail"]
    done = api.post(
        f"{API}/holds/{shown['id']}/confirm",
        json={"customer": PERSON, "answers": {"bsn": "123456782"}},
    )
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "confirmed" and done.json()["answers"] == {"bsn": "123456782"}
    times = api.get(
        f"{API}/availability/times",
        params={"branch": "north", "services": "passport", "date": TUESDAY},
    ).json()["data"]
    assert times[0]["start"] == "2030-03-05T09:10:00+01:00"


def test_one_step_booking_keeps_to_the_grid(api: TestClient) -> None:
    body = {
        "branch": "north",
        "services": ["passport"],
        "start": "2030-03-05T09:20:00+01:00",
        "customer": PERSON,
        "answers": {"bsn": "123456782"},
    }
    done = api.post(f"{API}/bookings", json=body)
    assert done.status_code == 201, done.text
    assert done.json()["customers"][0]["last_name"] == "Lovelace"
    off_grid = api.post(f"{API}/bookings", json={**body, "start": "2030-03-05T09:25:00+01:00"})
    assert off_grid.status_code in (400, 409)
    assert off_grid.headers["content-type"] == "application/problem+json"


def test_malformed_questions_get_a_clear_400(api: TestClient) -> None:
    bad = api.get(
        f"{API}/availability/times",
        params={"branch": "north", "services": "passport", "date": "2030-02-30"},
    )
    assert bad.status_code == 400 and "date" in bad.json()["detail"]
    unknown = api.get(
        f"{API}/availability/dates", params={"branch": "south", "services": "passport"}
    )
    assert unknown.status_code == 404
    naive = api.post(
        f"{API}/holds",
        json={"branch": "north", "services": ["passport"], "start": "2030-03-05T09:00:00"},
    )
    assert naive.status_code == 400
