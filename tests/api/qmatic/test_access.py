"""Tenants and API keys: every request names its tenant and carries that tenant's key."""

from __future__ import annotations

import pytest

from tests.api.qmatic.conftest import OTHER_KEY, PUBLIC_KEY, Qmatic, customer

UNKNOWN = "3fa85f64-5717-4562-b3fc-2c963f66afa6"


def test_without_a_tenant_header_the_key_names_the_tenant(qm: Qmatic) -> None:
    response = qm.client.get("/external/v1/services", headers={"X-API-KEY": PUBLIC_KEY})
    assert response.status_code == 200
    assert response.json() == qm.as_tenant("acme", PUBLIC_KEY).get("services").json()


def test_without_a_tenant_header_or_a_key_it_is_400(qm: Qmatic) -> None:
    response = qm.client.get("/external/v1/services")
    assert response.status_code == 400
    assert response.json() == {
        "code": "tenant_required",
        "message": "The X-TENANT-ID header is required",
    }
    wrong = qm.client.get("/external/v1/services", headers={"X-API-KEY": "wrong-key-9999"})
    assert wrong.status_code == 401


def test_an_unknown_tenant_is_404(qm: Qmatic) -> None:
    response = qm.as_tenant("nowhere", PUBLIC_KEY).get("services")
    assert response.status_code == 404
    assert response.json()["code"] == "tenant_not_found"


@pytest.mark.parametrize("key", [None, "wrong-key-9999"])
def test_no_key_or_a_wrong_key_is_401(qm: Qmatic, key: str | None) -> None:
    response = qm.as_tenant("acme", key).get("services")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


def test_another_tenants_key_is_403(qm: Qmatic) -> None:
    response = qm.as_tenant("acme", OTHER_KEY).get("services")
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_a_bearer_token_works_like_an_api_key(qm: Qmatic) -> None:
    response = qm.as_tenant("acme", None).get(
        "services", headers={"Authorization": f"Bearer {PUBLIC_KEY}"}
    )
    assert response.status_code == 200


def test_keys_are_checked_before_anything_is_stored(qm: Qmatic) -> None:
    anonymous = qm.as_tenant("acme", None)
    body = {
        "serviceId": qm.service_id("ID card"),
        "branchId": qm.branch_id("North Office"),
        "timeSlot": {"startTime": "2030-03-04T09:00:00+01:00"},
    }
    assert anonymous.post("reservations", json=body).status_code == 401
    assert qm.post("reservations", json=body).status_code == 201


def test_one_tenant_cannot_see_or_touch_another_tenants_objects(qm: Qmatic) -> None:
    idcard, north = qm.service_id("ID card"), qm.branch_id("North Office")
    body = {
        "serviceId": idcard,
        "branchId": north,
        "timeSlot": {"startTime": "2030-03-04T09:00:00+01:00"},
    }
    reservation = qm.post("reservations", json=body).json()["reservationId"]
    person = customer()
    qm.put(f"reservations/{reservation}", json={"customer": person})

    other = qm.as_tenant("other", OTHER_KEY)
    assert other.get(f"services/{idcard}").status_code == 404
    assert other.get(f"services/{idcard}/timeslots", params={"branchId": north}).status_code == 404
    assert other.post("reservations", json=body).status_code == 404
    assert other.get(f"appointments/{reservation}").status_code == 404
    assert other.get(f"serviceCombination/appointments/{reservation}").status_code == 404
    assert other.delete(f"appointments/{reservation}").status_code == 404
    assert other.put(f"appointments/{reservation}/customer", json=person).status_code == 404
    assert other.put(f"reservations/{reservation}", json={"customer": person}).status_code == 404
    found = other.get("appointments/search", params={"personalIdentifier": "JANSEN1234567"})
    assert found.json() == []
    # Still there, unchanged, for its own tenant.
    assert qm.get(f"appointments/{reservation}").status_code == 200


def test_the_other_tenant_books_its_own_service_with_its_own_ids(qm: Qmatic) -> None:
    other = qm.as_tenant("other", OTHER_KEY)
    [offer] = other.offers()
    assert offer["service"]["id"] != qm.service_id("Passport")
    slots = other.slots(offer["service"]["id"], offer["branch"]["id"])
    reserved = other.post(
        "reservations",
        json={
            "serviceId": offer["service"]["id"],
            "branchId": offer["branch"]["id"],
            "timeSlot": slots[0],
        },
    )
    assert reserved.status_code == 201
    assert qm.put(f"reservations/{reserved.json()['reservationId']}", json={}).status_code == 404


def test_unknown_paths_and_methods_answer_in_the_error_format(qm: Qmatic) -> None:
    missing = qm.get("nothing/here")
    assert missing.status_code == 404
    assert set(missing.json()) == {"code", "message"}
    wrong = qm.request("PATCH", "services")
    assert wrong.status_code == 405
    assert wrong.json()["code"] == "method_not_allowed"


def test_unknown_appointment_ids_are_404(qm: Qmatic) -> None:
    for path in (f"appointments/{UNKNOWN}", f"serviceCombination/appointments/{UNKNOWN}"):
        response = qm.get(path)
        assert response.status_code == 404
        assert response.json()["code"] == "appointment_not_found"
    assert qm.get("appointments/12345").status_code == 400
