"""The native API's appointments: the organisation's list, arrivals on the day, cancelling with
a reason — and what webhooks and the customer hear of it."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from standardwebhooks import Webhook
from starlette.testclient import TestClient

from slotbook.notifications.smtp import SmtpSender
from slotbook.notifications.worker import Worker, WorkerSettings
from tests.conftest import FakeClock
from tests.factories import one_office, passport
from tests.notifications.servers import Collector, Receiver, running_receiver, smtp_server

STAFF, BOOKING = "desk-key-000000001", "page-key-000000001"
SECRET = "whsec_" + base64.b64encode(b"native-api-tests-secret-0123456").decode()
ORCHESTRA = "/calendar-backend/public/api/v2"
TODAY, TOMORROW = "2030-03-04", "2030-03-05"  # the test clock: Monday 08:00 in Amsterdam


def catalog(hook_url: str | None = None) -> dict[str, Any]:
    hooks = [{"url": hook_url, "secret": SECRET}] if hook_url else []
    return one_office(
        keys={STAFF: "staff", BOOKING: "booking"},
        desks=2,
        services=[passport(resources=["desk-1", "desk-2"])],
        webhooks=hooks,
    )


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as running:
        yield running


@pytest.fixture
def api(make_client: Callable[[dict[str, Any]], TestClient], receiver: Receiver) -> TestClient:
    client = make_client(catalog(receiver.url))
    client.headers["Authorization"] = f"Bearer {STAFF}"
    return client


def book(api: TestClient, day: str, time: str, email: str = "ann@example.org") -> str:
    """Book through Orchestra (one booking per time in these tests); its native id (UUID)."""
    branch = api.get("/calendar-backend/public/api/v1/branches").json()["branchList"][0]
    service = api.get(
        f"/calendar-backend/public/api/v1/branches/{branch['publicId']}/services"
    ).json()["serviceList"][0]
    booked = api.post(
        f"{ORCHESTRA}/branches/{branch['publicId']}/services/{service['publicId']}"
        f"/dates/{day}/times/{time}/book",
        json={"customers": [{"firstName": "Ann", "lastName": "Lee", "email": email}]},
        headers={"X-API-KEY": STAFF},
    )
    assert booked.status_code == 200, booked.text
    listed = api.get("/api/v1/appointments", params={"date_from": day, "date_to": day})
    (found,) = [a for a in listed.json()["data"] if a["start"].startswith(_utc(f"{day}T{time}"))]
    return str(found["id"])


def _utc(local: str) -> str:
    day, clock = local.split("T")
    hour = int(clock[:2]) - 1  # Amsterdam in March is UTC+1
    return f"{day}T{hour:02d}:{clock[3:5]}"


def test_staff_list_a_branch_day_page_by_page_and_read_one(api: TestClient) -> None:
    ids = [book(api, TODAY, t) for t in ("09:00", "09:10", "09:20")]
    book(api, TOMORROW, "09:00")
    first = api.get(
        "/api/v1/appointments",
        params={"branch": "north", "date_from": TODAY, "date_to": TODAY, "limit": "2"},
    )
    assert first.status_code == 200, first.text
    page = first.json()
    assert [a["id"] for a in page["data"]] == ids[:2] and page["next"]
    rest = api.get(
        "/api/v1/appointments",
        params={"branch": "north", "date_from": TODAY, "date_to": TODAY, "cursor": page["next"]},
    ).json()
    assert [a["id"] for a in rest["data"]] == ids[2:] and rest["next"] is None
    one = api.get(f"/api/v1/appointments/{ids[0]}").json()
    assert one["status"] == "confirmed" and one["arrival"] is None
    assert one["branch"] == {"id": "north", "name": "North Office"}
    assert one["services"] == [{"id": "passport", "name": "Passport"}]
    assert one["customers"][0]["email"] == "ann@example.org"
    by_mail = api.get("/api/v1/appointments", params={"email": "nobody@example.org"}).json()
    assert by_mail["data"] == []


def test_a_customer_checks_in_on_the_day_and_is_served(api: TestClient) -> None:
    today, tomorrow = book(api, TODAY, "09:00"), book(api, TOMORROW, "09:00")
    arrived = api.post(f"/api/v1/appointments/{today}/check-in")
    assert arrived.status_code == 200, arrived.text
    assert arrived.json()["arrival"] == "checked_in" and arrived.json()["arrived_at"]
    again = api.post(f"/api/v1/appointments/{today}/check-in")
    assert again.status_code == 409 and again.json()["code"] == "wrong_state"
    early = api.post(f"/api/v1/appointments/{tomorrow}/check-in")
    assert early.status_code == 409
    assert "day of the appointment" in early.json()["detail"]
    served = api.post(f"/api/v1/appointments/{today}/complete")
    assert served.json()["arrival"] == "completed"
    refused = api.post(f"/api/v1/appointments/{today}/cancel", json={"reason": "too late"})
    assert refused.status_code == 409
    assert api.get(f"/api/v1/appointments/{today}").json()["status"] == "confirmed"


def test_a_no_show_is_only_recorded_after_the_start_and_then_cannot_be_cancelled(
    api: TestClient, clock: FakeClock
) -> None:
    appointment = book(api, TODAY, "09:00")
    assert api.post(f"/api/v1/appointments/{appointment}/no-show").status_code == 409
    clock.advance(seconds=3600)  # 09:00
    missed = api.post(f"/api/v1/appointments/{appointment}/no-show")
    assert missed.status_code == 200 and missed.json()["arrival"] == "no_show"
    assert api.post(f"/api/v1/appointments/{appointment}/cancel").status_code == 409
    assert api.post(f"/api/v1/appointments/{appointment}/check-in").status_code == 409


def test_webhooks_hear_of_arrivals_and_a_quiet_cancel_mails_nobody(
    api: TestClient, receiver: Receiver, clock: FakeClock
) -> None:
    arriving, missing, cancelled = (book(api, TODAY, t) for t in ("09:00", "09:10", "09:20"))
    api.post(f"/api/v1/appointments/{arriving}/check-in")
    answer = api.post(
        f"/api/v1/appointments/{cancelled}/cancel",
        json={"reason": "The desk is closed", "notify": False},
    )
    assert answer.status_code == 200 and answer.json()["status"] == "cancelled"
    clock.advance(seconds=2 * 3600)  # 10:00
    assert api.post(f"/api/v1/appointments/{missing}/no-show").status_code == 200
    mailbox = Collector()
    with smtp_server(mailbox) as port:
        app = api.app.state.slotbook  # type: ignore[attr-defined]
        worker = Worker(app, WorkerSettings(mail=SmtpSender(f"smtp://127.0.0.1:{port}")))
        worker.run_once()
        worker.close()
    hooks = [Webhook(SECRET).verify(r.body, r.headers) for r in receiver.requests]
    kinds = {
        h["data"]["appointment"]["id"]: h["type"]
        for h in hooks
        if h["type"] != "appointment.booked"
    }
    assert kinds == {
        arriving: "appointment.checked_in",
        missing: "appointment.no_show",
        cancelled: "appointment.cancelled",
    }
    quiet = next(h for h in hooks if h["type"] == "appointment.cancelled")
    assert quiet["data"]["reason"] == "The desk is closed"
    assert quiet["data"]["cancelled_by"] == "staff"
    # Three confirmations, and no cancellation mail.
    subjects = [e.original_content or b"" for e in mailbox.envelopes]
    assert len(subjects) == 3 and not any(b"cancelled" in s for s in subjects)


@pytest.mark.parametrize(
    ("key", "status"), [(None, 401), (BOOKING, 403)], ids=["no key", "booking key"]
)
def test_the_organisation_s_list_needs_a_staff_key(
    api: TestClient, key: str | None, status: int
) -> None:
    appointment = book(api, TODAY, "09:00")
    headers = {"Authorization": f"Bearer {key}"} if key else {"Authorization": ""}
    for method, path in (
        ("GET", "/api/v1/appointments"),
        ("GET", f"/api/v1/appointments/{appointment}"),
        ("POST", f"/api/v1/appointments/{appointment}/check-in"),
        ("POST", f"/api/v1/appointments/{appointment}/cancel"),
    ):
        answer = api.request(method, path, headers=headers)
        assert answer.status_code == status, (path, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    "params",
    [
        {"cursor": "bm9wZQ"},
        {"limit": "0"},
        {"status": "booked"},
        {"date_from": "2030-02-30"},
    ],
)
def test_malformed_lists_are_refused_as_problems(api: TestClient, params: dict[str, str]) -> None:
    answer = api.get("/api/v1/appointments", params=params)
    assert answer.status_code == 400, answer.text
    assert answer.json()["code"] == "invalid_request"


def test_an_id_that_is_not_a_uuid_is_a_clear_400(api: TestClient) -> None:
    answer = api.post("/api/v1/appointments/12345/check-in")
    assert answer.status_code == 400 and "appointment_id" in answer.json()["detail"]


def test_staff_book_off_the_grid_for_any_length_and_move_it(api: TestClient) -> None:
    booked = api.post(
        "/api/v1/appointments",
        json={
            "branch": "north",
            "services": ["passport"],
            "resource": "desk-2",
            "start": f"{TODAY}T09:07:00+01:00",
            "length_minutes": 25,
            "customer": {"first_name": "Bo", "last_name": "Ek", "email": "bo@example.org"},
            "notes": "Needs an interpreter",
        },
    )
    assert booked.status_code == 201, booked.text
    made = booked.json()
    assert (made["start"], made["end"]) == (f"{TODAY}T08:07:00Z", f"{TODAY}T08:32:00Z")
    assert made["resource"]["id"] == "desk-2" and made["notes"] == "Needs an interpreter"
    clash = api.post(
        "/api/v1/appointments",
        json={
            "branch": "north",
            "services": ["passport"],
            "resource": "desk-2",
            "start": f"{TODAY}T09:20:00+01:00",
            "customer": {"first_name": "Cy", "last_name": "Ek"},
        },
    )
    assert clash.status_code == 409 and clash.json()["code"] == "slot_taken"
    moved = api.post(
        f"/api/v1/appointments/{made['id']}/move",
        json={"start": f"{TODAY}T14:00:00+01:00", "resource": "desk-1"},
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["start"] == f"{TODAY}T13:00:00Z"
    assert moved.json()["end"] == f"{TODAY}T13:25:00Z"
    assert moved.json()["resource"]["id"] == "desk-1"


def test_a_staff_booking_longer_than_eight_hours_is_refused_in_the_api_s_own_words(
    api: TestClient,
) -> None:
    long = api.post(
        "/api/v1/appointments",
        json={
            "branch": "north",
            "services": ["passport"],
            "start": f"{TODAY}T09:00:00+01:00",
            "length_minutes": 481,
            "customer": {"first_name": "Bo", "last_name": "Ek"},
        },
    )
    assert long.status_code in (400, 422), long.text
    assert "length_minutes" in long.text and "customSlotLength" not in long.text


def test_a_booking_key_cannot_book_as_staff(api: TestClient) -> None:
    answer = api.post(
        "/api/v1/appointments",
        json={
            "branch": "north",
            "services": ["passport"],
            "start": f"{TODAY}T09:07:00+01:00",
            "customer": {"first_name": "Bo", "last_name": "Ek"},
        },
        headers={"Authorization": f"Bearer {BOOKING}"},
    )
    assert answer.status_code == 403
