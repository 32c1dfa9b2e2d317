"""Abuse limits: live holds per client and writes per minute, 429 with Retry-After."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient

from slotbook.api.app import create_app
from slotbook.services.context import Slotbook
from tests.conftest import FakeClock, LiveServer, race
from tests.factories import issue_catalog

ORCHESTRA = "/calendar-backend/public/api/v1"
DESK_KEY = "limits-desk-key-0001"
TIMES = ["09:00", "09:10", "09:20", "09:30", "09:40", "09:50"]


def _reserve(client: TestClient, time: str, **headers: str) -> Any:
    path = f"{ORCHESTRA}/branches/north/services/idcard/dates/2030-03-04/times/{time}/reserve"
    return client.post(path, headers=headers)


def _client(
    make_slotbook: Callable[[dict[str, Any]], Slotbook],
    catalog: dict[str, Any],
    *,
    peer: str = "192.0.2.10",
    trusted: list[str] | None = None,
) -> TestClient:
    app = create_app(make_slotbook(catalog), trusted_proxies=trusted or [])
    return TestClient(app, client=(peer, 40000))


def test_a_client_keeps_at_most_its_number_of_live_holds(
    make_slotbook: Callable[[dict[str, Any]], Slotbook], clock: FakeClock
) -> None:
    client = _client(make_slotbook, issue_catalog(max_live_holds_per_client=2))
    first, second = (_reserve(client, t) for t in TIMES[:2])
    assert (first.status_code, second.status_code) == (200, 200)
    third = _reserve(client, TIMES[2])
    assert third.status_code == 429
    assert third.headers["ERROR_CODE"] == "429"
    assert "at most 2" in third.json()["msg"]
    assert 590 <= int(third.headers["Retry-After"]) <= 601  # until the oldest hold expires
    assert (
        "09:20"
        in client.get(f"{ORCHESTRA}/branches/north/services/idcard/dates/2030-03-04/times").json()[
            "times"
        ]
    )  # the refused hold took nothing
    # Giving a hold up makes room at once ...
    assert client.delete(f"{ORCHESTRA}/appointments/{first.json()['publicId']}").status_code == 200
    assert _reserve(client, TIMES[2]).status_code == 200
    # ... and so does letting them expire.
    clock.advance(seconds=601)
    assert _reserve(client, TIMES[3]).status_code == 200
    assert _reserve(client, TIMES[4]).status_code == 200


def test_reservations_without_expiry_count_as_holds(
    make_slotbook: Callable[[dict[str, Any]], Slotbook],
) -> None:
    client = _client(make_slotbook, issue_catalog(max_live_holds_per_client=1))
    held = client.post(
        "/consumer/v1/appointments",
        json={
            "serviceId": _onsched_service(client, "ID card"),
            "startDateTime": "2030-03-04T09:00:00+01:00",
            "endDateTime": "2030-03-04T09:10:00+01:00",
        },
    )
    assert held.status_code == 200, held.text
    kept = client.put(f"/consumer/v1/appointments/{held.json()['id']}/reserve")
    assert kept.status_code == 200  # RS: kept without expiry, still not booked
    again = _reserve(client, TIMES[2])
    assert again.status_code == 429
    assert again.headers["Retry-After"] == "60"


def _onsched_service(client: TestClient, name: str) -> str:
    services = client.get("/consumer/v1/services").json()["data"]
    return str(next(s["id"] for s in services if s["name"] == name))


def test_holds_are_counted_per_client_and_staff_is_not_limited(
    make_slotbook: Callable[[dict[str, Any]], Slotbook],
) -> None:
    catalog = issue_catalog(
        max_live_holds_per_client=1,
        api_keys=[{"key": DESK_KEY, "scope": "staff"}],
    )
    proxy = _client(make_slotbook, catalog, peer="10.0.0.2", trusted=["10.0.0.0/8"])
    ann = {"X-Forwarded-For": "198.51.100.1", "X-API-KEY": DESK_KEY}
    assert [_reserve(proxy, t, **ann).status_code for t in TIMES[:3]] == [200, 200, 200]


def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_holds(
    make_slotbook: Callable[[dict[str, Any]], Slotbook],
) -> None:
    proxy = _client(
        make_slotbook,
        issue_catalog(max_live_holds_per_client=1),
        peer="10.0.0.2",
        trusted=["10.0.0.0/8"],
    )
    ann, bob = {"X-Forwarded-For": "198.51.100.1"}, {"X-Forwarded-For": "198.51.100.2, 10.0.0.9"}
    assert _reserve(proxy, TIMES[0], **ann).status_code == 200
    assert _reserve(proxy, TIMES[1], **bob).status_code == 200
    assert _reserve(proxy, TIMES[2], **ann).status_code == 429
    assert _reserve(proxy, TIMES[3], **bob).status_code == 429


def test_without_a_trusted_proxy_x_forwarded_for_is_not_believed(
    make_slotbook: Callable[[dict[str, Any]], Slotbook],
) -> None:
    client = _client(make_slotbook, issue_catalog(max_live_holds_per_client=1))
    assert _reserve(client, TIMES[0], **{"X-Forwarded-For": "198.51.100.1"}).status_code == 200
    assert _reserve(client, TIMES[1], **{"X-Forwarded-For": "198.51.100.2"}).status_code == 429


# Each surface's own 429: (path of a write, headers, a check of its error body).
SURFACE_WRITES: list[tuple[str, str, dict[str, str], Callable[[Any], bool]]] = [
    (
        "orchestra",
        f"{ORCHESTRA}/branches/north/services/nothing/dates/2030-03-04/times/09:00/book",
        {},
        lambda r: r.headers["ERROR_CODE"] == "429" and "msg" in r.json(),
    ),
    (
        "qmatic",
        "/external/v1/reservations",
        {"X-TENANT-ID": "acme"},
        lambda r: r.json()["code"] == "too_many_requests",
    ),
    (
        "onsched",
        "/consumer/v1/appointments",
        {},
        lambda r: r.json()["error"] == "too_many_requests",
    ),
    ("appointedd", "/v1/bookings", {}, lambda r: r.json()["error"] == "too_many_requests"),
]


@pytest.mark.parametrize(
    ("surface", "path", "headers", "shaped"), SURFACE_WRITES, ids=[s[0] for s in SURFACE_WRITES]
)
def test_writes_past_the_limit_are_429_in_the_surfaces_format(
    make_slotbook: Callable[[dict[str, Any]], Slotbook],
    clock: FakeClock,
    surface: str,
    path: str,
    headers: dict[str, str],
    shaped: Callable[[Any], bool],
) -> None:
    client = _client(make_slotbook, issue_catalog(writes_per_minute=3))
    # Refused writes count too: a script cannot probe for free.
    answers = [client.post(path, json={}, headers=headers) for _ in range(4)]
    assert [a.status_code == 429 for a in answers] == [False, False, False, True], surface
    refused = answers[-1]
    assert shaped(refused), refused.text
    assert 1 <= int(refused.headers["Retry-After"]) <= 61
    reads = client.get(f"{ORCHESTRA}/branches")  # reading is not limited
    assert reads.status_code == 200
    clock.advance(seconds=61)
    assert client.post(path, json={}, headers=headers).status_code != 429


@pytest.mark.slow
def test_racing_holds_of_one_client_never_exceed_its_limit(live_server: LiveServer) -> None:
    catalog = issue_catalog(max_live_holds_per_client=3, horizon_days=3650)
    url = live_server.start(catalog, workers=2)
    calls = [
        (
            "POST",
            f"{ORCHESTRA}/branches/north/services/idcard/dates/2030-03-04/times/{hour}:{minute}/reserve",
            {},
        )
        for hour in ("09", "10")
        for minute in ("00", "10", "20", "30", "40", "50")
    ]
    statuses = [r.status_code for r in race(url, calls)]
    assert sorted(statuses) == [200] * 3 + [429] * 9, statuses
