"""The Orchestra API keeps to its own OpenAPI document under generated requests."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from starlette.testclient import TestClient

from tests.api.openapi_support import BOOKING_KEY, STAFF_KEY, check_document, whole_app

__all__ = ["whole_app"]

MOUNT = "/calendar-backend/public/api"


def documented_operations(client: TestClient) -> set[str]:
    """``METHOD path`` of every operation the served document declares."""
    document = client.get(f"{MOUNT}/openapi.json").json()
    return {
        f"{method.upper()} {path}"
        for path, item in document["paths"].items()
        for method in item
        if method in {"get", "put", "post", "delete", "patch"}
    }


@pytest.mark.parametrize("key", [BOOKING_KEY, STAFF_KEY], ids=["booking-key", "staff-key"])
def test_generated_requests_get_documented_answers(whole_app: FastAPI, key: str) -> None:
    operations = documented_operations(TestClient(whole_app))
    exercised = check_document(whole_app, MOUNT, {"X-API-KEY": key})
    assert sorted(exercised) == sorted(operations)


class Checked:
    """A client whose every answer must be the status it expects, with a documented body."""

    def __init__(self, app: FastAPI) -> None:
        self.client = TestClient(app, headers={"X-API-KEY": BOOKING_KEY})
        self.schema = schemathesis.openapi.from_asgi(f"{MOUNT}/openapi.json", app)
        self.answered: set[str] = set()

    def call(
        self, method: str, template: str, status: int = 200, body: Any = None, **values: str
    ) -> Any:
        """Call ``template`` filled with ``values`` (query parameters: ``params=``)."""
        params = values.pop("params", None)
        response = self.client.request(
            method, MOUNT + template.format(**values), json=body, params=params
        )
        assert response.status_code == status, (template, response.text)
        self.schema[template][method].validate_response(response)
        self.answered.add(f"{status} {method} {template}")
        return response.json() if response.content else None


def test_real_answers_match_their_documented_schemas(whole_app: FastAPI) -> None:
    api = Checked(whole_app)
    b = api.call("GET", "/v1/branches")["branchList"][0]["publicId"]
    api.call("GET", "/v2/branches/{branch_id}", branch_id=b)
    api.call("GET", "/v1/branches/{branch_id}/services", branch_id=b)
    api.call("GET", "/v2/services")
    api.call("GET", "/v1/services/{service_id}/branches", service_id="ID-kaart")
    api.call("GET", "/v1/services/groups", params={"servicePublicId": "ID-kaart"})
    api.call("GET", "/v2/branches/{branch_id}/services/groups", branch_id=b)
    assert api.call("GET", "/v2/branches/available", params={"servicePublicId": "ID-kaart"})
    days = api.call(
        "GET",
        "/v1/branches/{branch_id}/services/{service_id}/dates",
        branch_id=b,
        service_id="ID-kaart",
    )["dates"]
    day = days[1][:10]
    times = api.call(
        "GET",
        "/v2/branches/{branch_id}/dates/{day}/times",
        branch_id=b,
        day=day,
        params={"servicePublicId": "ID-kaart"},
    )["times"]
    person = {"firstName": "Ada", "externalId": "ada-1", "dateOfBirth": "1990-05-01"}
    booked = api.call(
        "POST",
        "/v1/branches/{branch_id}/services/{service_id}/dates/{day}/times/{time}/book",
        body={"customer": person, "title": "Passport", "custom": {"lane": 2}},
        branch_id=b,
        service_id="ID-kaart",
        day=day,
        time=times[0],
    )
    held = api.call(
        "POST",
        "/v2/branches/{branch_id}/dates/{day}/times/{time}/reserve",
        params={"numberOfCustomers": "1"},
        body={"services": [{"publicId": "ID-kaart"}]},
        branch_id=b,
        day=day,
        time=times[6],
    )
    assert held["status"] == 10
    confirmed = api.call(
        "POST",
        "/v2/branches/appointments/{public_id}/confirm",
        body={"customers": [person, {"firstName": "Bo"}]},
        public_id=held["publicId"],
    )
    assert confirmed["status"] == 20
    a = booked["publicId"]
    api.call("GET", "/v1/appointments/{public_id}", public_id=a)
    api.call(
        "PUT",
        "/v2/appointments/{public_id}/reschedule",
        params={"start": f"{day}T{times[3]}:00"},
        public_id=a,
    )
    customer = booked["customers"][0]["publicId"]
    api.call("GET", "/v1/customers/{public_id}", public_id=customer)
    assert (
        len(
            api.call("GET", "/v2/customers/{public_id}/appointments", public_id=customer)[
                "appointmentList"
            ]
        )
        == 2
    )
    api.call("GET", "/v1/customers/externalId/{external_id}/appointments", external_id="ada-1")
    assert api.call("DELETE", "/v1/appointments/{public_id}", public_id=a) is None
    api.call("GET", "/v1/appointments/{public_id}", 404, public_id=a)
    api.call(
        "POST", "/v1/branches/appointments/{public_id}/confirm", 400, public_id=held["publicId"]
    )
    api.call(
        "GET",
        "/v1/branches/{branch_id}/services/{service_id}/dates/{day}/times",
        400,
        branch_id=b,
        service_id="x",
        day="2030",
    )
