"""Book, reserve and confirm: codes, durations, customers, holds, capacity."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.testclient import TestClient

from slotbook.api.app import create_app
from slotbook.services.context import Slotbook
from tests.api.orchestra.conftest import CUSTOMER, Orchestra, longer_allowed
from tests.conftest import FakeClock
from tests.factories import issue_catalog


def test_book_returns_the_bare_appointment_in_utc(orchestra: Orchestra) -> None:
    response = orchestra.book(
        "Paspoort",
        "2030-03-04",
        "09:00",
        {"title": "Online booking", "customer": CUSTOMER, "notes": "Geboekt via internet"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == 20
    assert body["start"] == "2030-03-04T08:00:00.000+0000"
    assert body["end"] == "2030-03-04T08:10:00.000+0000"
    assert body["title"] == "Online booking"
    assert body["notes"] == "Geboekt via internet"
    assert body["resource"] == {"name": "Desk 1", "custom": None}
    assert body["branch"]["publicId"] == orchestra.branch
    assert [s["publicId"] for s in body["services"]] == ["Paspoort"]
    assert (body["allDay"], body["blocking"], body["customSlotLength"]) == (False, False, None)
    assert len(body["publicId"]) == 64
    customer = body["customers"][0]
    assert customer["name"] == "Voornaam Achternaam"
    assert customer["dateOfBirth"] == -2206396800000  # 1900-01-31 00:00 UTC
    assert customer["externalId"] is None
    assert len(customer["publicId"]) == 64
    assert "09:00" not in orchestra.times("Paspoort", "2030-03-04")


def test_booking_a_taken_slot_is_440_and_stores_nothing(orchestra: Orchestra) -> None:
    assert orchestra.book("Paspoort", "2030-03-04", "09:00").status_code == 200
    again = orchestra.book("Paspoort", "2030-03-04", "09:05", {"customer": {"externalId": "late"}})
    assert again.status_code == 400
    assert again.headers["ERROR_CODE"] == "440"
    assert (
        again.headers["ERROR_MESSAGE"] == "No resource is available for the selected date and time"
    )
    assert again.json() == {"msg": "No resource is available for the selected date and time"}
    listed = orchestra.get("/v1/customers/externalId/late/appointments").json()
    assert listed["appointmentList"] == []


def test_time_off_the_grid_or_outside_hours_is_440(orchestra: Orchestra) -> None:
    assert orchestra.book("Paspoort", "2030-03-04", "09:02").headers["ERROR_CODE"] == "440"
    assert orchestra.book("Paspoort", "2030-03-04", "12:00").headers["ERROR_CODE"] == "440"
    assert orchestra.book("Paspoort", "2030-03-06", "10:00").headers["ERROR_CODE"] == "440"  # Wed


def test_unknown_branch_and_service_are_410_and_420(orchestra: Orchestra) -> None:
    branch = orchestra.post(
        "/v1/branches/nope/services/Paspoort/dates/2030-03-04/times/09:00/book", json={}
    )
    assert (branch.status_code, branch.headers["ERROR_CODE"]) == (404, "410")
    service = orchestra.book("nope", "2030-03-04", "09:00")
    assert (service.status_code, service.headers["ERROR_CODE"]) == (404, "420")
    assert service.json() == {"msg": "Service not found"}


def test_v2_book_for_several_customers_lengthens_per_customer(orchestra: Orchestra) -> None:
    path = f"/v2/branches/{orchestra.branch}/services/Paspoort/dates/2030-03-04/times/09:00/book"
    second = {**CUSTOMER, "firstName": "Firstname", "email": "test@example.com"}
    body = orchestra.post(path, json={"customers": [CUSTOMER, second]}).json()
    assert body["end"] == "2030-03-04T08:15:00.000+0000"  # 10 + 5 for the second person
    assert [c["firstName"] for c in body["customers"]] == ["Voornaam", "Firstname"]
    assert body["numberOfCustomers"] == 1


def test_custom_slot_length_sets_the_appointment_length(
    make_orchestra: Callable[[dict[str, Any]], Orchestra],
) -> None:
    orchestra = make_orchestra(longer_allowed(issue_catalog(), 45))
    path = f"/v2/branches/{orchestra.branch}/services/Paspoort/dates/2030-03-04/times/10:00/book;customSlotLength=45"
    body = orchestra.post(path, json={"customers": [CUSTOMER]}).json()
    assert body["end"] == "2030-03-04T09:45:00.000+0000"
    assert body["customSlotLength"] == 45


def test_a_citizen_cannot_book_longer_than_the_service_allows(orchestra: Orchestra) -> None:
    path = f"/v2/branches/{orchestra.branch}/services/Paspoort/dates/2030-03-04/times/10:00/book;customSlotLength=45"
    refused = orchestra.post(path, json={"customers": [CUSTOMER]})
    assert refused.status_code == 403
    assert "at most 10" in refused.json()["msg"]
    shorter = path.replace("=45", "=5")
    assert orchestra.post(shorter, json={"customers": [CUSTOMER]}).status_code == 200


def test_a_group_session_keeps_its_length_whatever_custom_slot_length_says(
    orchestra: Orchestra,
) -> None:
    base = f"/v2/branches/{orchestra.branch}/services/workshop/dates/2030-03-04/times/10:00/book"
    first = orchestra.post(base + ";customSlotLength=90", json={"customers": [CUSTOMER]}).json()
    joined = orchestra.post(base + ";customSlotLength=5", json={"customers": [CUSTOMER]}).json()
    for body in (first, joined):
        assert (body["start"], body["end"]) == (
            "2030-03-04T09:00:00.000+0000",
            "2030-03-04T10:00:00.000+0000",
        )
        assert body["customSlotLength"] is None


def test_multi_service_book_sums_the_durations(orchestra: Orchestra) -> None:
    path = f"/v2/branches/{orchestra.branch}/dates/2030-03-04/times/09:00/book"
    body = {
        "customers": [CUSTOMER, {"firstName": "B"}],
        "services": [{"publicId": "Paspoort"}, {"publicId": "idcard"}],
    }
    booked = orchestra.post(path, json=body).json()
    # 2 customers: passport 10 + 5, ID card 10 + 0.
    assert booked["end"] == "2030-03-04T08:25:00.000+0000"
    assert [s["name"] for s in booked["services"]] == ["Passport", "ID card"]


def test_reserve_then_confirm(orchestra: Orchestra) -> None:
    reserved = orchestra.reserve("Paspoort", "2030-03-04", "10:00")
    assert reserved.status_code == 200
    held = reserved.json()
    assert held["status"] == 10
    assert held["customers"] == []
    assert "10:00" not in orchestra.times("Paspoort", "2030-03-04")
    confirmed = orchestra.post(
        f"/v1/branches/appointments/{held['publicId']}/confirm",
        json={"title": "Online booking", "customer": CUSTOMER, "notes": "n"},
    )
    assert confirmed.status_code == 200
    body = confirmed.json()
    assert (body["status"], body["publicId"], body["title"]) == (
        20,
        held["publicId"],
        "Online booking",
    )
    assert body["customers"][0]["lastName"] == "Achternaam"
    twice = orchestra.post(
        f"/v1/branches/appointments/{held['publicId']}/confirm", json={"customer": CUSTOMER}
    )
    assert (twice.status_code, twice.headers["ERROR_CODE"]) == (400, "460")


def test_reserve_for_extra_customers_holds_the_longer_slot(orchestra: Orchestra) -> None:
    held = orchestra.reserve("Paspoort", "2030-03-04", "10:00", ";numberOfCustomers=2").json()
    assert held["end"] == "2030-03-04T09:20:00.000+0000"
    v2 = orchestra.post(
        f"/v2/branches/{orchestra.branch}/dates/2030-03-04/times/11:00/reserve;numberOfCustomers=1",
        json={"services": [{"publicId": "Paspoort"}, {"publicId": "idcard"}]},
    ).json()
    assert v2["end"] == "2030-03-04T10:25:00.000+0000"
    assert v2["status"] == 10
    confirmed = orchestra.post(
        f"/v2/branches/appointments/{v2['publicId']}/confirm",
        json={"customers": [CUSTOMER, {**CUSTOMER, "firstName": "Second"}]},
    ).json()
    assert (confirmed["status"], confirmed["end"]) == (20, v2["end"])


def test_hold_expires_after_the_reservation_time(orchestra: Orchestra, clock: FakeClock) -> None:
    held = orchestra.reserve("Paspoort", "2030-03-04", "10:00").json()
    clock.advance(minutes=9, seconds=59)
    assert "10:00" not in orchestra.times("Paspoort", "2030-03-04")
    clock.advance(seconds=1)
    assert "10:00" in orchestra.times("Paspoort", "2030-03-04")
    late = orchestra.post(
        f"/v1/branches/appointments/{held['publicId']}/confirm", json={"customer": CUSTOMER}
    )
    assert (late.status_code, late.headers["ERROR_CODE"]) == (400, "460")
    assert late.json() == {"msg": "This reservation has expired; reserve a time again"}
    assert orchestra.book("Paspoort", "2030-03-04", "10:00").status_code == 200
    booked = orchestra.book("Paspoort", "2030-03-04", "10:30").json()
    twice = orchestra.post(
        f"/v1/branches/appointments/{booked['publicId']}/confirm", json={"customer": CUSTOMER}
    )
    assert twice.json() == {"msg": "Specified appointment is not in RESERVED state"}


def test_confirm_of_unknown_appointment_is_142(orchestra: Orchestra) -> None:
    response = orchestra.post("/v1/branches/appointments/" + "0" * 64 + "/confirm", json={})
    assert (response.status_code, response.headers["ERROR_CODE"]) == (404, "142")


def test_external_id_reuses_and_updates_one_customer(orchestra: Orchestra) -> None:
    first = orchestra.book(
        "Paspoort", "2030-03-04", "09:00", {"customer": {**CUSTOMER, "externalId": "BSN1"}}
    ).json()
    second = orchestra.book(
        "Paspoort",
        "2030-03-04",
        "09:30",
        {"customer": {**CUSTOMER, "externalId": "BSN1", "phone": "0600000000"}},
    ).json()
    assert first["customers"][0]["publicId"] == second["customers"][0]["publicId"]
    customer = orchestra.get(f"/v1/customers/{first['customers'][0]['publicId']}").json()[
        "customer"
    ]
    assert customer["phone"] == "0600000000"
    listed = orchestra.get("/v1/customers/externalId/BSN1/appointments").json()["appointmentList"]
    assert [a["publicId"] for a in listed] == [first["publicId"], second["publicId"]]


def test_customers_without_external_id_are_separate_records(orchestra: Orchestra) -> None:
    body = {"customers": [CUSTOMER, CUSTOMER]}
    path = f"/v2/branches/{orchestra.branch}/services/Paspoort/dates/2030-03-04/times/09:00/book"
    booked = orchestra.post(path, json=body).json()
    ids = {c["publicId"] for c in booked["customers"]}
    assert len(ids) == 2


def test_group_sessions_share_a_start_until_full(orchestra: Orchestra) -> None:
    path = f"/v2/branches/{orchestra.branch}/services/workshop/dates/2030-03-04/times/10:00/book"
    two = orchestra.post(path, json={"customers": [{"firstName": "A"}, {"firstName": "B"}]})
    three = orchestra.post(path, json={"customers": [{"firstName": c} for c in "CDE"]})
    assert two.status_code == three.status_code == 200
    assert (
        two.json()["end"] == three.json()["end"] == "2030-03-04T10:00:00.000+0000"
    )  # no extra time
    full = orchestra.post(path, json={"customers": [{"firstName": "F"}]})
    assert (full.status_code, full.headers["ERROR_CODE"]) == (400, "440")
    assert "10:00" not in orchestra.times("workshop", "2030-03-04")
    # The session occupies the room: an ID card at 10:00 can only go to the desk.
    idcard = f"/v1/branches/{orchestra.branch}/services/idcard/dates/2030-03-04/times/10:00/book"
    desk = orchestra.post(idcard, json={})
    assert desk.json()["resource"]["name"] == "Desk 1"
    assert orchestra.post(idcard, json={}).headers["ERROR_CODE"] == "440"


def test_blank_and_null_fields_echoed_from_a_response_book_as_empty(orchestra: Orchestra) -> None:
    # Clients send back what they read: the manual's own responses carry "" and null fields.
    blanks: dict[str, Any] = {field: "" for field in CUSTOMER if field != "dateOfBirth"}
    nulls: dict[str, Any] = dict.fromkeys(CUSTOMER) | {"externalId": None, "custom": None}
    for time, customer, title in (("09:00", blanks, ""), ("09:10", nulls, None)):
        response = orchestra.book(
            "Paspoort", "2030-03-04", time, {"title": title, "custom": None, "customer": customer}
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["title"] is None
        assert body["customers"][0]["firstName"] is None
        assert body["customers"][0]["addressLine2"] is None
    blank_confirm = orchestra.post(
        f"/v1/branches/appointments/{orchestra.reserve('Paspoort', '2030-03-04', '09:20').json()['publicId']}/confirm",
        json={"customer": {"firstName": " ", "email": None}},
    )
    assert blank_confirm.status_code == 200, blank_confirm.text
    assert blank_confirm.json()["status"] == 20


def test_over_long_fields_are_400_naming_the_field_and_store_nothing(orchestra: Orchestra) -> None:
    response = orchestra.book(
        "Paspoort",
        "2030-03-04",
        "09:00",
        {"customer": {"firstName": "x" * 201, "externalId": "long"}},
    )
    assert response.status_code == 400
    assert "customer.firstName" in response.json()["msg"]
    phone = orchestra.book("Paspoort", "2030-03-04", "09:00", {"customer": {"phone": "1" * 51}})
    assert "customer.phone" in phone.json()["msg"]
    assert "09:00" in orchestra.times("Paspoort", "2030-03-04")
    assert (
        orchestra.get("/v1/customers/externalId/long/appointments").json()["appointmentList"] == []
    )


def test_malformed_bodies_are_400(orchestra: Orchestra) -> None:
    path = f"/v1/branches/{orchestra.branch}/services/Paspoort/dates/2030-03-04/times/09:00/book"
    cases: list[Any] = [
        b"{not json",
        b"[1, 2]",
        b'{"customer": "me"}',
        b'{"customer": {"dateOfBirth": "31-01-1900"}}',
        b'{"customers": [{"firstName": 5}]}',
        b'{"title": ["x"]}',
    ]
    for raw in cases:
        response = orchestra.post(path, content=raw, headers={"content-type": "application/json"})
        assert response.status_code == 400, raw
        assert response.headers["ERROR_CODE"].isdigit()
        assert response.json()["msg"]
    assert "09:00" in orchestra.times("Paspoort", "2030-03-04")


def test_duplicate_external_ids_in_one_booking_are_refused(orchestra: Orchestra) -> None:
    path = f"/v2/branches/{orchestra.branch}/services/Paspoort/dates/2030-03-04/times/09:00/book"
    response = orchestra.post(path, json={"customers": [{"externalId": "a"}, {"externalId": "a"}]})
    assert response.status_code == 400
    assert "externalId" in response.json()["msg"]


def test_browsers_of_a_named_origin_see_the_errors_and_others_get_no_cors(
    make_slotbook: Callable[[dict[str, Any]], Slotbook],
) -> None:
    app = create_app(make_slotbook(issue_catalog()), cors_origins=["https://booking.example"])
    with TestClient(app) as client:
        orchestra = Orchestra(client)
        response = orchestra.book(
            "nope", "2030-03-04", "09:00", headers={"Origin": "https://booking.example"}
        )
        exposed = response.headers["access-control-expose-headers"]
        assert "ERROR_CODE" in exposed and "ERROR_MESSAGE" in exposed
        assert response.headers["access-control-allow-origin"] == "https://booking.example"
        elsewhere = orchestra.get("/v1/branches", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in elsewhere.headers


def test_cors_is_off_by_default(orchestra: Orchestra) -> None:
    response = orchestra.get("/v1/branches", headers={"Origin": "https://booking.example"})
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers
