"""Series: staff book one customer on a weekly or monthly rule; each occurrence is checked
like a single booking, and ``all_or_nothing`` books none unless all fit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from starlette.testclient import TestClient

from tests.factories import one_office, passport

STAFF, BOOKING = "desk-key-000000003", "page-key-000000003"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
CUSTOMER = {"first_name": "Ann", "last_name": "Lee", "email": "ann@example.org"}
# The test clock is Monday 2030-03-04 08:00 in Amsterdam; the clocks go forward on
# Sunday 2030-03-31, in the middle of a weekly series from Monday 2030-03-18.
FIRST = "2030-03-18T09:00:00+01:00"


def catalog() -> dict[str, Any]:
    return one_office(
        keys={STAFF: "staff", BOOKING: "booking"},
        desks=2,
        services=[passport(resources=["desk-1", "desk-2"])],
    )


@pytest.fixture
def api(make_client: Callable[[dict[str, Any]], TestClient]) -> TestClient:
    client = make_client(catalog())
    client.headers["Authorization"] = f"Bearer {STAFF}"
    return client


def series(rule: str, start: str = FIRST, **more: Any) -> dict[str, Any]:
    """A series body on desk 1 for Ann."""
    return {
        "branch": "north",
        "services": ["passport"],
        "resource": "desk-1",
        "start": start,
        "rule": rule,
        "customer": CUSTOMER,
        **more,
    }


def local(text: str) -> str:
    """An answer's instant as Amsterdam wall-clock time."""
    return datetime.fromisoformat(text).astimezone(AMSTERDAM).strftime("%Y-%m-%d %H:%M")


def book_desk_1(api: TestClient, start: str) -> str:
    """An existing appointment on desk 1 (another customer); its id."""
    booked = api.post(
        "/api/v1/appointments",
        json={
            "branch": "north",
            "services": ["passport"],
            "resource": "desk-1",
            "start": start,
            "customer": {"first_name": "Bo", "last_name": "Ek"},
        },
    )
    assert booked.status_code == 201, booked.text
    return str(booked.json()["id"])


def listed(api: TestClient) -> list[dict[str, Any]]:
    answer = api.get("/api/v1/appointments", params={"branch": "north", "limit": "200"})
    assert answer.status_code == 200, answer.text
    return list(answer.json()["data"])


def test_a_weekly_series_of_six_keeps_its_local_time_across_the_clock_change(
    api: TestClient,
) -> None:
    answer = api.post("/api/v1/series", json=series("FREQ=WEEKLY;COUNT=6"))
    assert answer.status_code == 201, answer.text
    booked = answer.json()["booked"]
    assert [local(a["start"]) for a in booked] == [
        "2030-03-18 09:00",
        "2030-03-25 09:00",
        "2030-04-01 09:00",
        "2030-04-08 09:00",
        "2030-04-15 09:00",
        "2030-04-22 09:00",
    ]
    # Same wall-clock time, different UTC offsets: before and after the change.
    assert booked[0]["start"].startswith("2030-03-18T08:00")
    assert booked[2]["start"].startswith("2030-04-01T07:00")
    assert answer.json()["refused"] == []
    assert {a["status"] for a in booked} == {"confirmed"}
    assert {a["resource"]["id"] for a in booked} == {"desk-1"}
    assert all(a["customers"][0]["email"] == CUSTOMER["email"] for a in booked)
    assert len(listed(api)) == 6


def test_a_monthly_rule_with_a_weekday_and_an_end_books_each_first_tuesday(
    api: TestClient,
) -> None:
    answer = api.post(
        "/api/v1/series",
        json=series(
            "RRULE:FREQ=MONTHLY;BYDAY=1TU;UNTIL=20300430T000000Z",
            start="2030-03-05T10:30:00+01:00",
        ),
    )
    assert answer.status_code == 201, answer.text
    assert [local(a["start"]) for a in answer.json()["booked"]] == [
        "2030-03-05 10:30",
        "2030-04-02 10:30",
    ]


def test_an_occurrence_that_collides_is_refused_and_listed_while_the_others_are_booked(
    api: TestClient,
) -> None:
    existing = book_desk_1(api, "2030-03-25T09:05:00+01:00")
    answer = api.post("/api/v1/series", json=series("FREQ=WEEKLY;COUNT=4"))
    assert answer.status_code == 201, answer.text
    assert [local(a["start"]) for a in answer.json()["booked"]] == [
        "2030-03-18 09:00",
        "2030-04-01 09:00",
        "2030-04-08 09:00",
    ]
    refused = answer.json()["refused"]
    assert [local(r["start"]) for r in refused] == ["2030-03-25 09:00"]
    assert "available" in refused[0]["reason"]
    assert sorted(a["id"] for a in listed(api)) == sorted(
        [existing, *(a["id"] for a in answer.json()["booked"])]
    )


def test_occurrences_past_the_booking_horizon_are_refused_with_the_rest_booked(
    api: TestClient,
) -> None:
    # The horizon is 60 days: the last bookable day is 2030-05-02.
    answer = api.post("/api/v1/series", json=series("FREQ=WEEKLY;COUNT=9"))
    assert answer.status_code == 201, answer.text
    assert len(answer.json()["booked"]) == 7
    assert [local(r["start"]) for r in answer.json()["refused"]] == [
        "2030-05-06 09:00",
        "2030-05-13 09:00",
    ]


def test_all_or_nothing_with_one_collision_books_none_and_names_the_date(
    api: TestClient,
) -> None:
    existing = book_desk_1(api, "2030-04-08T09:00:00+02:00")
    answer = api.post("/api/v1/series", json=series("FREQ=WEEKLY;COUNT=6", all_or_nothing=True))
    assert answer.status_code == 409, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    problem = answer.json()
    assert problem["code"] == "series_refused"
    assert [local(r["start"]) for r in problem["refused"]] == ["2030-04-08 09:00"]
    assert [a["id"] for a in listed(api)] == [existing]


def test_all_or_nothing_books_every_occurrence_when_all_fit(api: TestClient) -> None:
    answer = api.post("/api/v1/series", json=series("FREQ=WEEKLY;COUNT=3", all_or_nothing=True))
    assert answer.status_code == 201, answer.text
    assert len(answer.json()["booked"]) == 3
    assert len(listed(api)) == 3


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=WEEKLY",
        "FREQ=WEEKLY;COUNT=105",
        "FREQ=WEEKLY;UNTIL=20330101T000000Z",
        "FREQ=WEEKLY;COUNT=3;UNTIL=20300501T000000Z",
        "FREQ=DAILY;COUNT=3",
        "FREQ=WEEKLY;COUNT=3;BYDAY=XX",
        "DTSTART:20300101T090000\nRRULE:FREQ=WEEKLY;COUNT=3",
        "every monday",
    ],
    ids=[
        "no end",
        "count over the cap",
        "until over the cap",
        "count and until",
        "daily",
        "bad weekday",
        "own start",
        "prose",
    ],
)
def test_a_rule_without_an_end_or_beyond_the_cap_is_refused(api: TestClient, rule: str) -> None:
    answer = api.post("/api/v1/series", json=series(rule))
    assert answer.status_code == 400, answer.text
    assert answer.json()["code"] == "invalid_request"
    assert listed(api) == []


def test_a_booking_key_cannot_book_a_series(api: TestClient) -> None:
    answer = api.post(
        "/api/v1/series",
        json=series("FREQ=WEEKLY;COUNT=2"),
        headers={"Authorization": f"Bearer {BOOKING}"},
    )
    assert answer.status_code == 403, answer.text
    assert listed(api) == []
