"""Availability: formats, time zones, durations, grid, resources and the round robin."""

from __future__ import annotations

from typing import Any

from tests.api.onsched.conftest import OnSched

MONDAY = "2030-03-04"


def test_times_are_shown_in_the_location_zone_with_every_vendor_field(api: OnSched) -> None:
    consult, north = api.service("Consultation"), api.location("North Office")
    found = api.get(f"availability/{consult}/{MONDAY}/{MONDAY}", locationId=north)
    assert found.status_code == 200
    body = found.json()
    times = body.pop("availableTimes")
    assert body == {
        "object": "availableTimes",
        "url": f"/consumer/v1/availability/{consult}/{MONDAY}/{MONDAY}",
        "locationId": north,
        "serviceId": consult,
        "serviceName": "Consultation",
        "serviceDuration": 30,
        "resourceId": None,
        "startDate": MONDAY,
        "endDate": MONDAY,
        "tzRequested": None,
        "firstAvailableDate": MONDAY,
    }
    assert times[0] == {
        "date": MONDAY,
        "time": 900,
        "displayTime": "9:00 AM",
        "duration": 30,
        "startDateTime": "2030-03-04T09:00:00+01:00",
        "endDateTime": "2030-03-04T09:30:00+01:00",
        "resourceId": api.resource("Desk 1"),
        "availableBookings": 1,
        "allowableBookings": 1,
    }
    assert [t["displayTime"] for t in times][-2:] == ["4:00 PM", "4:30 PM"]
    assert len(times) == 16


def test_without_a_location_the_first_location_offering_the_service_is_used(
    api: OnSched,
) -> None:
    found = api.get(f"availability/{api.service('Workshop')}/{MONDAY}/{MONDAY}").json()
    assert found["locationId"] == api.location("North Office")


def test_tz_offset_shows_times_and_dates_in_the_requested_offset(api: OnSched) -> None:
    new_york = api.times("Consultation", MONDAY, tzOffset=-300)
    assert new_york[0]["startDateTime"] == "2030-03-04T03:00:00-05:00"
    assert (new_york[0]["time"], new_york[0]["displayTime"]) == (300, "3:00 AM")
    # At UTC+14 Amsterdam's Monday 11:00 is already Tuesday 00:00: it counts as Tuesday.
    tuesday = api.get(
        f"availability/{api.service('Consultation')}/2030-03-05/2030-03-05", tzOffset=840
    ).json()
    assert tuesday["tzRequested"] == 840
    first = tuesday["availableTimes"][0]
    assert (first["date"], first["startDateTime"]) == ("2030-03-05", "2030-03-05T00:00:00+14:00")
    assert (first["time"], first["displayTime"]) == (0, "12:00 AM")
    assert all(t["date"] == "2030-03-05" for t in tuesday["availableTimes"])


def test_tz_offset_must_be_a_whole_number_of_minutes_in_a_real_range(api: OnSched) -> None:
    consult = api.service("Consultation")
    for bad in ("900", "-841", "abc", "1.5"):
        found = api.get(f"availability/{consult}/{MONDAY}/{MONDAY}", tzOffset=bad)
        assert found.status_code == 400, bad
        assert "tzOffset" in found.json()["message"]


def test_an_alternative_duration_lengthens_every_slot(api: OnSched) -> None:
    long = api.times("Consultation", MONDAY, duration=60)
    assert long[0]["duration"] == 60
    assert long[0]["endDateTime"] == "2030-03-04T10:00:00+01:00"
    assert long[-1]["startDateTime"] == "2030-03-04T16:00:00+01:00"


def test_a_duration_the_service_does_not_offer_is_refused(api: OnSched) -> None:
    consult = api.service("Consultation")
    found = api.get(f"availability/{consult}/{MONDAY}/{MONDAY}", duration=45)
    assert found.status_code == 400
    assert found.json()["error"] == "invalid_request"
    assert found.json()["message"].startswith("duration: Duration 45 is not offered")
    assert api.get(f"availability/{consult}/{MONDAY}/{MONDAY}", duration=0).status_code == 400


def test_interval_sets_the_grid_of_start_times(api: OnSched) -> None:
    # A grid finer than the service's takes a staff key (a booking key books on its grid).
    consult = api.service("Consultation")
    refused = api.get(f"availability/{consult}/{MONDAY}/{MONDAY}", interval=15)
    assert refused.status_code == 403
    times = api.staff.times("Consultation", MONDAY, interval=15)
    assert [t["time"] for t in times[:4]] == [900, 915, 930, 945]
    assert times[-1]["time"] == 1630


def test_any_resource_round_robin_spreads_bookings_over_resources(api: OnSched) -> None:
    desk_1, desk_2 = api.resource("Desk 1"), api.resource("Desk 2")
    picked = []
    for start in ("09:00", "09:30", "10:00"):
        time = int(start.replace(":", ""))
        offered = next(t for t in api.times("Consultation", MONDAY) if t["time"] == time)
        booked = _book(api, offered)
        assert booked["resourceId"] == offered["resourceId"]
        picked.append(booked["resourceId"])
    # Desk 2 has booked fewer minutes after the first booking; then both tie again.
    assert picked == [desk_1, desk_2, desk_1]
    after = {t["time"]: t["resourceId"] for t in api.times("Consultation", MONDAY)}
    assert after[900] == desk_2  # desk 1 is taken at 09:00
    assert after[1030] == desk_2  # desk 2 has booked fewer minutes today


def _book(api: OnSched, offered: dict[str, Any]) -> dict[str, Any]:
    found = api.hold(
        "Consultation",
        offered["startDateTime"],
        offered["endDateTime"],
        completeBooking="BK",
        name="Ada Lovelace",
        email="ada@example.com",
    )
    assert found.status_code == 200, found.text
    result: dict[str, Any] = found.json()
    return result


def test_a_resource_filter_offers_only_that_resources_times(api: OnSched) -> None:
    desk_2 = api.resource("Desk 2")
    body = api.get(
        f"availability/{api.service('Consultation')}/{MONDAY}/{MONDAY}", resourceId=desk_2
    ).json()
    assert body["resourceId"] == desk_2
    assert {t["resourceId"] for t in body["availableTimes"]} == {desk_2}
    assert len(body["availableTimes"]) == 16


def test_a_resource_that_cannot_host_the_request_is_refused(api: OnSched) -> None:
    consult = api.service("Consultation")
    path = f"availability/{consult}/{MONDAY}/{MONDAY}"
    room = api.get(path, resourceId=api.resource("Room 1"))
    assert room.status_code == 400
    assert "does not provide service" in room.json()["message"]
    elsewhere = api.get(
        path, resourceId=api.resource("East Desk"), locationId=api.location("North Office")
    )
    assert elsewhere.status_code == 400
    assert "is not at location" in elsewhere.json()["message"]
    assert api.get(path, resourceId="77").status_code == 404


def test_a_resource_selects_its_location(api: OnSched) -> None:
    body = api.get(
        f"availability/{api.service('Consultation')}/{MONDAY}/{MONDAY}",
        resourceId=api.resource("East Desk"),
    ).json()
    assert body["locationId"] == api.location("East Office")
    assert body["availableTimes"][0]["startDateTime"] == "2030-03-04T09:00:00-05:00"


def test_at_most_62_days_can_be_asked_at_once(api: OnSched) -> None:
    consult = api.service("Consultation")
    assert api.get(f"availability/{consult}/2030-03-04/2030-05-04").status_code == 200
    too_long = api.get(f"availability/{consult}/2030-03-04/2030-05-05")
    assert too_long.status_code == 400
    assert too_long.json()["message"] == "The date range may span at most 62 days"
    backwards = api.get(f"availability/{consult}/2030-03-05/2030-03-04")
    assert backwards.status_code == 400


def test_dates_must_be_real_calendar_dates(api: OnSched) -> None:
    consult = api.service("Consultation")
    cases = [
        ("2030-02-30", MONDAY, "startDate: 2030-02-30 is not a date of the calendar"),
        ("04-03-2030", MONDAY, "startDate must be a date of the form YYYY-MM-DD"),
        (MONDAY, "tomorrow", "endDate must be a date of the form YYYY-MM-DD"),
    ]
    for first, last, message in cases:
        found = api.get(f"availability/{consult}/{first}/{last}")
        assert found.status_code == 400, (first, last)
        assert found.json()["message"].startswith(message)


def test_a_group_service_counts_the_places_left_in_a_session(api: OnSched) -> None:
    first = api.times("Workshop", MONDAY)[0]
    assert (first["availableBookings"], first["allowableBookings"]) == (5, 5)
    booked = api.hold(
        "Workshop",
        first["startDateTime"],
        first["endDateTime"],
        completeBooking="BK",
        name="Ada Lovelace",
        email="ada@example.com",
        groupSize=2,
    )
    assert booked.status_code == 200, booked.text
    again = api.times("Workshop", MONDAY)[0]
    assert again["startDateTime"] == first["startDateTime"]
    assert (again["availableBookings"], again["allowableBookings"]) == (3, 5)
    assert api.times("Workshop", MONDAY, groupSize=4)[0]["time"] == 1000


def test_past_days_offer_nothing_and_today_starts_after_now(api: OnSched) -> None:
    assert api.times("Consultation", "2030-03-01", "2030-03-03") == []
    body = api.get(f"availability/{api.service('Consultation')}/2030-03-01/2030-03-05").json()
    assert body["firstAvailableDate"] == MONDAY
