"""Shared by the cross-surface tests: one catalog behind every API, and the Qmatic steps that
book in it (reserve, confirm)."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from tests.factories import every_day

ORCHESTRA = "/calendar-backend/public/api"
QMATIC = "/external/v1"
PERSON = "PERSON0000000001"
DAY = "2030-03-04"  # a Monday; the test clock says 08:00 in Amsterdam


def catalog(**tenant: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "acme",
        "name": "Acme",
        "branches": [
            {
                "id": "north",
                "public_id": "north",
                "name": "North Office",
                "time_zone": "Europe/Amsterdam",
                "hours": every_day(["09:00-17:00"]),
                "resources": [
                    {"id": "desk-1", "name": "Desk 1"},
                    {"id": "room-1", "name": "Room 1"},
                ],
            }
        ],
        "services": [
            {
                "id": "passport",
                "public_id": "passport",
                "name": "Passport",
                "duration": 10,
                "slot_step": 10,
                "branches": ["north"],
                "resources": ["desk-1"],
            },
            {
                "id": "idcard",
                "public_id": "idcard",
                "name": "ID card",
                "duration": 10,
                "slot_step": 10,
                "branches": ["north"],
                "resources": ["desk-1"],
            },
            {
                "id": "workshop",
                "public_id": "workshop",
                "name": "Workshop",
                "duration": 60,
                "slot_step": 60,
                "capacity": 5,
                "branches": ["north"],
                "resources": ["room-1"],
            },
        ],
        "combinations": [["passport", "idcard"]],
    }
    base.update(tenant)
    return {"tenants": [base]}


DESK_KEY = "acme-desk-key-0001"


def qmatic_ids(client: TestClient, headers: dict[str, str] | None = None) -> dict[str, str]:
    entries = client.get(
        f"{QMATIC}/services", headers={"X-TENANT-ID": "acme", **(headers or {})}
    ).json()
    ids = {e["service"]["name"]: e["service"]["id"] for e in entries}
    ids["branch"] = entries[0]["branch"]["id"]
    return ids


def qmatic_reserve(client: TestClient, service_ids: list[str], start: str, branch: str) -> Any:
    body: dict[str, Any] = {
        "branchId": branch,
        "timeSlot": {"startTime": start},
        "numberOfReservations": 1,
    }
    if len(service_ids) == 1:
        body["serviceId"] = service_ids[0]
        path = f"{QMATIC}/reservations"
    else:
        body["serviceIds"] = service_ids
        path = f"{QMATIC}/serviceCombination/reservations"
    response = client.post(path, json=body, headers={"X-TENANT-ID": "acme"})
    assert response.status_code == 201, response.text
    return response.json()


def qmatic_confirm(client: TestClient, reservation: str, combination: bool = False) -> Any:
    path = f"{QMATIC}/{'serviceCombination/' if combination else ''}reservations/{reservation}"
    customer = {
        "personalIdentifier": PERSON,
        "firstName": "Ann",
        "lastName": "Lee",
        "email": "ann@example.com",
    }
    response = client.put(path, json={"customer": customer}, headers={"X-TENANT-ID": "acme"})
    assert response.status_code == 201, response.text
    return response.json()
