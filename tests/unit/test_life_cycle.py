"""The appointment's life cycle: allowed changes, and the events they record."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from slotbook.domain.errors import NotHeld, WrongState
from slotbook.domain.events import EventKind
from slotbook.domain.model import Appointment, Arrival, ExternalIds, Status

NOW = datetime(2030, 3, 4, 8, 0, tzinfo=UTC)
START = datetime(2030, 3, 5, 9, 0, tzinfo=UTC)


def appointment(status: Status = Status.HELD, *, expires_in: int = 600) -> Appointment:
    return Appointment(
        public_id="p1",
        ids=ExternalIds("u", "1", "h"),
        branch_key="north",
        resource_key="desk-1",
        service_keys=("passport",),
        start=START,
        end=START + timedelta(minutes=10),
        status=status,
        expires_at=NOW + timedelta(seconds=expires_in) if status is Status.HELD else None,
        id=1,
    )


def kinds(a: Appointment) -> list[EventKind]:
    return [e.kind for e in a.pop_events()]


def test_confirming_a_live_hold_books_it_once() -> None:
    held = appointment()
    held.confirm(NOW)
    assert held.status is Status.CONFIRMED and held.expires_at is None
    assert kinds(held) == [EventKind.BOOKED]
    with pytest.raises(WrongState):
        held.confirm(NOW)


def test_a_hold_that_ran_out_cannot_be_confirmed_and_is_announced_once() -> None:
    held = appointment(expires_in=60)
    later = NOW + timedelta(minutes=2)
    with pytest.raises(NotHeld):
        held.confirm(later)
    held.expire(later)
    assert kinds(held) == [EventKind.HOLD_EXPIRED]
    with pytest.raises(WrongState):
        held.expire(later)
    assert held.status is Status.HELD  # it just stopped counting


def test_cancelling_a_booking_tells_the_customer_cancelling_a_hold_does_not() -> None:
    booked = appointment(Status.CONFIRMED)
    booked.cancel(NOW, reason="ill", by_staff=True)
    (event,) = booked.pop_events()
    assert (event.kind, event.reason, event.by_staff) == (EventKind.CANCELLED, "ill", True)
    assert booked.sequence == 1
    held = appointment()
    held.cancel(NOW)
    assert kinds(held) == [] and held.status is Status.CANCELLED


def test_a_move_records_the_old_time_and_a_resize_in_place_records_nothing() -> None:
    booked = appointment(Status.CONFIRMED)
    before = booked.start, booked.end
    booked.start += timedelta(hours=2)
    booked.end += timedelta(hours=2)
    booked.rescheduled(NOW, *before)
    (event,) = booked.pop_events()
    assert (event.kind, event.previous_start) == (EventKind.RESCHEDULED, START)
    booked.rescheduled(NOW, booked.start, booked.end)
    assert kinds(booked) == [] and booked.sequence == 1


@pytest.mark.parametrize("status", [Status.CANCELLED, Status.RELEASED])
@pytest.mark.parametrize("change", ["release", "confirm", "cancel", "reserve"])
def test_nothing_comes_back_from_cancelled_or_released(status: Status, change: str) -> None:
    gone = appointment(status)
    with pytest.raises((WrongState, NotHeld)):
        getattr(gone, change)(*(() if change == "release" else (NOW,)))
    assert gone.status is status and kinds(gone) == []


OPERATIONS = ("confirm", "reserve", "release", "cancel", "move")


@given(st.lists(st.sampled_from(OPERATIONS), max_size=8))
def test_any_sequence_of_changes_keeps_the_life_cycle(operations: list[str]) -> None:
    """Whatever is tried: refused changes change nothing, booked happens at most once, and
    the calendar SEQUENCE counts exactly the changes the customer was told about."""
    a = appointment()
    told = 0
    booked = 0
    for operation in operations:
        before = (a.status, a.start, a.sequence)
        try:
            if operation == "confirm":
                a.confirm(NOW)
            elif operation == "reserve":
                a.reserve(NOW)
            elif operation == "release":
                a.release()
            elif operation == "cancel":
                a.cancel(NOW)
            else:
                old = a.start, a.end
                a.start, a.end = a.start + timedelta(hours=1), a.end + timedelta(hours=1)
                a.rescheduled(NOW, *old)
        except (WrongState, NotHeld):
            assert (a.status, a.sequence) == (before[0], before[2])
            if operation == "move":
                a.start, a.end = before[1], before[1] + timedelta(minutes=10)
        for event in a.pop_events():
            booked += event.kind is EventKind.BOOKED
            told += event.kind in (EventKind.RESCHEDULED, EventKind.CANCELLED)
    assert booked <= 1
    assert a.sequence == told


AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def test_check_in_is_for_the_appointment_s_own_day_in_the_branch_s_zone() -> None:
    booked = appointment(Status.CONFIRMED)  # 10:00 Amsterdam on 5 March
    with pytest.raises(WrongState):
        booked.check_in(NOW, AMSTERDAM)  # the day before
    late_evening = datetime(2030, 3, 5, 22, 59, tzinfo=UTC)  # 23:59 in Amsterdam: same day
    booked.check_in(late_evening, AMSTERDAM)
    assert booked.arrival is Arrival.CHECKED_IN
    assert kinds(booked) == [EventKind.CHECKED_IN]


def test_a_no_show_comes_after_the_start_and_ends_the_appointment_s_changes() -> None:
    booked = appointment(Status.CONFIRMED)
    with pytest.raises(WrongState):
        booked.mark_no_show(START - timedelta(minutes=1))
    booked.mark_no_show(START)
    assert kinds(booked) == [EventKind.NO_SHOW]
    for change in (booked.cancel, booked.complete):
        with pytest.raises(WrongState):
            change(START)
    assert (booked.status, booked.arrival) == (Status.CONFIRMED, Arrival.NO_SHOW)


def test_only_who_checked_in_can_be_served_and_a_hold_never_arrives() -> None:
    booked = appointment(Status.CONFIRMED)
    with pytest.raises(WrongState):
        booked.complete(START)
    booked.check_in(START, AMSTERDAM)
    booked.complete(START + timedelta(minutes=10))
    assert booked.arrival is Arrival.COMPLETED
    with pytest.raises(WrongState):
        appointment().check_in(START, AMSTERDAM)
