"""Bookings at the same moment do not queue behind each other when other desks are free."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from slotbook.domain.model import Appointment, Status
from slotbook.services.availability import SlotQuery
from slotbook.services.booking import place, place_in
from slotbook.services.catalog import tenant_catalog
from slotbook.services.context import Slotbook
from tests.factories import one_office


def test_a_booking_takes_a_free_desk_while_another_booking_is_still_writing(
    make_slotbook: Callable[[dict[str, Any]], Slotbook], db_url: str
) -> None:
    if db_url.startswith("sqlite"):
        pytest.skip("SQLite lets one writer at a time in, whatever it books")
    app = make_slotbook(one_office(desks=2))
    acme = tenant_catalog(app, "acme")
    query = SlotQuery(branch=acme.branch("north"), services=(acme.service("passport"),))
    done: list[Appointment] = []
    with app.uows(write=True) as first:
        held = place_in(
            first,
            app,
            acme,
            query=query,
            start=datetime(2030, 3, 5, 8, 0, tzinfo=UTC),
            status=Status.CONFIRMED,
        )
        # The first booking has its desk and has not committed: the second must not wait.
        second = threading.Thread(
            target=lambda: done.append(
                place(
                    app,
                    acme,
                    query=query,
                    start=datetime(2030, 3, 5, 9, 0, tzinfo=UTC),
                    status=Status.CONFIRMED,
                )
            )
        )
        second.start()
        second.join(timeout=20)
        assert done, "the second booking waited for the first one's desk"
        assert done[0].resource_key != held.resource_key
        first.commit()
