"""`slotbook worker` as a real process: killed with SIGKILL in the middle of a delivery, it loses
nothing, and the message another worker sends instead carries the same ids."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
from standardwebhooks import Webhook

from slotbook.services.context import Slotbook
from tests.conftest import FakeClock
from tests.factories import every_day
from tests.notifications.payloads import EMAIL, SECRET
from tests.notifications.servers import Receiver, running_receiver

pytestmark = pytest.mark.slow


@pytest.fixture
def clock() -> FakeClock:
    """The real time: the worker process runs on the system clock."""
    return FakeClock(datetime.now(UTC).replace(microsecond=0))


def start_worker(db_url: str, folder: Path, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SLOTBOOK_DELIVERY_LEASE": "2"}  # a dead worker's claim lapses soon
    command = [sys.executable, "-m", "slotbook", "worker", "--database", db_url]
    command += ["--mail-folder", str(folder), "--public-url", "https://book.example"]
    with log.open("ab") as out:
        return subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)


def wait_for(condition: Callable[[], bool], seconds: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen; worker log:\n{log.read_text()[-3000:]}")
        time.sleep(0.05)


def test_a_worker_killed_mid_delivery_loses_nothing(
    make_slotbook: Callable[[dict[str, Any]], Slotbook],
    clock: FakeClock,
    db_url: str,
    tmp_path: Path,
) -> None:
    from slotbook.domain.model import CustomerDetails, Status
    from slotbook.services.availability import SlotQuery
    from slotbook.services.booking import BookingDetails, place
    from slotbook.services.catalog import tenant_catalog

    with running_receiver() as receiver:
        receiver.hang = True  # the first call never gets its answer: the worker dies waiting
        app = make_slotbook(catalog(receiver))
        acme = tenant_catalog(app, "acme")
        tomorrow = (clock.now() + timedelta(days=1)).astimezone(UTC)
        start = tomorrow.replace(hour=10, minute=0, second=0)
        place(
            app,
            acme,
            query=SlotQuery(branch=acme.branch("north"), services=(acme.service("passport"),)),
            start=start,
            status=Status.CONFIRMED,
            details=BookingDetails(
                customers=[CustomerDetails(first_name="Ann", last_name="Lee", email=EMAIL)]
            ),
        )
        folder, log = tmp_path / "mail", tmp_path / "worker.log"
        first = start_worker(db_url, folder, log)
        try:
            wait_for(lambda: len(receiver.requests) == 1, 30, "the first webhook call", log)
            first.send_signal(signal.SIGKILL)
            first.wait(10)
        finally:
            if first.poll() is None:
                first.kill()
        receiver.hang = False
        receiver.released.set()
        second = start_worker(db_url, folder, log)
        try:
            wait_for(lambda: len(receiver.requests) >= 2, 30, "the webhook sent again", log)
            wait_for(lambda: len(list(folder.glob("*.eml"))) >= 1, 30, "the mail", log)
            time.sleep(1.5)  # long enough for a duplicate to show up, were there one
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(20)
        assert second.returncode == 0, log.read_text()[-3000:]
    calls = receiver.requests
    assert len(calls) == 2
    assert calls[0].headers["webhook-id"] == calls[1].headers["webhook-id"]
    assert Webhook(SECRET).verify(calls[1].body, calls[1].headers)["type"] == "appointment.booked"
    (mail,) = folder.glob("*.eml")
    parsed = message_from_bytes(mail.read_bytes(), policy=policy.default)
    assert parsed["To"] == EMAIL


def catalog(receiver: Receiver) -> dict[str, Any]:
    return {
        "tenants": [
            {
                "id": "acme",
                "name": "Acme",
                "webhooks": [{"url": receiver.url, "secret": SECRET}],
                "branches": [
                    {
                        "id": "north",
                        "name": "North Office",
                        "time_zone": "UTC",
                        "hours": every_day(["00:00-23:59"]),
                        "resources": [{"id": "desk-1", "name": "Desk 1"}],
                    }
                ],
                "services": [
                    {"id": "passport", "name": "Passport", "duration": 10, "branches": ["north"]}
                ],
            }
        ]
    }
