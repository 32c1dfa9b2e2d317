"""The Qmatic cloud API keeps to its own OpenAPI document: under generated requests, and along
a whole booking (whose answers random ids rarely reach)."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from starlette.testclient import TestClient

from tests.api.openapi_support import BOOKING_KEY, STAFF_KEY, check_document, whole_app

__all__ = ["whole_app"]

MOUNT = "/external/v1"
PERSON = "WALKTHROUGH0001"


def _operations(app: FastAPI) -> set[str]:
    document = app.openapi_schema or TestClient(app).get(f"{MOUNT}/openapi.json").json()
    return {f"{method.upper()} {path}" for path, ops in document["paths"].items() for method in ops}


@pytest.mark.parametrize("key", [BOOKING_KEY, STAFF_KEY], ids=["booking", "staff"])
def test_generated_requests_get_documented_answers(whole_app: FastAPI, key: str) -> None:
    exercised = check_document(whole_app, MOUNT, {"X-API-KEY": key})
    assert set(exercised) == _operations(whole_app)
    assert len(exercised) == 21


class _Documented:
    """A client that checks every answer against the document's operation."""

    def __init__(self, app: FastAPI) -> None:
        self.client = TestClient(app)
        self.schema = schemathesis.openapi.from_asgi(f"{MOUNT}/openapi.json", app)
        self.seen: set[str] = set()

    def call(self, method: str, template: str, status: int, **kwargs: Any) -> Any:
        """Send to the template filled with ``path`` values; assert the status and the shape."""
        path = template.format(**kwargs.pop("path", {}))
        headers = {"X-API-KEY": BOOKING_KEY, **kwargs.pop("headers", {})}
        response = self.client.request(method, MOUNT + path, headers=headers, **kwargs)
        assert response.status_code == status, response.text
        self.schema[template][method].validate_response(response)
        self.seen.add(f"{method} {template}")
        return response.json() if response.content else None


def _slots(
    api: _Documented, template: str, path: dict[str, str] | None = None, **params: Any
) -> list[dict[str, str]]:
    """Three or more free slots on March 5 and 6 that do not overlap."""
    params = {"startDate": "2030-03-05", "endDate": "2030-03-06", **params}
    found: list[dict[str, str]] = api.call("GET", template, 200, path=path or {}, params=params)
    apart: list[dict[str, str]] = []  # slots that do not overlap (one offset: text order)
    for slot in found:
        if not apart or slot["startTime"] >= apart[-1]["endTime"]:
            apart.append(slot)
    assert len(apart) >= 3
    return apart


def _customer() -> dict[str, Any]:
    return {
        "personalIdentifier": PERSON,
        "firstName": "Ada",
        "lastName": "Lovelace",
        "email": "ada@example.com",
        "phoneNumber": 612345678,
        "dateOfBirth": "1990-05-17",
    }


def test_a_whole_booking_gets_documented_answers(whole_app: FastAPI) -> None:
    api = _Documented(whole_app)
    offers = api.call("GET", "/services", 200, headers={"Accept-Language": "nl-NL"})
    api.call("GET", "/services/groups", 200)
    api.call("GET", "/serviceCombination/branch", 200)
    ids = {(o["service"]["name"], o["branch"]["name"]): o for o in offers}
    north = next(o["branch"]["id"] for o in offers)
    licence = next(o for o in offers if o["resourceSelection"]["availableResources"])
    passport = next(o for o in offers if o["informationQuestions"])
    idcard = next(o for (name, _), o in ids.items() if name == "ID-kaart")
    api.call("GET", "/services/{serviceId}", 200, path={"serviceId": licence["service"]["id"]})

    # One service, with a chosen resource: reserve, confirm, read, find, change, move, cancel.
    service = licence["service"]["id"]
    resource = licence["resourceSelection"]["availableResources"][0]["id"]
    slots = _slots(
        api,
        "/services/{serviceId}/timeslots",
        path={"serviceId": service},
        branchId=north,
        requestedResourceId=resource,
    )
    body = {"serviceId": service, "branchId": north, "requestedResourceId": resource}
    held = api.call(
        "POST", "/reservations", 201, json={**body, "timeSlot": slots[0], "notes": "Glasses"}
    )
    booked = api.call(
        "PUT",
        "/reservations/{reservationId}",
        201,
        path={"reservationId": held["reservationId"]},
        json={"customer": _customer()},
    )
    one = {"appointmentId": booked["appointmentId"]}
    api.call("GET", "/appointments/{appointmentId}", 200, path=one)
    found = api.call("POST", "/appointments/search", 200, json={"customer": _customer()})
    assert [a["appointmentId"] for a in found] == [booked["appointmentId"]]
    api.call("GET", "/appointments/search", 200, params={"personalIdentifier": PERSON})
    api.call("PUT", "/appointments/{appointmentId}/customer", 200, path=one, json={"lastName": "B"})
    later = api.call("POST", "/reservations", 201, json={**body, "timeSlot": slots[1]})
    moved = api.call(
        "PUT",
        "/appointments/{appointmentId}/reschedule",
        200,
        path=one,
        json={"reservationId": later["reservationId"]},
    )
    assert moved["timeSlot"] == slots[1]
    spare = api.call("POST", "/reservations", 201, json={**body, "timeSlot": slots[2]})
    api.call(
        "DELETE",
        "/reservations/{reservationId}",
        204,
        path={"reservationId": spare["reservationId"]},
    )
    api.call("DELETE", "/appointments/{appointmentId}", 204, path=one)
    api.call("GET", "/appointments/{appointmentId}", 404, path=one)

    # A combination: the same steps on the serviceCombination endpoints.
    pair = [passport["service"]["id"], idcard["service"]["id"]]
    slots = _slots(api, "/serviceCombination/timeslots", branchId=north, serviceIds=",".join(pair))
    body = {"serviceIds": pair, "branchId": north}
    held = api.call(
        "POST", "/serviceCombination/reservations", 201, json={**body, "timeSlot": slots[0]}
    )
    answers = [{"id": passport["informationQuestions"][0]["id"], "answer": "Renewal"}]
    booked = api.call(
        "PUT",
        "/serviceCombination/reservations/{reservationId}",
        201,
        path={"reservationId": held["reservationId"]},
        json={"customer": _customer(), "informationQuestions": answers},
    )
    both = {"appointmentId": booked["appointmentId"]}
    api.call("GET", "/serviceCombination/appointments/{appointmentId}", 200, path=both)
    api.call(
        "GET", "/serviceCombination/appointments/search", 200, params={"personalIdentifier": PERSON}
    )
    api.call(
        "POST", "/serviceCombination/appointments/search", 200, json={"personalIdentifier": PERSON}
    )
    later = api.call(
        "POST", "/serviceCombination/reservations", 201, json={**body, "timeSlot": slots[2]}
    )
    api.call(
        "PUT",
        "/serviceCombination/appointments/{appointmentId}/reschedule",
        200,
        path=both,
        json={"reservationId": later["reservationId"]},
    )
    gone = {"reservationId": later["reservationId"]}
    again = {"customer": _customer(), "informationQuestions": answers}
    api.call("PUT", "/serviceCombination/reservations/{reservationId}", 410, path=gone, json=again)

    assert api.seen >= _operations(whole_app)
