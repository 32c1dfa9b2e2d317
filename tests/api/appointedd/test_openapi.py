"""The Appointedd surface keeps to its own OpenAPI document under generated requests."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient

from tests.api.openapi_support import BOOKING_KEY, STAFF_KEY, check_document, whole_app

__all__ = ["whole_app"]

METHODS = {"get", "put", "post", "delete", "patch"}


def document_of(app: FastAPI) -> dict[str, Any]:
    """The surface's OpenAPI document, as a client fetches it."""
    with TestClient(app) as client:
        found: dict[str, Any] = client.get("/v1/openapi.json").json()
    return found


def operations(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """``METHOD /path`` -> operation, for every operation of the document."""
    return {
        f"{method.upper()} {path}": operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    }


@pytest.mark.parametrize("key", [BOOKING_KEY, STAFF_KEY], ids=["booking-key", "staff-key"])
def test_generated_requests_get_documented_answers(whole_app: FastAPI, key: str) -> None:
    documented = operations(document_of(whole_app))
    exercised = check_document(whole_app, "/v1", {"X-API-KEY": key})
    assert sorted(exercised) == sorted(documented)
    assert len(documented) == 17  # every route of the surface is in the document


def test_the_document_declares_parameters_bodies_and_error_answers(whole_app: FastAPI) -> None:
    document = document_of(whole_app)
    found = operations(document)
    names = {
        name: [p["name"] for p in operation.get("parameters", [])]
        for name, operation in found.items()
    }
    assert names["GET /bookings"] == ["ids", "start", "limit", "timezone"]
    assert names["GET /services"] == ["limit", "start"]
    assert names["POST /bookings/{booking_id}/customers/{customer_booking_id}/cancel"] == [
        "booking_id",
        "customer_booking_id",
        "timezone",
        "Idempotency-Key",
    ]
    bodies = {
        name: operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        for name, operation in found.items()
        if "requestBody" in operation
    }
    assert bodies == {
        "POST /availability/intervals/search": "#/components/schemas/IntervalSearchIn",
        "POST /availability/slots": "#/components/schemas/SlotIn",
        "POST /bookings": "#/components/schemas/BookingIn",
    }
    schemas = document["components"]["schemas"]
    assert "SlotDataIn" in schemas  # what the bodies refer to is in the document
    assert "HTTPValidationError" not in schemas
    error = {"$ref": "#/components/schemas/ErrorOut"}
    for name, operation in found.items():
        answers = operation["responses"]
        statuses = {"400", "401", "403", "404", "503"}
        if not name.startswith("GET "):
            statuses |= {"409", "413", "422"}
        assert statuses <= set(answers), name
        assert all(answers[s]["content"]["application/json"]["schema"] == error for s in statuses)
        if name.startswith("GET "):
            assert "422" not in answers, name  # a bad parameter is 400 here
    assert "Retry-After" in found["POST /bookings"]["responses"]["429"]["headers"]
