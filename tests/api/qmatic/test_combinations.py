"""Several services in one appointment: slots, reservation, confirmation, rescheduling."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.qmatic.conftest import Qmatic, customer

NINE = "2030-03-04T09:00:00+01:00"
TEN = "2030-03-04T10:00:00+01:00"


def _ids(qm: Qmatic) -> tuple[str, str, str]:
    return (
        qm.service_id("ID card"),
        qm.service_id("Birth registration"),
        qm.branch_id("North Office"),
    )


def _combo_starts(qm: Qmatic, people: int = 1) -> list[str]:
    idcard, birth, north = _ids(qm)
    response = qm.get(
        "serviceCombination/timeslots",
        params={
            "branchId": north,
            "serviceIds": f"{idcard},{birth}",
            "numberOfReservations": people,
            "startDate": "2030-03-04",
            "endDate": "2030-03-04",
        },
    )
    assert response.status_code == 200, response.text
    return [s["startTime"] for s in response.json()]


def _reserve(qm: Qmatic, start: str, *services: str, people: int = 1) -> Any:
    idcard, birth, north = _ids(qm)
    chosen = list(services) or [birth, idcard]
    return qm.post(
        "serviceCombination/reservations",
        json={
            "serviceIds": chosen,
            "branchId": north,
            "timeSlot": {"startTime": start},
            "numberOfReservations": people,
        },
    )


def _book(qm: Qmatic, start: str, people: int = 1) -> dict[str, Any]:
    reservation = _reserve(qm, start, people=people)
    assert reservation.status_code == 201, reservation.text
    person = customer()
    del person["dateOfBirth"]
    done = qm.put(
        f"serviceCombination/reservations/{reservation.json()['reservationId']}",
        json={"customer": person},
    )
    assert done.status_code == 201, done.text
    result: dict[str, Any] = done.json()
    return result


def test_timeslots_for_two_services_last_as_long_as_both(qm: Qmatic) -> None:
    idcard, birth, north = _ids(qm)
    response = qm.get(
        "serviceCombination/timeslots", params={"branchId": north, "serviceIds": [idcard, birth]}
    )
    assert response.status_code == 200
    first = response.json()[0]
    assert first == {"startTime": NINE, "endTime": "2030-03-04T09:30:00+01:00"}
    assert "2030-03-04T11:30:00+01:00" in [s["startTime"] for s in response.json()]
    assert "2030-03-04T11:40:00+01:00" not in [s["startTime"] for s in response.json()]


def test_a_combination_is_booked_read_found_and_cancelled(qm: Qmatic) -> None:
    idcard, birth, _ = _ids(qm)
    appointment = _book(qm, NINE, people=2)
    assert appointment["timeSlot"] == {
        "startTime": NINE,
        "endTime": "2030-03-04T09:30:00+01:00",  # 10 + 20 minutes, no extra time per person
    }
    # Catalog order, whatever order the client sent.
    assert [s["id"] for s in appointment["services"]] == [idcard, birth]
    assert appointment["service"]["id"] == idcard
    assert appointment["numberOfReservations"] == 2

    path = f"serviceCombination/appointments/{appointment['appointmentId']}"
    read = qm.get(path, headers={"Accept-Language": "nl-NL"})
    assert read.status_code == 200
    assert [s["name"] for s in read.json()["services"]] == ["ID-kaart", "Birth registration"]
    assert qm.get(f"appointments/{appointment['appointmentId']}").status_code == 200

    identifier = {"customer": {"personalIdentifier": "JANSEN1234567"}}
    everything = qm.post("serviceCombination/appointments/search", json=identifier)
    assert [a["appointmentId"] for a in everything.json()] == [appointment["appointmentId"]]
    by_query = qm.get(
        "serviceCombination/appointments/search", params={"personalIdentifier": "JANSEN1234567"}
    )
    assert len(by_query.json()) == 1
    # The single-service search leaves appointments with several services out.
    assert qm.post("appointments/search", json=identifier).json() == []

    assert NINE not in _combo_starts(qm)
    assert qm.delete(f"appointments/{appointment['appointmentId']}").status_code == 204
    assert qm.get(path).status_code == 404
    assert NINE in _combo_starts(qm)


def test_reschedule_moves_the_appointment_into_a_new_reservation(qm: Qmatic) -> None:
    appointment = _book(qm, NINE)
    new = _reserve(qm, TEN)
    assert new.status_code == 201
    path = f"serviceCombination/appointments/{appointment['appointmentId']}"
    moved = qm.put(f"{path}/reschedule", json={"reservationId": new.json()["reservationId"]})
    assert moved.status_code == 200, moved.text
    body = moved.json()
    assert body["appointmentId"] == appointment["appointmentId"]
    assert body["timeSlot"]["startTime"] == TEN
    assert body["customer"] == appointment["customer"]
    assert qm.get(path).json()["timeSlot"]["startTime"] == TEN
    starts = _combo_starts(qm)
    assert NINE in starts  # the old slot is free again
    assert TEN not in starts
    # The reservation is used up: it can be neither confirmed nor used again.
    used = qm.put(
        f"serviceCombination/reservations/{new.json()['reservationId']}",
        json={"customer": customer()},
    )
    assert used.status_code == 410
    again = qm.put(f"{path}/reschedule", json={"reservationId": new.json()["reservationId"]})
    assert (again.status_code, again.json()["code"]) == (410, "reservation_not_pending")


def test_single_service_appointments_reschedule_the_same_way(qm: Qmatic) -> None:
    idcard, _, north = _ids(qm)
    body = {"serviceId": idcard, "branchId": north, "timeSlot": {"startTime": NINE}}
    first = qm.post("reservations", json=body).json()
    person = customer()
    del person["dateOfBirth"]
    qm.put(f"reservations/{first['reservationId']}", json={"customer": person})
    later = qm.post("reservations", json={**body, "timeSlot": {"startTime": TEN}}).json()
    moved = qm.put(
        f"appointments/{first['reservationId']}/reschedule",
        json={"reservationId": later["reservationId"]},
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["timeSlot"]["startTime"] == TEN


@pytest.mark.parametrize("kind", ["other services", "other people"])
def test_reschedule_refuses_a_reservation_for_something_else(qm: Qmatic, kind: str) -> None:
    idcard, _, _ = _ids(qm)
    appointment = _book(qm, NINE)
    new = _reserve(qm, TEN, idcard) if kind == "other services" else _reserve(qm, TEN, people=2)
    assert new.status_code == 201, new.text
    path = f"serviceCombination/appointments/{appointment['appointmentId']}"
    refused = qm.put(f"{path}/reschedule", json={"reservationId": new.json()["reservationId"]})
    assert refused.status_code == 400
    assert "reservationId" in refused.json()["message"]
    assert qm.get(path).json()["timeSlot"]["startTime"] == NINE
    assert TEN not in _combo_starts(qm)  # the reservation still holds its slot


@pytest.mark.parametrize(
    ("body", "status", "needle"),
    [
        ({}, 400, "reservationId"),
        ({"reservationId": "later"}, 400, "reservationId"),
        ({"reservationId": "3fa85f64-5717-4562-b3fc-2c963f66afa6"}, 404, "reservation"),
    ],
)
def test_reschedule_needs_a_known_reservation(
    qm: Qmatic, body: dict[str, Any], status: int, needle: str
) -> None:
    appointment = _book(qm, NINE)
    path = f"serviceCombination/appointments/{appointment['appointmentId']}/reschedule"
    response = qm.put(path, json=body)
    assert response.status_code == status
    assert needle in response.json()["message"]


def test_reschedule_of_an_unknown_appointment_is_404(qm: Qmatic) -> None:
    new = _reserve(qm, TEN)
    response = qm.put(
        "serviceCombination/appointments/3fa85f64-5717-4562-b3fc-2c963f66afa6/reschedule",
        json={"reservationId": new.json()["reservationId"]},
    )
    assert response.status_code == 404
    assert response.json()["code"] == "appointment_not_found"


def test_services_that_are_not_a_combination_cannot_be_booked_together(qm: Qmatic) -> None:
    idcard, _, north = _ids(qm)
    licence = qm.service_id("Driving licence")
    refused = _reserve(qm, NINE, idcard, licence)
    assert refused.status_code == 400
    assert "serviceIds" in refused.json()["message"]
    twice = _reserve(qm, NINE, idcard, idcard)
    assert twice.status_code == 400
    slots = qm.get(
        "serviceCombination/timeslots",
        params={"branchId": north, "serviceIds": f"{idcard},{licence}"},
    )
    assert slots.status_code == 400
    assert "serviceIds" in slots.json()["message"]


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        ({}, "serviceIds"),
        ({"serviceIds": ""}, "serviceIds"),
        ({"serviceIds": "idcard,birth"}, "serviceIds"),
        ({"serviceIds": ",".join(["3fa85f64-5717-4562-b3fc-2c963f66afa6"] * 21)}, "serviceIds"),
    ],
)
def test_combination_timeslots_need_service_ids(
    qm: Qmatic, params: dict[str, str], needle: str
) -> None:
    response = qm.get(
        "serviceCombination/timeslots", params={"branchId": qm.branch_id("North Office"), **params}
    )
    assert response.status_code == 400
    assert needle in response.json()["message"]


def test_a_combination_at_a_branch_without_one_of_its_services_is_404(qm: Qmatic) -> None:
    idcard, birth, _ = _ids(qm)
    south = qm.branch_id("South Office")
    response = qm.get(
        "serviceCombination/timeslots",
        params={"branchId": south, "serviceIds": f"{idcard},{birth}"},
    )
    assert response.status_code == 404


def test_combination_people_are_limited_by_the_strictest_service(qm: Qmatic) -> None:
    refused = _reserve(qm, NINE, people=4)
    assert refused.status_code == 400
    assert "numberOfReservations" in refused.json()["message"]
