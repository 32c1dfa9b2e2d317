"""Booking needs a whole customer; bodies of body-less endpoints; the UTC offset bound."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.onsched.conftest import ACME_KEY, BASE, OnSched

MONDAY = "2030-03-04"
NINE, NINE_30 = "2030-03-04T09:00:00+01:00", "2030-03-04T09:30:00+01:00"
ADA = {"name": "Ada Lovelace", "email": "ada@example.com"}
JSON_HEADERS = {"Authorization": f"Bearer {ACME_KEY}", "Content-Type": "application/json"}


def _ok(found: Any) -> dict[str, Any]:
    assert found.status_code == 200, found.text
    body: dict[str, Any] = found.json()
    return body


def _refused(found: Any, message: str) -> None:
    assert found.status_code == 400, found.text
    assert found.json() == {"error": "invalid_request", "message": message}


def _totals(api: OnSched) -> tuple[int, int]:
    appointments = _ok(api.staff.get("appointments", status="IN,RS,BK,CN"))["total"]
    return appointments, _ok(api.staff.get("customers"))["total"]


# --- 1. a booked appointment has a customer with a name and an e-mail address ----------------


def test_book_refuses_a_hold_whose_customer_has_no_name(api: OnSched) -> None:
    held = _ok(api.hold("Consultation", NINE, NINE_30, email="ada@example.com"))
    before = _totals(api)
    for body in (None, {}, {"phone": "+31 6 1234 5678"}, {"name": "  "}):
        refused = api.put(f"appointments/{held['id']}/book", body)
        _refused(refused, "name is required to book this appointment")
    assert _ok(api.get(f"appointments/{held['id']}")) == held
    assert _ok(api.get(f"customers/{held['customerId']}"))["contact"]["mobilePhone"] is None
    assert _totals(api) == before

    booked = _ok(api.put(f"appointments/{held['id']}/book", {"name": "Ada Lovelace"}))
    assert (booked["status"], booked["name"], booked["email"]) == (
        "BK",
        "Ada Lovelace",
        "ada@example.com",
    )


def test_confirm_refuses_a_reservation_whose_customer_has_no_email(api: OnSched) -> None:
    held = _ok(api.hold("Consultation", NINE, NINE_30, name="Ada Lovelace"))
    reserved = _ok(api.put(f"appointments/{held['id']}/reserve"))
    assert reserved["status"] == "RS"
    before = _totals(api)
    for body in (None, {}, {"name": "Grace Hopper"}):
        refused = api.put(f"appointments/{held['id']}/confirm", body)
        _refused(refused, "email is required to book this appointment")
    assert _ok(api.get(f"appointments/{held['id']}")) == reserved
    assert _totals(api) == before

    booked = _ok(api.put(f"appointments/{held['id']}/confirm", {"email": "ada@example.com"}))
    assert (booked["status"], booked["name"], booked["email"]) == (
        "BK",
        "Ada Lovelace",
        "ada@example.com",
    )


def test_book_without_any_customer_names_both_missing_fields(api: OnSched) -> None:
    held = _ok(api.hold("Consultation", NINE, NINE_30))
    for body in (None, {"phone": "+31 6 1234 5678"}, {"notes": "hi"}):
        refused = api.put(f"appointments/{held['id']}/book", body)
        _refused(refused, "name and email are required to book this appointment")
    assert _ok(api.get(f"appointments/{held['id']}")) == held


@pytest.mark.parametrize(
    ("given", "missing"), [({"email": "ada@example.com"}, "name"), ({"name": "Ada"}, "email")]
)
def test_complete_booking_bk_refuses_a_customer_id_without_name_or_email(
    api: OnSched, given: dict[str, str], missing: str
) -> None:
    partial = _ok(api.hold("Consultation", NINE, NINE_30, **given))["customerId"]
    before = _totals(api)
    ten, ten_30 = "2030-03-04T10:00:00+01:00", "2030-03-04T10:30:00+01:00"
    refused = api.hold("Consultation", ten, ten_30, completeBooking="BK", customerId=partial)
    _refused(
        refused,
        f"completeBooking=BK needs a customer with a name and email; "
        f"customer {partial} has no {missing}",
    )
    assert _totals(api) == before
    starts = [t["startDateTime"] for t in api.times("Consultation", MONDAY)]
    assert ten in starts
    # The customer's appointment may still be held or reserved with it.
    reserved = api.hold("Consultation", ten, ten_30, completeBooking="RS", customerId=partial)
    assert _ok(reserved)["status"] == "RS"


# --- 2. endpoints without a body still refuse a broken one ------------------------------------


def _raw(api: OnSched, method: str, path: str, content: bytes) -> Any:
    return api.client.request(method, BASE + path, content=content, headers=JSON_HEADERS)


def test_a_broken_json_body_is_refused_where_no_body_is_taken(api: OnSched) -> None:
    held = _ok(api.hold("Consultation", NINE, NINE_30, **ADA))
    booked = _ok(api.hold("Consultation", NINE, NINE_30, completeBooking="BK", **ADA))
    broken = _raw(api, "PUT", f"appointments/{held['id']}/book", b"garbage{")
    assert broken.status_code == 400
    for method, path in (
        ("PUT", f"appointments/{held['id']}/reserve"),
        ("DELETE", f"appointments/{held['id']}"),
        ("PUT", f"appointments/{booked['id']}/cancel"),
    ):
        found = _raw(api, method, path, b"garbage{")
        assert (found.status_code, found.json()) == (400, broken.json()), (method, path)
    assert _ok(api.get(f"appointments/{held['id']}")) == held
    assert _ok(api.get(f"appointments/{booked['id']}")) == booked


def test_an_empty_or_valid_json_body_is_still_accepted_where_no_body_is_taken(
    api: OnSched,
) -> None:
    first = _ok(api.hold("Consultation", NINE, NINE_30, **ADA))
    second = _ok(api.hold("Consultation", NINE, NINE_30, **ADA))
    assert _ok(_raw(api, "PUT", f"appointments/{first['id']}/reserve", b""))["status"] == "RS"
    assert _ok(_raw(api, "PUT", f"appointments/{second['id']}/reserve", b" {} "))["status"] == "RS"
    assert _ok(_raw(api, "PUT", f"appointments/{first['id']}/cancel", b"[1]"))["status"] == "CN"
    assert _ok(api.put(f"appointments/{second['id']}/cancel", {"reason": "x"}))["status"] == "CN"
    third = _ok(api.hold("Consultation", NINE, NINE_30))
    assert _ok(_raw(api, "DELETE", f"appointments/{third['id']}", b"null"))["status"] == "CN"


# --- 3. UTC offsets end at ±14:00 --------------------------------------------------------------


@pytest.mark.parametrize("offset", ["+14:01", "+14:59", "-14:01", "-14:30", "-1459", "+15:00"])
def test_an_offset_beyond_fourteen_hours_is_refused(api: OnSched, offset: str) -> None:
    start = f"2030-03-04T09:00:00{offset}"
    refused = api.hold("Consultation", start, NINE_30)
    _refused(refused, "startDateTime has an impossible UTC offset")
    end = api.hold("Consultation", NINE, f"2030-03-04T09:30:00{offset}")
    _refused(end, "endDateTime has an impossible UTC offset")
    booked = _ok(api.hold("Consultation", NINE, NINE_30, completeBooking="BK", **ADA))
    moved = api.put(
        f"appointments/{booked['id']}/reschedule", {"startDateTime": start, "endDateTime": NINE_30}
    )
    _refused(moved, "startDateTime has an impossible UTC offset")
    assert _totals(api) == (1, 1)


def test_offsets_of_exactly_fourteen_hours_are_accepted(api: OnSched) -> None:
    east = _ok(api.hold("Consultation", "2030-03-04T22:00:00+14:00", "2030-03-04T22:30+1400"))
    assert (east["startDateTime"], east["endDateTime"]) == (NINE, NINE_30)
    west = _ok(api.hold("Consultation", "2030-03-03T18:00:00-14:00", "2030-03-03T18:30:00-14"))
    assert (west["startDateTime"], west["endDateTime"]) == (NINE, NINE_30)
