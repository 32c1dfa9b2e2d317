"""Backups taken while bookings are being written restore every appointment they hold."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from slotbook.cli import main
from slotbook.domain.errors import SlotTaken
from slotbook.domain.model import CustomerDetails, Status
from slotbook.persistence.database import create_db_engine, current_revision, head_revision
from slotbook.persistence.tables import appointment_customers, appointments, customers
from slotbook.services.availability import SlotQuery
from slotbook.services.booking import BookingDetails, place
from slotbook.services.catalog import tenant_catalog
from slotbook.services.context import Slotbook
from tests.conftest import MONDAY
from tests.factories import one_office

MakeSlotbook = Callable[[dict[str, Any]], Slotbook]


def _book(app: Slotbook, number: int) -> None:
    catalog = tenant_catalog(app, "acme")
    query = SlotQuery(
        branch=catalog.branch("north"), services=(catalog.service("passport"),), people=1
    )
    person = CustomerDetails(first_name=f"Person {number}", email=f"p{number}@example.org")
    place(
        app,
        catalog,
        query=query,
        start=MONDAY + timedelta(hours=1, minutes=10 * number),
        status=Status.CONFIRMED,
        details=BookingDetails(customers=[person], notes=f"booking {number}"),
    )


def _appointments(url: str) -> dict[str, tuple[Any, ...]]:
    """Every appointment with its customer, by public id, as stored."""
    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                select(appointments, customers.c.first_name, customers.c.email)
                .join(
                    appointment_customers,
                    appointment_customers.c.appointment_pk == appointments.c.pk,
                )
                .join(customers, customers.c.pk == appointment_customers.c.customer_pk)
            ).all()
    finally:
        engine.dispose()
    return {row.public_id: tuple(row) for row in rows}


class Booker(threading.Thread):
    """Books one appointment after another until stopped."""

    def __init__(self, app: Slotbook, first: int) -> None:
        super().__init__(daemon=True)
        self.app = app
        self.booked = first
        self.stop = threading.Event()
        self.failure: BaseException | None = None

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                _book(self.app, self.booked)
                self.booked += 1
        except BaseException as exc:  # reported by the test
            self.failure = exc

    def wait_for(self, count: int) -> None:
        while self.booked < count and self.failure is None and self.is_alive():
            self.stop.wait(0.01)
        assert self.failure is None, self.failure


def test_a_backup_taken_during_bookings_restores_every_appointment_it_holds(
    make_slotbook: MakeSlotbook, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app = make_slotbook(one_office(hours="00:00-24:00"))
    for number in range(5):
        _book(app, number)
    booker = Booker(app, first=5)
    booker.start()
    try:
        booker.wait_for(8)
        file = tmp_path / "slotbook.backup"
        assert main(["backup", "--database", db_url, str(file)]) == 0
        booked_at_backup = booker.booked
        booker.wait_for(booked_at_backup + 3)
    finally:
        booker.stop.set()
        booker.join(timeout=60)
    assert booker.failure is None, booker.failure
    assert "wrote" in capsys.readouterr().out
    live = _appointments(db_url)
    assert len(live) == booker.booked

    # Restoring over the live database takes it back to the backup's moment.
    assert main(["restore", "--database", db_url, str(file)]) == 0
    restored = _appointments(db_url)
    assert len(restored) >= 8, "bookings made before the backup started are missing"
    assert len(restored) < len(live), "bookings made after the backup are still there"
    for public_id, row in restored.items():
        assert row == live[public_id], "a restored appointment differs from the original"
    engine = create_db_engine(db_url)
    try:
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()

    # The restored database guards and books like the original.
    after = make_slotbook(one_office(hours="00:00-24:00"))
    with pytest.raises(SlotTaken):
        _book(after, 0)
    _book(after, booker.booked + 1)
    assert len(_appointments(db_url)) == len(restored) + 1


def test_restore_refuses_a_file_that_is_no_backup(db_url: str, tmp_path: Path) -> None:
    file = tmp_path / "notes.txt"
    file.write_text("not a backup")
    assert main(["restore", "--database", db_url, str(file)]) == 1
