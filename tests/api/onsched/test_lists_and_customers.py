"""Listing appointments (filters, envelope, paging) and the customer endpoints."""

from __future__ import annotations

from typing import Any

from tests.api.onsched.conftest import OnSched

ADA = {"name": "Ada Lovelace", "email": "ada@example.com"}
GRACE = {"name": "Grace Hopper", "email": "grace@example.com"}


def _ok(found: Any) -> dict[str, Any]:
    assert found.status_code == 200, found.text
    body: dict[str, Any] = found.json()
    return body


def _book(api: OnSched, day: str, clock: str, who: dict[str, str], mode: str = "BK") -> str:
    start = f"{day}T{clock}:00+01:00"
    hours, minutes = int(clock[:2]), int(clock[3:])
    end = f"{day}T{hours + (minutes + 30) // 60:02d}:{(minutes + 30) % 60:02d}:00+01:00"
    body = {**who, "completeBooking": mode} if mode != "IN" else dict(who)
    return str(_ok(api.hold("Consultation", start, end, **body))["id"])


def _ids(api: OnSched, **params: Any) -> list[str]:
    return [a["id"] for a in _ok(api.staff.get("appointments", **params))["data"]]


def test_appointments_are_listed_by_start_and_filtered(api: OnSched) -> None:
    tuesday = _book(api, "2030-03-05", "09:00", ADA)
    monday_late = _book(api, "2030-03-04", "11:00", GRACE, "RS")
    monday = _book(api, "2030-03-04", "09:00", ADA, "IN")
    east = _ok(
        api.hold(
            "Consultation",
            "2030-03-04T09:00:00-05:00",
            "2030-03-04T09:30:00-05:00",
            locationId=api.location("East Office"),
            completeBooking="BK",
            **GRACE,
        )
    )["id"]
    cancelled = _book(api, "2030-03-06", "09:00", ADA)
    _ok(api.put(f"appointments/{cancelled}/cancel"))
    released = _book(api, "2030-03-06", "10:00", ADA, "IN")
    _ok(api.delete(f"appointments/{released}"))

    assert _ids(api) == [monday, monday_late, east, tuesday, cancelled]
    assert _ids(api, locationId=api.location("East Office")) == [east]
    assert _ids(api, email="ADA@example.com") == [monday, tuesday, cancelled]
    assert _ids(api, lastname="hopper") == [monday_late, east]
    assert _ids(api, startDate="2030-03-05") == [tuesday, cancelled]
    assert _ids(api, startDate="2030-03-04", endDate="2030-03-04") == [monday, monday_late, east]
    assert _ids(api, status="BK") == [east, tuesday]
    assert _ids(api, status="in,rs") == [monday, monday_late]
    assert _ids(api, status="CN") == [cancelled]
    east_desk = _ok(api.get(f"appointments/{east}"))["resourceId"]
    assert _ids(api, resourceId=east_desk) == [east]


def test_the_appointment_list_is_paged_in_the_vendor_envelope(api: OnSched) -> None:
    booked = [_book(api, "2030-03-04", f"{9 + i}:00".zfill(5), ADA) for i in range(5)]
    page = _ok(api.staff.get("appointments", limit=2, offset=2))
    assert {k: page[k] for k in ("object", "url", "hasMore", "count", "total")} == {
        "object": "list",
        "url": "/consumer/v1/appointments",
        "hasMore": True,
        "count": 2,
        "total": 5,
    }
    assert [a["id"] for a in page["data"]] == booked[2:4]
    last = _ok(api.staff.get("appointments", limit=2, offset=4))
    assert (last["count"], last["hasMore"]) == (1, False)
    assert _ok(api.staff.get("appointments"))["count"] == 5


def test_bad_list_filters_are_refused(api: OnSched) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"status": "XX"}, "status must be IN, RS, BK or CN"),
        ({"startDate": "yesterday"}, "startDate must be a date of the form YYYY-MM-DD"),
        ({"startDate": "2030-03-05", "endDate": "2030-03-04"}, "endDate must not be before"),
        ({"locationId": "north"}, "locationId must be a GUID like"),
        ({"limit": 500}, "limit must be a whole number from 1 to 100"),
        ({"email": "x" * 300}, "email must be at most 255 printable characters"),
    ]
    for params, message in cases:
        found = api.staff.get("appointments", **params)
        assert found.status_code == 400, params
        assert found.json()["message"].startswith(message), found.json()


def test_customers_are_created_read_and_searched(api: OnSched) -> None:
    created = _ok(
        api.post(
            "customers",
            {
                "firstname": "Ada",
                "lastname": "Lovelace",
                "email": "ada@example.com",
                "contact": {"mobilePhone": "1"},
            },
        )
    )
    assert {k: created[k] for k in ("object", "firstname", "lastname", "name", "email")} == {
        "object": "customer",
        "firstname": "Ada",
        "lastname": "Lovelace",
        "name": "Ada Lovelace",
        "email": "ada@example.com",
    }
    assert created["contact"]["mobilePhone"] == "1"
    assert created["id"].isdigit()
    assert _ok(api.get(f"customers/{created['id']}")) == created
    _ok(api.post("customers", {"lastname": "Hopper", "email": "grace@example.com"}))
    by_email = _ok(api.staff.get("customers", email="ADA@EXAMPLE.COM"))
    assert [c["id"] for c in by_email["data"]] == [created["id"]]
    assert by_email["url"] == "/consumer/v1/customers"
    by_name = _ok(api.staff.get("customers", lastname="hopper"))
    assert [c["name"] for c in by_name["data"]] == ["Hopper"]
    everyone = _ok(api.staff.get("customers", limit=1))
    assert (everyone["count"], everyone["total"], everyone["hasMore"]) == (1, 2, True)


def test_a_customer_needs_an_email_and_a_last_name(api: OnSched) -> None:
    cases = [
        ({"firstname": "Ada"}, "email and lastname are required"),
        ({"lastname": "Lovelace"}, "email is required"),
        ({"email": "ada@example.com", "lastname": "  "}, "lastname is required"),
        ({"email": "not an address", "lastname": "L"}, "email: is not an e-mail address"),
        ({"email": "a@b.c", "lastname": "L" * 256}, "lastname: String should have at most 255"),
        ({"email": "a@b.c", "lastname": 7}, "lastname: Input should be a valid string"),
    ]
    for body, message in cases:
        refused = api.post("customers", body)
        assert refused.status_code == 400, body
        assert refused.json()["message"].startswith(message), refused.json()
    assert _ok(api.staff.get("customers"))["total"] == 0


def test_unknown_and_malformed_customer_ids(api: OnSched) -> None:
    unknown = api.get("customers/123456")
    assert unknown.status_code == 404
    assert unknown.json() == {
        "error": "not_found",
        "message": "No customer with id 123456 (id)",
    }
    assert api.get("customers/ada").status_code == 400
