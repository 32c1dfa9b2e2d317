"""The waitlist: a freed time goes to the first person waiting for it, as a hold they confirm
from a mail; an offer not taken in time passes to the next; never is a time held by two."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from typing import Any

import pytest
from starlette.testclient import TestClient

from slotbook.notifications.smtp import SmtpSender
from slotbook.notifications.worker import Worker, WorkerSettings
from slotbook.services.context import Slotbook
from tests.conftest import FakeClock
from tests.factories import one_office, passport
from tests.notifications.servers import Collector, smtp_server
from tests.web.page import csrf

STAFF, PAGE = "desk-key-000000003", "page-key-000000003"
TOMORROW = "2030-03-05"  # the test clock: Monday 2030-03-04 08:00 in Amsterdam
ORCHESTRA = "/calendar-backend/public/api"


def catalog() -> dict[str, Any]:
    # Open 09:00-09:30: three times a day.
    return one_office(
        keys={STAFF: "staff", PAGE: "booking"},
        hours="09:00-09:30",
        public_ids=True,
        services=[passport(public_id="passport")],
    )


class Desk:
    """The server, a staff key, a mailbox and a delivery worker."""

    def __init__(self, client: TestClient, mailbox: Collector, port: int) -> None:
        self.client, self.mailbox = client, mailbox
        self.app: Slotbook = client.app.state.slotbook  # type: ignore[attr-defined]
        self.worker = Worker(
            self.app,
            WorkerSettings(
                mail=SmtpSender(f"smtp://127.0.0.1:{port}"),
                public_url="http://testserver",
                waitlist_every=0,
            ),
        )

    def api(self, method: str, path: str, key: str = STAFF, **kwargs: Any) -> Any:
        return self.client.request(
            method, f"/api/v1{path}", headers={"Authorization": f"Bearer {key}"}, **kwargs
        )

    def book(self, time: str, name: str) -> str:
        answer = self.api(
            "POST",
            "/appointments",
            json={
                "branch": "north",
                "services": ["passport"],
                "start": f"{TOMORROW}T{time}:00+01:00",
                "customer": {"first_name": name, "last_name": "X", "email": f"{name}@ex.org"},
            },
        )
        assert answer.status_code == 201, answer.text
        return str(answer.json()["id"])

    def wait(self, name: str) -> str:
        answer = self.api(
            "POST",
            "/waitlist",
            key=PAGE,
            json={
                "branch": "north",
                "services": ["passport"],
                "first_day": TOMORROW,
                "last_day": TOMORROW,
                "customer": {"first_name": name, "last_name": "Y", "email": f"{name}@ex.org"},
            },
        )
        assert answer.status_code == 201, answer.text
        return str(answer.json()["id"])

    def status(self) -> dict[str, str]:
        return {e["id"]: e["status"] for e in self.api("GET", "/waitlist").json()["data"]}

    def offers_to(self, email: str) -> list[str]:
        """The confirm links mailed to ``email``."""
        links = []
        for envelope in self.mailbox.envelopes:
            mail = message_from_bytes(envelope.original_content or b"", policy=policy.default)
            if mail["To"] == email:
                body = mail.get_body(("plain",))
                assert body is not None
                links += re.findall(r"http://testserver(/book/acme/offer/\S+)", body.get_content())
        return links

    def times(self) -> list[str]:
        answer = self.client.get(
            f"{ORCHESTRA}/v1/branches/north/services/passport/dates/{TOMORROW}/times",
            headers={"X-API-KEY": STAFF},
        )
        return list(answer.json()["times"])


@pytest.fixture
def desk(make_client: Callable[[dict[str, Any]], TestClient]) -> Iterator[Desk]:
    mailbox = Collector()
    with smtp_server(mailbox) as port:
        made = Desk(make_client(catalog()), mailbox, port)
        yield made
        made.worker.close()


def test_a_cancelled_time_is_offered_to_the_first_waiter_who_confirms_it_from_the_mail(
    desk: Desk,
) -> None:
    booked = [desk.book(t, n) for t, n in (("09:00", "a"), ("09:10", "b"), ("09:20", "c"))]
    ann, bob = desk.wait("ann"), desk.wait("bob")
    desk.worker.run_once()
    assert desk.status() == {ann: "waiting", bob: "waiting"}  # nothing free yet
    assert desk.api("POST", f"/appointments/{booked[1]}/cancel").status_code == 200
    desk.worker.run_once()  # one cycle: the offer is made and mailed
    assert desk.status() == {ann: "offered", bob: "waiting"}
    assert desk.times() == []  # the freed 09:10 is held for Ann, nobody else gets it
    (link,) = desk.offers_to("ann@ex.org")
    page = desk.client.get(link)
    assert page.status_code == 200, page.text
    assert "09:10" in page.text or "9:10" in page.text
    done = desk.client.post(link, data={"csrf": csrf(page)}, follow_redirects=False)
    assert done.status_code == 303, done.text
    assert desk.status() == {bob: "waiting"}
    listed = desk.api(
        "GET", "/appointments", params={"date_from": TOMORROW, "status": "confirmed"}
    ).json()["data"]
    assert sorted(a["customers"][0]["first_name"] for a in listed) == ["a", "ann", "c"]
    again = desk.client.post(link, data={"csrf": csrf(page)}, follow_redirects=False)
    assert again.status_code == 410


def test_an_offer_not_taken_in_time_passes_to_the_next_waiter(desk: Desk, clock: FakeClock) -> None:
    booked = [desk.book(t, n) for t, n in (("09:00", "a"), ("09:10", "b"), ("09:20", "c"))]
    ann, bob = desk.wait("ann"), desk.wait("bob")
    desk.api("POST", f"/appointments/{booked[0]}/cancel")
    desk.worker.run_once()
    assert desk.status() == {ann: "offered", bob: "waiting"}
    (ann_link,) = desk.offers_to("ann@ex.org")
    clock.advance(seconds=120 * 60)  # the catalog's default: an offer is held two hours
    desk.worker.run_once()
    assert desk.status() == {bob: "offered"}  # Ann lapsed; Bob has the time now
    assert len(desk.offers_to("bob@ex.org")) == 1
    late = desk.client.get(ann_link)
    assert late.status_code == 410


def test_a_direct_booking_and_an_offer_never_hold_one_time_both(desk: Desk) -> None:
    booked = [desk.book(t, n) for t, n in (("09:00", "a"), ("09:10", "b"), ("09:20", "c"))]
    desk.wait("ann")
    desk.api("POST", f"/appointments/{booked[2]}/cancel")
    # Someone books the freed time directly before the worker comes round.
    desk.book("09:20", "direct")
    desk.worker.run_once()
    assert desk.offers_to("ann@ex.org") == []
    listed = desk.api(
        "GET", "/appointments", params={"date_from": TOMORROW, "status": "confirmed,held"}
    ).json()["data"]
    starts = [a["start"] for a in listed]
    assert len(starts) == len(set(starts)) == 3


def test_asking_needs_an_e_mail_and_a_day_within_the_horizon(desk: Desk) -> None:
    body: dict[str, Any] = {
        "branch": "north",
        "services": ["passport"],
        "first_day": TOMORROW,
        "last_day": TOMORROW,
        "customer": {"first_name": "x", "last_name": "y"},
    }
    assert desk.api("POST", "/waitlist", key=PAGE, json=body).status_code == 400
    body["customer"]["email"] = "x@ex.org"
    body["last_day"] = (datetime(2030, 3, 4, tzinfo=UTC) + timedelta(days=400)).date().isoformat()
    assert desk.api("POST", "/waitlist", key=PAGE, json=body).status_code == 400
    assert desk.api("GET", "/waitlist", key=PAGE).status_code == 403
