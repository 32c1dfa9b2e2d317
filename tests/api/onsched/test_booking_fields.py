"""Booking fields: a service's questions and required date of birth, as OnSched clients send them."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest
from fastapi import FastAPI

from slotbook.domain.model import Appointment
from slotbook.services.catalog import tenant_catalog
from slotbook.services.queries import get_appointment
from tests.api.onsched.conftest import MakeClient, OnSched, catalog

NINE, NINE_30 = "2030-03-04T09:00:00+01:00", "2030-03-04T09:30:00+01:00"
TEN, TEN_30 = "2030-03-04T10:00:00+01:00", "2030-03-04T10:30:00+01:00"
ADA = {"name": "Ada Lovelace", "email": "ada@example.com"}
REASON = {"name": "reason", "value": "Renewal"}
BORN = {"name": "dateOfBirth", "value": "1936-12-10"}
BORN_1950 = {"name": "dateOfBirth", "value": "1950-12-10"}


def _asking() -> dict[str, Any]:
    """The test catalog; Consultation asks a required and an optional question and a birth date."""
    found = catalog()
    services = copy.deepcopy(found["tenants"][0]["services"])
    services[0]["date_of_birth_required"] = True
    services[0]["information_questions"] = [
        {"id": "reason", "text": "Reason of visit", "required": True},
        {"id": "remark", "text": "Anything else?"},
    ]
    found["tenants"][0]["services"] = services
    return found


@pytest.fixture
def asking(make_client: MakeClient) -> OnSched:
    return OnSched(make_client(_asking()))


def _stored(api: OnSched, appointment_id: str) -> Appointment:
    app = api.client.app
    assert isinstance(app, FastAPI)
    slotbook = app.state.slotbook
    return get_appointment(slotbook, tenant_catalog(slotbook, "acme"), ("digits", appointment_id))


def _refused(found: Any, *words: str) -> str:
    assert found.status_code == 400, found.text
    message: str = found.json()["message"]
    for word in words:
        assert word in message, message
    return message


def test_booking_without_the_answers_and_birth_date_names_both_fields(asking: OnSched) -> None:
    found = asking.hold("Consultation", NINE, NINE_30, completeBooking="BK", **ADA)
    _refused(found, "customerBookingFields.dateOfBirth", 'question "reason"')
    only_answer = asking.hold(
        "Consultation",
        NINE,
        NINE_30,
        completeBooking="BK",
        appointmentBookingFields=[REASON],
        **ADA,
    )
    _refused(only_answer, "customerBookingFields.dateOfBirth")
    only_birth = asking.hold(
        "Consultation", NINE, NINE_30, completeBooking="BK", customerBookingFields=[BORN], **ADA
    )
    _refused(only_birth, "appointmentBookingFields", 'question "reason"')
    assert NINE in [t["startDateTime"] for t in asking.times("Consultation", "2030-03-04")]


def test_complete_booking_stores_the_answers_and_the_birth_date(asking: OnSched) -> None:
    found = asking.hold(
        "Consultation",
        NINE,
        NINE_30,
        completeBooking="BK",
        appointmentBookingFields=[REASON, {"name": "remark", "value": " "}],
        customerBookingFields=[BORN],
        **ADA,
    )
    assert found.status_code == 200, found.text
    assert found.json()["status"] == "BK"
    stored = _stored(asking, found.json()["id"])
    assert stored.answers == {"reason": "Renewal"}
    assert stored.customers[0].date_of_birth == date(1936, 12, 10)


def test_a_hold_is_booked_with_its_fields_and_keeps_those_given_before(asking: OnSched) -> None:
    held = asking.hold("Consultation", NINE, NINE_30, appointmentBookingFields=[REASON])
    assert held.status_code == 200, held.text
    appointment = held.json()["id"]
    lacking = asking.put(f"appointments/{appointment}/book", ADA)
    _refused(lacking, "customerBookingFields.dateOfBirth")
    booked = asking.put(
        f"appointments/{appointment}/book", {**ADA, "customerBookingFields": [BORN_1950]}
    )
    assert booked.status_code == 200, booked.text
    assert booked.json()["status"] == "BK"
    stored = _stored(asking, appointment)
    assert stored.answers == {"reason": "Renewal"}
    assert stored.customers[0].date_of_birth == date(1950, 12, 10)


def test_a_reservation_is_confirmed_with_its_fields(asking: OnSched) -> None:
    reserved = asking.hold("Consultation", TEN, TEN_30, completeBooking="RS", **ADA)
    assert reserved.status_code == 200, reserved.text
    appointment = reserved.json()["id"]
    _refused(asking.put(f"appointments/{appointment}/confirm", {}), "dateOfBirth")
    fields = {"appointmentBookingFields": [REASON], "customerBookingFields": [BORN]}
    confirmed = asking.put(f"appointments/{appointment}/confirm", fields)
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "BK"
    assert confirmed.json()["name"] == "Ada Lovelace"  # the customer stays
    assert _stored(asking, appointment).customers[0].date_of_birth == date(1936, 12, 10)


def test_a_known_customer_is_booked_with_a_birth_date(asking: OnSched) -> None:
    person = {"firstname": "Ada", "lastname": "Lovelace", "email": "ada@example.com"}
    known = asking.post("customers", person).json()["id"]
    found = asking.hold(
        "Consultation",
        NINE,
        NINE_30,
        completeBooking="BK",
        customerId=known,
        appointmentBookingFields=[REASON],
        customerBookingFields=[BORN],
    )
    assert found.status_code == 200, found.text
    assert found.json()["email"] == "ada@example.com"
    assert _stored(asking, found.json()["id"]).customers[0].date_of_birth == date(1936, 12, 10)


def test_question_ids_may_be_the_questions_public_ids(asking: OnSched) -> None:
    app = asking.client.app
    assert isinstance(app, FastAPI)
    service = tenant_catalog(app.state.slotbook, "acme").service("consult")
    question = service.information_questions[0]
    for name in (question.ids.digits, question.ids.uuid.upper()):
        held = asking.hold(
            "Consultation",
            NINE,
            NINE_30,
            appointmentBookingFields=[{"name": name, "value": "Lost"}],
        )
        assert held.status_code == 200, held.text
        assert _stored(asking, held.json()["id"]).answers == {"reason": "Lost"}
        assert asking.delete(f"appointments/{held.json()['id']}").status_code == 200


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        (
            {"appointmentBookingFields": [{"name": "colour", "value": "red"}]},
            ["appointmentBookingFields[0].name", "'colour'"],
        ),
        (
            {"appointmentBookingFields": [REASON, {"name": "reason", "value": "x"}]},
            ["appointmentBookingFields[1].name", "twice"],
        ),
        (
            {"customerBookingFields": [BORN, {"name": "shoeSize", "value": "42"}]},
            ["customerBookingFields[1].name", "'shoeSize'", "dateOfBirth"],
        ),
        (
            {"customerBookingFields": [{"name": "dateOfBirth", "value": "10-12-1936"}]},
            ["customerBookingFields.dateOfBirth", "YYYY-MM-DD"],
        ),
        (
            {"customerBookingFields": [{"name": "dateOfBirth", "value": "1936-02-30"}]},
            ["customerBookingFields.dateOfBirth", "not a date of the calendar"],
        ),
        (
            {"customerBookingFields": [{"name": "dateOfBirth", "value": "2031-01-01"}]},
            ["customerBookingFields.dateOfBirth", "future"],
        ),
        (
            {"customerBookingFields": [{"name": "dateOfBirth", "value": "1815-12-10"}]},
            ["customerBookingFields.dateOfBirth", "from 1900"],
        ),
        ({"customerBookingFields": [{"value": "1936-12-10"}]}, ["customerBookingFields.0.name"]),
        ({"appointmentBookingFields": {"reason": "x"}}, ["appointmentBookingFields"]),
    ],
)
def test_unknown_or_malformed_booking_fields_are_refused(
    asking: OnSched, fields: dict[str, Any], words: list[str]
) -> None:
    found = asking.hold("Consultation", NINE, NINE_30, completeBooking="BK", **ADA, **fields)
    _refused(found, *words)
    held = asking.hold("Consultation", NINE, NINE_30)
    assert held.status_code == 200, held.text  # nothing was stored
    _refused(asking.put(f"appointments/{held.json()['id']}/book", {**ADA, **fields}), *words)


def test_services_without_questions_refuse_answers_but_book_without(api: OnSched) -> None:
    found = api.hold("Consultation", NINE, NINE_30, appointmentBookingFields=[REASON])
    _refused(found, "appointmentBookingFields[0].name", "not a question of this service")
    booked = api.hold("Consultation", NINE, NINE_30, completeBooking="BK", **ADA)
    assert booked.status_code == 200, booked.text
