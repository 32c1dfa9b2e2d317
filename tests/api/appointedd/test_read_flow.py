"""An integration that reads the catalog and bookings: categories, groups, profiles, links.

It calls ``GET /v1/services/categories`` and ``GET /v1/resources/groups`` (fixed words where
an id could stand), reads resources' ``profile`` (e-mail, phone, address), bookings'
``service``, ``resource`` and ``customers[].id``, and follows those links.
"""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from tests.api.appointedd.conftest import MakeClient
from tests.api.appointedd.helpers import (
    at,
    book,
    hold,
    ids_by_name,
    reachable_person,
    studio_catalog,
)


def _catalog() -> dict[str, Any]:
    catalog = studio_catalog()
    tenant = catalog["tenants"][0]
    tenant["services"][1]["category"] = {"en_US": "Advice", "nl_NL": "Advies"}
    room = tenant["branches"][0]["resources"][0]
    room.update(
        email="room@example.org",
        phone="+31 20 123 4567",
        address={"line1": "Dam 1", "zip": "1012 JS", "city": "Amsterdam", "country": "NL"},
    )
    tenant["resource_groups"] = [
        {"id": "desks", "name": "Desks", "resources": ["desk-1", "desk-2"]},
        {"id": "rooms", "name": "Rooms", "resources": ["room-1"]},
    ]
    return catalog


def _ok(response: Any) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


def test_categories_are_listed_by_the_id_services_carry(studio_client: MakeClient) -> None:
    client = studio_client(_catalog())
    categories = _ok(client.get("/v1/services/categories"))
    assert [c["name"] for c in categories["data"]] == ["Classes", "Advice"]
    assert categories["total"] == 2
    services = _ok(client.get("/v1/services"))["data"]
    by_name = {s["name"]: s["category_id"] for s in services}
    assert by_name == {
        "Yoga class": categories["data"][0]["id"],
        "Consultation": categories["data"][1]["id"],
    }


def test_resource_groups_and_profiles(studio_client: MakeClient) -> None:
    client = studio_client(_catalog())
    groups = _ok(client.get("/v1/resources/groups"))["data"]
    assert [g["name"] for g in groups] == ["Desks", "Rooms"]
    resources = {r["profile"]["name"]: r for r in _ok(client.get("/v1/resources"))["data"]}
    room = resources["Room 1"]
    assert room["resource_group_ids"] == [groups[1]["id"]]
    assert groups[1]["resource_ids"] == [room["id"]]
    assert room["profile"]["email"] == "room@example.org"
    assert room["profile"]["phone"] == "+31 20 123 4567"
    assert room["profile"]["address"]["city"] == "Amsterdam"
    assert room["profile"]["address"]["postcode"] == "1012 JS"
    assert resources["Desk 1"]["profile"]["email"] is None
    only = _ok(client.get("/v1/resources/groups", params={"ids": groups[0]["id"]}))
    assert [g["name"] for g in only["data"]] == ["Desks"]
    assert _ok(client.get(f"/v1/resources/{room['id']}"))["data"] == room


def test_bookings_link_their_service_resource_and_customers(studio_client: MakeClient) -> None:
    client = studio_client(_catalog())
    ids = ids_by_name(client)
    slot = hold(client, ids["Yoga class"], at("10:00"))
    assert slot.status_code == 201, slot.text
    created = book(client, slot.json()["data"]["id"], reachable_person())
    assert created.status_code == 201, created.text
    booking_id = created.json()["data"]["id"]

    booking = _ok(client.get(f"/v1/bookings/{booking_id}"))["data"]
    service = _ok(client.get(f"/v1/services/{booking['service']}"))["data"]
    resource = _ok(client.get(f"/v1/resources/{booking['resource']}"))["data"]
    assert (service["name"], resource["profile"]["name"]) == ("Yoga class", "Room 1")
    customer_id = booking["customers"][0]["id"]
    assert customer_id == booking["customers"][0]["customer_id"]
    customer = _ok(client.get(f"/v1/customers/{customer_id}"))["data"]
    assert customer["profile"] == {
        "firstname": "Ada",
        "lastname": "Lovelace",
        "email": "ada@example.org",
        "mobile": "+31 6 1234 5678",
    }
    listed = _ok(client.get("/v1/customers", params={"email": "ADA@example.org"}))
    assert [c["id"] for c in listed["data"]] == [customer_id]
    assert _ok(client.get("/v1/bookings", params={"ids": booking_id}))["data"] == [booking]


def test_customers_are_listed_for_staff_keys_only(studio_client: MakeClient) -> None:
    catalog = _catalog()
    catalog["tenants"][0]["api_keys"].append({"key": "acme-booking-key-0001", "scope": "booking"})
    client: TestClient = studio_client(catalog)
    refused = client.get("/v1/customers", headers={"X-API-KEY": "acme-booking-key-0001"})
    assert refused.status_code == 403
    assert _ok(client.get("/v1/customers"))["data"] == []
    unknown = client.get("/v1/customers/" + "a" * 24)
    assert unknown.status_code == 404
