"""Interval search: starts where a booking fits or a group booking still has room."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from tests.api.appointedd.helpers import at, hold, ids_by_name, search


def _clock(starts: list[dict[str, object]]) -> list[str]:
    return [str(s["start"])[11:16] for s in starts]


def test_every_start_in_opening_hours_with_the_free_resources(api: TestClient) -> None:
    ids = ids_by_name(api)
    found = search(api, ids["Consultation"], at("00:00"), at("23:59"))
    times = _clock(found)
    assert times[0] == "09:00"
    assert times[-1] == "16:30"  # a 30-minute consultation ends at closing time
    assert len(times) == 16
    assert found[0]["start"] == "2030-03-04T09:00:00.000+01:00"
    assert sorted(found[0]["resource_ids"]) == sorted([ids["Desk 1"], ids["Desk 2"]])
    assert found[0]["group_bookings"] == []
    assert found[0]["group_slots"] == []


def test_times_are_shown_in_the_requested_time_zone(api: TestClient) -> None:
    ids = ids_by_name(api)
    in_utc = search(
        api, ids["Consultation"], "2030-03-04T00:00:00Z", "2030-03-05T00:00:00Z", timezone=None
    )
    assert in_utc[0]["start"] == "2030-03-04T08:00:00.000+00:00"
    in_new_york = search(
        api,
        ids["Consultation"],
        "2030-03-04T00:00:00Z",
        "2030-03-05T00:00:00Z",
        timezone="America/New_York",
    )
    assert in_new_york[0]["start"] == "2030-03-04T03:00:00.000-05:00"


def test_a_range_without_offset_is_read_in_the_requested_zone(api: TestClient) -> None:
    ids = ids_by_name(api)
    found = search(
        api,
        ids["Consultation"],
        "2030-03-04T12:00:00",
        "2030-03-04T13:00:00",
        timezone="Europe/Amsterdam",
    )
    assert _clock(found) == ["12:00", "12:30"]


def test_unknown_time_zone_is_refused(api: TestClient) -> None:
    ids = ids_by_name(api)
    body = {
        "ranges": [{"start": at("00:00"), "end": at("23:00")}],
        "service_id": ids["Consultation"],
        "timezone": "Mars/Olympus_Mons",
    }
    response = api.post("/v1/availability/intervals/search", json=body)
    assert response.status_code == 400
    assert response.json()["error"] == "bad_request"
    assert "timezone" in response.json()["message"]


def test_ranges_may_total_at_most_59_days(api: TestClient) -> None:
    ids = ids_by_name(api)
    too_long: dict[str, Any] = {
        "ranges": [
            {"start": "2030-03-04T00:00:00Z", "end": "2030-04-03T00:00:00Z"},  # 30 days
            {"start": "2030-04-10T00:00:00Z", "end": "2030-05-10T00:00:00Z"},  # 30 days
        ],
        "service_id": ids["Consultation"],
    }
    refused = api.post("/v1/availability/intervals/search", json=too_long)
    assert refused.status_code == 400
    assert "59 days" in refused.json()["message"]
    too_long["ranges"][1]["end"] = "2030-05-09T00:00:00Z"  # 59 days in total
    assert api.post("/v1/availability/intervals/search", json=too_long).status_code == 200


def test_a_range_that_ends_before_it_starts_is_refused(api: TestClient) -> None:
    ids = ids_by_name(api)
    body = {"ranges": [{"start": at("12:00"), "end": at("11:00")}], "service_id": ids["Yoga class"]}
    response = api.post("/v1/availability/intervals/search", json=body)
    assert response.status_code == 400
    assert "ranges.0" in response.json()["message"]


def test_a_longer_duration_ends_the_last_start_earlier(api: TestClient) -> None:
    ids = ids_by_name(api)
    found = search(api, ids["Consultation"], at("00:00"), at("23:59"), duration=60)
    assert _clock(found)[-1] == "16:00"


def test_a_duration_the_service_does_not_offer_is_refused(api: TestClient) -> None:
    ids = ids_by_name(api)
    body = {
        "ranges": [{"start": at("00:00"), "end": at("23:00")}],
        "service_id": ids["Consultation"],
        "duration": 45,
    }
    response = api.post("/v1/availability/intervals/search", json=body)
    assert response.status_code == 400
    assert "duration" in response.json()["message"]


def test_resource_filter_shows_only_those_resources(api: TestClient) -> None:
    ids = ids_by_name(api)
    assert hold(api, ids["Consultation"], at("09:00"), resource_id=ids["Desk 1"]).status_code == 201
    everyone = search(api, ids["Consultation"], at("09:00"), at("10:00"))
    assert everyone[0]["resource_ids"] == [ids["Desk 2"]]
    desk_1 = search(
        api, ids["Consultation"], at("09:00"), at("10:00"), resource_ids=[ids["Desk 1"]]
    )
    assert _clock(desk_1) == ["09:30"]
    assert desk_1[0]["resource_ids"] == [ids["Desk 1"]]
    anyone = search(api, ids["Consultation"], at("09:00"), at("10:00"), resource_ids=[])
    assert anyone == everyone


def test_resource_filter_with_a_resource_that_does_not_offer_the_service(api: TestClient) -> None:
    ids = ids_by_name(api)
    body = {
        "ranges": [{"start": at("09:00"), "end": at("10:00")}],
        "service_id": ids["Consultation"],
        "resource_ids": [ids["Room 1"]],
    }
    response = api.post("/v1/availability/intervals/search", json=body)
    assert response.status_code == 400
    assert "resource_ids.0" in response.json()["message"]
    body["resource_ids"] = ["0123456789abcdef01234567"]
    assert api.post("/v1/availability/intervals/search", json=body).status_code == 404


def test_group_booking_with_room_is_listed_with_its_free_spaces(api: TestClient) -> None:
    ids = ids_by_name(api)
    assert hold(api, ids["Yoga class"], at("09:00"), spaces=2).status_code == 201
    found = search(api, ids["Yoga class"], at("00:00"), at("23:59"))
    first = found[0]
    assert first["start"] == at("09:00")
    assert first["resource_ids"] == []  # the room is taken by the group booking itself
    [group] = first["group_bookings"]
    assert group["spaces"] == 3
    assert group["resource_id"] == ids["Room 1"]
    assert group["service_id"] == ids["Yoga class"]
    assert group["start_buffer"] == at("08:45")
    assert group["end"] == at("10:00")
    assert group["end_buffer"] == at("10:15")
    assert group["parts"] == [{"start": at("09:00"), "end": at("10:00")}]
    assert group["price"] == 20
    assert group["resources"] == [{"id": ids["Room 1"]}]


def test_buffers_keep_the_next_start_free(api: TestClient) -> None:
    ids = ids_by_name(api)
    assert hold(api, ids["Yoga class"], at("09:00")).status_code == 201
    found = search(api, ids["Yoga class"], at("00:00"), at("23:59"))
    # 10:00 would start inside the class's 15 minutes of tidying up.
    assert _clock(found)[:3] == ["09:00", "11:00", "12:00"]


def test_spaces_hide_group_bookings_without_that_much_room(api: TestClient) -> None:
    ids = ids_by_name(api)
    assert hold(api, ids["Yoga class"], at("09:00"), spaces=2).status_code == 201
    three = search(api, ids["Yoga class"], at("09:00"), at("10:00"), spaces=3)
    assert three[0]["group_bookings"][0]["spaces"] == 3
    four = search(api, ids["Yoga class"], at("09:00"), at("10:00"), spaces=4)
    assert four == []


def test_more_spaces_than_the_occupancy_are_refused(api: TestClient) -> None:
    ids = ids_by_name(api)
    body = {
        "ranges": [{"start": at("09:00"), "end": at("10:00")}],
        "service_id": ids["Yoga class"],
        "spaces": 6,
    }
    response = api.post("/v1/availability/intervals/search", json=body)
    assert response.status_code == 400
    assert "spaces" in response.json()["message"]


def test_past_starts_are_not_offered(api: TestClient) -> None:
    ids = ids_by_name(api)
    found = search(
        api, ids["Consultation"], "2030-03-03T00:00:00Z", "2030-03-04T09:00:00Z", timezone="UTC"
    )
    assert [s["start"] for s in found] == [
        "2030-03-04T08:00:00.000+00:00",
        "2030-03-04T08:30:00.000+00:00",
    ]


NOT_ZONES = ["localtime", "posixrules", "right/UTC", "posix/Europe/London", "Factory"]


def test_only_iana_zone_names_are_time_zones(api: TestClient) -> None:
    ids = ids_by_name(api)
    slot = hold(api, ids["Yoga class"], at("09:00")).json()["data"]
    for name in NOT_ZONES:
        body = {
            "ranges": [{"start": at("00:00"), "end": at("23:00")}],
            "service_id": ids["Consultation"],
            "timezone": name,
        }
        refused = [
            ("timezone", api.post("/v1/availability/intervals/search", json=body)),
            ("data.timezone", hold(api, ids["Consultation"], at("09:00"), timezone=name)),
            ("timezone", api.get(f"/v1/availability/slots/{slot['id']}?timezone={name}")),
            ("timezone", api.get(f"/v1/bookings?timezone={name}")),
        ]
        for field, response in refused:
            assert response.status_code == 400, (name, response.text)
            assert response.json() == {
                "error": "bad_request",
                "message": f'{field}: unknown time zone "{name}"',
            }
    assert api.get("/v1/bookings").json()["total"] == 1  # only the slot above
    for name in ("UTC", "Etc/UTC", "Europe/Amsterdam"):
        assert search(api, ids["Consultation"], at("09:00"), at("09:30"), timezone=name)
