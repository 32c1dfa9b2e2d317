"""OnSched's own published consumer document, operation by operation, against Slotbook.

A client generated from OnSched's document must work unchanged: every documented operation
reaches its own route (``customers/countries`` is not customer "countries"), nothing answers
5xx, and every
answer the document describes (its 200s) validates against the document's schema, which
allows no field it does not list. Generated requests rarely name an existing id, so one
chosen request per operation that reads an id is checked too.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from starlette.routing import Match, Mount

from slotbook.api.app import create_app
from slotbook.services.context import Slotbook
from tests.api.openapi_support import ADMIN_KEY, STAFF_KEY, openapi_catalog

DOCUMENT = Path(__file__).parents[3] / "docs" / "specs" / "vendor" / "onsched-consumer.json"
BASE = "/consumer/v1"
# The document describes only its 200s: a refusal (4xx) is not checked against it.
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.response_schema_conformance,
]
# Few examples per operation: 38 operations on two databases stay within a minute or two.
FEW = settings(
    max_examples=6, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)


def _catalog() -> dict[str, Any]:
    """The demo catalog with a resource group and a resource's contact details."""
    catalog = openapi_catalog()
    tenant = catalog["tenants"][0]
    desk = tenant["branches"][0]["resources"][0]
    desk.update(email="desk@example.org", phone="+31 71 000 0001", address={"city": "Leiden"})
    tenant["resource_groups"] = [
        {"id": "front", "name": "Front desks", "resources": [desk["id"]]},
    ]
    return catalog


@pytest.fixture
def app(make_slotbook: Callable[[dict[str, Any]], Slotbook]) -> FastAPI:
    return create_app(make_slotbook(_catalog()))


def _schema(app: FastAPI) -> Any:
    document = copy.deepcopy(json.loads(DOCUMENT.read_text()))
    document["servers"] = [{"url": "/"}]
    schema = schemathesis.openapi.from_dict(document)
    schema.app = app
    return schema


def _documented() -> set[str]:
    document = json.loads(DOCUMENT.read_text())
    return {f"{m.upper()} {p}" for p, ops in document["paths"].items() for m in ops}


def _generated(operation: Any, headers: dict[str, str]) -> None:
    """A few generated requests to one operation, each answer checked."""

    @FEW
    @given(case=operation.as_strategy())
    def run(case: Any) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()


def test_every_operation_of_the_vendor_document_keeps_to_it(app: FastAPI) -> None:
    schema = _schema(app)
    headers = {"Authorization": f"Bearer {ADMIN_KEY}"}
    exercised = []
    for result in schema.get_all_operations():
        operation = result.ok()
        _generated(operation, headers)
        exercised.append(f"{operation.method.upper()} {operation.path}")
    assert set(exercised) == _documented() and len(exercised) == 38


def _template(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)


# A plausible value for each path parameter: the route, not the id, is what is probed.
_SAMPLE = {"id": "1", "serviceId": "1", "startDate": "2030-03-05", "endDate": "2030-03-06"}


def test_every_documented_path_and_method_reaches_its_own_route(app: FastAPI) -> None:
    surface = next(r.app for r in app.routes if isinstance(r, Mount) and r.path == BASE)
    wrong = {}
    for name in sorted(_documented()):
        method, path = name.split(" ", 1)
        scope = {"type": "http", "method": method, "path": path.format(**_SAMPLE)[len(BASE) :]}
        # The first route that fully matches is the one that answers (fixed words before ids).
        found = next((r.path for r in surface.routes if r.matches(scope)[0] is Match.FULL), None)
        if found is None or _template(BASE + found) != _template(path):
            wrong[name] = found
    assert not wrong


def _read(schema: Any, method: str, path: str, **parts: Any) -> Any:
    """One chosen request, its 200 answer checked against the vendor's schema."""
    case = schema[path][method].Case(headers={"Authorization": f"Bearer {STAFF_KEY}"}, **parts)
    response = case.call_and_validate(checks=CHECKS)
    assert response.status_code == 200, (method, path, response.text)
    return response.json()


def test_answers_about_existing_objects_keep_to_the_vendor_document(app: FastAPI) -> None:
    schema = _schema(app)

    def get(path: str, **parts: Any) -> Any:
        return _read(schema, "GET", BASE + path, **parts)

    north = get("/locations")["data"][0]["id"]
    offered = get("/services", query={"locationId": north})["data"]
    service = next(s["id"] for s in offered if s["name"] == "ID card")
    resource = get("/resources", query={"locationId": north})["data"][0]
    assert resource["email"] == "desk@example.org"
    assert resource["contact"]["businessPhone"] == "+31 71 000 0001"
    for path, ids in (
        ("/locations/{id}", {"id": north}),
        ("/services/{id}", {"id": service}),
        ("/resources/{id}", {"id": resource["id"]}),
        ("/resources/{id}/services", {"id": resource["id"]}),
        ("/services/{id}/resources", {"id": service}),
        ("/resourcegroups/{id}", {"id": resource["groupId"]}),
        ("/servicegroups/{id}", {"id": get("/servicegroups")["data"][0]["id"]}),
    ):
        get(path, path_parameters=ids)
    allocation = get("/services/{id}/allocations", path_parameters={"id": service})["data"][0]
    get("/services/allocations/{id}", path_parameters={"id": allocation["id"]})
    span = {"serviceId": service, "startDate": "2030-03-05", "endDate": "2030-03-06"}
    times = get("/availability/{serviceId}/{startDate}/{endDate}", path_parameters=span)
    start = times["availableTimes"][0]
    booked = _read(
        schema,
        "POST",
        BASE + "/appointments",
        query={"completeBooking": "BK"},
        media_type="application/json",
        body={
            "serviceId": service,
            "locationId": north,
            "startDateTime": start["startDateTime"],
            "endDateTime": start["endDateTime"],
            "name": "Ada Lovelace",
            "email": "ada@example.com",
        },
    )
    get("/appointments/{id}", path_parameters={"id": booked["id"]})
    get("/customers/{id}", path_parameters={"id": booked["customerId"]})
    get("/availability/{serviceId}/{startDate}/{endDate}/days", path_parameters=span)
    taken = get("/availability/{serviceId}/{startDate}/{endDate}/unavailable", path_parameters=span)
    assert [t["startDateTime"] for t in taken["unavailableTimes"]] == [start["startDateTime"]]
