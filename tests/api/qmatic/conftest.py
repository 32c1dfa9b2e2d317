"""A Qmatic-speaking client on a test catalog: two branches, services of every kind, two tenants."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import httpx2
import pytest
from starlette.testclient import TestClient

from tests.factories import every_day

BASE = "/external/v1/"
PUBLIC_KEY = "public-key-0001"
DESK_KEY = "desk-key-0002"
OTHER_KEY = "other-key-0003"

CATALOG: dict[str, Any] = {
    "tenants": [
        {
            "id": "acme",
            "name": "Acme Municipality",
            "default_locale": "en_US",
            "api_keys": [PUBLIC_KEY, {"key": DESK_KEY, "internal": True}],
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
                    "latitude": 52.2,
                    "longitude": 4.43,
                    "hours": every_day(["09:00-12:00", "13:00-17:00"]),
                    "resources": [
                        {"id": "desk-1", "name": "Desk 1"},
                        {"id": "desk-2", "name": "Desk 2"},
                        {"id": "room-1", "name": "Room 1"},
                    ],
                },
                {
                    "id": "south",
                    "name": "South Office",
                    "time_zone": "Europe/Amsterdam",
                    "hours": every_day(["09:00-12:00"]),
                    "resources": [{"id": "counter-a", "name": "Counter A"}],
                },
            ],
            "services": [
                {
                    "id": "passport",
                    "name": {"en_US": "Passport", "nl_NL": "Paspoort"},
                    "description": {"en_US": "Apply for a passport", "nl_NL": "Paspoort aanvragen"},
                    "index": 0,
                    "duration": 10,
                    "additional_customer_duration": 5,
                    "slot_step": 10,
                    "branches": ["north", "south"],
                    "resources": ["desk-1", "desk-2", "counter-a"],
                    "max_reservations": 4,
                    "resource_selection": "required",
                    "date_of_birth_required": True,
                    "information_questions": [
                        {
                            "id": "reason",
                            "text": {"en_US": "Reason of visit", "nl_NL": "Reden van bezoek"},
                            "clarification": "New, renewal or lost",
                            "required": True,
                        },
                        {"id": "remarks", "text": "Remarks", "required": False},
                    ],
                    "screening_questions": [
                        {
                            "id": "photo",
                            "text": {"en_US": "Do you have a photo?", "nl_NL": "Heeft u een foto?"},
                            "yes_required": True,
                            "denied_message": "Bring a photo first",
                        }
                    ],
                },
                {
                    "id": "idcard",
                    "name": {"en_US": "ID card", "nl_NL": "ID-kaart"},
                    "index": 1,
                    "duration": 10,
                    "slot_step": 10,
                    "branches": ["north"],
                    "resources": ["desk-1"],
                    "max_reservations": 3,
                },
                {
                    "id": "birth",
                    "name": "Birth registration",
                    "index": 2,
                    "duration": 20,
                    "slot_step": 10,
                    "branches": ["north", "south"],
                    "resources": ["desk-1", "desk-2", "counter-a"],
                    "max_reservations": 3,
                },
                {
                    "id": "licence",
                    "name": {"en_US": "Driving licence", "nl_NL": "Rijbewijs"},
                    "index": 3,
                    "duration": 15,
                    "slot_step": 15,
                    "branches": ["north"],
                    "resources": ["desk-1", "desk-2"],
                    "resource_selection": "optional",
                },
                {
                    "id": "staff-only",
                    "name": "Counter appointment",
                    "index": 4,
                    "duration": 15,
                    "slot_step": 15,
                    "branches": ["north"],
                    "resources": ["desk-1"],
                    "online_bookable": False,
                },
            ],
            "service_groups": [
                {
                    "id": "documents",
                    "name": {"en_US": "Travel documents", "nl_NL": "Reisdocumenten"},
                    "index": 0,
                    "services": ["idcard", "passport"],
                }
            ],
            "combinations": [["idcard", "birth"]],
        },
        {
            "id": "other",
            "name": "Other Town",
            "default_locale": "nl_NL",
            "api_keys": [OTHER_KEY],
            "branches": [
                {
                    "id": "town-hall",
                    "name": "Town Hall",
                    "time_zone": "Europe/Amsterdam",
                    "hours": every_day(["09:00-17:00"]),
                    "resources": [{"id": "desk", "name": "Desk"}],
                }
            ],
            "services": [
                {"id": "passport", "name": "Paspoort", "duration": 10, "branches": ["town-hall"]}
            ],
        },
    ]
}


def qmatic_catalog() -> dict[str, Any]:
    """A fresh copy of the test catalog."""
    return copy.deepcopy(CATALOG)


class Qmatic:
    """A client that speaks to ``/external/v1`` as one tenant with one key."""

    def __init__(self, client: TestClient | httpx2.Client, tenant: str, key: str | None) -> None:
        self.client = client
        self.headers = {"X-TENANT-ID": tenant}
        if key is not None:
            self.headers["X-API-KEY"] = key

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        content: bytes | None = None,
    ) -> Any:
        """Send a request (``path`` relative to ``/external/v1/``) and return the response."""
        return self.client.request(
            method,
            BASE + path,
            json=json,
            params=params,
            content=content,
            headers={**self.headers, **(headers or {})},
        )

    def get(self, path: str, **kwargs: Any) -> Any:
        """GET."""
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Any:
        """POST."""
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> Any:
        """PUT."""
        return self.request("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Any:
        """DELETE."""
        return self.request("DELETE", path, **kwargs)

    def as_tenant(self, tenant: str, key: str | None) -> Qmatic:
        """The same server, another tenant or key."""
        return Qmatic(self.client, tenant, key)

    # --- the ids a client learns from the listings ---
    def offers(self) -> list[dict[str, Any]]:
        """``GET services``."""
        response = self.get("services")
        assert response.status_code == 200, response.text
        result: list[dict[str, Any]] = response.json()
        return result

    def service_id(self, name: str) -> str:
        """GUID of a service by its English name."""
        return next(o["service"]["id"] for o in self.offers() if o["service"]["name"] == name)

    def branch_id(self, name: str) -> str:
        """GUID of a branch by name."""
        return next(o["branch"]["id"] for o in self.offers() if o["branch"]["name"] == name)

    def resource_id(self, service: str, branch: str, name: str) -> str:
        """GUID of a resource offered for a service at a branch."""
        offer = next(
            o
            for o in self.offers()
            if o["service"]["name"] == service and o["branch"]["name"] == branch
        )
        return next(
            r["id"] for r in offer["resourceSelection"]["availableResources"] if r["name"] == name
        )

    def slots(self, service_id: str, branch_id: str, **params: Any) -> list[dict[str, str]]:
        """Free time slots of a service."""
        response = self.get(
            f"services/{service_id}/timeslots", params={"branchId": branch_id, **params}
        )
        assert response.status_code == 200, response.text
        result: list[dict[str, str]] = response.json()
        return result

    def reserve(self, body: dict[str, Any]) -> Any:
        """``POST reservations``."""
        return self.post("reservations", json=body)


MakeQmatic = Callable[..., Qmatic]


@pytest.fixture
def make_qmatic(make_client: Callable[[dict[str, Any]], TestClient]) -> MakeQmatic:
    """Build a server with a catalog and a Qmatic client for one of its tenants."""

    def make(
        catalog: dict[str, Any] | None = None, *, tenant: str = "acme", key: str | None = PUBLIC_KEY
    ) -> Qmatic:
        return Qmatic(make_client(catalog or qmatic_catalog()), tenant, key)

    return make


@pytest.fixture
def qm(make_qmatic: MakeQmatic) -> Qmatic:
    """The test catalog's ``acme`` tenant with its public key."""
    return make_qmatic()


def customer(**overrides: Any) -> dict[str, Any]:
    """A valid customer for confirm bodies."""
    return {
        "personalIdentifier": "JANSEN1234567",
        "firstName": "Anna",
        "lastName": "Jansen",
        "phoneNumber": "+31 6 1234 5678",
        "email": "anna@example.com",
        "dateOfBirth": "1990-05-17",
        **overrides,
    }


MONDAY_9 = "2030-03-04T09:00:00+01:00"


def passport_ids(qm: Qmatic) -> dict[str, str]:
    """Service, branch and Desk 1 ids for a passport at the North Office."""
    return {
        "serviceId": qm.service_id("Passport"),
        "branchId": qm.branch_id("North Office"),
        "requestedResourceId": qm.resource_id("Passport", "North Office", "Desk 1"),
    }


def reserve_passport(
    qm: Qmatic, start: str = MONDAY_9, people: int = 1, **extra: Any
) -> dict[str, Any]:
    """Reserve a passport slot on Desk 1 (asserting 201)."""
    body = {**passport_ids(qm), "timeSlot": {"startTime": start}, "numberOfReservations": people}
    response = qm.reserve({**body, **extra})
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def passport_answers(qm: Qmatic) -> list[dict[str, str]]:
    """Answers to the passport questions (one by GUID, one by catalog id)."""
    reason = qm.offers()[0]["informationQuestions"][0]["id"]
    return [{"id": reason, "answer": "Renewal"}, {"id": "remarks", "answer": "Wheelchair"}]


def confirm_passport(qm: Qmatic, reservation_id: str, **overrides: Any) -> Any:
    """Confirm with a valid customer and answers, fields overridden."""
    body = {"customer": customer(), "informationQuestions": passport_answers(qm), **overrides}
    return qm.put(f"reservations/{reservation_id}", json=body)


def desk1_starts(qm: Qmatic, day: str = "2030-03-04") -> list[str]:
    """Free passport start times on Desk 1 on a day."""
    ids = passport_ids(qm)
    slots = qm.slots(
        ids["serviceId"],
        ids["branchId"],
        requestedResourceId=ids["requestedResourceId"],
        startDate=day,
        endDate=day,
    )
    return [s["startTime"] for s in slots]
