"""Malformed and hostile requests get a 4xx in the manual's format, never a 500."""

from __future__ import annotations

import itertools
from typing import Any

from tests.api.orchestra.conftest import Orchestra
from tests.factories import issue_catalog

JUNK = [
    "",
    "x",
    "%00",
    "..",
    "null",
    "9" * 300,
    "2030-03-04",
    "25:61",
    "-1",
    "Paspoort",
    "'; DROP TABLE appointments; --",
    "ü€😀",
    "a;b=c",
    "%E2%82",
]
BODIES = [
    b"",
    b"{}",
    b"null",
    b"[]",
    b'"text"',
    b"{bad",
    b'{"customers": {"firstName": "A"}}',
    b'{"customers": [null]}',
    b'{"customer": {"dateOfBirth": 1e308}}',
    b'{"customer": {"dateOfBirth": true}}',
    b'{"services": [{"publicId": null}]}',
    b'{"notes": "' + b"n" * 5000 + b'"}',
    b"\xff\xfe",
    b'{"customer": {"firstName": "nul\\u0000byte", "externalId": "nul"}}',
]


def _paths(orchestra: Orchestra, junk: str) -> list[tuple[str, str]]:
    b = orchestra.branch
    return [
        ("GET", f"/v1/branches/{junk}"),
        ("GET", f"/v1/branches/{b}/services/{junk}/dates"),
        ("GET", f"/v1/branches/{b}/services/Paspoort/dates/{junk}/times"),
        ("GET", f"/v1/branches/{b}/services/Paspoort/dates;numberOfCustomers={junk}"),
        ("GET", f"/v2/branches/{b}/dates;servicePublicId={junk};customSlotLength={junk}"),
        ("POST", f"/v1/branches/{b}/services/Paspoort/dates/2030-03-04/times/{junk}/book"),
        ("POST", f"/v1/branches/{b}/services/Paspoort/dates/{junk}/times/09:00/reserve"),
        ("POST", f"/v2/branches/{b}/dates/2030-03-04/times/09:00/reserve;numberOfCustomers={junk}"),
        ("POST", f"/v1/branches/appointments/{junk}/confirm"),
        ("GET", f"/v1/appointments/{junk}"),
        ("DELETE", f"/v1/appointments/{junk}"),
        ("PUT", f"/v1/appointments/{junk}/reschedule?start={junk}&end={junk}"),
        ("GET", f"/v1/customers/{junk}"),
        ("GET", f"/v1/customers/externalId/{junk}/appointments"),
        ("GET", f"/v1/services/groups;servicePublicId={junk}"),
        ("GET", f"/v2/branches/available;servicePublicId={junk}"),
    ]


def test_junk_in_paths_and_parameters_never_breaks_the_server(orchestra: Orchestra) -> None:
    for junk in JUNK:
        for method, path in _paths(orchestra, junk):
            response = orchestra.client.request(
                method, "/calendar-backend/public/api" + path, content=b"{}"
            )
            assert response.status_code < 500, (method, path, response.text)
            if response.status_code >= 400:
                assert "msg" in response.json()
                assert response.headers["ERROR_CODE"]


def test_junk_bodies_are_refused_cleanly_and_store_nothing(orchestra: Orchestra) -> None:
    b = orchestra.branch
    paths = [
        f"/v1/branches/{b}/services/Paspoort/dates/2030-03-04/times/09:00/book",
        f"/v2/branches/{b}/dates/2030-03-04/times/09:00/book",
        f"/v2/branches/{b}/dates/2030-03-04/times/09:00/reserve",
    ]
    for path, body in itertools.product(paths, BODIES):
        response = orchestra.post(path, content=body, headers={"content-type": "application/json"})
        assert response.status_code < 500, (path, body[:40], response.text)
        if response.status_code == 200:  # an acceptable body books: free the slot again
            orchestra.delete(f"/v1/appointments/{response.json()['publicId']}")
    assert "09:00" in orchestra.times("Paspoort", "2030-03-04")
    assert (
        orchestra.get("/v1/customers/externalId/nul/appointments").json()["appointmentList"] == []
    )


def test_wrong_methods_are_405_in_the_manuals_format(orchestra: Orchestra) -> None:
    response = orchestra.client.patch("/calendar-backend/public/api/v1/branches")
    assert (response.status_code, response.headers["ERROR_CODE"]) == (405, "405")
    big = orchestra.post(
        f"/v1/branches/{orchestra.branch}/services/Paspoort/dates/2030-03-04/times/09:00/book",
        content=b'{"notes": "' + b"x" * 2_000_000 + b'"}',
        headers={"content-type": "application/json"},
    )
    assert (big.status_code, big.headers["ERROR_CODE"]) == (413, "413")


def test_dates_at_the_edge_of_the_calendar_are_400(make_orchestra: Any) -> None:
    catalog = issue_catalog()
    catalog["tenants"][0]["branches"][0]["time_zone"] = "America/Los_Angeles"
    orchestra = make_orchestra(catalog)
    booked = orchestra.book("Paspoort", "2030-03-04", "09:00").json()
    for start in ("9999-12-31T23:59:00", "0001-01-01T00:00:00"):
        moved = orchestra.put(
            f"/v1/appointments/{booked['publicId']}/reschedule", params={"start": start}
        )
        assert (moved.status_code, moved.headers["ERROR_CODE"]) == (400, "471")
    assert orchestra.book("Paspoort", "9999-12-31", "23:50").status_code == 400


def test_digits_of_other_scripts_are_not_read_as_numbers(orchestra: Orchestra) -> None:
    fullwidth = orchestra.book("Paspoort", "2030-03-04", "\uff11\uff10:\uff10\uff10")
    assert (fullwidth.status_code, fullwidth.headers["ERROR_CODE"]) == (400, "472")
    for count in ("\uff12", "--1", "\u00b2"):
        dates = orchestra.get(
            f"/v1/branches/{orchestra.branch}/services/Paspoort/dates;numberOfCustomers={count}"
        )
        assert (dates.status_code, dates.headers["ERROR_CODE"]) == (400, "470")
    assert "10:00" in orchestra.times("Paspoort", "2030-03-04")
