"""Every route of every surface, called with no key and with each kind of key.

The answer each caller gets is the one ``docs/access.md`` documents: a route needs the scope
it declares; without a key that is 401, with a key of too small a scope (or of another
tenant) 403, in the surface's own error format.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from slotbook.api.app import create_app
from slotbook.api.kit.access import DeclaredRoute, declared_routes
from slotbook.demo import DEMO_CATALOG
from slotbook.services.actor import Scope
from slotbook.services.context import Slotbook

KEYS = {
    Scope.BOOKING: "table-booking-key-0001",
    Scope.STAFF: "table-staff-key-0001",
    Scope.ADMIN: "table-admin-key-0001",
}
OTHER_TENANT_ADMIN = "table-clinic-admin-0001"
ACCESS_DOC = Path(__file__).parents[2] / "docs" / "access.md"


def _catalog() -> dict[str, Any]:
    catalog: dict[str, Any] = copy.deepcopy(json.loads(DEMO_CATALOG.read_text()))
    catalog["tenants"][0]["api_keys"] = [
        {"key": key, "scope": scope.value} for scope, key in KEYS.items()
    ]
    catalog["tenants"][1]["api_keys"] = [{"key": OTHER_TENANT_ADMIN, "scope": "admin"}]
    return catalog


@pytest.fixture
def client(make_slotbook: Callable[[dict[str, Any]], Slotbook]) -> TestClient:
    return TestClient(create_app(make_slotbook(_catalog())))


def _routes() -> list[DeclaredRoute]:
    return list(declared_routes(create_app(Slotbook(uows=None))))  # type: ignore[arg-type]


def _call(client: TestClient, route: DeclaredRoute, key: str | None) -> Any:
    path = re.sub(r"\{[^}]+\}", "x1", route.path)
    headers = {"X-TENANT-ID": "acme"}  # the surfaces that read it name acme; the others
    if key is not None:  # take the tenant from the key
        headers["X-API-KEY"] = key
    return client.request(route.method, path, headers=headers, json={})


def _refusal_format(route: DeclaredRoute, response: Any) -> None:
    """A refusal comes in the error format of the surface it belongs to."""
    body = response.json()
    if route.path.startswith(("/calendar-backend/", "/appointment/")):
        assert set(body) == {"msg"} and response.headers["ERROR_CODE"].isdigit()
    elif route.path.startswith("/external/"):
        assert set(body) == {"code", "message"}
    elif route.path.startswith("/api/"):
        assert response.headers["content-type"] == "application/problem+json"
        assert body["status"] == response.status_code
    else:
        assert set(body) == {"error", "message"}


SCOPED = [r for r in _routes() if r.scope is not None]


@pytest.mark.parametrize("route", SCOPED, ids=[f"{r.method} {r.path}" for r in SCOPED])
def test_each_caller_gets_the_documented_answer(client: TestClient, route: DeclaredRoute) -> None:
    assert route.scope is not None
    nobody = _call(client, route, None)
    assert nobody.status_code == 401, nobody.text
    _refusal_format(route, nobody)
    for scope, key in KEYS.items():
        answer = _call(client, route, key)
        if scope.covers(route.scope):
            assert answer.status_code not in (401, 403), (scope, answer.text)
        else:
            assert answer.status_code == 403, (scope, answer.text)
            _refusal_format(route, answer)
    other = _call(client, route, OTHER_TENANT_ADMIN)
    if route.path.startswith(("/calendar-backend/", "/external/", "/consumer/")):
        # These name acme in X-TENANT-ID: another tenant's key, even an admin's, is refused.
        assert other.status_code == 403, other.text
    else:
        # The key names its own tenant here: it is answered for the clinic, never for acme.
        assert other.status_code != 401, other.text


def test_a_tenant_without_keys_serves_the_booking_scope_to_anyone(
    make_slotbook: Callable[[dict[str, Any]], Slotbook],
) -> None:
    catalog = _catalog()
    catalog["tenants"][0]["api_keys"] = []
    client = TestClient(create_app(make_slotbook(catalog)))
    for route in SCOPED:
        answer = _call(client, route, None)
        if route.scope is Scope.BOOKING and not route.path.startswith("/api/"):
            assert answer.status_code not in (401, 403), (route, answer.text)
        else:
            assert answer.status_code == 401, (route, answer.text)


def _documented() -> set[tuple[str, str, str]]:
    rows = re.findall(
        r"^\| `(GET|POST|PUT|DELETE|PATCH)` \| `([^`]+)` \| (\w+) \|", ACCESS_DOC.read_text(), re.M
    )
    return {(method, path, scope) for method, path, scope in rows}


def test_docs_access_md_lists_every_route_with_its_scope() -> None:
    declared = {(r.method, r.path, r.scope.value if r.scope else "none") for r in _routes()}
    missing = declared - _documented()
    stale = _documented() - declared
    assert not missing and not stale, {"missing from docs/access.md": missing, "stale": stale}
