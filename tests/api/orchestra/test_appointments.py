"""Reading, deleting and rescheduling appointments; customer lookups."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.api.orchestra.conftest import Orchestra, longer_allowed
from tests.conftest import FakeClock
from tests.factories import issue_catalog


def _booked(
    orchestra: Orchestra, time: str = "09:00", external_id: str = "C-1"
) -> dict[str, object]:
    response = orchestra.book(
        "Paspoort",
        "2030-03-04",
        time,
        {"customer": {"firstName": "Ann", "externalId": external_id}},
    )
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def test_read_an_appointment(orchestra: Orchestra) -> None:
    booked = _booked(orchestra)
    body = orchestra.get(f"/v1/appointments/{booked['publicId']}").json()
    assert body["notifications"] == []
    assert body["appointment"] == booked
    assert body["meta"]["totalResults"] == 1


def test_unknown_appointment_is_142(orchestra: Orchestra) -> None:
    response = orchestra.get("/v1/appointments/" + "f" * 64)
    assert (response.status_code, response.headers["ERROR_CODE"]) == (404, "142")
    assert response.json() == {"msg": "Appointment not found"}


def test_delete_frees_the_slot_and_the_appointment_is_gone(orchestra: Orchestra) -> None:
    booked = _booked(orchestra)
    deleted = orchestra.delete(f"/v1/appointments/{booked['publicId']}")
    assert deleted.status_code == 200
    assert "09:00" in orchestra.times("Paspoort", "2030-03-04")
    assert orchestra.get(f"/v1/appointments/{booked['publicId']}").headers["ERROR_CODE"] == "142"
    again = orchestra.delete(f"/v1/appointments/{booked['publicId']}")
    assert (again.status_code, again.headers["ERROR_CODE"]) == (404, "142")


def test_reschedule_moves_on_the_same_resource_with_local_times(orchestra: Orchestra) -> None:
    booked = _booked(orchestra)
    response = orchestra.put(
        f"/v1/appointments/{booked['publicId']}/reschedule",
        params={"start": "2030-03-05T14:00:00", "end": "2030-03-05T14:10:00"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["appointment"]["start"] == "2030-03-05T13:00:00.000+0000"
    assert body["appointment"]["end"] == "2030-03-05T13:10:00.000+0000"
    assert body["appointment"]["resource"]["name"] == "Desk 1"
    assert body["meta"]["start"] == "[2030-03-05T14:00:00]"
    assert body["meta"]["end"] == "[2030-03-05T14:10:00]"
    assert "09:00" in orchestra.times("Paspoort", "2030-03-04")
    assert "14:00" not in orchestra.times("Paspoort", "2030-03-05")


def test_reschedule_may_change_the_length_within_the_services_rules(
    make_orchestra: Callable[[dict[str, Any]], Orchestra],
) -> None:
    orchestra = make_orchestra(longer_allowed(issue_catalog(), 30))
    booked = _booked(orchestra)
    body = orchestra.put(
        f"/v1/appointments/{booked['publicId']}/reschedule/?start=2030-03-05T09:00:00&end=2030-03-05T09:30:00"
    ).json()
    assert body["appointment"]["end"] == "2030-03-05T08:30:00.000+0000"


def test_a_reschedule_cannot_stretch_an_appointment_over_the_day(orchestra: Orchestra) -> None:
    booked = _booked(orchestra)
    stretched = orchestra.put(
        f"/v1/appointments/{booked['publicId']}/reschedule?start=2030-03-05T09:00:00&end=2030-03-05T17:00:00"
    )
    assert stretched.status_code == 403
    # The message names what was sent (the end), not a customSlotLength nobody sent.
    assert stretched.json()["msg"].startswith("end: the appointment would last 480 minutes")
    assert (
        orchestra.get(f"/v1/appointments/{booked['publicId']}").json()["appointment"]["end"]
        == booked["end"]
    )


def test_reschedule_onto_a_busy_or_closed_time_is_440_and_changes_nothing(
    orchestra: Orchestra,
) -> None:
    first = _booked(orchestra, "09:00", "A")
    _booked(orchestra, "10:00", "B")
    busy = orchestra.put(
        f"/v1/appointments/{first['publicId']}/reschedule",
        params={"start": "2030-03-04T09:55:00", "end": "2030-03-04T10:05:00"},
    )
    assert (busy.status_code, busy.headers["ERROR_CODE"]) == (400, "440")
    closed = orchestra.put(
        f"/v1/appointments/{first['publicId']}/reschedule",
        params={"start": "2030-03-04T12:30:00", "end": "2030-03-04T12:40:00"},
    )
    assert closed.headers["ERROR_CODE"] == "440"
    still = orchestra.get(f"/v1/appointments/{first['publicId']}").json()["appointment"]
    assert still["start"] == first["start"]


def test_reschedule_input_errors(orchestra: Orchestra) -> None:
    booked = _booked(orchestra)
    path = f"/v1/appointments/{booked['publicId']}/reschedule"
    assert orchestra.put(path).status_code == 400
    assert orchestra.put(path, params={"start": "tomorrow"}).status_code == 400
    backwards = orchestra.put(
        path, params={"start": "2030-03-05T10:00:00", "end": "2030-03-05T09:00:00"}
    )
    assert backwards.status_code == 400
    assert "end" in backwards.json()["msg"]
    unknown = orchestra.put(
        "/v1/appointments/" + "a" * 64 + "/reschedule", params={"start": "2030-03-05T10:00:00"}
    )
    assert unknown.headers["ERROR_CODE"] == "142"


def test_customer_and_their_appointments(orchestra: Orchestra) -> None:
    booked = _booked(orchestra)
    customer_id = booked["customers"][0]["publicId"]  # type: ignore[index]
    customer = orchestra.get(f"/v1/customers/{customer_id}").json()
    assert customer["customer"]["firstName"] == "Ann"
    assert customer["customer"]["externalId"] == "C-1"
    listed = orchestra.get(f"/v1/customers/{customer_id}/appointments").json()
    assert [a["publicId"] for a in listed["appointmentList"]] == [booked["publicId"]]
    assert listed["meta"]["totalResults"] == 1


def test_unknown_customer_is_140(orchestra: Orchestra) -> None:
    for path in ("/v1/customers/" + "e" * 64, "/v1/customers/" + "e" * 64 + "/appointments"):
        response = orchestra.get(path)
        assert (response.status_code, response.headers["ERROR_CODE"]) == (404, "140")


def test_external_id_lookup_leaves_out_deleted_appointments(orchestra: Orchestra) -> None:
    kept = _booked(orchestra, "09:00", "X")
    gone = _booked(orchestra, "10:00", "X")
    orchestra.delete(f"/v1/appointments/{gone['publicId']}")
    listed = orchestra.get("/v1/customers/externalId/X/appointments").json()["appointmentList"]
    assert [a["publicId"] for a in listed] == [kept["publicId"]]
    assert (
        orchestra.get("/v1/customers/externalId/nobody/appointments").json()["appointmentList"]
        == []
    )


def test_an_expired_reservation_no_longer_reads_as_reserved(
    orchestra: Orchestra, clock: FakeClock
) -> None:
    held = orchestra.reserve("Paspoort", "2030-03-04", "11:00").json()
    body = orchestra.get(f"/v1/appointments/{held['publicId']}").json()["appointment"]
    assert body["status"] == 10
    clock.advance(minutes=30)
    gone = orchestra.get(f"/v1/appointments/{held['publicId']}")
    assert (gone.status_code, gone.headers["ERROR_CODE"]) == (404, "142")
    assert gone.json() == {"msg": "This reservation has expired; reserve a time again"}


def test_an_external_id_with_reserved_characters_is_found_when_percent_encoded(
    orchestra: Orchestra,
) -> None:
    booked = _booked(orchestra, "09:00", "semi;colon=1?&# x")
    listed = orchestra.get("/v1/customers/externalId/semi%3Bcolon%3D1%3F%26%23%20x/appointments")
    assert [a["publicId"] for a in listed.json()["appointmentList"]] == [booked["publicId"]]
    # An unencoded ';' still starts a matrix parameter.
    bare = orchestra.get("/v1/customers/externalId/semi;colon/appointments")
    assert bare.json()["appointmentList"] == []


@pytest.mark.parametrize(
    ("night", "start", "end", "stored"),
    [
        # Spring: 01:30 CET to 03:00 CEST is 30 minutes, not the 90 the wall clock suggests.
        ("2030-03-31", "01:30", "03:00", ("00:30", "01:00")),
        # Autumn: 02:10 happens twice; 02:40 CEST to the later 02:10 CET is 30 minutes.
        ("2030-10-27", "02:40", "02:10", ("00:40", "01:10")),
    ],
    ids=["spring forward", "fall back"],
)
def test_reschedule_across_a_dst_change_takes_the_elapsed_length(
    sunday_night_orchestra: Callable[[str], Orchestra],
    night: str,
    start: str,
    end: str,
    stored: tuple[str, str],
) -> None:
    orchestra = sunday_night_orchestra("00:00-06:00")
    booked = orchestra.book("idcard", night, "05:00", {"customer": {"firstName": "Ann"}})
    assert booked.status_code == 200, booked.text
    moved = orchestra.put(
        f"/v1/appointments/{booked.json()['publicId']}/reschedule"
        f"?start={night}T{start}:00&end={night}T{end}:00"
    )
    assert moved.status_code == 200, moved.text
    appointment = moved.json()["appointment"]
    assert (appointment["start"], appointment["end"]) == tuple(
        f"{night}T{utc}:00.000+0000" for utc in stored
    )
