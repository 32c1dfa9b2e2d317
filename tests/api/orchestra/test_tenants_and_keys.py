"""Tenants are isolated on the Orchestra surface, and API keys are checked."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from starlette.testclient import TestClient

from tests.api.orchestra.conftest import BASE
from tests.factories import issue_catalog


def two_tenants(**keys: list[Any]) -> dict[str, Any]:
    catalog = issue_catalog(api_keys=keys.get("acme", []))
    other = copy.deepcopy(catalog["tenants"][0])
    other.update(id="beta", name="Beta Town", api_keys=keys.get("beta", []))
    other["branches"][0]["name"] = "Beta Office"
    catalog["tenants"].append(other)
    return catalog


def _book(client: TestClient, tenant: str, headers: dict[str, str] | None = None) -> Any:
    headers = {"X-TENANT-ID": tenant, **(headers or {})}
    branch = client.get(f"{BASE}/v1/branches", headers=headers).json()["branchList"][0]["publicId"]
    return client.post(
        f"{BASE}/v1/branches/{branch}/services/Paspoort/dates/2030-03-04/times/09:00/book",
        json={"customer": {"externalId": "same-person"}},
        headers=headers,
    ).json()


def test_tenant_header_selects_the_tenant_and_defaults_to_the_first(
    make_client: Callable[[dict[str, Any]], TestClient],
) -> None:
    client = make_client(two_tenants())
    default = client.get(f"{BASE}/v1/branches").json()["branchList"][0]["name"]
    beta = client.get(f"{BASE}/v1/branches", headers={"X-TENANT-ID": "beta"}).json()["branchList"][
        0
    ]["name"]
    assert (default, beta) == ("North Office", "Beta Office")
    unknown = client.get(f"{BASE}/v1/branches", headers={"X-TENANT-ID": "nobody"})
    assert unknown.status_code == 404
    assert "nobody" in unknown.json()["msg"]


def test_nothing_of_one_tenant_is_reachable_through_another(
    make_client: Callable[[dict[str, Any]], TestClient],
) -> None:
    client = make_client(two_tenants())
    mine = _book(client, "acme")
    theirs = _book(client, "beta")  # same slot and externalId in another tenant: no conflict
    assert mine["publicId"] != theirs["publicId"]
    beta = {"X-TENANT-ID": "beta"}
    assert client.get(f"{BASE}/v1/appointments/{mine['publicId']}", headers=beta).status_code == 404
    assert (
        client.delete(f"{BASE}/v1/appointments/{mine['publicId']}", headers=beta).status_code == 404
    )
    moved = client.put(
        f"{BASE}/v1/appointments/{mine['publicId']}/reschedule",
        params={"start": "2030-03-04T10:00:00"},
        headers=beta,
    )
    assert moved.status_code == 404
    customer = mine["customers"][0]["publicId"]
    assert client.get(f"{BASE}/v1/customers/{customer}", headers=beta).status_code == 404
    listed = client.get(
        f"{BASE}/v1/customers/externalId/same-person/appointments", headers=beta
    ).json()
    assert [a["publicId"] for a in listed["appointmentList"]] == [theirs["publicId"]]
    acme_branch = mine["branch"]["publicId"]
    assert client.get(f"{BASE}/v1/branches/{acme_branch}", headers=beta).status_code == 404
    assert client.get(f"{BASE}/v1/appointments/{mine['publicId']}").status_code == 200


def test_keys_are_required_once_a_tenant_has_them(
    make_client: Callable[[dict[str, Any]], TestClient],
) -> None:
    client = make_client(two_tenants(acme=["acme-secret-1"], beta=["beta-secret-1"]))
    missing = client.get(f"{BASE}/v1/branches")
    assert missing.status_code == 401
    assert missing.headers["ERROR_CODE"] == "401"
    assert (
        client.get(f"{BASE}/v1/branches", headers={"X-API-KEY": "wrong-key-123"}).status_code == 401
    )
    foreign = client.get(
        f"{BASE}/v1/branches", headers={"X-API-KEY": "beta-secret-1", "X-TENANT-ID": "acme"}
    )
    assert foreign.status_code == 403
    # Without X-TENANT-ID the key names its own tenant.
    own = client.get(f"{BASE}/v1/branches", headers={"X-API-KEY": "beta-secret-1"})
    assert own.status_code == 200
    assert [b["name"] for b in own.json()["branchList"]] != [
        b["name"]
        for b in client.get(f"{BASE}/v1/branches", headers={"X-API-KEY": "acme-secret-1"}).json()[
            "branchList"
        ]
    ]
    assert (
        client.get(f"{BASE}/v1/branches", headers={"X-API-KEY": "acme-secret-1"}).status_code == 200
    )
    bearer = {"Authorization": "Bearer beta-secret-1", "X-TENANT-ID": "beta"}
    assert client.get(f"{BASE}/v1/branches", headers=bearer).status_code == 200


def test_a_refused_key_stores_nothing(make_client: Callable[[dict[str, Any]], TestClient]) -> None:
    client = make_client(two_tenants(acme=["acme-secret-1"]))
    good = {"X-API-KEY": "acme-secret-1"}
    branch = client.get(f"{BASE}/v1/branches", headers=good).json()["branchList"][0]["publicId"]
    path = f"{BASE}/v1/branches/{branch}/services/Paspoort/dates/2030-03-04/times/09:00/book"
    assert client.post(path, json={"customer": {"externalId": "k"}}).status_code == 401
    assert (
        client.post(path, json={"customer": {"externalId": "k"}}, headers=good).status_code == 200
    )


def test_a_service_not_bookable_online_takes_an_internal_key_to_reserve_and_to_confirm(
    make_client: Callable[[dict[str, Any]], TestClient],
) -> None:
    catalog = issue_catalog(api_keys=["acme-public-1", {"key": "acme-desk-1", "internal": True}])
    catalog["tenants"][0]["services"][1]["online_bookable"] = False  # the ID card
    client = make_client(catalog)
    public, desk = {"X-API-KEY": "acme-public-1"}, {"X-API-KEY": "acme-desk-1"}
    branch = client.get(f"{BASE}/v1/branches", headers=public).json()["branchList"][0]["publicId"]
    reserve = f"{BASE}/v1/branches/{branch}/services/idcard/dates/2030-03-04/times/09:00/reserve"
    refused = client.post(reserve, headers=public)
    assert (refused.status_code, refused.headers["ERROR_CODE"]) == (403, "450")
    held = client.post(reserve, headers=desk).json()
    confirm = f"{BASE}/v1/branches/appointments/{held['publicId']}/confirm"
    taken_over = client.post(confirm, json={}, headers=public)
    assert (taken_over.status_code, taken_over.headers["ERROR_CODE"]) == (403, "450")
    assert client.post(confirm, json={}, headers=desk).json()["status"] == 20
