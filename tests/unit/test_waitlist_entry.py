"""A waitlist entry's life: waiting, offered, then booked or lapsed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from slotbook.domain.errors import NotHeld, WrongState
from slotbook.domain.waitlist import WaitlistEntry, WaitStatus

NOW = datetime(2030, 3, 4, 8, 0, tzinfo=UTC)


def entry() -> WaitlistEntry:
    return WaitlistEntry(
        uuid="w1",
        branch_key="north",
        service_keys=("passport",),
        people=1,
        first_day=date(2030, 3, 5),
        last_day=date(2030, 3, 7),
        first_name="Ann",
        last_name="Lee",
        email="ann@example.org",
    )


def test_an_offer_taken_in_time_books_and_one_taken_late_does_not() -> None:
    taken = entry()
    taken.offer("p1", NOW + timedelta(hours=2))
    with pytest.raises(WrongState):
        taken.offer("p2", NOW + timedelta(hours=2))  # one offer at a time
    taken.accept(NOW + timedelta(hours=1))
    assert taken.status is WaitStatus.BOOKED
    late = entry()
    late.offer("p1", NOW + timedelta(hours=2))
    with pytest.raises(NotHeld):
        late.accept(NOW + timedelta(hours=2))
    assert late.status is WaitStatus.OFFERED


def test_only_an_offer_that_ran_out_lapses() -> None:
    offered = entry()
    with pytest.raises(WrongState):
        offered.lapse(NOW)  # nothing offered yet
    offered.offer("p1", NOW + timedelta(hours=2))
    with pytest.raises(WrongState):
        offered.lapse(NOW + timedelta(hours=1))
    offered.lapse(NOW + timedelta(hours=2))
    assert offered.status is WaitStatus.LAPSED
    with pytest.raises(WrongState):
        offered.accept(NOW)
