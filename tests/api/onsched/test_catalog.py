"""Locations, services and resources: lists, filters, single objects and their ids."""

from __future__ import annotations

import re

from tests.api.onsched.conftest import ACME_STAFF_KEY, OnSched

GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def test_locations_are_listed_in_the_vendor_envelope_with_guid_ids(api: OnSched) -> None:
    found = api.get("locations")
    assert found.status_code == 200
    body = found.json()
    assert {k: body[k] for k in ("object", "url", "hasMore", "count", "total")} == {
        "object": "list",
        "url": "/consumer/v1/locations",
        "hasMore": False,
        "count": 2,
        "total": 2,
    }
    north = body["data"][0]
    assert GUID.match(north["id"])
    assert north == {
        "object": "location",
        "id": north["id"],
        "name": "North Office",
        "timezoneIana": "Europe/Amsterdam",
        "address": {
            "addressLine1": "Lageweg 35",
            "addressLine2": None,
            "city": "Katwijk",
            "state": None,
            "country": "Netherlands",
            "postalCode": "2222 AG",
        },
        "phone": "+31 71 000 0000",
        "email": "north@example.com",
    }


def test_a_location_is_read_by_its_id_in_any_letter_case(api: OnSched) -> None:
    north = api.location("North Office")
    assert api.get(f"locations/{north}").json()["name"] == "North Office"
    assert api.get(f"locations/{north.upper()}").json()["id"] == north


def test_unknown_and_malformed_location_ids_are_told_apart(api: OnSched) -> None:
    unknown = api.get("locations/00000000-0000-4000-8000-000000000000")
    assert unknown.status_code == 404
    assert unknown.json()["error"] == "not_found"
    malformed = api.get("locations/north")
    assert malformed.status_code == 400
    assert malformed.json() == {
        "error": "invalid_request",
        "message": "id must be a GUID like 3fa85f64-5717-4562-b3fc-2c963f66afa6, not 'north'",
    }


def test_services_have_digit_ids_duration_and_capacity(api: OnSched) -> None:
    data = api.get("services").json()["data"]
    assert [s["name"] for s in data] == ["Consultation", "Workshop"]  # staff-only is hidden
    consult, workshop = data
    assert consult["id"].isdigit()
    assert consult == {
        "object": "service",
        "id": consult["id"],
        "name": "Consultation",
        "description": "Talk to an adviser",
        "duration": 30,
        "durationSelect": True,
        "durationMin": 30,
        "durationMax": 60,
        "bookingInterval": 30,
        "maxCapacity": 1,
        "maxGroupSize": 1,
        "showOnline": True,
        "serviceGroupId": None,
        "serviceGroupName": None,
    }
    assert (workshop["maxCapacity"], workshop["maxGroupSize"]) == (5, 5)
    assert api.get(f"services/{workshop['id']}").json() == workshop


def test_services_can_be_filtered_by_location(api: OnSched) -> None:
    east = api.location("East Office")
    names = [s["name"] for s in api.get("services", locationId=east).json()["data"]]
    assert names == ["Consultation"]
    unknown = api.get("services", locationId="00000000-0000-4000-8000-000000000000")
    assert unknown.status_code == 404
    assert "locationId" in unknown.json()["message"]


def test_a_service_not_bookable_online_is_shown_to_staff_keys_only(api: OnSched) -> None:
    staff = api.as_key(ACME_STAFF_KEY)
    hidden = staff.service("Staff only")
    assert staff.get(f"services/{hidden}").json()["name"] == "Staff only"
    refused = api.get(f"services/{hidden}")
    assert refused.status_code == 404
    assert refused.json()["message"] == f"No service with id {hidden} (id)"
    assert api.get("services/123456789").status_code == 404
    assert api.get("services/not-a-number").status_code == 400


def test_resources_belong_to_a_location_and_can_be_filtered_by_it(api: OnSched) -> None:
    everything = api.get("resources").json()
    assert [r["name"] for r in everything["data"]] == ["Desk 1", "Desk 2", "Room 1", "East Desk"]
    north, east = api.location("North Office"), api.location("East Office")
    desk = everything["data"][0]
    assert (desk["object"], desk["locationId"], desk["name"]) == ("resource", north, "Desk 1")
    assert desk["timezoneIana"] == "Europe/Amsterdam"
    only_east = api.get("resources", locationId=east).json()
    assert [r["name"] for r in only_east["data"]] == ["East Desk"]
    assert only_east["total"] == 1
    assert api.get(f"resources/{desk['id']}").json() == desk
    assert api.get("resources/42").status_code == 404


def test_lists_are_paged_with_offset_and_limit(api: OnSched) -> None:
    first = api.get("resources", limit=3).json()
    assert (first["count"], first["total"], first["hasMore"]) == (3, 4, True)
    rest = api.get("resources", limit=3, offset=3).json()
    assert (rest["count"], rest["hasMore"]) == (1, False)
    assert rest["data"][0]["name"] == "East Desk"
    beyond = api.get("resources", offset=10).json()
    assert (beyond["count"], beyond["total"], beyond["data"]) == (0, 4, [])


def test_invalid_paging_values_are_refused(api: OnSched) -> None:
    for params in ({"limit": 0}, {"limit": 101}, {"limit": "ten"}, {"offset": -1}):
        found = api.get("locations", **params)
        assert found.status_code == 400, params
        name = next(iter(params))
        assert found.json()["message"].startswith(f"{name} must be a whole number"), params
    assert api.get("locations", limit=100).status_code == 200
