"""The OnSched consumer API and its token exchange keep to their own OpenAPI documents.

Generated requests (schemathesis) rarely name an existing appointment, so a booking's whole
life is also walked with chosen requests, each answer checked against the document too.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from starlette.testclient import TestClient

from tests.api.openapi_support import (
    ADMIN_KEY,
    BOOKING_KEY,
    CHECKS,
    STAFF_KEY,
    check_document,
    whole_app,
)
from tests.conftest import FakeClock

__all__ = ["whole_app"]

MOUNT = "/consumer/v1"
ADA = {"name": "Ada Lovelace", "email": "ada@example.com", "phone": "+31 6 1234 5678"}


def _operations(app: FastAPI, mount: str) -> set[str]:
    document = TestClient(app).get(f"{mount}/openapi.json").json()
    return {f"{method.upper()} {path}" for path, ops in document["paths"].items() for method in ops}


@pytest.mark.parametrize("key", [BOOKING_KEY, STAFF_KEY], ids=["booking", "staff"])
def test_generated_requests_get_documented_answers(whole_app: FastAPI, key: str) -> None:
    exercised = check_document(whole_app, MOUNT, {"Authorization": f"Bearer {key}"})
    assert set(exercised) == _operations(whole_app, MOUNT)
    assert len(exercised) == 38  # every operation of the vendor's consumer document


def test_generated_token_requests_get_documented_answers(whole_app: FastAPI) -> None:
    exercised = check_document(whole_app, "/connect", {})
    assert exercised == ["POST /token"] == sorted(_operations(whole_app, "/connect"))


class Documented:
    """Chosen requests to one surface, each answer checked against its document."""

    def __init__(self, app: FastAPI, mount: str, token: str | None) -> None:
        self.schema = schemathesis.openapi.from_asgi(f"{mount}/openapi.json", app)
        self.token = token
        self.seen: set[str] = set()

    def __call__(self, method: str, path: str, status: int = 200, **parts: Any) -> Any:
        """Send one request (``path_parameters``, ``query``, ``body`` ...); its JSON answer."""
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        case = self.schema[path][method].Case(
            headers={**headers, **parts.pop("headers", {})}, **parts
        )
        response = case.call_and_validate(checks=CHECKS)
        assert response.status_code == status, response.text
        self.seen.add(f"{method} {path}")
        return response.json()


def test_a_booking_s_whole_life_keeps_to_the_document(whole_app: FastAPI, clock: FakeClock) -> None:
    connect = Documented(whole_app, "/connect", None)
    form = {"grant_type": "client_credentials", "client_id": "acme", "client_secret": BOOKING_KEY}
    token = connect("POST", "/token", body=form, media_type="application/x-www-form-urlencoded")
    connect(
        "POST", "/token", 401, body={**form, "client_secret": "no"}, media_type="application/json"
    )
    api = Documented(whole_app, MOUNT, token["access_token"])
    staff = Documented(whole_app, MOUNT, STAFF_KEY)

    north = api("GET", "/locations")["data"][0]["id"]
    api("GET", "/locations/{location_id}", path_parameters={"location_id": north})
    services = {s["name"]: s["id"] for s in api("GET", "/services")["data"]}
    idcard, passport = services["ID card"], services["Passport"]
    api("GET", "/services/{service_id}", path_parameters={"service_id": idcard})
    desk = api("GET", "/resources", query={"locationId": north})["data"][0]["id"]
    api("GET", "/resources/{resource_id}", path_parameters={"resource_id": desk})
    found = api(
        "GET",
        "/availability/{service_id}/{start_date}/{end_date}",
        path_parameters={
            "service_id": idcard,
            "start_date": "2030-03-05",
            "end_date": "2030-03-05",
        },
        query={"locationId": north, "resourceId": desk, "tzOffset": 60},
    )
    times: list[tuple[str, str]] = []  # free starts that do not overlap
    for offered in found["availableTimes"]:
        if not times or offered["startDateTime"] >= times[-1][1]:
            times.append((offered["startDateTime"], offered["endDateTime"]))

    def hold(at: int, service: str = idcard, **extra: Any) -> Any:
        start, end = times[at]
        body = {"serviceId": service, "locationId": north, "resourceId": desk}
        body |= {"startDateTime": start, "endDateTime": end, **extra.pop("body", {})}
        return api("POST", "/appointments", body=body, **extra)

    def change(action: str, appointment: Any, status: int = 200, **parts: Any) -> Any:
        path = "/appointments/{appointment_id}" + (f"/{action}" if action else "")
        method = {"": "DELETE"}.get(action, "PUT")
        ids = {"appointment_id": appointment["id"]}
        return api(method, path, status, path_parameters=ids, **parts)

    held = hold(0)
    one = {"appointment_id": held["id"]}
    assert api("GET", "/appointments/{appointment_id}", path_parameters=one)["status"] == "IN"
    booked = change("book", held, body=ADA)
    moved = change(
        "reschedule", booked, body={"startDateTime": times[1][0], "endDateTime": times[1][1]}
    )
    assert change("cancel", moved)["status"] == "CN"
    assert change("reserve", hold(2))["status"] == "RS"
    reserved = hold(3, query={"completeBooking": "RS"}, body=ADA)
    assert change("confirm", reserved, body={})["status"] == "BK"
    assert change("confirm", reserved, 409, body={})["error"] == "invalid_status"
    assert change("cancel", reserved)["status"] == "CN"
    assert change("", hold(4))["status"] == "CN"
    fields = {
        "appointmentBookingFields": [{"name": "reason", "value": "Renewal"}],
        "customerBookingFields": [{"name": "dateOfBirth", "value": "1936-12-10"}],
    }
    lacking = hold(5, passport, query={"completeBooking": "BK"}, body=ADA, status=400)
    assert "dateOfBirth" in lacking["message"]
    hold(5, passport, query={"completeBooking": "BK"}, body={**ADA, **fields})
    hold(6, status=409, body={"startDateTime": times[5][0], "endDateTime": times[5][1]})

    expiring = hold(7)
    clock.advance(minutes=30)
    shown = api(
        "GET", "/appointments/{appointment_id}", path_parameters={"appointment_id": expiring["id"]}
    )
    assert shown["status"] == "IN"
    assert change("book", expiring, 409, body=ADA)["error"] == "hold_expired"

    person = {"firstname": "Grace", "lastname": "Hopper", "email": "grace@example.com"}
    created = api("POST", "/customers", body=person)
    api("GET", "/customers/{customer_id}", path_parameters={"customer_id": created["id"]})
    assert staff("GET", "/customers", query={"email": "grace@example.com"})["total"] == 1
    listed = staff("GET", "/appointments", query={"startDate": "2030-03-05", "status": "IN,BK,CN"})
    assert listed["total"] >= 4
    api("GET", "/customers", 403)
    changed = staff(
        "PUT",
        "/customers/{customer_id}",
        path_parameters={"customer_id": created["id"]},
        body={"contact": {"mobilePhone": "+1 555 0100"}},
    )
    assert changed["contact"]["mobilePhone"] == "+1 555 0100"
    admin = Documented(whole_app, MOUNT, ADMIN_KEY)
    erased = admin(
        "DELETE", "/customers/{customer_id}", path_parameters={"customer_id": created["id"]}
    )
    assert (erased["deletedStatus"], erased["email"]) == (True, None)
    _walk_lookups(api, north, idcard, desk)
    late = hold(8, query={"completeBooking": "BK"}, body=ADA)
    clock.advance(days=2)  # after its start
    Documented(whole_app, MOUNT, BOOKING_KEY)(
        "PUT",
        "/appointments/{appointment_id}/noshow",
        403,
        path_parameters={"appointment_id": late["id"]},
    )
    noshow = staff(
        "PUT",
        "/appointments/{appointment_id}/noshow",
        path_parameters={"appointment_id": late["id"]},
    )
    assert noshow["status"] == "NS"
    assert api.seen | staff.seen | admin.seen == _operations(whole_app, MOUNT)


def _walk_lookups(api: Documented, north: str, service: str, desk: str) -> None:
    """The fixed lookups, groups, allocations and the two other availability answers."""
    for path in ("/appointments/bookingfields", "/customers/bookingfields"):
        assert api("GET", path, query={"locationId": north})["object"] == "bookingFields"
    for path in ("/appointments/customfields", "/customers/customfields"):
        assert api("GET", path)["customFields"] == []
    assert {"code": "NL", "name": "Netherlands", "object": "country"} in api(
        "GET", "/customers/countries"
    )
    assert len(api("GET", "/customers/states", query={"country": "CA"})) == 13
    group = api("GET", "/servicegroups")["data"][0]["id"]
    api("GET", "/servicegroups/{group_id}", path_parameters={"group_id": group})
    api("GET", "/resourcegroups")
    api("GET", "/resourcegroups/{group_id}", 404, path_parameters={"group_id": "42"})
    one = {"service_id": service}
    allocation = api("GET", "/services/{service_id}/allocations", path_parameters=one)["data"][0]
    api(
        "GET",
        "/services/allocations/{allocation_id}",
        path_parameters={"allocation_id": allocation["id"]},
    )
    assert api("GET", "/services/{service_id}/resources", path_parameters=one)["total"] >= 1
    api("GET", "/resources/{resource_id}/services", path_parameters={"resource_id": desk})
    days = {"service_id": service, "start_date": "2030-03-05", "end_date": "2030-03-11"}
    assert (
        len(
            api(
                "GET",
                "/availability/{service_id}/{start_date}/{end_date}/days",
                path_parameters=days,
            )["availableDays"]
        )
        == 7
    )
    taken = api(
        "GET",
        "/availability/{service_id}/{start_date}/{end_date}/unavailable",
        path_parameters=days,
    )
    assert taken["unavailableTimes"], "the walk's booked appointments are taken times"
