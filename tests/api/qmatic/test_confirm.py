"""Confirming a reservation, and what a customer does with the appointment afterwards."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.qmatic.conftest import (
    MONDAY_9,
    Qmatic,
    confirm_passport,
    customer,
    passport_answers,
    reserve_passport,
)

# --- confirmation rules ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "needle"),
    [
        ({"personalIdentifier": None}, "customer.personalIdentifier"),
        ({"personalIdentifier": "ABC123456"}, "customer.personalIdentifier"),
        ({"personalIdentifier": "A" * 49}, "customer.personalIdentifier"),
        ({"personalIdentifier": "JANSEN-12345"}, "customer.personalIdentifier"),
        ({"personalIdentifier": 12345678901}, "customer.personalIdentifier"),
        ({"personalIdentifier": "JANSEN1234567\n"}, "customer.personalIdentifier"),
        ({"firstName": None}, "customer.firstName"),
        ({"firstName": "  "}, "customer.firstName"),
        ({"firstName": "A" * 256}, "customer.firstName"),
        ({"lastName": ""}, "customer.lastName"),
        ({"lastName": "B" * 256}, "customer.lastName"),
        ({"email": None}, "customer.email"),
        ({"email": "anna.example.com"}, "customer.email"),
        ({"email": "a@b"}, "customer.email"),
        ({"email": "a" * 250 + "@x.com"}, "customer.email"),
        ({"phoneNumber": "1" * 256}, "customer.phoneNumber"),
        ({"phoneNumber": ["0612"]}, "customer.phoneNumber"),
        ({"dateOfBirth": None}, "customer.dateOfBirth"),
        ({"dateOfBirth": "17-05-1990"}, "customer.dateOfBirth"),
        ({"dateOfBirth": "1990-02-30"}, "customer.dateOfBirth"),
        ({"dateOfBirth": "2031-01-01"}, "customer.dateOfBirth"),
    ],
)
def test_confirm_refuses_invalid_customer_fields_and_keeps_the_reservation(
    qm: Qmatic, fields: dict[str, Any], needle: str
) -> None:
    reservation = reserve_passport(qm)
    person = {k: v for k, v in customer(**fields).items() if v is not None}
    refused = confirm_passport(qm, reservation["reservationId"], customer=person)
    assert refused.status_code == 400, refused.text
    assert needle in refused.json()["message"]
    assert (
        qm.get("appointments/search", params={"personalIdentifier": "JANSEN1234567"}).json() == []
    )
    assert confirm_passport(qm, reservation["reservationId"]).status_code == 201


@pytest.mark.parametrize(
    ("given", "needle"),
    [
        ([], "must be answered"),
        ([{"id": "remarks", "answer": "x"}], "must be answered"),
        ([{"id": "reason", "answer": "   "}], "must be answered"),
        ([{"id": "reason", "answer": "x" * 2049}], "informationQuestions.0.answer"),
        ([{"id": "reason", "answer": "a"}, {"id": "nope", "answer": "b"}], "[1].id"),
        ([{"id": "reason", "answer": "a"}, {"id": "reason", "answer": "b"}], "twice"),
        ([{"id": "reason", "answer": 42}], "informationQuestions.0.answer"),
        ([{"answer": "a"}], "informationQuestions.0.id"),
        ("reason", "informationQuestions"),
    ],
)
def test_confirm_checks_the_information_questions(qm: Qmatic, given: Any, needle: str) -> None:
    reservation = reserve_passport(qm)
    refused = confirm_passport(qm, reservation["reservationId"], informationQuestions=given)
    assert refused.status_code == 400, refused.text
    assert needle in refused.json()["message"]
    assert confirm_passport(qm, reservation["reservationId"]).status_code == 201


def test_answers_may_name_the_question_by_catalog_id_and_reach_2048_characters(
    qm: Qmatic,
) -> None:
    reservation = reserve_passport(qm)
    chosen = [{"id": "reason", "answer": "x" * 2048}, {"id": "remarks", "answer": ["a", "b"]}]
    done = confirm_passport(qm, reservation["reservationId"], informationQuestions=chosen)
    assert done.status_code == 201, done.text


def test_customer_fields_may_come_at_the_top_level(qm: Qmatic) -> None:
    reservation = reserve_passport(qm)
    body = {**customer(phoneNumber=612345678), "informationQuestions": passport_answers(qm)}
    done = qm.put(f"reservations/{reservation['reservationId']}", json=body)
    assert done.status_code == 201, done.text
    assert done.json()["customer"]["phoneNumber"] == "612345678"
    assert done.json()["customer"]["personalIdentifier"] == "JANSEN1234567"


def test_date_of_birth_is_optional_when_the_service_does_not_ask_for_it(qm: Qmatic) -> None:
    body = {
        "serviceId": qm.service_id("ID card"),
        "branchId": qm.branch_id("North Office"),
        "timeSlot": {"startTime": MONDAY_9},
    }
    reservation = qm.reserve(body).json()
    person = customer()
    del person["dateOfBirth"], person["phoneNumber"]
    done = qm.put(f"reservations/{reservation['reservationId']}", json={"customer": person})
    assert done.status_code == 201, done.text
    assert done.json()["customer"]["dateOfBirth"] is None
    assert done.json()["resource"] is None


def test_a_missing_customer_is_named_in_the_error(qm: Qmatic) -> None:
    reservation = reserve_passport(qm)
    refused = qm.put(f"reservations/{reservation['reservationId']}", json={})
    assert refused.status_code == 400
    assert "customer.personalIdentifier is required" in refused.json()["message"]


# --- after booking ------------------------------------------------------------------------------


def _booked(qm: Qmatic, start: str = MONDAY_9) -> str:
    reservation = reserve_passport(qm, start)
    done = confirm_passport(qm, reservation["reservationId"])
    assert done.status_code == 201
    appointment_id: str = done.json()["appointmentId"]
    return appointment_id


def test_updating_the_customer_checks_the_fields_and_keeps_the_rest(qm: Qmatic) -> None:
    path = f"appointments/{_booked(qm)}/customer"
    assert qm.put(path, json={"customer": {"email": "not-an-address"}}).status_code == 400
    assert qm.put(path, json={"customer": {}}).status_code == 400
    assert qm.put(path, json={"dateOfBirth": "2999-01-01"}).status_code == 400
    unchanged = qm.get(path.removesuffix("/customer")).json()["customer"]
    assert unchanged["email"] == "anna@example.com"
    moved = qm.put(
        path, json={"customer": {"personalIdentifier": "NEWID0987654", "lastName": "Vos"}}
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["customer"] == {
        **unchanged,
        "personalIdentifier": "NEWID0987654",
        "lastName": "Vos",
    }
    old = qm.get("appointments/search", params={"personalIdentifier": "JANSEN1234567"})
    new = qm.get("appointments/search", params={"personalIdentifier": "NEWID0987654"})
    assert old.json() == []
    assert [a["customer"]["lastName"] for a in new.json()] == ["Vos"]


def test_a_cancelled_appointment_cannot_be_changed(qm: Qmatic) -> None:
    appointment_id = _booked(qm)
    assert qm.delete(f"appointments/{appointment_id}").status_code == 204
    response = qm.put(f"appointments/{appointment_id}/customer", json={"firstName": "Bo"})
    assert response.status_code == 404


def test_search_finds_every_appointment_of_the_person_in_time_order(qm: Qmatic) -> None:
    later = _booked(qm, "2030-03-05T10:00:00+01:00")
    sooner = _booked(qm, MONDAY_9)
    found = qm.post("appointments/search", json={"personalIdentifier": "JANSEN1234567"})
    assert [a["appointmentId"] for a in found.json()] == [sooner, later]


@pytest.mark.parametrize(
    ("method", "params", "body"),
    [
        ("GET", None, None),
        ("POST", None, {}),
        ("POST", None, {"customer": {}}),
        ("GET", {"personalIdentifier": "short"}, None),
        ("POST", None, {"customer": {"personalIdentifier": "has spaces 123"}}),
        ("POST", None, {"customer": "JANSEN1234567"}),
    ],
)
def test_search_needs_a_valid_personal_identifier(
    qm: Qmatic, method: str, params: Any, body: Any
) -> None:
    response = qm.request(method, "appointments/search", params=params, json=body)
    assert response.status_code == 400, response.text
    assert (
        "personalIdentifier" in response.json()["message"]
        or "customer" in (response.json()["message"])
    )


def test_search_for_an_unknown_person_is_empty(qm: Qmatic) -> None:
    response = qm.get("appointments/search", params={"personalIdentifier": "NOBODY00000000"})
    assert response.status_code == 200
    assert response.json() == []
