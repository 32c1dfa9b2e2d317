"""Fixtures for the OnSched surface: a two-tenant catalog and a client that speaks its paths."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from httpx2 import Response
from starlette.testclient import TestClient

from tests.factories import every_day

ACME_KEY = "acme-key-0123456789abcdef"
ACME_STAFF_KEY = "acme-staff-key-0123456789abcdef"
GLOBEX_KEY = "globex-key-0123456789abcdef"
GLOBEX_STAFF_KEY = "globex-staff-key-0123456789"
BASE = "/consumer/v1/"

CATALOG: dict[str, Any] = {
    "tenants": [
        {
            "id": "acme",
            "name": "Acme Clinic",
            "api_keys": [ACME_KEY, {"key": ACME_STAFF_KEY, "internal": True}],
            "reservation_ttl_seconds": 600,
            "branches": [
                {
                    "id": "north",
                    "name": "North Office",
                    "time_zone": "Europe/Amsterdam",
                    "address": {
                        "line1": "Lageweg 35",
                        "city": "Katwijk",
                        "zip": "2222 AG",
                        "country": "Netherlands",
                    },
                    "phone": "+31 71 000 0000",
                    "email": "north@example.com",
                    "hours": every_day(["09:00-17:00"]),
                    "resources": [
                        {"id": "desk-1", "name": "Desk 1"},
                        {"id": "desk-2", "name": "Desk 2"},
                        {"id": "room-1", "name": "Room 1"},
                    ],
                },
                {
                    "id": "east",
                    "name": "East Office",
                    "time_zone": "America/New_York",
                    "hours": every_day(["09:00-17:00"]),
                    "resources": [{"id": "east-desk", "name": "East Desk"}],
                },
            ],
            "services": [
                {
                    "id": "consult",
                    "name": "Consultation",
                    "description": "Talk to an adviser",
                    "duration": 30,
                    "durations": [{"minutes": 30, "default": True}, {"minutes": 60}],
                    "branches": ["north", "east"],
                    "resources": ["desk-1", "desk-2", "east-desk"],
                },
                {
                    "id": "workshop",
                    "name": "Workshop",
                    "duration": 60,
                    "slot_step": 60,
                    "capacity": 5,
                    "branches": ["north"],
                    "resources": ["room-1"],
                },
                {
                    "id": "staff",
                    "name": "Staff only",
                    "duration": 30,
                    "online_bookable": False,
                    "branches": ["north"],
                    "resources": ["desk-1"],
                },
            ],
        },
        {
            "id": "globex",
            "name": "Globex",
            "api_keys": [GLOBEX_KEY, {"key": GLOBEX_STAFF_KEY, "scope": "staff"}],
            "branches": [
                {
                    "id": "main",
                    "name": "Globex Main",
                    "time_zone": "Europe/London",
                    "hours": every_day(["09:00-17:00"]),
                    "resources": [{"id": "desk", "name": "Globex Desk"}],
                }
            ],
            "services": [{"id": "visit", "name": "Visit", "duration": 20, "branches": ["main"]}],
        },
    ]
}


def catalog(**acme: Any) -> dict[str, Any]:
    """A deep copy of the test catalog, with keys of the first tenant (acme) overridden."""
    result = copy.deepcopy(CATALOG)
    result["tenants"][0].update(acme)
    return result


class OnSched:
    """An HTTP client for ``/consumer/v1`` that presents one bearer token."""

    def __init__(self, client: TestClient, token: str | None = ACME_KEY) -> None:
        self.client = client
        self.token = token
        self._ids: dict[str, dict[str, str]] = {}

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        """Authorization plus any extra headers."""
        found = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return {**found, **(extra or {})}

    def get(self, path: str, headers: dict[str, str] | None = None, **params: Any) -> Response:
        """GET a surface path."""
        return self.client.get(BASE + path, params=params, headers=self.headers(headers))

    def post(self, path: str, body: Any = None, **params: Any) -> Response:
        """POST a JSON body."""
        return self.client.post(BASE + path, json=body, params=params, headers=self.headers())

    def put(self, path: str, body: Any = None) -> Response:
        """PUT a JSON body."""
        return self.client.put(BASE + path, json=body, headers=self.headers())

    def delete(self, path: str) -> Response:
        """DELETE a surface path."""
        return self.client.delete(BASE + path, headers=self.headers())

    @property
    def staff(self) -> OnSched:
        """The same server seen with acme's staff key (lists of customers and appointments)."""
        return self.as_key(ACME_STAFF_KEY)

    def as_key(self, token: str | None) -> OnSched:
        """The same server with another token."""
        return OnSched(self.client, token)

    def ids(self, kind: str) -> dict[str, str]:
        """Name -> id of every location, service or resource (services as internal sees)."""
        if kind not in self._ids:
            found = self.get(kind, limit=100)
            assert found.status_code == 200, found.text
            self._ids[kind] = {item["name"]: item["id"] for item in found.json()["data"]}
        return self._ids[kind]

    def location(self, name: str) -> str:
        """Id of a location by name."""
        return self.ids("locations")[name]

    def service(self, name: str) -> str:
        """Id of a service by name."""
        return self.ids("services")[name]

    def resource(self, name: str) -> str:
        """Id of a resource by name."""
        return self.ids("resources")[name]

    def times(self, service: str, first: str, last: str | None = None, **params: Any) -> Any:
        """Available times of a service (by name) from ``first`` to ``last``."""
        found = self.get(f"availability/{self.service(service)}/{first}/{last or first}", **params)
        assert found.status_code == 200, found.text
        return found.json()["availableTimes"]

    def hold(self, service: str, start: str, end: str, **body: Any) -> Response:
        """POST an appointment for a service (by name) at ``start``-``end``."""
        params = {}
        if "completeBooking" in body:
            params["completeBooking"] = body.pop("completeBooking")
        payload = {"serviceId": self.service(service), "startDateTime": start, "endDateTime": end}
        return self.post("appointments", {**payload, **body}, **params)


MakeClient = Callable[[dict[str, Any]], TestClient]


@pytest.fixture
def api(make_client: MakeClient) -> OnSched:
    """Acme's view of a server with the test catalog (on SQLite and PostgreSQL)."""
    return OnSched(make_client(catalog()))
