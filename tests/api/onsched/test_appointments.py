"""The appointment life cycle: IN holds, booking, RS, confirm, reschedule, cancel, delete."""

from __future__ import annotations

from typing import Any

from tests.api.onsched.conftest import OnSched
from tests.conftest import FakeClock

MONDAY = "2030-03-04"
NINE, NINE_30, TEN = (
    "2030-03-04T09:00:00+01:00",
    "2030-03-04T09:30:00+01:00",
    "2030-03-04T10:00:00+01:00",
)
ADA = {"name": "Ada Lovelace", "email": "ada@example.com"}


def _ok(found: Any) -> dict[str, Any]:
    assert found.status_code == 200, found.text
    body: dict[str, Any] = found.json()
    return body


def _pinned(api: OnSched, desk: str = "Desk 1") -> dict[str, str]:
    return {"resourceId": api.resource(desk)}


def _starts(api: OnSched, **params: Any) -> list[str]:
    return [t["startDateTime"] for t in api.times("Consultation", MONDAY, **params)]


def test_an_appointment_holds_its_slot_in_status_in_until_booked(api: OnSched) -> None:
    north = api.location("North Office")
    held = _ok(api.hold("Consultation", NINE, NINE_30, locationId=north, **_pinned(api)))
    assert held["object"] == "appointment"
    assert held["id"].isdigit()
    assert (held["status"], held["confirmed"], held["customerId"]) == ("IN", False, None)
    assert (held["date"], held["time"], held["duration"]) == ("3/4/2030", 900, 30)
    assert (held["startDateTime"], held["endDateTime"]) == (NINE, NINE_30)
    assert (held["locationId"], held["timezoneIana"]) == (north, "Europe/Amsterdam")
    assert (held["serviceName"], held["resourceName"]) == ("Consultation", "Desk 1")
    assert "expired" not in held
    assert NINE not in _starts(api, resourceId=api.resource("Desk 1"))

    booked = _ok(
        api.put(
            f"appointments/{held['id']}/book",
            {**ADA, "phone": "+31 6 1234 5678", "customerMessage": "See you"},
        )
    )
    assert (booked["status"], booked["confirmed"]) == ("BK", True)
    assert (booked["firstname"], booked["lastname"], booked["name"]) == (
        "Ada",
        "Lovelace",
        "Ada Lovelace",
    )
    assert (booked["email"], booked["phone"]) == ("ada@example.com", "+31 6 1234 5678")
    assert booked["customerMessage"] == "See you"
    assert booked["customerId"].isdigit()
    assert booked["confirmationNumber"] == held["confirmationNumber"]
    assert _ok(api.get(f"appointments/{held['id']}")) == booked
    customer = _ok(api.get(f"customers/{booked['customerId']}"))
    assert customer["email"] == "ada@example.com"


def test_booking_needs_a_name_and_an_email_unless_the_hold_has_a_customer(api: OnSched) -> None:
    bare = _ok(api.hold("Consultation", NINE, NINE_30))
    refused = api.put(f"appointments/{bare['id']}/book", {"name": "Ada Lovelace"})
    assert refused.status_code == 400
    assert refused.json()["message"] == "email is required to book this appointment"
    assert _ok(api.get(f"appointments/{bare['id']}"))["status"] == "IN"

    named = _ok(api.hold("Consultation", NINE, NINE_30, **ADA))
    assert (named["status"], named["email"]) == ("IN", "ada@example.com")
    booked = _ok(api.put(f"appointments/{named['id']}/book"))
    assert (booked["status"], booked["customerId"]) == ("BK", named["customerId"])


def test_complete_booking_bk_books_at_once_with_name_and_email(api: OnSched) -> None:
    booked = _ok(api.hold("Consultation", NINE, NINE_30, completeBooking="BK", **ADA))
    assert (booked["status"], booked["confirmed"], booked["lastname"]) == ("BK", True, "Lovelace")


def test_complete_booking_bk_with_an_existing_customer_links_it(api: OnSched) -> None:
    customer = _ok(
        api.post("customers", {"firstname": "Grace", "lastname": "Hopper", "email": "g@h.org"})
    )
    booked = _ok(
        api.hold("Consultation", NINE, NINE_30, completeBooking="BK", customerId=customer["id"])
    )
    assert (booked["customerId"], booked["name"]) == (customer["id"], "Grace Hopper")
    unknown = api.hold("Consultation", TEN, "2030-03-04T10:30:00+01:00", customerId="123")
    assert unknown.status_code == 404
    assert "customerId" in unknown.json()["message"]


def test_bk_or_rs_without_a_customer_is_refused_and_nothing_is_kept(api: OnSched) -> None:
    for mode in ("BK", "RS"):
        for body in ({}, {"name": "Ada Lovelace"}, {"email": "ada@example.com"}):
            refused = api.hold("Consultation", NINE, NINE_30, completeBooking=mode, **body)
            assert refused.status_code == 400, (mode, body)
            assert refused.json() == {
                "error": "invalid_request",
                "message": f"completeBooking={mode} needs a customer: customerId, or name and email",
            }
    assert _ok(api.staff.get("appointments"))["total"] == 0
    assert _ok(api.staff.get("customers"))["total"] == 0
    assert NINE in _starts(api)


def test_complete_booking_must_be_in_rs_or_bk(api: OnSched) -> None:
    refused = api.hold("Consultation", NINE, NINE_30, completeBooking="XX", **ADA)
    assert refused.status_code == 400
    assert "completeBooking" in refused.json()["message"]


def test_rs_is_kept_without_expiry_and_confirm_books_it(api: OnSched, clock: FakeClock) -> None:
    reserved = _ok(api.hold("Consultation", NINE, NINE_30, completeBooking="RS", **ADA))
    assert (reserved["status"], reserved["confirmed"]) == ("RS", False)
    clock.advance(minutes=30)
    assert "expired" not in _ok(api.get(f"appointments/{reserved['id']}"))
    confirmed = _ok(api.put(f"appointments/{reserved['id']}/confirm"))
    assert (confirmed["status"], confirmed["confirmed"]) == ("BK", True)
    again = api.put(f"appointments/{reserved['id']}/confirm")
    assert again.status_code == 409
    assert again.json()["error"] == "invalid_status"


def test_reserve_turns_a_hold_into_rs_that_outlives_the_timer(
    api: OnSched, clock: FakeClock
) -> None:
    held = _ok(api.hold("Consultation", NINE, NINE_30, **_pinned(api)))
    reserved = _ok(api.put(f"appointments/{held['id']}/reserve"))
    assert reserved["status"] == "RS"
    clock.advance(minutes=20)
    assert NINE not in _starts(api, resourceId=api.resource("Desk 1"))
    assert api.put(f"appointments/{held['id']}/confirm", ADA).json()["status"] == "BK"


def test_a_slot_that_is_no_longer_free_is_refused_with_409(api: OnSched) -> None:
    _ok(api.hold("Consultation", NINE, NINE_30, completeBooking="BK", **ADA))
    _ok(api.hold("Consultation", NINE, NINE_30, **ADA))  # the other desk
    taken = api.hold("Consultation", NINE, NINE_30, completeBooking="BK", **ADA)
    assert taken.status_code == 409
    assert taken.json()["error"] == "slot_unavailable"
    assert _ok(api.staff.get("appointments"))["total"] == 2


def test_a_start_outside_opening_hours_or_in_the_past_is_refused(api: OnSched) -> None:
    early = api.hold("Consultation", "2030-03-04T08:30:00+01:00", NINE)
    assert early.status_code == 409
    past = api.hold("Consultation", "2030-03-03T09:00:00+01:00", "2030-03-03T09:30:00+01:00")
    assert past.status_code == 409


def test_start_and_end_accept_any_offset_spelling(api: OnSched) -> None:
    held = _ok(api.hold("Consultation", "2030-03-04T03:00:00-5:00", "2030-03-04T08:30:00Z"))
    assert (held["startDateTime"], held["endDateTime"]) == (NINE, NINE_30)


def test_start_and_end_must_be_iso_with_an_offset(api: OnSched) -> None:
    cases = {
        "2030-03-04T09:00:00": "startDateTime must be an ISO 8601 date and time",
        "04/03/2030 09:00": "startDateTime must be an ISO 8601 date and time",
        "2030-03-04T09:00:00+25:00": "startDateTime has an impossible UTC offset",
        "2030-03-04T09:00:30+01:00": "startDateTime must be a whole minute",
        "2030-02-30T09:00:00+01:00": "startDateTime is not a valid date and time",
    }
    for start, message in cases.items():
        refused = api.hold("Consultation", start, NINE_30)
        assert refused.status_code == 400, start
        assert refused.json()["message"].startswith(message), refused.json()
    backwards = api.hold("Consultation", NINE_30, NINE)
    assert backwards.json()["message"] == "endDateTime must be after startDateTime"


def test_the_end_picks_one_of_the_services_durations(api: OnSched) -> None:
    hour = _ok(api.hold("Consultation", NINE, TEN))
    assert hour["duration"] == 60
    odd = api.hold("Consultation", NINE_30, "2030-03-04T10:15:00+01:00")
    assert odd.status_code == 400
    assert odd.json()["message"] == (
        "endDateTime: the appointment would last 45 minutes; this service takes 30, 60 minutes"
    )


def test_an_off_grid_start_from_an_interval_query_can_be_booked_by_staff(api: OnSched) -> None:
    desk = api.staff
    offered = desk.times("Consultation", MONDAY, interval=15)[1]
    assert offered["startDateTime"] == "2030-03-04T09:15:00+01:00"
    held = _ok(desk.hold("Consultation", offered["startDateTime"], offered["endDateTime"]))
    assert held["time"] == 915


def test_a_booking_key_gets_only_the_services_own_grid(api: OnSched) -> None:
    finer = api.get(f"availability/{api.service('Consultation')}/{MONDAY}/{MONDAY}", interval=15)
    assert finer.status_code == 403
    assert finer.json()["message"].startswith("interval: 15 minutes is off this service's grid")
    coarser = api.times("Consultation", MONDAY, interval=60)
    assert [t["startDateTime"][11:16] for t in coarser[:2]] == ["09:00", "10:00"]
    off_grid = api.hold("Consultation", "2030-03-04T09:15:00+01:00", "2030-03-04T09:45:00+01:00")
    assert off_grid.status_code == 409


def test_a_group_session_takes_bookings_until_it_is_full(api: OnSched) -> None:
    start, end = NINE, TEN
    first = _ok(api.hold("Workshop", start, end, completeBooking="BK", groupSize=3, **ADA))
    assert first["groupSize"] == 3
    too_many = api.hold("Workshop", start, end, completeBooking="BK", groupSize=3, **ADA)
    assert too_many.status_code == 409
    second = _ok(api.hold("Workshop", start, end, completeBooking="BK", groupSize=2, **ADA))
    assert second["resourceId"] == first["resourceId"]
    oversized = api.hold("Workshop", TEN, "2030-03-04T11:00:00+01:00", groupSize=6)
    assert oversized.status_code == 400
    assert oversized.json()["message"].startswith("groupSize:")


def test_a_service_not_offered_at_the_location_is_refused(api: OnSched) -> None:
    refused = api.hold(
        "Workshop",
        "2030-03-04T09:00:00-05:00",
        "2030-03-04T10:00:00-05:00",
        locationId=api.location("East Office"),
    )
    assert refused.status_code == 400
    assert refused.json()["message"].startswith("serviceId: service")


def test_reschedule_moves_a_booking_and_frees_its_old_slot(api: OnSched) -> None:
    desk_1 = api.resource("Desk 1")
    booked = _ok(
        api.hold("Consultation", NINE, NINE_30, completeBooking="BK", **ADA, **_pinned(api))
    )
    moved = _ok(
        api.put(
            f"appointments/{booked['id']}/reschedule",
            {"startDateTime": TEN, "endDateTime": "2030-03-04T10:30:00+01:00"},
        )
    )
    assert (moved["id"], moved["status"], moved["time"]) == (booked["id"], "BK", 1000)
    assert moved["resourceId"] == desk_1
    assert NINE in _starts(api, resourceId=desk_1)
    assert TEN not in _starts(api, resourceId=desk_1)

    other = _ok(
        api.put(
            f"appointments/{booked['id']}/reschedule",
            {
                "startDateTime": TEN,
                "endDateTime": "2030-03-04T11:00:00+01:00",
                **_pinned(api, "Desk 2"),
            },
        )
    )
    assert (other["resourceId"], other["duration"]) == (api.resource("Desk 2"), 60)


def test_reschedule_into_a_taken_slot_is_refused_and_changes_nothing(api: OnSched) -> None:
    first = _ok(
        api.hold("Consultation", NINE, NINE_30, completeBooking="BK", **ADA, **_pinned(api))
    )
    _ok(
        api.hold(
            "Consultation",
            TEN,
            "2030-03-04T10:30:00+01:00",
            completeBooking="BK",
            **ADA,
            **_pinned(api),
        )
    )
    taken = api.put(
        f"appointments/{first['id']}/reschedule",
        {"startDateTime": TEN, "endDateTime": "2030-03-04T10:30:00+01:00"},
    )
    assert taken.status_code == 409
    assert taken.json()["error"] == "slot_unavailable"
    assert _ok(api.get(f"appointments/{first['id']}"))["startDateTime"] == NINE


def test_only_booked_appointments_can_be_rescheduled_within_their_location(api: OnSched) -> None:
    held = _ok(api.hold("Consultation", NINE, NINE_30))
    body = {"startDateTime": TEN, "endDateTime": "2030-03-04T10:30:00+01:00"}
    refused = api.put(f"appointments/{held['id']}/reschedule", body)
    assert refused.status_code == 409
    assert refused.json()["message"].startswith(f"Appointment {held['id']} has status IN")
    booked = _ok(api.put(f"appointments/{held['id']}/book", ADA))
    elsewhere = api.put(
        f"appointments/{booked['id']}/reschedule",
        {**body, "resourceId": api.resource("East Desk")},
    )
    assert elsewhere.status_code == 400
    assert "another location" in elsewhere.json()["message"]
    missing = api.put(f"appointments/{booked['id']}/reschedule", {"startDateTime": TEN})
    assert missing.status_code == 400
    assert missing.json()["message"].startswith("endDateTime is required")


def test_cancel_frees_the_slot_of_a_booked_or_reserved_appointment(api: OnSched) -> None:
    desk_1 = _pinned(api)
    booked = _ok(api.hold("Consultation", NINE, NINE_30, completeBooking="BK", **ADA, **desk_1))
    cancelled = _ok(api.put(f"appointments/{booked['id']}/cancel"))
    assert (cancelled["status"], cancelled["confirmed"]) == ("CN", False)
    assert NINE in _starts(api, **desk_1)
    assert api.put(f"appointments/{booked['id']}/cancel").status_code == 409
    assert api.put(f"appointments/{booked['id']}/book", ADA).status_code == 409

    reserved = _ok(api.hold("Consultation", NINE, NINE_30, completeBooking="RS", **ADA, **desk_1))
    assert _ok(api.put(f"appointments/{reserved['id']}/cancel"))["status"] == "CN"


def test_a_hold_is_released_with_delete_not_cancelled(api: OnSched) -> None:
    desk_1 = _pinned(api)
    held = _ok(api.hold("Consultation", NINE, NINE_30, **desk_1))
    refused = api.put(f"appointments/{held['id']}/cancel")
    assert refused.status_code == 409
    assert "released with DELETE" in refused.json()["message"]
    deleted = _ok(api.delete(f"appointments/{held['id']}"))
    # The answer is the released appointment, in the document's own shape.
    assert (deleted["object"], deleted["id"], deleted["status"]) == (
        "appointment",
        held["id"],
        "CN",
    )
    assert api.get(f"appointments/{held['id']}").status_code == 404
    assert api.delete(f"appointments/{held['id']}").status_code == 404
    assert NINE in _starts(api, **desk_1)


def test_delete_refuses_a_booked_appointment(api: OnSched) -> None:
    booked = _ok(api.hold("Consultation", NINE, NINE_30, completeBooking="BK", **ADA))
    refused = api.delete(f"appointments/{booked['id']}")
    assert refused.status_code == 409
    assert refused.json()["error"] == "invalid_status"
    assert "cancel it with PUT" in refused.json()["message"]
    assert _ok(api.get(f"appointments/{booked['id']}"))["status"] == "BK"


def test_an_expired_hold_frees_its_slot_and_can_no_longer_be_booked(
    api: OnSched, clock: FakeClock
) -> None:
    desk_1 = _pinned(api)
    held = _ok(api.hold("Consultation", NINE, NINE_30, **desk_1))
    clock.advance(minutes=9)
    assert NINE not in _starts(api, **desk_1)
    clock.advance(minutes=1)  # the tenant's booking timer is 600 seconds
    assert NINE in _starts(api, **desk_1)
    shown = _ok(api.get(f"appointments/{held['id']}"))
    assert shown["status"] == "IN" and "expired" not in shown  # the document has no such field
    late = api.put(f"appointments/{held['id']}/book", ADA)
    assert late.status_code == 409
    assert late.json()["error"] == "hold_expired"
    assert api.put(f"appointments/{held['id']}/reserve").status_code == 409
    other = _ok(api.hold("Consultation", NINE, NINE_30, completeBooking="BK", **ADA, **desk_1))
    assert other["status"] == "BK"
    assert _ok(api.delete(f"appointments/{held['id']}"))["status"] == "CN"


def test_book_keeps_the_group_size_of_the_hold(api: OnSched) -> None:
    held = _ok(api.hold("Workshop", NINE, TEN, groupSize=2))
    refused = api.put(f"appointments/{held['id']}/book", {**ADA, "groupSize": 3})
    assert refused.status_code == 400
    assert refused.json()["message"].startswith("groupSize cannot change")
    booked = _ok(api.put(f"appointments/{held['id']}/book", {**ADA, "groupSize": 2}))
    assert booked["groupSize"] == 2


def test_unknown_and_malformed_appointment_ids(api: OnSched) -> None:
    assert api.get("appointments/123456789012345678").status_code == 404
    for path in ("appointments/abc", "appointments/12ab/book"):
        found = api.get(path) if path.count("/") == 1 else api.put(path, ADA)
        assert found.status_code == 400
        assert found.json()["message"].startswith("id must be an id made of digits")
