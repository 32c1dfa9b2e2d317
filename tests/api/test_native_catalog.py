"""The catalog through the native API: one object at a time, with the catalog file's rules."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient

from slotbook.catalog.loader import validate_catalog
from slotbook.services.catalog import load_catalog
from slotbook.services.catalog_edit import document_of
from slotbook.services.context import Slotbook
from tests.factories import every_day, issue_catalog, one_office, passport

ADMIN = "admin-key-00000001"
STAFF = "desk-key-000000002"
CITIZEN = "citizen-key-000003"
OTHER_ADMIN = "other-admin-key-04"
API = "/api/v1"
ORCHESTRA = "/calendar-backend/public/api/v1"
TUESDAY = "2030-03-05"


def catalog() -> dict[str, Any]:
    data = one_office(
        keys={ADMIN: "admin", STAFF: "staff", CITIZEN: "booking"},
        desks=2,
        services=[passport(public_id="passport")],
    )
    other = copy.deepcopy(data["tenants"][0])
    other.update(id="other", name="Other", api_keys=[{"key": OTHER_ADMIN, "scope": "admin"}])
    data["tenants"].append(other)
    return data


@pytest.fixture
def api(make_client: Callable[[dict[str, Any]], TestClient]) -> TestClient:
    client = make_client(catalog())
    client.headers["Authorization"] = f"Bearer {ADMIN}"
    return client


def slotbook(api: TestClient) -> Slotbook:
    return api.app.state.slotbook  # type: ignore[attr-defined,no-any-return]


def times(api: TestClient, service: str = "passport", day: str = TUESDAY) -> list[str]:
    """Free starts of a day as the Orchestra surface offers them (another surface, same core)."""
    found = api.get(
        f"{ORCHESTRA}/branches/north/services/{service}/dates/{day}/times",
        headers={"X-TENANT-ID": "acme"},
    )
    assert found.status_code == 200, found.text
    return list(found.json()["times"])


@pytest.mark.parametrize("shape", ["example", "one office"])
def test_a_stored_catalog_reads_back_as_the_file_that_made_it(
    make_slotbook: Callable[[dict[str, Any]], Slotbook], shape: str
) -> None:
    source = validate_catalog(issue_catalog() if shape == "example" else one_office(desks=2))
    app = make_slotbook(one_office())
    load_catalog(app, source)
    original = source.tenants[0]
    with app.uows() as uow:
        stored = uow.catalogs.stored(original.id)
    assert stored is not None
    again = validate_catalog({"tenants": [document_of(stored)]}).tenants[0]
    # Only the keys (kept apart, as hashes) and the public ids the store made up differ.
    assert again.model_dump(exclude={"api_keys", "branches", "services"}) == original.model_dump(
        exclude={"api_keys", "branches", "services"}
    )
    for made, given in ((again.branches, original.branches), (again.services, original.services)):
        assert [
            m.model_copy(update={"public_id": g.public_id})
            for m, g in zip(made, given, strict=True)
        ] == list(given)
        assert all(m.public_id for m in made)


def test_a_new_service_is_bookable_at_once_on_every_surface(api: TestClient) -> None:
    made = api.post(
        f"{API}/services",
        json={
            "id": "idcard",
            "name": {"en_US": "ID card", "nl_NL": "ID-kaart"},
            "duration": 20,
            "branches": ["north"],
        },
    )
    assert made.status_code == 201, made.text
    shown = made.json()
    assert shown["id"] == "idcard" and shown["retired"] is False and len(shown["uuid"]) == 36
    assert shown["duration"] == 20
    assert times(api, "idcard")[:2] == ["09:00", "09:20"]
    read = api.get(f"{API}/services/{shown['uuid']}")
    assert read.status_code == 200 and read.json()["name"]["nl_NL"] == "ID-kaart"


def test_a_mistake_is_refused_with_the_catalog_files_sentence(api: TestClient) -> None:
    refused = api.post(
        f"{API}/services",
        json={"id": "idcard", "name": "ID card", "duration": 20, "branches": ["south"]},
    )
    assert refused.status_code == 422
    problem = refused.json()
    assert refused.headers["content-type"] == "application/problem+json"
    assert problem["code"] == "invalid_catalog"
    assert problem["detail"] == 'services["idcard"].branches[0]: unknown branch "south"'
    shape = api.patch(f"{API}/services/passport", json={"duration": "ten"})
    assert shape.status_code == 422
    assert shape.json()["detail"].startswith('services["passport"].duration: ')
    assert api.get(f"{API}/services/passport").json()["duration"] == 10  # nothing stored


def test_a_patch_changes_only_what_it_names(api: TestClient) -> None:
    changed = api.patch(f"{API}/services/passport", json={"duration": 15, "price": 12.5})
    assert changed.status_code == 200, changed.text
    assert changed.json()["duration"] == 15 and changed.json()["name"] == "Passport"
    assert times(api)[:2] == ["09:00", "09:15"]
    assert api.patch(f"{API}/services/passport", json={"price": None}).json()["price"] is None


def test_replacing_keeps_the_id_and_refuses_a_new_one(api: TestClient) -> None:
    body = {"name": "Passport (new)", "duration": 30, "branches": ["north"]}
    done = api.put(f"{API}/services/passport", json=body)
    assert done.status_code == 200 and done.json()["name"] == "Passport (new)"
    assert done.json()["public_id"] == "passport"
    other = api.put(f"{API}/services/passport", json={**body, "id": "visa"})
    assert other.status_code == 422 and other.json()["detail"].startswith("id:")


def test_opening_hours_and_closed_days_change_availability_at_once(api: TestClient) -> None:
    hours = api.put(f"{API}/branches/north/hours", json={"hours": every_day(["13:00-14:00"])})
    assert hours.status_code == 200, hours.text
    assert times(api)[0] == "13:00"
    assert api.get(f"{API}/branches/north/hours").json()["hours"]["tue"] == ["13:00-14:00"]
    closed = api.put(f"{API}/branches/north/closed-days", json={"closed": [TUESDAY]})
    assert closed.status_code == 200 and closed.json() == {"closed": [TUESDAY]}
    assert times(api) == []
    desk = api.put(f"{API}/resources/desk-1/hours", json={"hours": {"mon": ["25:00-26:00"]}})
    assert desk.status_code == 422
    assert desk.json()["detail"].startswith('resources["desk-1"].hours.mon[0]: ')


def test_a_resource_is_added_to_its_branch_and_retired_from_it(api: TestClient) -> None:
    added = api.post(f"{API}/resources", json={"id": "desk-3", "branch": "north", "name": "Desk 3"})
    assert added.status_code == 201, added.text
    assert added.json()["branch"] == "north"
    listed = api.get(f"{API}/resources", headers={"Authorization": f"Bearer {CITIZEN}"})
    assert [r["id"] for r in listed.json()["data"]] == ["desk-1", "desk-2", "desk-3"]
    assert api.delete(f"{API}/resources/desk-3").status_code == 204
    assert [r["id"] for r in api.get(f"{API}/resources").json()["data"]] == ["desk-1", "desk-2"]
    everything = api.get(f"{API}/resources", params={"include_retired": "true"}).json()["data"]
    assert [(r["id"], r["retired"]) for r in everything][-1] == ("desk-3", True)
    assert api.get(f"{API}/resources/desk-3").json()["retired"] is True
    again = api.delete(f"{API}/resources/desk-3")
    assert again.status_code == 404


def test_a_branch_a_service_still_names_cannot_be_retired(api: TestClient) -> None:
    refused = api.delete(f"{API}/branches/north")
    assert refused.status_code == 422
    assert 'unknown branch "north"' in refused.json()["detail"]
    assert api.get(f"{API}/branches/north").json()["retired"] is False


def test_branches_are_made_without_resources_which_come_one_by_one(api: TestClient) -> None:
    branch = {"id": "south", "name": "South", "time_zone": "Europe/Amsterdam", "hours": every_day()}
    refused = api.post(f"{API}/branches", json={**branch, "resources": []})
    assert refused.status_code == 422
    made = api.post(f"{API}/branches", json=branch)
    assert made.status_code == 201, made.text
    assert "resources" not in made.json() and made.json()["public_id"]
    zone = api.patch(f"{API}/branches/south", json={"time_zone": "Mars/Olympus"})
    assert zone.json()["detail"] == 'branches["south"].time_zone: unknown time zone "Mars/Olympus"'


def test_questions_are_added_changed_and_dropped(api: TestClient) -> None:
    base = f"{API}/services/passport/questions"
    made = api.post(
        base, json={"kind": "information", "id": "bsn", "text": "Your BSN", "required": True}
    )
    assert made.status_code == 201, made.text
    assert made.json() == {
        "kind": "information",
        "id": "bsn",
        "text": "Your BSN",
        "clarification": None,
        "required": True,
    }
    api.post(base, json={"kind": "screening", "id": "photo", "text": "Do you have a photo?"})
    assert [q["id"] for q in api.get(base).json()["data"]] == ["bsn", "photo"]
    changed = api.put(f"{base}/bsn", json={"kind": "information", "text": "BSN"})
    assert changed.status_code == 200 and changed.json()["required"] is False
    twice = api.post(base, json={"kind": "information", "id": "bsn", "text": "again"})
    assert twice.status_code == 422
    assert "information_questions" in twice.json()["detail"]
    assert api.delete(f"{base}/bsn").status_code == 204
    assert api.get(f"{base}/bsn").status_code == 404
    assert api.post(base, json={"kind": "other", "id": "x", "text": "?"}).status_code == 422


def test_combinations_are_replaced_as_a_whole(api: TestClient) -> None:
    api.post(
        f"{API}/services",
        json={"id": "idcard", "name": "ID card", "duration": 20, "branches": ["north"]},
    )
    done = api.put(f"{API}/combinations", json={"combinations": [["passport", "idcard"]]})
    assert done.status_code == 200 and done.json() == {"combinations": [["passport", "idcard"]]}
    lonely = api.put(f"{API}/combinations", json={"combinations": [["passport"]]})
    assert lonely.status_code == 422
    assert lonely.json()["detail"] == "combinations[0]: a combination needs at least two services"


def test_only_admin_keys_change_the_catalog_and_only_their_own(api: TestClient) -> None:
    body = {"id": "visa", "name": "Visa", "duration": 10, "branches": ["north"]}
    for key, status in ((STAFF, 403), (CITIZEN, 403)):
        refused = api.post(f"{API}/services", json=body, headers={"Authorization": f"Bearer {key}"})
        assert refused.status_code == status
    nobody = api.get(f"{API}/services", headers={"Authorization": ""})
    assert nobody.status_code == 401
    other = api.patch(
        f"{API}/services/passport",
        json={"duration": 45},
        headers={"Authorization": f"Bearer {OTHER_ADMIN}"},
    )
    assert other.status_code == 200  # its own tenant's passport
    assert api.get(f"{API}/services/passport").json()["duration"] == 10


def test_loading_the_file_again_retires_what_only_the_api_added(api: TestClient) -> None:
    api.post(
        f"{API}/services",
        json={"id": "visa", "name": "Visa", "duration": 10, "branches": ["north"]},
    )
    load_catalog(slotbook(api), validate_catalog(catalog()))
    assert api.get(f"{API}/services/visa").json()["retired"] is True


def test_keys_survive_a_change_through_the_api(api: TestClient) -> None:
    api.patch(f"{API}/services/passport", json={"duration": 12})
    for key in (ADMIN, STAFF, CITIZEN):
        seen = api.get(f"{API}/branches", headers={"Authorization": f"Bearer {key}"})
        assert seen.status_code == 200
