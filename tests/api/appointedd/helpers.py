"""Test data and small HTTP helpers for the Appointedd surface."""

from __future__ import annotations

from typing import Any

import httpx2
from fastapi import FastAPI
from starlette.testclient import TestClient

from slotbook.services.context import Slotbook
from tests.conftest import LiveServer
from tests.factories import every_day

KEY_ACME = "acme-appointedd-key-0001"
KEY_GLOBEX = "globex-appointedd-key-0001"

# Monday 2030-03-04 in Amsterdam (UTC+01:00); the test clock says 08:00 there.
MONDAY = "2030-03-04"


def at(clock_time: str, day: str = MONDAY) -> str:
    """An Amsterdam wall-clock time on a test day, as Appointedd clients send it."""
    return f"{day}T{clock_time}:00.000+01:00"


def studio_catalog(**acme: Any) -> dict[str, Any]:
    """A studio with a 5-space yoga class (buffers) and 1:1 consultations (two lengths)."""
    tenant: dict[str, Any] = {
        "id": "acme",
        "name": "Acme Studio",
        "api_keys": [{"key": KEY_ACME, "scope": "staff"}],
        "reservation_ttl_seconds": 600,
        "branches": [
            {
                "id": "studio",
                "name": "Studio",
                "time_zone": "Europe/Amsterdam",
                "hours": every_day(["09:00-17:00"]),
                "resources": [
                    {"id": "room-1", "name": "Room 1"},
                    {"id": "desk-1", "name": "Desk 1"},
                    {"id": "desk-2", "name": "Desk 2"},
                ],
            }
        ],
        "services": [
            {
                "id": "yoga",
                "name": "Yoga class",
                "description": "Stretch with us.",
                "duration": 60,
                "slot_step": 60,
                "capacity": 5,
                "buffer_before": 15,
                "buffer_after": 15,
                "price": 20,
                "category": "Classes",
                "branches": ["studio"],
                "resources": ["room-1"],
            },
            {
                "id": "consult",
                "name": "Consultation",
                "duration": 30,
                "slot_step": 30,
                "durations": [
                    {"minutes": 30, "price": 40, "default": True},
                    {"minutes": 60, "price": 70.5},
                ],
                "branches": ["studio"],
                "resources": ["desk-1", "desk-2"],
            },
        ],
    }
    tenant.update(acme)
    other = {
        "id": "globex",
        "name": "Globex",
        "api_keys": [{"key": KEY_GLOBEX, "scope": "staff"}],
        "branches": [
            {
                "id": "hq",
                "name": "HQ",
                "time_zone": "Europe/London",
                "hours": every_day(["09:00-17:00"]),
                "resources": [{"id": "hall", "name": "Hall"}],
            }
        ],
        "services": [
            {"id": "tour", "name": "Tour", "duration": 60, "capacity": 10, "branches": ["hq"]}
        ],
    }
    return {"tenants": [tenant, other]}


def ids_by_name(client: TestClient) -> dict[str, str]:
    """Service and resource names -> their Appointedd ids."""
    found: dict[str, str] = {}
    for path in ("/v1/services?limit=100", "/v1/resources?limit=100"):
        response = client.get(path)
        assert response.status_code == 200, response.text
        for item in response.json()["data"]:
            found[item.get("name") or item["profile"]["name"]] = item["id"]
    return found


def full_search_body(ids: dict[str, str]) -> dict[str, Any]:
    """A search of the yoga class in Room 1 with every optional field set."""
    return {
        "ranges": [{"start": at("09:00"), "end": at("12:00")}],
        "service_id": ids["Yoga class"],
        "resource_ids": [ids["Room 1"]],
        "spaces": 1,
        "timezone": "Europe/Amsterdam",
        "duration": 60,
    }


def search(
    client: TestClient,
    service_id: str,
    start: str,
    end: str,
    timezone: str | None = "Europe/Amsterdam",
    **extra: Any,
) -> Any:
    """POST availability/intervals/search for one range; the response's ``data``."""
    body = {"ranges": [{"start": start, "end": end}], "service_id": service_id, **extra}
    if timezone is not None:
        body["timezone"] = timezone
    response = client.post("/v1/availability/intervals/search", json=body)
    assert response.status_code == 200, response.text
    return response.json()["data"]


def hold(
    client: TestClient,
    service_id: str,
    start: str,
    spaces: int = 1,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Any:
    """POST availability/slots; the raw response."""
    data = {
        "timezone": "Europe/Amsterdam",
        "required_spaces": spaces,
        "start": start,
        "service_id": service_id,
        **extra,
    }
    return client.post("/v1/availability/slots", json={"data": data}, headers=headers)


def person(first: str, last: str, spaces: int | None = None) -> dict[str, Any]:
    """One entry of a booking's ``customers``."""
    entry: dict[str, Any] = {"customer": {"profile": {"firstname": first, "lastname": last}}}
    if spaces is not None:
        entry["spaces"] = spaces
    return entry


def reachable_person() -> dict[str, Any]:
    """A customer entry with every profile field a front-end usually sends."""
    entry = person("Ada", "Lovelace", spaces=1)
    entry["customer"]["profile"].update(email="ada@example.org", mobile="+31 6 1234 5678")
    return entry


def booking_body(slot_id: str, *people: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """The body of ``POST bookings`` from a slot."""
    return {
        "timezone": "Europe/Amsterdam",
        "slot_id": slot_id,
        "data": {"customers": list(people)},
        **extra,
    }


def book(
    client: TestClient,
    slot_id: str,
    *people: dict[str, Any],
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Any:
    """POST bookings from a slot; the raw response."""
    return client.post(
        "/v1/bookings", json=booking_body(slot_id, *people, **extra), headers=headers
    )


def slotbook_of(client: TestClient) -> Slotbook:
    """The application behind a test client (to act as another surface would)."""
    app = client.app
    assert isinstance(app, FastAPI)
    found: Slotbook = app.state.slotbook
    return found


GYM_KEY = "race-appointedd-key-0001"


def gym_catalog() -> dict[str, Any]:
    """A gym open around the clock with one 5-space spinning class (for the race tests)."""
    return {
        "tenants": [
            {
                "id": "gym",
                "name": "Gym",
                "api_keys": [{"key": GYM_KEY, "scope": "staff"}],
                "reservation_ttl_seconds": 600,
                "branches": [
                    {
                        "id": "main",
                        "name": "Main",
                        "time_zone": "UTC",
                        "hours": every_day(["00:00-24:00"]),
                        "resources": [{"id": "studio", "name": "Studio"}],
                    }
                ],
                "services": [
                    {
                        "id": "spin",
                        "name": "Spinning",
                        "duration": 60,
                        "slot_step": 60,
                        "capacity": 5,
                        "branches": ["main"],
                    }
                ],
            }
        ]
    }


def serve_gym(live_server: LiveServer) -> tuple[str, dict[str, str], dict[str, Any]]:
    """Two workers over the gym catalog: the surface's URL, key headers and the class."""
    base = live_server.start(gym_catalog(), workers=2) + "/v1"
    headers = {"X-API-KEY": GYM_KEY}
    [service] = httpx2.get(f"{base}/services", headers=headers).json()["data"]
    return base, headers, service
