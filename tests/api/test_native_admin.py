"""The native API's administration (keys, erasure, audit log) and the server's readiness."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from slotbook.api.app import create_app
from slotbook.bootstrap import build_slotbook
from slotbook.services.context import Slotbook
from tests.factories import issue_catalog

ADMIN = {"Authorization": "Bearer admin-key-000001"}
DESK = {"X-API-KEY": "desk-key-0000001"}
PAGE = {"X-API-KEY": "page-key-0000001"}
ORCHESTRA = "/calendar-backend/public/api/v1"


@pytest.fixture
def client(make_client: Callable[[dict[str, Any]], TestClient]) -> TestClient:
    keys = [
        {"key": "admin-key-000001", "scope": "admin"},
        {"key": "desk-key-0000001", "scope": "staff"},
        "page-key-0000001",
    ]
    return make_client(issue_catalog(api_keys=keys))


def _book(client: TestClient, time: str, person: str, email: str, **headers: str) -> Any:
    path = f"{ORCHESTRA}/branches/north/services/Paspoort/dates/2030-03-04/times/{time}/book"
    body = {"customer": {"firstName": person, "externalId": person, "email": email}}
    booked = client.post(path, json=body, headers=headers)
    assert booked.status_code == 200, booked.text
    return booked.json()


def test_an_administrator_erases_a_customer_and_a_desk_cannot(client: TestClient) -> None:
    booked = _book(client, "09:00", "ann", "ann@example.com", **PAGE)
    refused = client.post(
        "/api/v1/customers/erase", json={"email": "ann@example.com"}, headers=DESK
    )
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    done = client.post("/api/v1/customers/erase", json={"email": "ann@example.com"}, headers=ADMIN)
    assert done.status_code == 200
    assert done.json() == {"customers": 1, "appointments": 1}
    seen = client.get(f"{ORCHESTRA}/appointments/{booked['publicId']}", headers=PAGE).json()
    assert seen["appointment"]["start"] == booked["start"]
    assert seen["appointment"]["customers"][0]["email"] is None
    bad = client.post("/api/v1/customers/erase", json={}, headers=ADMIN)
    assert bad.status_code == 400 and bad.json()["status"] == 400


def test_an_administrator_manages_the_tenants_keys(client: TestClient) -> None:
    created = client.post("/api/v1/keys", json={"scope": "staff", "label": "desk 2"}, headers=ADMIN)
    assert created.status_code == 201, created.text
    key = created.json()["key"]
    assert client.get(f"{ORCHESTRA}/branches", headers={"X-API-KEY": key}).status_code == 200
    listed = client.get("/api/v1/keys", headers=ADMIN).json()["data"]
    assert key not in str(listed)
    assert {k["label"] for k in listed} >= {"desk 2"}
    mine = next(k for k in listed if k["label"] == "desk 2")
    assert client.delete(f"/api/v1/keys/{mine['id']}", headers=ADMIN).status_code == 204
    assert client.get(f"{ORCHESTRA}/branches", headers={"X-API-KEY": key}).status_code == 401
    assert client.delete(f"/api/v1/keys/{mine['id']}", headers=ADMIN).status_code == 404
    blank = client.delete("/api/v1/keys/%20", headers=ADMIN)  # found by the schemathesis run
    assert blank.status_code == 400 and blank.json()["detail"].startswith("key_id must be")
    assert client.get("/api/v1/keys", headers=DESK).status_code == 403
    anonymous = client.get("/api/v1/keys")
    assert anonymous.status_code == 401
    assert anonymous.json()["detail"] == "An API key is required"
    assert anonymous.headers["WWW-Authenticate"].startswith("Bearer")


def test_the_audit_log_records_writes_and_refusals_with_who_did_them(client: TestClient) -> None:
    booked = _book(client, "09:00", "ann", "ann@example.com", **PAGE)
    path = f"{ORCHESTRA}/branches/north/services/Paspoort/dates/2030-03-04/times/09:00/book"
    taken = client.post(path, json={"customer": {"firstName": "bob"}}, headers=DESK)
    assert taken.status_code == 400
    entries = client.get("/api/v1/audit", headers=ADMIN).json()["data"]
    book, refusal = entries[0], entries[1]
    assert (book["operation"], book["appointment"], book["outcome"], book["scope"]) == (
        "book",
        booked["publicId"],
        "ok",
        "booking",
    )
    assert book["client_address"] == "testclient"
    assert book["route"].endswith("/times/{time}/book")
    assert (refusal["operation"], refusal["outcome"], refusal["scope"]) == (
        "POST",
        "400 440",
        "staff",
    )
    assert "ann" not in str(entries).lower()  # no personal data
    assert client.get("/api/v1/audit", params={"since": "2999-01-01"}, headers=ADMIN).json() == {
        "data": []
    }
    assert (
        client.get("/api/v1/audit", params={"since": "2026-02-30"}, headers=ADMIN).status_code
        == 400
    )


def test_a_booking_key_never_sees_another_persons_data(client: TestClient) -> None:
    ann = _book(client, "09:00", "ann", "ann@example.com", **PAGE)
    _book(client, "09:30", "bob", "bob@example.com", **PAGE)
    own = client.get(f"{ORCHESTRA}/appointments/{ann['publicId']}", headers=PAGE).json()
    assert [c["email"] for c in own["appointment"]["customers"]] == ["ann@example.com"]
    for listing in ("/consumer/v1/appointments", "/consumer/v1/customers"):
        assert client.get(listing, headers=PAGE).status_code == 403
        assert (
            client.get(listing, params={"email": "bob@example.com"}, headers=PAGE).status_code
            == 403
        )
        assert client.get(listing, headers=DESK).status_code == 200
    assert client.get("/v1/bookings", headers=PAGE).status_code == 403


def test_ready_checks_the_database_and_its_schema(
    make_slotbook: Callable[[dict[str, Any]], Slotbook], tmp_path: Path
) -> None:
    with TestClient(create_app(make_slotbook(issue_catalog()))) as client:
        ready = client.get("/ready")
        assert ready.status_code == 200
        assert ready.json()["status"] == "ready"
        assert client.get("/health").json() == {"status": "ok"}
    blank = build_slotbook(f"sqlite:///{tmp_path / 'blank.sqlite3'}", run_migrations=False)
    with TestClient(create_app(blank)) as client:
        not_ready = client.get("/ready")
        assert not_ready.status_code == 503
        assert not_ready.json()["schema"] is None
        assert client.get("/health").status_code == 200  # alive, just not ready
    gone = build_slotbook("postgresql://postgres@127.0.0.1:1/none", run_migrations=False)
    with TestClient(create_app(gone)) as client:
        assert client.get("/ready").json()["database"] == "unreachable"


def test_docs_pages_load_their_assets_from_the_server_itself(client: TestClient) -> None:
    for mount in ("/calendar-backend/public/api", "/external/v1", "/consumer/v1", "/v1", "/api/v1"):
        page = client.get(f"{mount}/docs")
        assert page.status_code == 200
        assert "cdn." not in page.text and "https://" not in page.text
        assert "/_docs-assets/swagger-ui-bundle.js" in page.text
        assert client.get(f"{mount}/redoc").status_code == 200
        document = client.get(f"{mount}/openapi.json").json()
        assert document["components"]["securitySchemes"]
    assert client.get("/_docs-assets/swagger-ui-bundle.js").status_code == 200
    assert client.get("/_docs-assets/redoc.standalone.js").status_code == 200
