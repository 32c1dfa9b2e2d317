"""Customer and appointment filters ignore case in every script, on every database."""

from __future__ import annotations

from typing import Any

from tests.api.onsched.conftest import OnSched


def _found(api: OnSched, path: str, **params: Any) -> list[str]:
    response = api.staff.get(path, **params)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["data"]]


def test_names_and_addresses_outside_ascii_are_found_in_any_case(api: OnSched) -> None:
    created = api.post(
        "customers", {"firstname": "Émile", "lastname": "Ångström", "email": "Émile@Exämple.com"}
    )
    assert created.status_code == 200, created.text
    emile = created.json()["id"]
    booked = api.hold(
        "Consultation",
        "2030-03-05T10:00:00+01:00",
        "2030-03-05T10:30:00+01:00",
        customerId=emile,
        completeBooking="BK",
    )
    assert booked.status_code == 200, booked.text
    for spelling in ("Ångström", "ångström", "ÅNGSTRÖM"):
        assert _found(api, "customers", lastname=spelling) == [emile]
        assert _found(api, "appointments", lastname=spelling) == [booked.json()["id"]]
    for spelling in ("Émile@Exämple.com", "émile@exämple.com"):
        assert _found(api, "customers", email=spelling) == [emile]
    assert _found(api, "customers", lastname="Angstrom") == []
