"""Dates and times: opening hours, closures, durations, several services, parameters."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.api.orchestra.conftest import Orchestra
from tests.factories import issue_catalog


def test_dates_are_branch_local_days_with_free_slots(orchestra: Orchestra) -> None:
    body = orchestra.get(f"/v1/branches/{orchestra.branch}/services/Paspoort/dates").json()
    assert body["dates"][:4] == [
        "2030-03-04T00:00:00",
        "2030-03-05T00:00:00",
        "2030-03-11T00:00:00",
        "2030-03-12T00:00:00",
    ]
    assert body["meta"]["totalResults"] == len(body["dates"])
    # 60-day horizon from Monday 2030-03-04: the last offered day is Tuesday 2030-04-30.
    assert body["dates"][-1] == "2030-04-30T00:00:00"


def test_closed_dates_are_not_offered(
    make_orchestra: Callable[[dict[str, Any]], Orchestra],
) -> None:
    catalog = issue_catalog()
    catalog["tenants"][0]["branches"][0]["closed"] = ["2030-03-05"]
    orchestra = make_orchestra(catalog)
    dates = orchestra.get(f"/v1/branches/{orchestra.branch}/services/Paspoort/dates").json()[
        "dates"
    ]
    assert "2030-03-05T00:00:00" not in dates
    assert orchestra.times("Paspoort", "2030-03-05") == []


def test_times_follow_the_step_and_leave_room_for_the_duration(orchestra: Orchestra) -> None:
    times = orchestra.times("Paspoort", "2030-03-04")
    assert times[:3] == ["09:00", "09:05", "09:10"]
    assert "11:50" in times and "11:55" not in times and "12:00" not in times
    assert "13:00" in times and times[-1] == "16:50"


def test_extra_customers_lengthen_the_slot(orchestra: Orchestra) -> None:
    # numberOfCustomers counts the additional people: 2 people need 15 minutes.
    times = orchestra.times("Paspoort", "2030-03-04", numberOfCustomers=1)
    assert "11:45" in times and "11:50" not in times
    matrix = orchestra.get(
        f"/v1/branches/{orchestra.branch}/services/Paspoort/dates/2030-03-04/times;numberOfCustomers=1"
    ).json()
    assert matrix["times"] == times
    assert matrix["meta"]["arguments"] == {"numberOfCustomers": "[1]"}


def test_custom_slot_length_replaces_the_duration(orchestra: Orchestra) -> None:
    response = orchestra.get(
        f"/v2/branches/{orchestra.branch}/dates/2030-03-04/times;servicePublicId=Paspoort;customSlotLength=60"
    )
    times = response.json()["times"]
    assert "11:00" in times and "11:05" not in times
    assert response.json()["meta"]["arguments"] == {
        "servicePublicId": "[Paspoort]",
        "customSlotLength": "[60]",
    }


def test_several_services_need_one_resource_for_the_summed_length(orchestra: Orchestra) -> None:
    path = f"/v2/branches/{orchestra.branch}/dates/2030-03-04/times;servicePublicId=Paspoort;servicePublicId=idcard"
    times = orchestra.get(path).json()["times"]
    # 10 + 10 minutes on desk-1 (the only resource doing both), every 5 minutes.
    assert "11:40" in times and "11:45" not in times
    four = orchestra.get(path + ";numberOfCustomers=3").json()["times"]
    # 4 people: passport 10 + 3×5, ID card 10 + 3×0 -> 35 minutes.
    assert "11:25" in four and "11:30" not in four
    dates = orchestra.get(
        f"/v2/branches/{orchestra.branch}/dates;servicePublicId=Paspoort;servicePublicId=idcard"
    ).json()
    assert dates["dates"][0] == "2030-03-04T00:00:00"
    assert dates["meta"]["arguments"]["servicePublicId"] == "[Paspoort, idcard]"


def test_services_that_are_not_a_combination_offer_nothing(orchestra: Orchestra) -> None:
    path = f"/v2/branches/{orchestra.branch}/dates/2030-03-04/times;servicePublicId=Paspoort;servicePublicId=workshop"
    assert orchestra.get(path).json()["times"] == []


def test_group_service_offers_its_hourly_sessions(orchestra: Orchestra) -> None:
    times = orchestra.times("workshop", "2030-03-04")
    assert times == ["09:00", "10:00", "11:00", "13:00", "14:00", "15:00", "16:00"]
    assert orchestra.times("workshop", "2030-03-04", numberOfCustomers=5) == []  # 6 people > 5


def test_past_times_today_are_not_offered(orchestra: Orchestra, clock: Any) -> None:
    clock.advance(hours=3)  # 11:00 local
    times = orchestra.times("Paspoort", "2030-03-04")
    assert times[0] == "11:00"


def test_malformed_parameters_are_400_naming_them(orchestra: Orchestra) -> None:
    bad = orchestra.get(
        f"/v1/branches/{orchestra.branch}/services/Paspoort/dates;numberOfCustomers=many"
    )
    assert bad.status_code == 400
    assert bad.headers["ERROR_CODE"] == "470"
    assert "numberOfCustomers" in bad.json()["msg"]
    day = orchestra.get(f"/v1/branches/{orchestra.branch}/services/Paspoort/dates/2030-02-30/times")
    assert day.status_code == 400
    assert day.headers["ERROR_CODE"] == "471"
    assert "2030-02-30" in day.json()["msg"]
    length = orchestra.get(
        f"/v2/branches/{orchestra.branch}/dates/2030-03-04/times;servicePublicId=Paspoort;customSlotLength=481"
    )
    assert length.status_code == 400
    assert "customSlotLength" in length.json()["msg"]


def test_date_with_time_part_is_accepted_as_the_manual_shows_it(orchestra: Orchestra) -> None:
    plain = orchestra.times("Paspoort", "2030-03-05")
    assert orchestra.times("Paspoort", "2030-03-05T00:00:00") == plain


def test_a_time_the_fall_back_night_repeats_is_listed_once_and_bookable_twice(
    sunday_night_orchestra: Callable[[str], Orchestra],
) -> None:
    orchestra = sunday_night_orchestra("01:00-04:00")
    night = "2030-10-27"  # Amsterdam turns 03:00 back to 02:00: 02:30 happens twice
    times = orchestra.times("idcard", night)
    assert times == sorted(set(times))
    assert "02:30" in times
    starts = []
    for name in ("A", "B", "C", "D"):  # two resources: first 02:30 on each, then the second
        booked = orchestra.book("idcard", night, "02:30", {"customer": {"firstName": name}})
        assert booked.status_code == 200, booked.text
        starts.append(booked.json()["start"])
        times = orchestra.times("idcard", night)
        assert times == sorted(set(times))
    assert starts == ["2030-10-27T00:30:00.000+0000"] * 2 + ["2030-10-27T01:30:00.000+0000"] * 2
    assert "02:30" not in times
    full = orchestra.book("idcard", night, "02:30", {"customer": {"firstName": "E"}})
    assert (full.status_code, full.headers["ERROR_CODE"]) == (400, "440")
