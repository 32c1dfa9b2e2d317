"""Notifications end to end: a change on any surface, the outbox in its transaction, the worker,
a real SMTP server and a real webhook receiver."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import orjson
import pytest
from icalendar import Calendar
from standardwebhooks import Webhook
from starlette.testclient import TestClient

from slotbook.notifications.smtp import SmtpSender
from slotbook.notifications.worker import Worker, WorkerSettings
from slotbook.services.context import Slotbook
from tests.api.surfaces import (
    DAY,
    DESK_KEY,
    ORCHESTRA,
    QMATIC,
    catalog,
    qmatic_confirm,
    qmatic_ids,
    qmatic_reserve,
)
from tests.conftest import FakeClock
from tests.notifications.payloads import EMAIL, SECRET
from tests.notifications.servers import Collector, Receiver, running_receiver, smtp_server
from tests.web.page import Citizen, csrf

TOMORROW = "2030-03-05"  # the test clock says Monday 2030-03-04 08:00 in Amsterdam


@dataclass
class Setup:
    """The server (as a test client), its application, the mailbox and the receiver."""

    client: TestClient
    app: Slotbook
    clock: FakeClock
    mailbox: Collector
    smtp_port: int
    receiver: Receiver

    def worker(self, **settings: Any) -> Worker:
        """A delivery worker on the test's SMTP server."""
        mail = SmtpSender(f"smtp://127.0.0.1:{self.smtp_port}", timeout=5)
        return Worker(
            self.app, WorkerSettings(mail=mail, public_url="https://book.example", **settings)
        )

    def deliver(self) -> int:
        """One worker cycle."""
        worker = self.worker()
        try:
            return worker.run_once()
        finally:
            worker.close()

    def mails(self) -> list[EmailMessage]:
        """Every mail the SMTP server received, parsed."""
        return [
            message_from_bytes(e.original_content or b"", policy=policy.default)  # type: ignore[misc]
            for e in self.mailbox.envelopes
        ]

    def hooks(self) -> list[dict[str, Any]]:
        """Every webhook received, verified with the receiver's secret (else the test fails)."""
        found = []
        for request in self.receiver.requests:
            found.append(Webhook(SECRET).verify(request.body, request.headers))
        return found


def notifying(**tenant: Any) -> dict[str, Any]:
    """The cross-surface catalog, with mail settings, a desk key and a webhook receiver."""
    tenant.setdefault(
        "notifications", {"from": "afspraken@acme.example", "reply_to": "balie@acme.example"}
    )
    return catalog(api_keys=[{"key": DESK_KEY, "scope": "staff"}], **tenant)


@pytest.fixture
def setup(
    make_client: Callable[[dict[str, Any]], TestClient], clock: FakeClock
) -> Iterator[Callable[..., Setup]]:
    stack: list[Any] = []

    def start(**tenant: Any) -> Setup:
        mailbox = Collector()
        smtp = smtp_server(mailbox)
        port = smtp.__enter__()
        stack.append(smtp)
        hooks = running_receiver()
        receiver = hooks.__enter__()
        stack.append(hooks)
        tenant.setdefault("webhooks", [{"url": receiver.url, "secret": SECRET}])
        client = make_client(notifying(**tenant))
        client.headers["X-API-KEY"] = DESK_KEY
        return Setup(client, client.app.state.slotbook, clock, mailbox, port, receiver)  # type: ignore[attr-defined]

    yield start
    for running in reversed(stack):
        running.__exit__(None, None, None)


def calendar_of(mail: EmailMessage) -> Any:
    """The mail's .ics, parsed: (METHOD, the VEVENT)."""
    part = next(p for p in mail.walk() if p.get_content_type() == "text/calendar")
    parsed = Calendar.from_ical(part.get_payload(decode=True))
    return str(parsed["METHOD"]), parsed.walk("VEVENT")[0]


def starts_at(event: Any) -> datetime:
    return event["DTSTART"].dt.astimezone(UTC)  # type: ignore[no-any-return]


# --- booking on each surface -----------------------------------------------------------------


def book_on_orchestra(s: Setup) -> datetime:
    response = s.client.post(
        f"{ORCHESTRA}/v2/branches/north/services/passport/dates/{DAY}/times/10:00/book",
        json={"customers": [{"firstName": "Ann", "lastName": "Lee", "email": EMAIL}]},
    )
    assert response.status_code == 200, response.text
    return datetime(2030, 3, 4, 9, 0, tzinfo=UTC)


def book_on_qmatic(s: Setup) -> datetime:
    ids = qmatic_ids(s.client)
    held = qmatic_reserve(s.client, [ids["Passport"]], f"{DAY}T10:00:00+01:00", ids["branch"])
    path = f"{QMATIC}/reservations/{held['reservationId']}"
    customer = {
        "personalIdentifier": "PERSON0000000001",
        "firstName": "Ann",
        "lastName": "Lee",
        "email": EMAIL,
    }
    confirmed = s.client.put(path, json={"customer": customer}, headers={"X-TENANT-ID": "acme"})
    assert confirmed.status_code == 201, confirmed.text
    return datetime(2030, 3, 4, 9, 0, tzinfo=UTC)


def book_on_onsched(s: Setup) -> datetime:
    location = s.client.get("/consumer/v1/locations").json()["data"][0]["id"]
    services = {x["name"]: x["id"] for x in s.client.get("/consumer/v1/services").json()["data"]}
    held = s.client.post(
        "/consumer/v1/appointments",
        json={
            "locationId": location,
            "serviceId": services["Passport"],
            "startDateTime": f"{DAY}T10:00:00+01:00",
            "endDateTime": f"{DAY}T10:10:00+01:00",
        },
    )
    assert held.status_code == 200, held.text
    booked = s.client.put(
        f"/consumer/v1/appointments/{held.json()['id']}/book",
        json={"name": "Ann Lee", "firstname": "Ann", "lastname": "Lee", "email": EMAIL},
    )
    assert booked.status_code == 200, booked.text
    return datetime(2030, 3, 4, 9, 0, tzinfo=UTC)


def book_on_appointedd(s: Setup) -> datetime:
    service = next(
        x["id"] for x in s.client.get("/v1/services").json()["data"] if x["name"] == "Passport"
    )
    slot = s.client.post(
        "/v1/availability/slots",
        json={
            "data": {
                "timezone": "Europe/Amsterdam",
                "required_spaces": 1,
                "start": f"{DAY}T10:00:00.000+01:00",
                "service_id": service,
            }
        },
    )
    assert slot.status_code == 201, slot.text
    profile = {"firstname": "Ann", "lastname": "Lee", "email": EMAIL}
    booking = s.client.post(
        "/v1/bookings",
        json={
            "slot_id": slot.json()["data"]["id"],
            "data": {"customers": [{"customer": {"profile": profile}, "spaces": 1}]},
        },
    )
    assert booking.status_code in (200, 201), booking.text
    return datetime(2030, 3, 4, 9, 0, tzinfo=UTC)


def book_on_the_page(s: Setup) -> datetime:
    citizen = Citizen(s.client)
    day = citizen.get(f"day?service=passport&branch=north&date={DAY}")
    assert day.status_code == 200, day.text
    held = citizen.hold(day, f"{DAY}T10:00:00+01:00")
    assert held.status_code == 303, held.text
    form = citizen.get(held.headers["location"])
    details = {"first_name": "Ann", "last_name": "Lee", "email": EMAIL, "csrf": csrf(form)}
    summary = s.client.post(held.headers["location"], data=details)
    assert summary.status_code == 200, summary.text
    done = s.client.post(held.headers["location"].replace("/details/", "/confirm/"), data=details)
    assert done.status_code == 303, done.text
    return datetime(2030, 3, 4, 9, 0, tzinfo=UTC)


SURFACES = {
    "orchestra": book_on_orchestra,
    "qmatic": book_on_qmatic,
    "onsched": book_on_onsched,
    "appointedd": book_on_appointedd,
    "booking page": book_on_the_page,
}


@pytest.mark.parametrize("surface", list(SURFACES))
def test_a_booking_on_each_surface_sends_one_confirmation_with_its_calendar_entry(
    setup: Callable[..., Setup], surface: str
) -> None:
    s = setup()
    start = SURFACES[surface](s)
    assert s.mails() == []  # nothing is sent by the request itself
    assert s.deliver() == 2  # the mail and the webhook
    (mail,) = s.mails()
    assert mail["To"] == EMAIL
    assert mail["From"].addresses[0].addr_spec == "afspraken@acme.example"
    assert mail["Reply-To"] == "balie@acme.example"
    method, event = calendar_of(mail)
    assert method == "REQUEST"
    assert starts_at(event) == start
    assert event["SEQUENCE"] == 0
    body = mail.get_body(("plain",))
    assert body is not None and "https://book.example/book/acme/manage/" in body.get_content()
    (hook,) = s.hooks()
    assert hook["type"] == "appointment.booked"
    assert hook["data"]["appointment"]["start"] == start.strftime("%Y-%m-%dT%H:%M:%SZ")
    # Delivered once: a second cycle sends nothing more.
    assert s.deliver() == 0
    assert len(s.mails()) == 1


def test_a_move_sends_an_update_and_a_cancel_sends_a_cancellation_of_the_same_event(
    setup: Callable[..., Setup],
) -> None:
    s = setup()
    ids = qmatic_ids(s.client)
    first = qmatic_reserve(s.client, [ids["Passport"]], f"{DAY}T10:00:00+01:00", ids["branch"])
    booked = qmatic_confirm(s.client, first["reservationId"])
    later = qmatic_reserve(s.client, [ids["Passport"]], f"{DAY}T14:00:00+01:00", ids["branch"])
    moved = s.client.put(
        f"{QMATIC}/appointments/{booked['appointmentId']}/reschedule",
        json={"reservationId": later["reservationId"]},
        headers={"X-TENANT-ID": "acme"},
    )
    assert moved.status_code in (200, 201), moved.text
    cancelled = s.client.delete(
        f"{QMATIC}/appointments/{booked['appointmentId']}", headers={"X-TENANT-ID": "acme"}
    )
    assert cancelled.status_code == 204
    s.deliver()
    events = {}
    for mail in s.mails():
        method, event = calendar_of(mail)
        events[mail["Subject"]] = (method, event)
    ordered = sorted(events.values(), key=lambda m: int(m[1]["SEQUENCE"]))
    assert [m for m, _ in ordered] == ["REQUEST", "REQUEST", "CANCEL"]
    assert [int(e["SEQUENCE"]) for _, e in ordered] == [0, 1, 2]
    assert len({str(e["UID"]) for _, e in ordered}) == 1
    assert starts_at(ordered[1][1]) == datetime(2030, 3, 4, 13, 0, tzinfo=UTC)
    kinds = sorted(h["type"] for h in s.hooks())
    assert kinds == ["appointment.booked", "appointment.cancelled", "appointment.rescheduled"]
    moved_hook = next(h for h in s.hooks() if h["type"] == "appointment.rescheduled")
    assert moved_hook["data"]["previous"]["start"] == f"{DAY}T09:00:00Z"


# --- reminders -------------------------------------------------------------------------------


def book_tomorrow(s: Setup, time: str = "10:00") -> dict[str, Any]:
    response = s.client.post(
        f"{ORCHESTRA}/v2/branches/north/services/passport/dates/{TOMORROW}/times/{time}/book",
        json={"customers": [{"firstName": "Ann", "lastName": "Lee", "email": EMAIL}]},
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def reminders(s: Setup) -> list[EmailMessage]:
    return [m for m in s.mails() if "eminder" in m["Subject"] or "erinnering" in m["Subject"]]


def test_a_reminder_arrives_at_its_time_and_not_before(setup: Callable[..., Setup]) -> None:
    s = setup(webhooks=[])
    book_tomorrow(s)  # 10:00 tomorrow: the reminder is due 24 hours before, today 10:00
    s.deliver()
    assert len(s.mails()) == 1 and reminders(s) == []  # the confirmation only
    s.clock.advance(seconds=2 * 3600 - 1)  # 09:59:59
    s.deliver()
    assert reminders(s) == []
    s.clock.advance(seconds=1)
    s.deliver()
    (reminder,) = reminders(s)
    method, event = calendar_of(reminder)
    assert method == "REQUEST" and starts_at(event) == datetime(2030, 3, 5, 9, 0, tzinfo=UTC)


def test_a_move_moves_the_reminder_and_a_cancel_drops_it(setup: Callable[..., Setup]) -> None:
    s = setup(webhooks=[])
    booked = book_tomorrow(s)
    moved = s.client.put(
        f"{ORCHESTRA}/v1/appointments/{booked['publicId']}/reschedule",
        params={"start": f"{TOMORROW}T15:00:00"},  # branch-local: 14:00 UTC
    )
    assert moved.status_code == 200, moved.text
    s.clock.advance(seconds=3 * 3600)  # 11:00: the old reminder's time has passed
    s.deliver()
    assert reminders(s) == []
    s.clock.advance(seconds=4 * 3600)  # 15:00 = 14:00 UTC: the new one is due
    s.deliver()
    assert len(reminders(s)) == 1
    other = book_tomorrow(s, "11:00")
    cancelled = s.client.delete(f"{ORCHESTRA}/v1/appointments/{other['publicId']}")
    assert cancelled.status_code in (200, 204), cancelled.text
    s.clock.advance(seconds=24 * 3600)
    s.deliver()
    assert len(reminders(s)) == 1


def test_a_reminder_the_worker_comes_back_too_late_for_is_not_sent(
    setup: Callable[..., Setup],
) -> None:
    s = setup(webhooks=[])
    book_tomorrow(s)
    s.deliver()
    s.clock.advance(seconds=2 * 3600 + 61 * 60)  # due at 10:00; back at 11:01 (grace 60 min)
    s.deliver()
    assert reminders(s) == []


# --- holds -----------------------------------------------------------------------------------


def test_a_hold_that_expires_sends_no_mail_and_one_hold_expired_webhook(
    setup: Callable[..., Setup],
) -> None:
    s = setup()
    ids = qmatic_ids(s.client)
    qmatic_reserve(s.client, [ids["Passport"]], f"{DAY}T10:00:00+01:00", ids["branch"])
    s.deliver()
    assert s.hooks() == []
    s.clock.advance(seconds=3600)
    s.deliver()
    s.deliver()
    assert s.mails() == []
    assert [h["type"] for h in s.hooks()] == ["hold.expired"]


# --- failures and workers --------------------------------------------------------------------


def test_a_receiver_that_fails_for_a_while_gets_the_message_once_it_recovers(
    setup: Callable[..., Setup],
) -> None:
    s = setup()
    s.receiver.status = 500
    book_on_orchestra(s)
    for _ in range(4):  # down for a while: every attempt fails, the message waits
        s.deliver()
        s.clock.advance(seconds=3600)
    s.receiver.status = 204
    s.deliver()
    attempts = s.receiver.requests
    assert len(attempts) == 5
    assert len({r.headers["webhook-id"] for r in attempts}) == 1  # the same message each time
    assert s.deliver() == 0


def test_a_message_is_given_up_after_the_retry_period(setup: Callable[..., Setup]) -> None:
    s = setup()
    s.receiver.status = 503
    book_on_orchestra(s)
    for _ in range(30):
        s.deliver()
        s.clock.advance(seconds=3600)
    tried = len(s.receiver.requests)
    from slotbook.services import deliveries
    from slotbook.services.catalog import tenant_catalog

    catalog = tenant_catalog(s.app, "acme")
    (failed,) = deliveries.listing(s.app, catalog, failed_only=True)
    assert failed.channel == "webhook" and failed.last_error == "receiver answered 503"
    assert 20 <= tried <= 27  # hourly at most, for 24 hours
    s.receiver.status = 204
    assert deliveries.retry(s.app, catalog, failed.id)
    s.deliver()
    assert len({r.headers["webhook-id"] for r in s.receiver.requests}) == 1


def test_two_workers_never_deliver_one_message_twice(setup: Callable[..., Setup]) -> None:
    s = setup()
    for hour in range(9, 17):
        for minute in ("00", "20", "40"):
            response = s.client.post(
                f"{ORCHESTRA}/v2/branches/north/services/passport/dates/{TOMORROW}"
                f"/times/{hour:02d}:{minute}/book",
                json={"customers": [{"firstName": "A", "lastName": "B", "email": EMAIL}]},
            )
            assert response.status_code == 200, response.text
    workers = [s.worker(batch=5), s.worker(batch=5)]
    threads = [threading.Thread(target=w.run_once) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for worker in workers:
        worker.close()
    ids = [r.headers["webhook-id"] for r in s.receiver.requests]
    assert len(ids) == 24 and len(set(ids)) == 24
    message_ids = [m["Message-ID"] for m in s.mails()]
    assert len(message_ids) == 24 and len(set(message_ids)) == 24


def test_a_crashed_worker_s_message_is_sent_again_with_the_same_id(
    setup: Callable[..., Setup],
) -> None:
    s = setup()
    book_on_orchestra(s)
    # A worker claims the messages and dies before it finishes (the claim is all it wrote).
    from slotbook.services import deliveries

    taken = deliveries.claim(s.app, "crashed", lease=timedelta(minutes=5), limit=10)
    assert len(taken) == 2
    assert s.deliver() == 0  # still claimed by the dead worker
    s.clock.advance(seconds=5 * 60 + 1)
    assert s.deliver() == 2
    (hook,) = s.receiver.requests
    assert hook.headers["webhook-id"] == next(d.message_id for d in taken if d.channel == "webhook")
    (mail,) = s.mails()
    assert (
        mail["Message-ID"]
        == f"<{next(d.message_id for d in taken if d.channel == 'email')}@slotbook>"
    )


def test_a_booking_is_not_slowed_by_a_mail_server_that_hangs(
    make_client: Callable[[dict[str, Any]], TestClient],
) -> None:
    import socket
    import time

    from slotbook.api.app import create_app

    with socket.socket() as hanging:  # accepts connections, never says a word
        hanging.bind(("127.0.0.1", 0))
        hanging.listen(50)
        hanging.settimeout(20)
        port = hanging.getsockname()[1]
        plain = make_client(notifying())
        app = plain.app.state.slotbook  # type: ignore[attr-defined]
        settings = WorkerSettings(
            mail=SmtpSender(f"smtp://127.0.0.1:{port}", timeout=5), poll_seconds=2
        )

        def book(minute: str) -> float:
            began = time.perf_counter()
            response = client.post(
                f"{ORCHESTRA}/v2/branches/north/services/passport/dates/{DAY}/times/10:{minute}/book",
                json={"customers": [{"firstName": "A", "lastName": "B", "email": EMAIL}]},
            )
            assert response.status_code == 200, response.text
            return time.perf_counter() - began

        with TestClient(create_app(app, delivery=settings)) as client:
            client.headers["X-API-KEY"] = DESK_KEY
            for minute in ("00", "10", "20", "30"):  # claimed together at the next poll
                book(minute)
            waiting, _ = hanging.accept()  # the worker is now stuck on the first mail
            took = [book(minute) for minute in ("40", "50")]
            # The bookings are not held up by the worker (5 s to a mail server's timeout).
            assert max(took) < 2, took
            stopping = time.perf_counter()
        # Stopping waits for the mail in hand, not for the rest of the worker's batch.
        assert time.perf_counter() - stopping < 9
        waiting.close()


def test_a_text_reminder_goes_through_the_tenant_s_sms_gateway(
    setup: Callable[..., Setup],
) -> None:
    with running_receiver() as gateway:
        s = setup(
            webhooks=[],
            notifications={
                "from": "afspraken@acme.example",
                "sms": {"url": gateway.url, "token": "gateway-token-1"},
            },
        )
        response = s.client.post(
            f"{ORCHESTRA}/v2/branches/north/services/passport/dates/{TOMORROW}/times/10:00/book",
            json={"customers": [{"firstName": "Ann", "lastName": "Lee", "phone": "+31612345678"}]},
        )
        assert response.status_code == 200, response.text
        s.deliver()
        assert gateway.requests == []  # texts are for reminders only
        s.clock.advance(seconds=2 * 3600)
        s.deliver()
        (sent,) = gateway.requests
        assert sent.headers["authorization"] == "Bearer gateway-token-1"
        body = orjson.loads(sent.body)
        assert body["to"] == "+31612345678"
        assert "10:00" in body["text"] and "/book/acme/manage/" in body["text"]


def test_erasing_a_customer_drops_their_unsent_messages_and_forgets_what_they_said(
    setup: Callable[..., Setup],
) -> None:
    from slotbook.services import deliveries
    from slotbook.services.catalog import tenant_catalog
    from slotbook.services.privacy import erase_customer

    s = setup()
    book_tomorrow(s)
    catalog = tenant_catalog(s.app, "acme")
    erase_customer(s.app, catalog, email=EMAIL)
    assert s.deliver() == 0
    assert s.mails() == [] and s.receiver.requests == []
    logged = deliveries.listing(s.app, catalog, failed_only=False)
    assert {d.status for d in logged} == {"dropped"}
    assert all(d.target == "" and d.payload == {} for d in logged)
