"""Keys, bearer tokens from /connect/token, and tenants that never see each other's data."""

from __future__ import annotations

import base64
from typing import Any

from tests.api.onsched.conftest import (
    ACME_KEY,
    GLOBEX_KEY,
    GLOBEX_STAFF_KEY,
    MakeClient,
    OnSched,
    catalog,
)
from tests.conftest import FakeClock

ADA = {"name": "Ada Lovelace", "email": "ada@example.com"}


def _token(api: OnSched, **form: str) -> Any:
    return api.client.post("/connect/token", data=form)


def test_a_request_without_a_key_or_with_a_wrong_one_is_unauthorized(api: OnSched) -> None:
    for token in (None, "wrong-key"):
        refused = api.as_key(token).get("locations")
        assert refused.status_code == 401, token
        assert refused.json()["error"] == "unauthorized"
        assert refused.headers["www-authenticate"] == "Bearer"
    missing = api.as_key(None).get("locations")
    assert missing.json()["message"] == "An API key is required"


def test_the_key_selects_its_tenant(api: OnSched) -> None:
    globex = api.as_key(GLOBEX_KEY)
    assert [loc["name"] for loc in globex.get("locations").json()["data"]] == ["Globex Main"]
    assert [s["name"] for s in globex.get("services").json()["data"]] == ["Visit"]


def test_another_tenants_key_for_a_named_tenant_is_forbidden(api: OnSched) -> None:
    refused = api.as_key(GLOBEX_KEY).get("locations", headers={"X-TENANT-ID": "acme"})
    assert refused.status_code == 403
    assert refused.json() == {
        "error": "forbidden",
        "message": "This API key belongs to another tenant",
    }
    named = api.get("locations", headers={"X-TENANT-ID": "acme"})
    assert named.status_code == 200
    unknown = api.get("locations", headers={"X-TENANT-ID": "initech"})
    assert unknown.status_code == 404


def test_ids_of_one_tenant_are_not_found_through_another_tenants_key(api: OnSched) -> None:
    booked = api.hold(
        "Consultation",
        "2030-03-04T09:00:00+01:00",
        "2030-03-04T09:30:00+01:00",
        completeBooking="BK",
        **ADA,
    ).json()
    globex = api.as_key(GLOBEX_KEY)
    consult = api.service("Consultation")
    for path in (
        f"appointments/{booked['id']}",
        f"customers/{booked['customerId']}",
        f"locations/{booked['locationId']}",
        f"services/{consult}",
        f"resources/{booked['resourceId']}",
        f"availability/{consult}/2030-03-04/2030-03-04",
    ):
        assert globex.get(path).status_code == 404, path
    for change in ("book", "confirm", "cancel", "reserve"):
        assert globex.put(f"appointments/{booked['id']}/{change}", ADA).status_code == 404
    assert globex.delete(f"appointments/{booked['id']}").status_code == 404
    globex_desk = api.as_key(GLOBEX_STAFF_KEY)
    assert globex_desk.get("appointments").json()["total"] == 0
    assert globex_desk.get("customers", email="ada@example.com").json()["total"] == 0
    assert api.get(f"appointments/{booked['id']}").json()["status"] == "BK"


def test_a_tenant_without_keys_is_open(make_client: MakeClient) -> None:
    open_api = OnSched(make_client(catalog(api_keys=[])), token=None)
    assert open_api.get("locations").json()["total"] == 2


def test_a_token_from_connect_token_works_as_a_bearer_token(api: OnSched) -> None:
    issued = _token(
        api,
        grant_type="client_credentials",
        client_id="acme",
        client_secret=ACME_KEY,
        scope="OnSchedApi",
    )
    assert issued.status_code == 200, issued.text
    body = issued.json()
    assert set(body) == {"access_token", "token_type", "expires_in"}
    assert (body["token_type"], body["expires_in"]) == ("Bearer", 3600)
    assert issued.headers["cache-control"] == "no-store"
    with_token = api.as_key(body["access_token"])
    assert with_token.get("locations").json()["total"] == 2
    forbidden = with_token.get("locations", headers={"X-TENANT-ID": "globex"})
    assert forbidden.status_code == 403


def test_connect_token_accepts_json_and_basic_credentials(api: OnSched) -> None:
    as_json = api.client.post(
        "/connect/token",
        json={
            "grant_type": "client_credentials",
            "client_id": "globex",
            "client_secret": GLOBEX_KEY,
        },
    )
    assert as_json.status_code == 200, as_json.text
    globex = api.as_key(as_json.json()["access_token"])
    assert globex.get("locations").json()["data"][0]["name"] == "Globex Main"
    basic = base64.b64encode(f"acme:{ACME_KEY}".encode()).decode()
    as_basic = api.client.post(
        "/connect/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert as_basic.status_code == 200, as_basic.text


def test_connect_token_refuses_bad_credentials_with_oauth_errors(api: OnSched) -> None:
    good = {"grant_type": "client_credentials", "client_id": "acme", "client_secret": ACME_KEY}
    cases: list[tuple[dict[str, str], int, str]] = [
        ({**good, "client_secret": "nope"}, 401, "invalid_client"),
        ({**good, "client_secret": GLOBEX_KEY}, 401, "invalid_client"),
        ({**good, "client_id": "initech"}, 401, "invalid_client"),
        ({**good, "grant_type": "password"}, 400, "unsupported_grant_type"),
        ({"client_id": "acme", "client_secret": ACME_KEY}, 400, "invalid_request"),
        ({"grant_type": "client_credentials", "client_id": "acme"}, 400, "invalid_request"),
    ]
    for form, status, error in cases:
        refused = _token(api, **form)
        assert (refused.status_code, refused.json()["error"]) == (status, error), form
        assert refused.json()["error_description"]
    assert _token(api, **good).status_code == 200


def test_an_expired_token_is_unauthorized(api: OnSched, clock: FakeClock) -> None:
    issued = _token(
        api, grant_type="client_credentials", client_id="acme", client_secret=ACME_KEY
    ).json()
    clock.advance(minutes=61)
    assert api.as_key(issued["access_token"]).get("locations").status_code == 401
