"""Branches, services and service groups as the manual shows them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.api.orchestra.conftest import Orchestra
from tests.factories import issue_catalog

BRANCH_FIELDS = {
    "publicId",
    "name",
    "addressLine1",
    "addressLine2",
    "addressCity",
    "addressState",
    "addressZip",
    "addressCountry",
    "phone",
    "email",
    "latitude",
    "longitude",
    "timeZone",
    "fullTimeZone",
    "branchPrefix",
    "custom",
    "created",
    "updated",
}
SERVICE_FIELDS = {
    "publicId",
    "name",
    "duration",
    "additionalCustomerDuration",
    "active",
    "publicEnabled",
    "custom",
    "created",
    "updated",
}


def test_branch_list_has_every_field_of_the_manual_with_nulls_for_unknowns(
    orchestra: Orchestra,
) -> None:
    body = orchestra.get("/v1/branches").json()
    assert body["notifications"] == []
    assert body["meta"] == {
        "start": "",
        "end": "",
        "totalResults": 1,
        "offset": None,
        "limit": None,
        "fields": "",
        "arguments": {},
    }
    branch = body["branchList"][0]
    assert set(branch) == BRANCH_FIELDS
    assert branch["name"] == "North Office"
    assert branch["addressLine1"] == "Lageweg 35"
    assert branch["addressLine2"] is None
    assert branch["addressZip"] == "2222 AG"
    assert branch["timeZone"] == branch["fullTimeZone"] == "Europe/Amsterdam"
    assert branch["phone"] is None
    assert len(branch["publicId"]) == 64
    assert isinstance(branch["created"], int)


def test_single_branch_by_public_id_with_or_without_trailing_slash(orchestra: Orchestra) -> None:
    for path in (f"/v1/branches/{orchestra.branch}", f"/v1/branches/{orchestra.branch}/"):
        response = orchestra.get(path)
        assert response.status_code == 200
        assert response.json()["branch"]["publicId"] == orchestra.branch


def test_unknown_branch_detail_is_410(orchestra: Orchestra) -> None:
    response = orchestra.get("/v1/branches/nope")
    assert response.status_code == 404
    assert response.headers["ERROR_CODE"] == "410"
    assert response.json() == {"msg": "Branch not found"}


def test_services_of_a_branch_and_of_the_tenant(orchestra: Orchestra) -> None:
    at_branch = orchestra.get(f"/v1/branches/{orchestra.branch}/services").json()["serviceList"]
    everywhere = orchestra.get("/v1/services").json()["serviceList"]
    assert [s["name"] for s in at_branch] == ["Passport", "ID card", "Citizenship workshop"]
    assert at_branch == everywhere
    passport = at_branch[0]
    assert set(passport) == SERVICE_FIELDS
    assert passport["publicId"] == "Paspoort"
    assert (passport["duration"], passport["additionalCustomerDuration"]) == (10, 5)
    assert passport["active"] is True
    assert passport["publicEnabled"] is True


def test_listings_for_unknown_ids_are_empty_not_errors(orchestra: Orchestra) -> None:
    assert orchestra.get("/v1/branches/unknown/services").json()["serviceList"] == []
    assert orchestra.get("/v1/services/unknown/branches").json()["branchList"] == []
    dates = orchestra.get("/v1/branches/unknown/services/Paspoort/dates")
    assert dates.status_code == 200
    assert dates.json()["dates"] == []
    assert (
        orchestra.get(
            f"/v1/branches/{orchestra.branch}/services/nope/dates/2030-03-04/times"
        ).json()["times"]
        == []
    )


def test_branches_of_a_service(orchestra: Orchestra) -> None:
    found = orchestra.get("/v1/services/Paspoort/branches").json()["branchList"]
    assert [b["publicId"] for b in found] == [orchestra.branch]


def test_service_groups_come_from_combinations(orchestra: Orchestra) -> None:
    v1 = orchestra.get("/v1/services/groups;servicePublicId=Paspoort").json()
    assert len(v1) == 1
    assert v1[0]["branchPublicId"] == orchestra.branch
    assert v1[0]["branchName"] == "North Office"
    names = [s["name"] for s in v1[0]["serviceGroups"][0]["services"]]
    assert names == ["Passport", "ID card"]
    assert set(v1[0]["serviceGroups"][0]["services"][0]) == {
        "publicId",
        "name",
        "duration",
        "additionalCustomerDuration",
        "custom",
    }
    spelled = orchestra.get("/v1/services/groups;service-publicId=Paspoort").json()
    assert spelled == v1
    v2 = orchestra.get(
        f"/v2/branches/{orchestra.branch}/services/groups;servicePublicId=Paspoort"
    ).json()
    assert v2 == [{"services": v1[0]["serviceGroups"][0]["services"]}]


def test_service_groups_for_unknown_or_ungrouped_service_are_empty(orchestra: Orchestra) -> None:
    assert orchestra.get("/v1/services/groups;servicePublicId=nope").json() == []
    workshop = orchestra.get("/v1/services/groups", params={"servicePublicId": "workshop"}).json()
    assert workshop == []
    assert orchestra.get("/v2/branches/nope/services/groups;servicePublicId=Paspoort").json() == []


def test_available_branches_for_a_service_is_a_bare_array(orchestra: Orchestra) -> None:
    found = orchestra.get("/v2/branches/available;servicePublicId=Paspoort").json()
    assert isinstance(found, list)
    assert [b["publicId"] for b in found] == [orchestra.branch]
    assert isinstance(found[0]["id"], int)
    assert orchestra.get("/v2/branches/available;servicePublicId=nope").json() == []


def test_unknown_endpoint_answers_in_the_manuals_error_format(orchestra: Orchestra) -> None:
    response = orchestra.get("/v1/nothing/here")
    assert response.status_code == 404
    assert "ERROR_CODE" in response.headers
    assert "msg" in response.json()


def test_service_names_follow_accept_language(make_orchestra: Any) -> None:
    catalog = issue_catalog()
    catalog["tenants"][0]["services"][0]["name"] = {"en_US": "Passport", "nl_NL": "Paspoort"}
    orchestra = make_orchestra(catalog)

    def name(language: str | None) -> str:
        headers = {"Accept-Language": language} if language else {}
        return str(orchestra.get("/v1/services", headers=headers).json()["serviceList"][0]["name"])

    assert name("nl-NL") == name("nl") == name("nl-BE,nl;q=0.9") == "Paspoort"
    assert name(None) == name("de-DE") == "Passport"


def test_services_are_listed_in_the_order_of_their_index(
    make_orchestra: Callable[[dict[str, Any]], Orchestra],
) -> None:
    catalog = issue_catalog()
    passport, _idcard, workshop = catalog["tenants"][0]["services"]
    passport["index"], workshop["index"] = 5, 0  # idcard keeps its position (1)
    orchestra = make_orchestra(catalog)
    listed = orchestra.get("/v1/services").json()["serviceList"]
    assert [s["name"] for s in listed] == ["Citizenship workshop", "ID card", "Passport"]
    at_branch = orchestra.get(f"/v1/branches/{orchestra.branch}/services").json()["serviceList"]
    assert [s["name"] for s in at_branch] == ["Citizenship workshop", "ID card", "Passport"]
