"""One appointment store behind every surface: what one API books, the others see and change."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.api.surfaces import (
    DAY,
    DESK_KEY,
    ORCHESTRA,
    PERSON,
    QMATIC,
    catalog,
    qmatic_confirm,
    qmatic_ids,
    qmatic_reserve,
)


@pytest.fixture
def client(make_client: Callable[[dict[str, Any]], TestClient]) -> TestClient:
    """The whole server over the shared catalog, seen by the organisation's desk (staff key):
    these tests follow one booking across surfaces, lists included."""
    client = make_client(catalog(api_keys=[{"key": DESK_KEY, "scope": "staff"}]))
    client.headers["X-API-KEY"] = DESK_KEY
    return client


def orchestra_book(
    client: TestClient, service: str, time: str, external_id: str = PERSON, people: int = 1
) -> Any:
    customers = [{"externalId": external_id, "firstName": "Ann", "lastName": "Lee"}]
    customers += [{"firstName": f"Guest {i}"} for i in range(people - 1)]
    response = client.post(
        f"{ORCHESTRA}/v2/branches/north/services/{service}/dates/{DAY}/times/{time}/book",
        json={"customers": customers},
    )
    assert response.status_code == 200, response.text
    return response.json()


def orchestra_times(client: TestClient, service: str) -> list[str]:
    return list(
        client.get(f"{ORCHESTRA}/v1/branches/north/services/{service}/dates/{DAY}/times").json()[
            "times"
        ]
    )


def test_orchestra_booking_is_found_and_cancelled_through_qmatic(client: TestClient) -> None:
    booked = orchestra_book(client, "passport", "09:00")
    found = client.get(
        f"{QMATIC}/appointments/search",
        params={"personalIdentifier": PERSON},
        headers={"X-TENANT-ID": "acme"},
    ).json()
    assert len(found) == 1
    assert found[0]["timeSlot"]["startTime"] == f"{DAY}T09:00:00+01:00"
    cancelled = client.delete(
        f"{QMATIC}/appointments/{found[0]['appointmentId']}", headers={"X-TENANT-ID": "acme"}
    )
    assert cancelled.status_code == 204
    assert (
        client.get(f"{ORCHESTRA}/v1/appointments/{booked['publicId']}").headers["ERROR_CODE"]
        == "142"
    )
    assert "09:00" in orchestra_times(client, "passport")


def test_a_qmatic_search_shows_the_customer_it_searched_for(client: TestClient) -> None:
    response = client.post(
        f"{ORCHESTRA}/v2/branches/north/services/passport/dates/{DAY}/times/09:00/book",
        json={
            "customers": [
                {"externalId": "PARENT0000001", "firstName": "Ann", "lastName": "Lee"},
                {"externalId": "CHILD00000001", "firstName": "Bo", "lastName": "Lee"},
            ]
        },
    )
    assert response.status_code == 200, response.text
    for person, first_name in (("CHILD00000001", "Bo"), ("PARENT0000001", "Ann")):
        listed = client.get(
            f"{QMATIC}/appointments/search",
            params={"personalIdentifier": person},
            headers={"X-TENANT-ID": "acme"},
        ).json()
        assert len(listed) == 1, (person, listed)
        found = listed[0]
        assert found["customer"]["firstName"] == first_name
        assert found["numberOfReservations"] == 2


def test_qmatic_booking_is_seen_by_orchestra_and_onsched(client: TestClient) -> None:
    ids = qmatic_ids(client)
    held = qmatic_reserve(client, [ids["Passport"]], f"{DAY}T10:00:00+01:00", ids["branch"])
    assert "10:00" not in orchestra_times(client, "passport")  # the reservation holds the slot
    qmatic_confirm(client, held["reservationId"])
    listed = client.get(f"{ORCHESTRA}/v1/customers/externalId/{PERSON}/appointments").json()[
        "appointmentList"
    ]
    assert [a["start"] for a in listed] == [f"{DAY}T09:00:00.000+0000"]
    assert listed[0]["status"] == 20
    onsched = client.get("/consumer/v1/appointments", params={"email": "ann@example.com"}).json()
    assert [a["status"] for a in onsched["data"]] == ["BK"]


def test_qmatic_combination_reschedule_moves_the_orchestra_appointment(client: TestClient) -> None:
    ids = qmatic_ids(client)
    pair = [ids["Passport"], ids["ID card"]]
    first = qmatic_reserve(client, pair, f"{DAY}T09:00:00+01:00", ids["branch"])
    appointment = qmatic_confirm(client, first["reservationId"], combination=True)
    public_id = client.get(f"{ORCHESTRA}/v1/customers/externalId/{PERSON}/appointments").json()[
        "appointmentList"
    ][0]["publicId"]
    later = qmatic_reserve(client, pair, f"{DAY}T11:00:00+01:00", ids["branch"])
    moved = client.put(
        f"{QMATIC}/serviceCombination/appointments/{appointment['appointmentId']}/reschedule",
        json={"reservationId": later["reservationId"]},
        headers={"X-TENANT-ID": "acme"},
    )
    assert moved.status_code in (200, 201), moved.text
    seen = client.get(f"{ORCHESTRA}/v1/appointments/{public_id}").json()["appointment"]
    assert (seen["start"], seen["end"]) == (f"{DAY}T10:00:00.000+0000", f"{DAY}T10:20:00.000+0000")
    assert "09:00" in orchestra_times(client, "passport")


def test_an_onsched_hold_hides_the_slot_from_qmatic_timeslots(client: TestClient) -> None:
    ids = qmatic_ids(client)
    location = client.get("/consumer/v1/locations").json()["data"][0]["id"]
    services = {s["name"]: s["id"] for s in client.get("/consumer/v1/services").json()["data"]}

    def qmatic_starts() -> list[str]:
        slots = client.get(
            f"{QMATIC}/services/{ids['Passport']}/timeslots",
            params={"branchId": ids["branch"], "startDate": DAY, "endDate": DAY},
            headers={"X-TENANT-ID": "acme"},
        ).json()
        return [s["startTime"] for s in slots]

    assert f"{DAY}T13:00:00+01:00" in qmatic_starts()
    hold = client.post(
        "/consumer/v1/appointments",
        json={
            "locationId": location,
            "serviceId": services["Passport"],
            "startDateTime": f"{DAY}T13:00:00+01:00",
            "endDateTime": f"{DAY}T13:10:00+01:00",
        },
    )
    assert hold.status_code == 200, hold.text
    assert hold.json()["status"] == "IN"
    assert f"{DAY}T13:00:00+01:00" not in qmatic_starts()
    assert client.delete(f"/consumer/v1/appointments/{hold.json()['id']}").status_code == 200
    assert f"{DAY}T13:00:00+01:00" in qmatic_starts()


def test_a_group_session_filled_through_appointedd_and_orchestra(client: TestClient) -> None:
    workshop = next(
        s["id"] for s in client.get("/v1/services").json()["data"] if s["name"] == "Workshop"
    )
    start = f"{DAY}T10:00:00.000+01:00"
    slot = client.post(
        "/v1/availability/slots",
        json={
            "data": {
                "timezone": "Europe/Amsterdam",
                "required_spaces": 2,
                "start": start,
                "service_id": workshop,
            }
        },
    )
    assert slot.status_code == 201, slot.text
    booking = client.post(
        "/v1/bookings",
        json={
            "slot_id": slot.json()["data"]["id"],
            "data": {
                "customers": [
                    {"customer": {"profile": {"firstname": "Bo", "lastname": "Ek"}}, "spaces": 2}
                ]
            },
        },
    ).json()["data"]
    joined = orchestra_book(client, "workshop", "10:00", external_id="ORCH-1", people=2)
    assert joined["status"] == 20
    seen = client.get(f"/v1/bookings/{booking['id']}").json()["data"]
    assert sorted(c["spaces"] for c in seen["customers"]) == [2, 2]

    def free_spaces(spaces: int) -> list[int]:
        found = client.post(
            "/v1/availability/intervals/search",
            json={
                "ranges": [
                    {"start": f"{DAY}T00:00:00.000+01:00", "end": f"{DAY}T23:59:00.000+01:00"}
                ],
                "service_id": workshop,
                "spaces": spaces,
                "timezone": "Europe/Amsterdam",
            },
        ).json()["data"]
        return [
            g["spaces"] for item in found if item["start"] == start for g in item["group_bookings"]
        ]

    assert free_spaces(1) == [1]
    assert free_spaces(2) == []
    orchestra_book(client, "workshop", "10:00", external_id="ORCH-2")
    assert "10:00" not in orchestra_times(client, "workshop")
    full = client.post(
        "/v1/availability/slots",
        json={
            "data": {
                "timezone": "Europe/Amsterdam",
                "required_spaces": 1,
                "start": start,
                "service_id": workshop,
            }
        },
    )
    assert full.status_code == 409
    participant = next(
        c for c in seen["customers"] if c["customer_booking_id"] != joined["publicId"]
    )
    client.post(
        f"/v1/bookings/{booking['id']}/customers/{participant['customer_booking_id']}/cancel"
    )
    assert "10:00" in orchestra_times(client, "workshop")


# --- tenants and keys, on every surface -------------------------------------------------------

ACME_KEY, BETA_KEY = "acme-key-000001", "beta-key-000002"


def two_tenants() -> dict[str, Any]:
    first = catalog(api_keys=[{"key": ACME_KEY, "scope": "staff"}])
    other = copy.deepcopy(first["tenants"][0])
    other.update(id="beta", name="Beta", api_keys=[{"key": BETA_KEY, "scope": "staff"}])
    first["tenants"].append(other)
    return first


SURFACES: list[tuple[str, str, dict[str, str]]] = [
    ("orchestra", f"{ORCHESTRA}/v1/branches", {"X-TENANT-ID": "acme"}),
    ("qmatic", f"{QMATIC}/services", {"X-TENANT-ID": "acme"}),
    ("onsched", "/consumer/v1/locations", {}),
    ("appointedd", "/v1/services", {}),
]


@pytest.mark.parametrize(("surface", "path", "headers"), SURFACES, ids=[s[0] for s in SURFACES])
def test_every_surface_checks_api_keys(
    make_client: Callable[[dict[str, Any]], TestClient],
    surface: str,
    path: str,
    headers: dict[str, str],
) -> None:
    client = make_client(two_tenants())
    missing = client.get(path, headers=headers)
    wrong = client.get(path, headers={**headers, "X-API-KEY": "not-a-real-key"})
    if surface in ("onsched", "appointedd"):  # the key names the tenant: a wrong one finds none
        assert missing.status_code == wrong.status_code == 401
    else:
        assert (missing.status_code, wrong.status_code) == (401, 401)
        foreign = client.get(path, headers={**headers, "X-API-KEY": BETA_KEY})
        assert foreign.status_code == 403
    assert client.get(path, headers={**headers, "X-API-KEY": ACME_KEY}).status_code == 200
    assert (
        client.get(path, headers={**headers, "Authorization": f"Bearer {ACME_KEY}"}).status_code
        == 200
    )


def test_one_tenants_appointment_is_not_found_through_another_on_any_surface(
    make_client: Callable[[dict[str, Any]], TestClient],
) -> None:
    client = make_client(two_tenants())
    acme = {"X-TENANT-ID": "acme", "X-API-KEY": ACME_KEY}
    booked = client.post(
        f"{ORCHESTRA}/v2/branches/north/services/passport/dates/{DAY}/times/09:00/book",
        json={"customers": [{"externalId": PERSON, "email": "ann@example.com", "lastName": "Lee"}]},
        headers=acme,
    ).json()
    qmatic_id = client.get(
        f"{QMATIC}/appointments/search", params={"personalIdentifier": PERSON}, headers=acme
    ).json()[0]["appointmentId"]
    onsched_id = client.get(
        "/consumer/v1/appointments",
        params={"email": "ann@example.com"},
        headers={"X-API-KEY": ACME_KEY},
    ).json()["data"][0]["id"]
    appointedd_id = client.get("/v1/bookings", headers={"X-API-KEY": ACME_KEY}).json()["data"][0][
        "id"
    ]

    beta = {"X-TENANT-ID": "beta", "X-API-KEY": BETA_KEY}
    assert (
        client.get(f"{ORCHESTRA}/v1/appointments/{booked['publicId']}", headers=beta).status_code
        == 404
    )
    assert client.get(f"{QMATIC}/appointments/{qmatic_id}", headers=beta).status_code == 404
    assert client.delete(f"{QMATIC}/appointments/{qmatic_id}", headers=beta).status_code == 404
    assert (
        client.get(
            f"/consumer/v1/appointments/{onsched_id}", headers={"X-API-KEY": BETA_KEY}
        ).status_code
        == 404
    )
    assert (
        client.put(
            f"/consumer/v1/appointments/{onsched_id}/cancel", headers={"X-API-KEY": BETA_KEY}
        ).status_code
        == 404
    )
    assert (
        client.get(f"/v1/bookings/{appointedd_id}", headers={"X-API-KEY": BETA_KEY}).status_code
        == 404
    )
    assert (
        client.post(
            f"/v1/bookings/{appointedd_id}/cancel", headers={"X-API-KEY": BETA_KEY}
        ).status_code
        == 404
    )
    # A key of one tenant naming another tenant is refused outright.
    assert (
        client.get(
            f"{QMATIC}/appointments/{qmatic_id}",
            headers={"X-TENANT-ID": "acme", "X-API-KEY": BETA_KEY},
        ).status_code
        == 403
    )
    still = client.get(f"{ORCHESTRA}/v1/appointments/{booked['publicId']}", headers=acme).json()[
        "appointment"
    ]
    assert still["status"] == 20
