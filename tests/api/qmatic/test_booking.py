"""Booking one service: time slots, reservation, confirmation, reading, changing, cancelling."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.qmatic.conftest import (
    DESK_KEY,
    MONDAY_9,
    MakeQmatic,
    Qmatic,
    confirm_passport,
    customer,
    desk1_starts,
    passport_ids,
    reserve_passport,
)
from tests.conftest import FakeClock


def test_a_customer_books_reads_changes_finds_and_cancels_an_appointment(qm: Qmatic) -> None:
    ids = passport_ids(qm)
    slots = qm.slots(ids["serviceId"], ids["branchId"], numberOfReservations=2)
    assert slots[0] == {
        "startTime": "2030-03-04T09:00:00+01:00",
        "endTime": "2030-03-04T09:15:00+01:00",  # 10 minutes + 5 for the second person
    }
    reservation = reserve_passport(qm, slots[0]["startTime"], people=2, notes="Two passports")
    assert reservation["timeSlot"] == slots[0]
    assert reservation["numberOfReservations"] == 2
    assert reservation["notes"] == "Two passports"
    assert reservation["expiresAt"] == "2030-03-04T08:15:00+01:00"
    assert reservation["service"]["name"] == "Passport"
    assert reservation["branch"]["name"] == "North Office"
    assert reservation["resource"] == {"id": ids["requestedResourceId"], "name": "Desk 1"}
    assert MONDAY_9 not in desk1_starts(qm)

    confirmed = confirm_passport(qm, reservation["reservationId"])
    assert confirmed.status_code == 201, confirmed.text
    appointment = confirmed.json()
    assert appointment["appointmentId"] == reservation["reservationId"]
    assert appointment["customer"] == {
        "personalIdentifier": "JANSEN1234567",
        "firstName": "Anna",
        "lastName": "Jansen",
        "phoneNumber": "+31 6 1234 5678",
        "email": "anna@example.com",
        "dateOfBirth": "1990-05-17",
    }
    assert appointment["supportNotes"] == "Two passports"
    assert appointment["numberOfReservations"] == 2
    assert appointment["service"] == appointment["services"][0]

    path = f"appointments/{appointment['appointmentId']}"
    read = qm.get(path, headers={"Accept-Language": "nl_NL"})
    assert read.status_code == 200
    assert read.json()["service"]["name"] == "Paspoort"
    assert read.json()["timeSlot"] == slots[0]

    changed = qm.put(f"{path}/customer", json={"customer": {"phoneNumber": "0612345678"}})
    assert changed.status_code == 200, changed.text
    assert changed.json()["customer"]["phoneNumber"] == "0612345678"
    assert changed.json()["customer"]["firstName"] == "Anna"

    by_query = qm.get("appointments/search", params={"personalIdentifier": "JANSEN1234567"})
    by_body = qm.post(
        "appointments/search", json={"customer": {"personalIdentifier": "JANSEN1234567"}}
    )
    get_with_body = qm.request(
        "GET", "appointments/search", json={"customer": {"personalIdentifier": "JANSEN1234567"}}
    )
    for found in (by_query, by_body, get_with_body):
        assert found.status_code == 200, found.text
        assert [a["appointmentId"] for a in found.json()] == [appointment["appointmentId"]]
        assert found.json()[0]["customer"]["phoneNumber"] == "0612345678"

    cancelled = qm.delete(path)
    assert cancelled.status_code == 204
    assert cancelled.content == b""
    gone = qm.get(path)
    assert gone.status_code == 404
    assert gone.json()["code"] == "appointment_not_found"
    assert qm.delete(path).status_code == 404
    assert MONDAY_9 in desk1_starts(qm)
    assert (
        qm.get("appointments/search", params={"personalIdentifier": "JANSEN1234567"}).json() == []
    )


def test_timeslots_default_to_today_and_six_more_days_in_the_branch_offset(qm: Qmatic) -> None:
    idcard, north = qm.service_id("ID card"), qm.branch_id("North Office")
    slots = qm.slots(idcard, north)
    days = sorted({s["startTime"][:10] for s in slots})
    assert days == [f"2030-03-{d:02d}" for d in range(4, 11)]
    assert slots[0]["startTime"] == "2030-03-04T09:00:00+01:00"
    assert "2030-03-04T11:50:00+01:00" in [s["startTime"] for s in slots]
    assert "2030-03-04T12:00:00+01:00" not in [s["startTime"] for s in slots]


def test_timeslots_after_the_clock_change_carry_the_summer_offset(qm: Qmatic) -> None:
    idcard, north = qm.service_id("ID card"), qm.branch_id("North Office")
    slots = qm.slots(idcard, north, startDate="2030-03-30", endDate="2030-04-01")
    by_day = {s["startTime"][:10]: s["startTime"] for s in reversed(slots)}
    assert by_day["2030-03-30"] == "2030-03-30T09:00:00+01:00"
    assert by_day["2030-04-01"] == "2030-04-01T09:00:00+02:00"


def test_a_date_range_may_span_at_most_62_days(qm: Qmatic) -> None:
    idcard, north = qm.service_id("ID card"), qm.branch_id("North Office")
    ok = qm.get(
        f"services/{idcard}/timeslots",
        params={"branchId": north, "startDate": "2030-03-04", "endDate": "2030-05-04"},
    )
    assert ok.status_code == 200
    too_long = qm.get(
        f"services/{idcard}/timeslots",
        params={"branchId": north, "startDate": "2030-03-04", "endDate": "2030-05-05"},
    )
    assert too_long.status_code == 400
    assert "62 days" in too_long.json()["message"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "branchId"),
        ({"branchId": "north"}, "branchId"),
        ({"startDate": "2030-03-10", "endDate": "2030-03-09"}, "endDate"),
        ({"startDate": "04-03-2030"}, "startDate"),
        ({"startDate": "2030-02-30"}, "startDate"),
        ({"endDate": "tomorrow"}, "endDate"),
        ({"numberOfReservations": "0"}, "numberOfReservations"),
        ({"numberOfReservations": "two"}, "numberOfReservations"),
        ({"numberOfReservations": "4"}, "numberOfReservations"),
        ({"requestedResourceId": "desk-1"}, "requestedResourceId"),
    ],
)
def test_bad_timeslot_queries_are_400_naming_the_parameter(
    qm: Qmatic, params: dict[str, str], field: str
) -> None:
    idcard = qm.service_id("ID card")
    query = {"branchId": qm.branch_id("North Office"), **params}
    if params == {}:
        query = {}
    response = qm.get(f"services/{idcard}/timeslots", params=query)
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "bad_request" or response.json()["code"] == "invalid_id"
    assert field in response.json()["message"]


def test_timeslots_for_a_branch_that_does_not_offer_the_service_are_404(qm: Qmatic) -> None:
    idcard, south = qm.service_id("ID card"), qm.branch_id("South Office")
    response = qm.get(f"services/{idcard}/timeslots", params={"branchId": south})
    assert response.status_code == 404
    assert response.json()["code"] == "service_not_found"


def test_resource_choice_narrows_the_slots(qm: Qmatic) -> None:
    ids = passport_ids(qm)
    desk2 = qm.resource_id("Passport", "North Office", "Desk 2")
    reserve_passport(qm, MONDAY_9)  # on Desk 1
    assert MONDAY_9 not in desk1_starts(qm)
    for_desk2 = qm.slots(ids["serviceId"], ids["branchId"], requestedResourceId=desk2)
    assert MONDAY_9 in [s["startTime"] for s in for_desk2]
    second = reserve_passport(qm, MONDAY_9, requestedResourceId=desk2)
    assert second["resource"]["name"] == "Desk 2"


def test_a_required_resource_must_be_chosen(qm: Qmatic) -> None:
    body = {**passport_ids(qm), "timeSlot": {"startTime": MONDAY_9}}
    del body["requestedResourceId"]
    response = qm.reserve(body)
    assert response.status_code == 400
    assert "requestedResourceId" in response.json()["message"]


def test_optional_resource_may_be_chosen_and_none_selection_refuses_a_choice(qm: Qmatic) -> None:
    licence, north = qm.service_id("Driving licence"), qm.branch_id("North Office")
    desk2 = qm.resource_id("Driving licence", "North Office", "Desk 2")
    free = qm.reserve(
        {"serviceId": licence, "branchId": north, "timeSlot": {"startTime": MONDAY_9}}
    )
    assert free.status_code == 201
    assert free.json()["resource"]["name"] == "Desk 1"
    chosen = qm.reserve(
        {
            "serviceId": licence,
            "branchId": north,
            "requestedResourceId": desk2,
            "timeSlot": {"startTime": MONDAY_9},
        }
    )
    assert chosen.status_code == 201
    assert chosen.json()["resource"]["name"] == "Desk 2"
    idcard = qm.service_id("ID card")
    refused = qm.reserve(
        {
            "serviceId": idcard,
            "branchId": north,
            "requestedResourceId": desk2,
            "timeSlot": {"startTime": "2030-03-04T10:00:00+01:00"},
        }
    )
    assert refused.status_code == 400
    assert "requestedResourceId" in refused.json()["message"]


def test_a_resource_that_does_not_offer_the_service_is_refused(qm: Qmatic) -> None:
    counter = qm.resource_id("Passport", "South Office", "Counter A")
    response = qm.reserve(
        {**passport_ids(qm), "requestedResourceId": counter, "timeSlot": {"startTime": MONDAY_9}}
    )
    assert response.status_code == 400
    assert "requestedResourceId" in response.json()["message"]
    unknown = qm.reserve(
        {
            **passport_ids(qm),
            "requestedResourceId": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
            "timeSlot": {"startTime": MONDAY_9},
        }
    )
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "resource_not_found"


@pytest.mark.parametrize(
    ("change", "status", "needle"),
    [
        ({"numberOfReservations": 5}, 400, "numberOfReservations"),
        ({"numberOfReservations": 0}, 400, "numberOfReservations"),
        ({"numberOfReservations": "2"}, 400, "numberOfReservations"),
        ({"numberOfReservations": 1.5}, 400, "numberOfReservations"),
        ({"serviceId": "passport"}, 400, "serviceId"),
        ({"branchId": None}, 400, "branchId"),
        ({"timeSlot": {"startTime": "2030-03-04T09:00:00"}}, 400, "timeSlot.startTime"),
        ({"timeSlot": {"startTime": "Monday at nine"}}, 400, "timeSlot.startTime"),
        ({"timeSlot": {"startTime": 1900000000}}, 400, "timeSlot.startTime"),
        ({"timeSlot": {}}, 400, "timeSlot.startTime"),
        (
            {"timeSlot": {"startTime": MONDAY_9, "endTime": "2030-03-04T09:30:00+01:00"}},
            400,
            "timeSlot.endTime",
        ),
        ({"notes": "x" * 4001}, 400, "notes"),
        ({"notes": 12}, 400, "notes"),
        ({"timeSlot": {"startTime": "2030-03-04T09:05:00+01:00"}}, 409, "not available"),
        ({"timeSlot": {"startTime": "2030-03-04T12:30:00+01:00"}}, 409, "not available"),
        ({"timeSlot": {"startTime": "2030-03-03T09:00:00+01:00"}}, 409, "not available"),
        ({"serviceId": "3fa85f64-5717-4562-b3fc-2c963f66afa6"}, 404, "service"),
        ({"serviceIds": ["3fa85f64-5717-4562-b3fc-2c963f66afa6"]}, 400, "serviceIds"),
    ],
)
def test_refused_reservations_say_why_and_hold_nothing(
    qm: Qmatic, change: dict[str, Any], status: int, needle: str
) -> None:
    body = {**passport_ids(qm), "timeSlot": {"startTime": MONDAY_9}, **change}
    response = qm.reserve(body)
    assert response.status_code == status, response.text
    assert needle in response.json()["message"]
    assert set(response.json()) == {"code", "message"}
    assert MONDAY_9 in desk1_starts(qm)


def test_start_time_in_another_offset_is_the_same_slot(qm: Qmatic) -> None:
    reservation = reserve_passport(qm, "2030-03-04T08:00:00Z")
    assert reservation["timeSlot"]["startTime"] == MONDAY_9


def test_a_taken_slot_is_409_for_the_second_reservation(qm: Qmatic) -> None:
    reserve_passport(qm)
    again = qm.reserve({**passport_ids(qm), "timeSlot": {"startTime": MONDAY_9}})
    assert again.status_code == 409
    assert again.json()["code"] == "timeslot_not_available"


def test_an_unconfirmed_reservation_frees_its_slot_after_15_minutes(
    qm: Qmatic, clock: FakeClock
) -> None:
    reservation = reserve_passport(qm)
    assert reservation["expiresAt"] == "2030-03-04T08:15:00+01:00"
    clock.advance(minutes=14)
    assert MONDAY_9 not in desk1_starts(qm)
    clock.advance(minutes=2)
    assert MONDAY_9 in desk1_starts(qm)
    late = confirm_passport(qm, reservation["reservationId"])
    assert late.status_code == 410
    assert late.json()["code"] == "reservation_expired"
    assert qm.get(f"appointments/{reservation['reservationId']}").status_code == 404
    released = qm.delete(f"reservations/{reservation['reservationId']}")
    assert (released.status_code, released.json()["code"]) == (410, "reservation_expired")


def test_the_catalog_reservation_time_overrides_the_default(
    make_qmatic: MakeQmatic, clock: FakeClock
) -> None:
    from tests.api.qmatic.conftest import qmatic_catalog

    catalog = qmatic_catalog()
    catalog["tenants"][0]["reservation_ttl_seconds"] = 120
    qm = make_qmatic(catalog)
    reservation = reserve_passport(qm)
    assert reservation["expiresAt"] == "2030-03-04T08:02:00+01:00"
    clock.advance(minutes=3)
    assert confirm_passport(qm, reservation["reservationId"]).status_code == 410


def test_a_reservation_can_be_confirmed_only_once(qm: Qmatic) -> None:
    reservation = reserve_passport(qm)
    assert confirm_passport(qm, reservation["reservationId"]).status_code == 201
    again = confirm_passport(qm, reservation["reservationId"])
    assert again.status_code == 410
    assert again.json()["code"] == "reservation_not_pending"


def test_a_reservation_can_be_given_up_at_once(qm: Qmatic) -> None:
    reservation = reserve_passport(qm)
    released = qm.delete(f"reservations/{reservation['reservationId']}")
    assert released.status_code == 204
    assert MONDAY_9 in desk1_starts(qm)
    assert qm.delete(f"reservations/{reservation['reservationId']}").status_code == 410
    assert confirm_passport(qm, reservation["reservationId"]).status_code == 410


def test_unknown_reservation_is_404(qm: Qmatic) -> None:
    response = confirm_passport(qm, "3fa85f64-5717-4562-b3fc-2c963f66afa6")
    assert response.status_code == 404
    assert response.json()["code"] == "reservation_not_found"


def test_a_reservation_is_not_an_appointment_until_confirmed(qm: Qmatic) -> None:
    reservation = reserve_passport(qm)
    path = f"appointments/{reservation['reservationId']}"
    assert qm.get(path).status_code == 404
    assert qm.delete(path).status_code == 404
    assert MONDAY_9 not in desk1_starts(qm)


def test_services_not_bookable_online_need_an_internal_key(make_qmatic: MakeQmatic) -> None:
    public = make_qmatic()
    body = {
        "serviceId": public.service_id("Counter appointment"),
        "branchId": public.branch_id("North Office"),
        "timeSlot": {"startTime": MONDAY_9},
    }
    slots = public.slots(body["serviceId"], body["branchId"])
    assert slots[0]["startTime"] == MONDAY_9  # listed, with its time slots
    refused = public.reserve(body)
    assert refused.status_code == 403
    assert refused.json()["code"] == "not_bookable_online"
    desk = public.as_tenant("acme", DESK_KEY)
    accepted = desk.reserve(body)
    assert accepted.status_code == 201, accepted.text
    # Nor can a public key finish what an internal key started.
    taken_over = public.put(
        f"reservations/{accepted.json()['reservationId']}", json={"customer": customer()}
    )
    assert (taken_over.status_code, taken_over.json()["code"]) == (403, "not_bookable_online")
    confirmed = desk.put(
        f"reservations/{accepted.json()['reservationId']}", json={"customer": customer()}
    )
    assert confirmed.status_code == 201


def test_a_group_session_takes_reservations_until_it_is_full(make_qmatic: MakeQmatic) -> None:
    from tests.api.qmatic.conftest import qmatic_catalog

    catalog = qmatic_catalog()
    catalog["tenants"][0]["services"].append(
        {
            "id": "workshop",
            "name": "Citizenship workshop",
            "duration": 60,
            "slot_step": 60,
            "capacity": 5,
            "branches": ["north"],
            "resources": ["room-1"],
        }
    )
    qm = make_qmatic(catalog)
    workshop, north = qm.service_id("Citizenship workshop"), qm.branch_id("North Office")
    offer = next(o for o in qm.offers() if o["service"]["id"] == workshop)
    assert offer["service"]["config"]["maxNumberOfReservations"] == 5
    body = {"serviceId": workshop, "branchId": north, "timeSlot": {"startTime": MONDAY_9}}
    first = qm.reserve({**body, "numberOfReservations": 3})
    assert first.status_code == 201
    assert first.json()["timeSlot"]["endTime"] == "2030-03-04T10:00:00+01:00"
    starts = [s["startTime"] for s in qm.slots(workshop, north, numberOfReservations=2)]
    assert MONDAY_9 in starts
    assert MONDAY_9 not in [
        s["startTime"] for s in qm.slots(workshop, north, numberOfReservations=3)
    ]
    assert qm.reserve({**body, "numberOfReservations": 2}).status_code == 201
    full = qm.reserve(body)
    assert full.status_code == 409
    assert full.json()["code"] == "timeslot_not_available"
