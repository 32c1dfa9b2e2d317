"""``Idempotency-Key``: a retried write returns the first answer and has no second effect."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx2
import pytest
from starlette.testclient import TestClient

from tests.conftest import LiveServer, race
from tests.factories import issue_catalog

ORCHESTRA = "/calendar-backend/public/api/v1"
BOOK = f"{ORCHESTRA}/branches/north/services/idcard/dates/2030-03-04/times/09:00/book"
ANN = {"customer": {"firstName": "Ann", "externalId": "ann-1"}}


def _appointments_of(client: TestClient, person: str) -> list[Any]:
    found = client.get(f"{ORCHESTRA}/customers/externalId/{person}/appointments")
    return list(found.json()["appointmentList"])


@pytest.fixture
def client(make_client: Callable[[dict[str, Any]], TestClient]) -> TestClient:
    return make_client(issue_catalog())


def test_a_retried_booking_returns_the_first_answer_without_a_second_booking(
    client: TestClient,
) -> None:
    key = {"Idempotency-Key": "3b1f4d8e-retry-1"}
    first = client.post(BOOK, json=ANN, headers=key)
    assert first.status_code == 200
    again = client.post(BOOK, json=ANN, headers=key)
    assert again.status_code == 200
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert len(_appointments_of(client, "ann-1")) == 1
    # Without the key the same request is a new booking (on the other free resource).
    assert client.post(BOOK, json=ANN).status_code == 200
    assert len(_appointments_of(client, "ann-1")) == 2


def test_the_same_key_with_another_request_is_422_and_changes_nothing(client: TestClient) -> None:
    key = {"Idempotency-Key": "key-used-twice"}
    assert client.post(BOOK, json=ANN, headers=key).status_code == 200
    other = {"customer": {"firstName": "Bob", "externalId": "bob-1"}}
    reused = client.post(BOOK.replace("09:00", "10:00"), json=other, headers=key)
    assert reused.status_code == 422
    assert reused.headers["ERROR_CODE"] == "422"
    assert "another request" in reused.json()["msg"]
    assert _appointments_of(client, "bob-1") == []


def test_a_refusal_is_replayed_too_but_a_rate_limit_is_not_kept(
    make_client: Callable[[dict[str, Any]], TestClient],
) -> None:
    client = make_client(issue_catalog(writes_per_minute=1))
    assert client.post(BOOK, json=ANN).status_code == 200  # uses up the minute
    key = {"Idempotency-Key": "after-the-limit"}
    limited = client.post(BOOK.replace("09:00", "11:00"), json=ANN, headers=key)
    assert limited.status_code == 429
    assert (
        "Idempotent-Replayed"
        not in client.post(BOOK.replace("09:00", "11:00"), json=ANN, headers=key).headers
    )  # ran again (and was limited again), not replayed


def test_a_malformed_key_is_refused_in_the_surfaces_format(client: TestClient) -> None:
    refused = client.post(
        "/external/v1/reservations",
        json={},
        headers={"Idempotency-Key": "", "X-TENANT-ID": "acme"},
    )
    assert refused.status_code == 400
    assert refused.json()["code"] == "bad_request"


def test_every_surface_replays(client: TestClient) -> None:
    qmatic = {"X-TENANT-ID": "acme", "Idempotency-Key": "q-1"}
    services = client.get("/external/v1/services", headers={"X-TENANT-ID": "acme"}).json()
    idcard = next(s for s in services if s["service"]["name"] == "ID card")
    body = {
        "branchId": idcard["branch"]["id"],
        "serviceId": idcard["service"]["id"],
        "timeSlot": {"startTime": "2030-03-04T10:00:00+01:00"},
    }
    first = client.post("/external/v1/reservations", json=body, headers=qmatic)
    assert first.status_code == 201, first.text
    again = client.post("/external/v1/reservations", json=body, headers=qmatic)
    assert (again.status_code, again.json()) == (201, first.json())


@pytest.mark.slow
def test_twenty_concurrent_retries_with_one_key_make_one_appointment(
    live_server: LiveServer,
) -> None:
    url = live_server.start(issue_catalog(horizon_days=3650), workers=2)
    calls = [("POST", BOOK, {"json": ANN, "headers": {"Idempotency-Key": "burst-1"}})] * 20
    answers = race(url, calls)
    assert [a.status_code for a in answers] == [200] * 20, [a.text for a in answers]
    assert len({a.json()["publicId"] for a in answers}) == 1
    replayed = [a.headers.get("Idempotent-Replayed") for a in answers]
    assert replayed.count("true") == 19
    listed = httpx2.get(f"{url}{ORCHESTRA}/customers/externalId/ann-1/appointments").json()
    assert len(listed["appointmentList"]) == 1
