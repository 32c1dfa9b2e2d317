"""Schemathesis against each surface's own OpenAPI document: the shared set-up.

Every surface's test builds its schema from ``whole_app`` (the real server app on the test
database, with the demo catalog and one key per scope) and checks, operation by operation,
that no generated request gets a 5xx or an answer its document does not declare.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Mapping
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings

from slotbook.api.app import create_app
from slotbook.demo import DEMO_CATALOG
from slotbook.services.context import Slotbook

BOOKING_KEY = "openapi-booking-key-0001"
STAFF_KEY = "openapi-staff-key-0001"
ADMIN_KEY = "openapi-admin-key-0001"

# Few examples per operation: every surface runs on both databases within CI's time.
SETTINGS = settings(
    max_examples=15,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def openapi_catalog() -> dict[str, Any]:
    """The demo catalog, its first tenant with a key of each scope."""
    catalog: dict[str, Any] = copy.deepcopy(json.loads(DEMO_CATALOG.read_text()))
    catalog["tenants"][0]["api_keys"] = [
        {"key": BOOKING_KEY, "scope": "booking"},
        {"key": STAFF_KEY, "scope": "staff"},
        {"key": ADMIN_KEY, "scope": "admin"},
    ]
    return catalog


@pytest.fixture
def whole_app(make_slotbook: Callable[[dict[str, Any]], Slotbook]) -> FastAPI:
    """The whole server app over the demo catalog (abuse limits off) on the test database."""
    return create_app(make_slotbook(openapi_catalog()))


# What "keeps to its document" means here: no 5xx, and every answer's status, media type,
# headers and body are the ones the document declares (plus a correct 405 to other methods).
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_headers_conformance,
    schemathesis.checks.response_schema_conformance,
    schemathesis.checks.unsupported_method,
]


def check_document(app: FastAPI, mount: str, headers: Mapping[str, str]) -> list[str]:
    """Run generated requests against every operation of a surface's document.

    Returns the operations that were exercised; any failing check raises.
    """
    schema = schemathesis.openapi.from_asgi(f"{mount}/openapi.json", app)
    exercised = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @SETTINGS
        @given(case=operation.as_strategy())
        def run(case: Any) -> None:
            case.call_and_validate(headers=dict(headers), checks=CHECKS)

        run()
        exercised.append(f"{operation.method.upper()} {operation.path}")
    return exercised
