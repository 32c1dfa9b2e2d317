"""No client input makes the server fail: junk everywhere gets a 4xx in the surface's format."""

from __future__ import annotations

import json
from typing import Any

from tests.api.qmatic.conftest import Qmatic, customer

GUID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"

JUNK_VALUES: list[Any] = [
    None,
    True,
    -1,
    0,
    2**70,
    1e308,
    "",
    " ",
    "x" * 10_000,
    "ünïcødé ✓ \u0000",
    "9999-12-31T23:59:59-14:00",
    "0001-01-01T00:00:00+14:00",
    "2030-03-04T09:00:00+01:00",
    "9999-12-31",
    "0000-00-00",
    GUID,
    GUID.upper(),
    "{" + GUID + "}",
    [],
    [GUID, None, 3],
    {},
    {"startTime": "9999-12-31T23:59:59+14:00", "endTime": 5},
    {"personalIdentifier": ["x"]},
]

JUNK_QUERY: list[dict[str, str]] = [
    {"branchId": "x" * 5000},
    {"startDate": "9999-12-31", "endDate": "9999-12-31"},
    {"startDate": "1970-01-01", "endDate": "1970-01-02"},
    {"startDate": "2999-12-31"},
    {"numberOfReservations": "99999999999999999999"},
    {"numberOfReservations": "-3"},
    {"numberOfReservations": "٣"},
    {"serviceIds": ",,,"},
    {"serviceIds": GUID * 3},
    {"requestedResourceId": GUID},
    {"personalIdentifier": "x" * 5000},
]

RAW_BODIES: list[bytes] = [
    b"{",
    b"not json",
    b"\xff\xfe\x00",
    b"[" * 5000 + b"]" * 5000,
    b'{"a": ' * 200 + b"1" + b"}" * 200,
    b"null",
    b"[]",
    b'"text"',
]


def _endpoints(ids: dict[str, str]) -> list[tuple[str, str]]:
    service, branch, appointment = ids["service"], ids["branch"], ids["appointment"]
    return [
        ("GET", "services"),
        ("GET", "services/groups"),
        ("GET", f"services/{service}"),
        ("GET", f"services/{service}/timeslots"),
        ("GET", "services/%00/timeslots"),
        ("POST", "reservations"),
        ("PUT", f"reservations/{ids['reservation']}"),
        ("PUT", "reservations/..%2F..%2F"),
        ("DELETE", f"reservations/{GUID}"),
        ("GET", "appointments/search"),
        ("POST", "appointments/search"),
        ("GET", f"appointments/{appointment}"),
        ("PUT", f"appointments/{appointment}/customer"),
        ("PUT", f"appointments/{appointment}/reschedule"),
        ("DELETE", f"appointments/{GUID}"),
        ("GET", "serviceCombination/branch"),
        ("GET", "serviceCombination/timeslots"),
        ("POST", "serviceCombination/reservations"),
        ("PUT", f"serviceCombination/reservations/{ids['reservation']}"),
        ("GET", "serviceCombination/appointments/search"),
        ("POST", "serviceCombination/appointments/search"),
        ("GET", f"serviceCombination/appointments/{appointment}"),
        ("PUT", f"serviceCombination/appointments/{appointment}/reschedule"),
        ("GET", f"services/{branch}/timeslots"),
    ]


def _bodies() -> list[bytes]:
    fields = [
        "serviceId",
        "serviceIds",
        "branchId",
        "requestedResourceId",
        "timeSlot",
        "numberOfReservations",
        "notes",
        "customer",
        "informationQuestions",
        "reservationId",
        "personalIdentifier",
        "dateOfBirth",
        "email",
    ]
    bodies = list(RAW_BODIES)
    for value in JUNK_VALUES:
        bodies.append(json.dumps(dict.fromkeys(fields, value)).encode())
    bodies.append(json.dumps({"customer": dict(customer().items()), "x": [1]}).encode())
    bodies.append(json.dumps({"informationQuestions": [{"id": GUID, "answer": {}}] * 200}).encode())
    return bodies


def _assert_clean(response: Any, where: str) -> None:
    assert response.status_code < 500, f"{where}: {response.status_code} {response.text[:300]}"
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"code", "message"}, where
        assert body["message"], where


def test_junk_at_every_endpoint_never_yields_a_server_error(qm: Qmatic) -> None:
    service, branch = qm.service_id("ID card"), qm.branch_id("North Office")
    reservation = qm.post(
        "reservations",
        json={
            "serviceId": service,
            "branchId": branch,
            "timeSlot": {"startTime": "2030-03-04T09:00:00+01:00"},
        },
    ).json()["reservationId"]
    held = qm.post(
        "reservations",
        json={
            "serviceId": service,
            "branchId": branch,
            "timeSlot": {"startTime": "2030-03-04T10:00:00+01:00"},
        },
    ).json()["reservationId"]
    ids = {"service": service, "branch": branch, "appointment": reservation, "reservation": held}
    person = customer()
    del person["dateOfBirth"]
    assert qm.put(f"reservations/{reservation}", json={"customer": person}).status_code == 201

    bodies = _bodies()
    for method, path in _endpoints(ids):
        for body in bodies:
            response = qm.request(
                method, path, content=body, headers={"Content-Type": "application/json"}
            )
            _assert_clean(response, f"{method} {path} {body[:80]!r}")
        for params in JUNK_QUERY:
            response = qm.request(method, path, params={"branchId": branch, **params})
            _assert_clean(response, f"{method} {path} ?{params}")


def test_junk_headers_are_refused_cleanly(qm: Qmatic) -> None:
    for headers in (
        {"X-TENANT-ID": "x" * 5000},
        {"X-TENANT-ID": "   "},
        {"Accept-Language": ";;;,,,q=;" * 100},
        {"Accept-Language": "nl;q=1e999, en;q=nan"},
        {"X-API-KEY": "k" * 5000},
        {"Authorization": "Bearer"},
        {"Authorization": "Basic abc"},
    ):
        _assert_clean(qm.get("services", headers=headers), str(headers)[:80])
