"""Availability slots: spaces held for the tenant's reservation time, then free again."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from tests.api.appointedd.conftest import MakeClient
from tests.api.appointedd.helpers import (
    at,
    book,
    hold,
    ids_by_name,
    person,
    search,
    studio_catalog,
)
from tests.conftest import FakeClock


def test_a_slot_on_a_new_group_booking_holds_spaces_until_it_expires(api: TestClient) -> None:
    ids = ids_by_name(api)
    response = hold(api, ids["Yoga class"], at("09:00"), spaces=2)
    assert response.status_code == 201
    slot = response.json()["data"]
    assert len(slot["id"]) == 24
    assert slot["booking_id"] is None
    assert slot["service_id"] == ids["Yoga class"]
    assert slot["resource_id"] == ids["Room 1"]
    assert slot["resources"] == [{"id": ids["Room 1"]}]
    assert slot["start"] == at("09:00")
    assert slot["start_buffer"] == at("08:45")
    assert slot["end"] == at("10:00")
    assert slot["end_buffer"] == at("10:15")
    assert slot["parts"] == [{"start": at("09:00"), "end": at("10:00")}]
    assert slot["created"] == at("08:00")
    assert slot["expiry"] == at("08:10")  # the tenant's reservation time: 600 seconds
    assert slot["max_spaces"] == 5
    assert slot["reserved_spaces"] == 2
    assert slot["allow_additional_spaces"] is True


def test_a_one_to_one_slot_allows_no_additional_spaces(api: TestClient) -> None:
    ids = ids_by_name(api)
    slot = hold(api, ids["Consultation"], at("09:00")).json()["data"]
    assert slot["max_spaces"] == 1
    assert slot["reserved_spaces"] == 1
    assert slot["allow_additional_spaces"] is False
    assert slot["end"] == at("09:30")


def test_a_chosen_duration_sets_the_end(api: TestClient) -> None:
    ids = ids_by_name(api)
    slot = hold(api, ids["Consultation"], at("09:00"), duration=60).json()["data"]
    assert slot["end"] == at("10:00")


def test_a_slot_can_be_read_back(api: TestClient) -> None:
    ids = ids_by_name(api)
    created = hold(api, ids["Yoga class"], at("09:00")).json()["data"]
    read = api.get(f"/v1/availability/slots/{created['id']}?timezone=Europe/Amsterdam")
    assert read.status_code == 200
    assert read.json()["data"] == created
    in_utc = api.get(f"/v1/availability/slots/{created['id']}").json()["data"]
    assert in_utc["start"] == "2030-03-04T08:00:00.000+00:00"


def test_a_released_slot_frees_its_spaces_at_once(api: TestClient) -> None:
    ids = ids_by_name(api)
    slot = hold(api, ids["Consultation"], at("09:00"), resource_id=ids["Desk 1"]).json()["data"]
    assert search(api, ids["Consultation"], at("09:00"), at("09:30"))[0]["resource_ids"] == [
        ids["Desk 2"]
    ]
    released = api.delete(f"/v1/availability/slots/{slot['id']}")
    assert released.status_code == 204
    assert sorted(
        search(api, ids["Consultation"], at("09:00"), at("09:30"))[0]["resource_ids"]
    ) == (sorted([ids["Desk 1"], ids["Desk 2"]]))
    assert api.get(f"/v1/availability/slots/{slot['id']}").status_code == 404
    again = api.delete(f"/v1/availability/slots/{slot['id']}")
    assert again.status_code == 404
    assert again.json()["error"] == "not_found"


def test_no_room_at_that_start_is_a_conflict(api: TestClient) -> None:
    ids = ids_by_name(api)
    assert hold(api, ids["Consultation"], at("09:00")).status_code == 201
    assert hold(api, ids["Consultation"], at("09:00")).status_code == 201
    third = hold(api, ids["Consultation"], at("09:00"))
    assert third.status_code == 409
    assert third.json()["error"] == "no_availability"
    assert hold(api, ids["Yoga class"], at("09:00"), spaces=3).status_code == 201
    assert hold(api, ids["Yoga class"], at("09:00"), spaces=3).status_code == 409
    assert hold(api, ids["Yoga class"], at("09:00"), spaces=2).status_code == 201


def test_a_start_off_the_grid_or_in_the_past_is_a_conflict(api: TestClient) -> None:
    ids = ids_by_name(api)
    assert hold(api, ids["Yoga class"], at("09:30")).status_code == 409
    assert hold(api, ids["Yoga class"], at("09:00", day="2030-03-03")).status_code == 409


def test_an_expired_slot_no_longer_holds_spaces_and_cannot_be_booked(
    api: TestClient, clock: FakeClock
) -> None:
    ids = ids_by_name(api)
    slot = hold(api, ids["Yoga class"], at("09:00"), spaces=5).json()["data"]
    assert search(api, ids["Yoga class"], at("09:00"), at("10:00")) == []
    clock.advance(minutes=10)
    [free] = search(api, ids["Yoga class"], at("09:00"), at("10:00"))
    assert free["resource_ids"] == [ids["Room 1"]]
    assert free["group_bookings"] == []
    assert api.get(f"/v1/availability/slots/{slot['id']}").status_code == 404
    late = book(api, slot["id"], person("Ada", "Lovelace"))
    assert late.status_code == 409
    assert late.json()["error"] == "slot_unavailable"
    assert api.get("/v1/bookings").json()["total"] == 0
    assert api.delete(f"/v1/availability/slots/{slot['id']}").status_code == 204


def test_a_used_slot_cannot_be_released_or_booked_again(api: TestClient) -> None:
    ids = ids_by_name(api)
    slot = hold(api, ids["Yoga class"], at("09:00")).json()["data"]
    assert book(api, slot["id"], person("Ada", "Lovelace")).status_code == 201
    assert api.get(f"/v1/availability/slots/{slot['id']}").status_code == 404
    assert api.delete(f"/v1/availability/slots/{slot['id']}").status_code == 409
    again = book(api, slot["id"], person("Bob", "Builder"))
    assert again.status_code == 409


def test_slot_requests_the_service_cannot_satisfy_are_refused(api: TestClient) -> None:
    ids = ids_by_name(api)
    cases: list[tuple[dict[str, Any], str, int, str]] = [
        ({"spaces": 6}, ids["Yoga class"], 400, "data.required_spaces"),
        ({"spaces": 2}, ids["Consultation"], 400, "data.required_spaces"),
        ({"duration": 45}, ids["Consultation"], 400, "data.duration"),
        ({"resource_id": ids["Room 1"]}, ids["Consultation"], 400, "data.resource_id"),
        ({"resource_id": "0123456789abcdef01234567"}, ids["Consultation"], 404, "data.resource_id"),
        ({}, "0123456789abcdef01234567", 404, "data.service_id"),
        ({"timezone": "Nowhere/Town"}, ids["Consultation"], 400, "data.timezone"),
        ({"start": "tomorrow at nine"}, ids["Consultation"], 400, "data.start"),
    ]
    for extra, service, status, field in cases:
        start = extra.pop("start", at("09:00"))
        response = hold(api, service, start, **extra)
        assert response.status_code == status, (extra, response.text)
        assert field in response.json()["message"]
    assert search(api, ids["Consultation"], at("09:00"), at("09:30"))[0]["resource_ids"]


def test_a_slot_whose_booking_was_cancelled_is_gone(api: TestClient) -> None:
    ids = ids_by_name(api)
    first = hold(api, ids["Yoga class"], at("09:00")).json()["data"]
    booking = book(api, first["id"], person("Ada", "Lovelace")).json()["data"]
    waiting = hold(api, ids["Yoga class"], at("09:00")).json()["data"]
    assert waiting["booking_id"] == booking["id"]
    assert api.post(f"/v1/bookings/{booking['id']}/cancel").status_code == 200
    assert api.get(f"/v1/availability/slots/{waiting['id']}").status_code == 404
    released = api.delete(f"/v1/availability/slots/{waiting['id']}")
    assert (released.status_code, released.json()["error"]) == (404, "not_found")


def test_a_start_that_a_dst_change_skips_is_refused_not_moved(studio_client: MakeClient) -> None:
    catalog = studio_catalog()
    catalog["tenants"][0]["branches"][0]["hours"]["sun"] = ["00:00-06:00"]
    api = studio_client(catalog)
    ids = ids_by_name(api)
    # 2030-03-31 is the spring-forward night in Amsterdam: 02:00-03:00 does not exist.
    skipped = hold(api, ids["Consultation"], "2030-03-31T02:30:00")
    assert skipped.status_code == 400
    assert "does not exist in Europe/Amsterdam" in skipped.json()["message"]
    assert api.get("/v1/bookings").json()["data"] == []
    moved_past_the_gap = hold(api, ids["Consultation"], "2030-03-31T03:30:00")
    assert moved_past_the_gap.status_code == 201
    assert moved_past_the_gap.json()["data"]["start"] == "2030-03-31T03:30:00.000+02:00"
