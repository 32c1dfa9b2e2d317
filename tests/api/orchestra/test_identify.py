"""Open Inwoner's two calls: identify the citizen by e-mail, then list their appointments."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient

from tests.api.openapi_support import STAFF_KEY, check_document, whole_app
from tests.factories import issue_catalog

__all__ = ["whole_app"]

BASE = "/calendar-backend/public/api"
STAFF = {"X-API-KEY": "portal-staff-key-01"}
BOOKING = {"X-API-KEY": "page-booking-key-01"}


@pytest.fixture
def client(make_client: Callable[[dict[str, Any]], TestClient]) -> TestClient:
    return make_client(
        issue_catalog(
            api_keys=[
                {"key": STAFF["X-API-KEY"], "scope": "staff"},
                {"key": BOOKING["X-API-KEY"], "scope": "booking"},
            ]
        )
    )


def _book(client: TestClient, time: str, customer: dict[str, Any]) -> dict[str, Any]:
    branch = client.get(f"{BASE}/v1/branches", headers=BOOKING).json()["branchList"][0]
    response = client.post(
        f"{BASE}/v1/branches/{branch['publicId']}/services/Paspoort/dates/2030-03-05"
        f"/times/{time}/book",
        json={"customer": customer, "notes": "foo"},
        headers=BOOKING,
    )
    assert response.status_code == 200, response.text
    appointment: dict[str, Any] = response.json()
    return appointment


def test_open_inwoner_lists_a_citizens_appointments_by_email(client: TestClient) -> None:
    # Booked twice under one external id (as a portal's form sends it): one customer record.
    citizen = {
        "firstName": "Foo",
        "lastName": "Bar",
        "email": "qmatic@example.com",
        "externalId": "BSN-1",
    }
    first = _book(client, "09:00", citizen)
    second = _book(client, "10:00", citizen)
    _book(client, "11:00", {"firstName": "Other", "email": "other@example.com"})

    # The client's exact URLs: matrix parameter, then the appointments of customers[0].
    found = client.get("/appointment/customers/identify;email=qmatic%40example.com", headers=STAFF)
    assert found.status_code == 200, found.text
    customers = found.json()
    assert [c["properties"]["email"] for c in customers] == ["qmatic@example.com"]
    public_id = customers[0]["publicId"]
    assert customers[0]["firstName"] == "Foo" and customers[0]["lastName"] == "Bar"
    assert isinstance(customers[0]["id"], int)

    listed = client.get(f"{BASE}/v1/customers/{public_id}/appointments", headers=STAFF)
    assert listed.status_code == 200, listed.text
    appointments = listed.json()["appointmentList"]
    assert [a["publicId"] for a in appointments] == [first["publicId"], second["publicId"]]
    # What the portal's Appointment model requires of each entry.
    for entry in appointments:
        assert {"services", "title", "start", "end", "created", "updated", "publicId"} <= set(entry)
        assert entry["notes"] == "foo"
        datetime.strptime(entry["start"], "%Y-%m-%dT%H:%M:%S.%f%z")
        service = entry["services"][0]
        assert {"publicId", "name", "duration", "additionalCustomerDuration", "custom"} <= set(
            service
        )
        branch = entry["branch"]
        for field in ("name", "publicId", "timeZone", "fullTimeZone", "created", "updated"):
            assert branch[field] is not None, field
        for field in ("addressLine1", "addressZip", "addressCity", "phone", "email"):
            assert field in branch


def test_identify_by_phone_and_by_external_id(client: TestClient) -> None:
    _book(client, "09:00", {"lastName": "Jansen", "phone": "0612345678", "externalId": "X-7"})
    by_phone = client.get("/appointment/customers/identify;phone=0612345678", headers=STAFF)
    by_external = client.get("/appointment/customers/identify;externalId=X-7", headers=STAFF)
    assert [c["lastName"] for c in by_phone.json()] == ["Jansen"]
    assert by_external.json() == by_phone.json()
    assert by_phone.json()[0]["properties"]["phoneNumber"] == "0612345678"


def test_every_record_with_that_email_is_listed(client: TestClient) -> None:
    _book(client, "09:00", {"lastName": "A", "email": "Same@Example.com"})
    _book(client, "10:00", {"lastName": "B", "email": "same@example.com"})
    found = client.get("/appointment/customers/identify;email=same@example.com", headers=STAFF)
    assert [c["lastName"] for c in found.json()] == ["A", "B"]


def test_nobody_with_that_email_is_an_empty_list(client: TestClient) -> None:
    found = client.get("/appointment/customers/identify;email=nobody@example.com", headers=STAFF)
    assert (found.status_code, found.json()) == (200, [])


def test_identify_needs_a_staff_key(client: TestClient) -> None:
    path = "/appointment/customers/identify;email=a@example.com"
    assert client.get(path).status_code == 401
    refused = client.get(path, headers=BOOKING)
    assert refused.status_code == 403
    assert set(refused.json()) == {"msg"}


@pytest.mark.parametrize("matrix", ["", ";email=a@example.com;phone=1", ";name=Ann", ";email="])
def test_identify_takes_exactly_one_known_identifier(client: TestClient, matrix: str) -> None:
    refused = client.get(f"/appointment/customers/identify{matrix}", headers=STAFF)
    assert refused.status_code == 400, refused.text
    assert "msg" in refused.json()


def test_the_same_names_work_as_query_parameters(client: TestClient) -> None:
    _book(client, "09:00", {"lastName": "Jansen", "email": "jansen@example.com"})
    found = client.get(
        "/appointment/customers/identify", params={"email": "jansen@example.com"}, headers=STAFF
    )
    assert [c["lastName"] for c in found.json()] == ["Jansen"]


def test_generated_requests_get_documented_answers(whole_app: FastAPI) -> None:
    exercised = check_document(whole_app, "/appointment", {"X-API-KEY": STAFF_KEY})
    assert exercised == ["GET /customers/identify"]
