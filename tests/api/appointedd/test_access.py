"""API keys: the key selects the tenant; nobody sees another tenant's objects."""

from __future__ import annotations

from starlette.testclient import TestClient

from tests.api.appointedd.conftest import MakeClient
from tests.api.appointedd.helpers import (
    KEY_ACME,
    KEY_GLOBEX,
    at,
    book,
    hold,
    ids_by_name,
    person,
    search,
    studio_catalog,
)


def test_a_missing_or_wrong_key_is_unauthorized(api: TestClient) -> None:
    missing = api.get("/v1/services", headers={"X-API-KEY": ""})
    assert missing.status_code == 401
    assert missing.json() == {"error": "unauthorized", "message": "An API key is required"}
    wrong = api.get("/v1/services", headers={"X-API-KEY": "not-a-key-of-anyone"})
    assert wrong.status_code == 401
    assert wrong.json()["error"] == "unauthorized"
    post = api.post("/v1/availability/slots", headers={"X-API-KEY": "not-a-key-of-anyone"}, json={})
    assert post.status_code == 401


def test_each_key_sees_only_its_own_tenant(api: TestClient) -> None:
    ids = ids_by_name(api)
    other = {"X-API-KEY": KEY_GLOBEX}
    names = [s["name"] for s in api.get("/v1/services", headers=other).json()["data"]]
    assert names == ["Tour"]
    slot = hold(api, ids["Yoga class"], at("09:00"), spaces=2).json()["data"]
    booking = book(api, slot["id"], person("Ada", "Lovelace")).json()["data"]
    participant = booking["customers"][0]["customer_booking_id"]
    fresh_slot = hold(api, ids["Yoga class"], at("11:00")).json()["data"]
    attempts = [
        api.get(f"/v1/services/{ids['Yoga class']}", headers=other),
        api.get(f"/v1/resources/{ids['Room 1']}", headers=other),
        api.get(f"/v1/bookings/{booking['id']}", headers=other),
        api.get(f"/v1/availability/slots/{fresh_slot['id']}", headers=other),
        api.delete(f"/v1/availability/slots/{fresh_slot['id']}", headers=other),
        api.post(f"/v1/bookings/{booking['id']}/cancel", headers=other),
        api.post(f"/v1/bookings/{booking['id']}/customers/{participant}/cancel", headers=other),
        book(api, fresh_slot["id"], person("Eve", "Intruder"), headers=other),
        hold(api, ids["Yoga class"], at("13:00"), headers=other),
        api.post(
            "/v1/availability/intervals/search",
            json={
                "ranges": [{"start": at("09:00"), "end": at("12:00")}],
                "service_id": ids["Yoga class"],
            },
            headers=other,
        ),
    ]
    assert [r.status_code for r in attempts] == [404] * len(attempts)
    assert api.get(f"/v1/bookings?ids={booking['id']}", headers=other).json()["total"] == 0
    # Nothing changed for the owner.
    assert api.get(f"/v1/bookings/{booking['id']}").json()["data"]["status"] == "confirmed"
    assert api.get(f"/v1/availability/slots/{fresh_slot['id']}").status_code == 200
    assert search(api, ids["Yoga class"], at("13:00"), at("13:01"))[0]["group_bookings"] == []


def test_a_tenant_without_keys_is_open(surface_client: MakeClient) -> None:
    catalog = studio_catalog(api_keys=[])
    catalog["tenants"] = catalog["tenants"][:1]
    client = surface_client(catalog)
    response = client.get("/v1/services")
    assert response.status_code == 200
    assert response.json()["total"] == 2


def test_services_not_bookable_online_are_for_internal_keys_only(
    surface_client: MakeClient,
) -> None:
    internal = "acme-internal-key-0001"
    catalog = studio_catalog(api_keys=[KEY_ACME, {"key": internal, "internal": True}])
    catalog["tenants"][0]["services"][1]["online_bookable"] = False  # the consultation
    client = surface_client(catalog)
    staff = {"X-API-KEY": internal}
    staff_ids = ids_by_name(client_with(client, staff))
    consult = staff_ids["Consultation"]
    public = {"X-API-KEY": KEY_ACME}
    names = [s["name"] for s in client.get("/v1/services", headers=public).json()["data"]]
    assert names == ["Yoga class"]
    assert client.get(f"/v1/services/{consult}", headers=public).status_code == 404
    assert hold(client, consult, at("09:00"), headers=public).status_code == 404
    room = client.get(f"/v1/resources/{staff_ids['Desk 1']}", headers=public).json()["data"]
    assert room["services"] == []
    held = hold(client, consult, at("09:00"), headers=staff)
    assert held.status_code == 201
    # A public key cannot finish what an internal key started.
    slot = held.json()["data"]["id"]
    taken_over = book(client, slot, person("Ada", "Lovelace"), headers=public)
    assert (taken_over.status_code, taken_over.json()["error"]) == (403, "forbidden")
    assert book(client, slot, person("Ada", "Lovelace"), headers=staff).status_code == 201


def client_with(client: TestClient, headers: dict[str, str]) -> TestClient:
    """The same client, sending these headers from now on."""
    client.headers.update(headers)
    return client
