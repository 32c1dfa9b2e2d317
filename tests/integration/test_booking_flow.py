"""Booking use cases on a real database: holds, confirmations, capacity, moves."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from slotbook.bootstrap import build_slotbook
from slotbook.domain.errors import NotHeld, SlotTaken
from slotbook.domain.model import Appointment, CustomerDetails, Status
from slotbook.persistence.booking_repo import SqlBookingRepository
from slotbook.services.actor import Actor, Scope
from slotbook.services.availability import SlotQuery, find_days, find_openings
from slotbook.services.booking import (
    BookingDetails,
    Participant,
    book_participants,
    confirm,
    place,
)
from slotbook.services.catalog import tenant_catalog
from slotbook.services.changes import cancel, reschedule, reschedule_to_hold
from slotbook.services.context import Slotbook
from slotbook.services.queries import get_appointment
from tests.conftest import FakeClock
from tests.factories import issue_catalog, one_office

CITIZEN = Actor(Scope.BOOKING, address="192.0.2.1")

MakeSlotbook = Callable[[dict[str, Any]], Slotbook]
TEN = timedelta(minutes=10)


def _query(app: Slotbook, *services: str, people: int = 1) -> SlotQuery:
    catalog = tenant_catalog(app, "acme")
    return SlotQuery(
        branch=catalog.branch("north"),
        services=tuple(catalog.service(s) for s in services),
        people=people,
    )


def test_monday_offers_passport_starts_every_five_minutes_in_opening_hours(
    make_slotbook: MakeSlotbook,
) -> None:
    app = make_slotbook(issue_catalog())
    catalog = tenant_catalog(app, "acme")
    found = find_openings(app, catalog, _query(app, "passport"), last_day=date(2030, 3, 4))
    local = [
        datetime.fromtimestamp(o.start, UTC).astimezone(catalog.branch("north").zone) for o in found
    ]
    times = [t.strftime("%H:%M") for t in local]
    assert times[0] == "09:00"
    assert times[1] == "09:05"
    assert "11:50" in times
    assert "11:55" not in times  # would end after 12:00
    assert "12:30" not in times
    assert times[-1] == "16:50"


def test_held_slot_is_busy_until_the_hold_expires(
    make_slotbook: MakeSlotbook, clock: FakeClock
) -> None:
    app = make_slotbook(issue_catalog())
    catalog = tenant_catalog(app, "acme")
    start = datetime(2030, 3, 4, 8, 0, tzinfo=UTC)  # 09:00 Amsterdam
    place(
        app, catalog, query=_query(app, "passport"), start=start, status=Status.HELD, hold_ttl=TEN
    )
    with pytest.raises(SlotTaken):
        place(app, catalog, query=_query(app, "passport"), start=start, status=Status.CONFIRMED)
    clock.advance(minutes=10)
    booked = place(
        app, catalog, query=_query(app, "passport"), start=start, status=Status.CONFIRMED
    )
    assert booked.status is Status.CONFIRMED


def test_confirming_an_expired_hold_fails(make_slotbook: MakeSlotbook, clock: FakeClock) -> None:
    app = make_slotbook(issue_catalog())
    catalog = tenant_catalog(app, "acme")
    start = datetime(2030, 3, 4, 8, 0, tzinfo=UTC)
    held = place(
        app, catalog, query=_query(app, "passport"), start=start, status=Status.HELD, hold_ttl=TEN
    )
    clock.advance(minutes=11)
    with pytest.raises(NotHeld):
        confirm(
            app,
            catalog,
            ref=("public_id", held.public_id),
            details=BookingDetails(),
            actor=CITIZEN,
        )


def test_confirm_with_more_customers_lengthens_the_appointment(make_slotbook: MakeSlotbook) -> None:
    app = make_slotbook(issue_catalog())
    catalog = tenant_catalog(app, "acme")
    start = datetime(2030, 3, 4, 8, 0, tzinfo=UTC)
    held = place(
        app, catalog, query=_query(app, "passport"), start=start, status=Status.HELD, hold_ttl=TEN
    )
    people = [CustomerDetails(first_name="A"), CustomerDetails(first_name="B")]
    done = confirm(
        app,
        catalog,
        ref=("public_id", held.public_id),
        details=BookingDetails(customers=people),
        actor=CITIZEN,
    )
    assert done.end - done.start == timedelta(minutes=15)
    assert [c.first_name for c in done.customers] == ["A", "B"]


def test_group_session_fills_to_capacity(make_slotbook: MakeSlotbook) -> None:
    app = make_slotbook(issue_catalog())
    catalog = tenant_catalog(app, "acme")
    start = datetime(2030, 3, 4, 8, 0, tzinfo=UTC)
    first = place(
        app, catalog, query=_query(app, "workshop", people=3), start=start, status=Status.CONFIRMED
    )
    second = place(
        app, catalog, query=_query(app, "workshop", people=2), start=start, status=Status.CONFIRMED
    )
    assert first.session_id == second.session_id
    with pytest.raises(SlotTaken):
        place(app, catalog, query=_query(app, "workshop"), start=start, status=Status.CONFIRMED)
    cancel(app, catalog, ref=("public_id", second.public_id))
    again = place(
        app, catalog, query=_query(app, "workshop", people=2), start=start, status=Status.CONFIRMED
    )
    assert again.session_id == first.session_id


def test_reschedule_frees_the_old_slot(make_slotbook: MakeSlotbook) -> None:
    app = make_slotbook(issue_catalog())
    catalog = tenant_catalog(app, "acme")
    start = datetime(2030, 3, 4, 8, 0, tzinfo=UTC)
    booked = place(
        app, catalog, query=_query(app, "passport"), start=start, status=Status.CONFIRMED
    )
    later = start + timedelta(hours=1)
    moved = reschedule(
        app, catalog, ref=("public_id", booked.public_id), start=later, end=later + TEN
    )
    assert moved.start == later
    assert get_appointment(app, catalog, ("public_id", booked.public_id)).start == later
    other = place(app, catalog, query=_query(app, "passport"), start=start, status=Status.CONFIRMED)
    assert other.start == start


def test_days_skip_closed_weekdays(make_slotbook: MakeSlotbook) -> None:
    app = make_slotbook(issue_catalog())
    catalog = tenant_catalog(app, "acme")
    days = find_days(app, catalog, _query(app, "passport"), last_day=date(2030, 3, 17))
    assert days == [date(2030, 3, 4), date(2030, 3, 5), date(2030, 3, 11), date(2030, 3, 12)]


def _rival_takes_the_expired_hold_then_the_clock_lags(
    app: Slotbook, clock: FakeClock, service: str, people: int
) -> tuple[Any, Any]:
    """A hold expires, a rival books its room, then the holder's process reads a lagging clock.

    Across processes (or a request that waited for a lock) the holder's idea of "now" can be
    behind the rival's; the database must still refuse to make the hold firm.
    """
    catalog = tenant_catalog(app, "acme")
    start = datetime(2030, 3, 4, 8, 0, tzinfo=UTC)
    query = _query(app, service, people=people)
    held = place(app, catalog, query=query, start=start, status=Status.HELD, hold_ttl=TEN)
    clock.advance(minutes=11)
    rival = place(app, catalog, query=query, start=start, status=Status.CONFIRMED)
    clock.advance(minutes=-2)  # the hold looks live again to this clock
    return held, rival


def _only_the_rival_is_firm(app: Slotbook, held: Any, rival: Any) -> None:
    catalog = tenant_catalog(app, "acme")
    assert get_appointment(app, catalog, ("public_id", held.public_id)).status is Status.HELD
    kept = get_appointment(app, catalog, ("public_id", rival.public_id))
    assert (kept.status, kept.session_id) == (Status.CONFIRMED, rival.session_id)


def _live_sessions_at(app: Slotbook, service: str, people: int) -> list[Any]:
    catalog = tenant_catalog(app, "acme")
    day = date(2030, 3, 4)
    found = find_openings(app, catalog, _query(app, service, people=people), last_day=day)
    return [o for o in found if o.start == int(datetime(2030, 3, 4, 8, 0, tzinfo=UTC).timestamp())]


def _confirm(app: Slotbook, held: Any) -> None:
    ref = ("public_id", held.public_id)
    catalog = tenant_catalog(app, "acme")
    confirm(app, catalog, ref=ref, details=BookingDetails(), actor=CITIZEN)


def _book_five(app: Slotbook, held: Any) -> None:
    five = [Participant(CustomerDetails(first_name="Ann"), spaces=5)]
    catalog = tenant_catalog(app, "acme")
    book_participants(
        app, catalog, hold=("public_id", held.public_id), participants=five, actor=CITIZEN
    )


@pytest.mark.parametrize(
    ("service", "people", "make_firm"),
    [("passport", 1, _confirm), ("workshop", 5, _book_five)],
    ids=["confirm a hold", "book a group hold"],
)
def test_a_hold_whose_room_a_rival_took_cannot_be_made_firm_even_by_a_lagging_clock(
    make_slotbook: MakeSlotbook,
    clock: FakeClock,
    service: str,
    people: int,
    make_firm: Callable[[Slotbook, Any], None],
) -> None:
    app = make_slotbook(issue_catalog())
    held, rival = _rival_takes_the_expired_hold_then_the_clock_lags(app, clock, service, people)
    with pytest.raises(NotHeld):
        make_firm(app, held)
    _only_the_rival_is_firm(app, held, rival)
    assert _live_sessions_at(app, service, 1) == []  # the rival's booking still fills it


def test_moving_into_a_hold_frees_the_old_session_at_once(make_slotbook: MakeSlotbook) -> None:
    app = make_slotbook(issue_catalog())
    catalog = tenant_catalog(app, "acme")
    nine = datetime(2030, 3, 4, 8, 0, tzinfo=UTC)
    booked = place(app, catalog, query=_query(app, "passport"), start=nine, status=Status.CONFIRMED)
    held = place(
        app,
        catalog,
        query=_query(app, "passport"),
        start=nine + timedelta(hours=1),
        status=Status.HELD,
        hold_ttl=TEN,
    )
    reschedule_to_hold(
        app, catalog, ref=("public_id", booked.public_id), hold=("public_id", held.public_id)
    )
    assert booked.session_id is not None
    with app.uows() as uow:
        old = uow.bookings.session_by_id(booked.session_id)
    assert (old.taken, old.released) == (0, True)


def test_what_a_booking_answers_is_what_was_stored(make_slotbook: MakeSlotbook) -> None:
    # The answer is built from what was written, not read back: it must match the read.
    app = make_slotbook(issue_catalog())
    catalog = tenant_catalog(app, "acme")
    start = datetime(2030, 3, 4, 8, 0, tzinfo=UTC)
    two = BookingDetails(
        customers=[CustomerDetails(first_name="A", email="a@example.org"), CustomerDetails()],
        customer_spaces=[2],
        title="Renewal",
        notes="Bring the old one",
        customer_message="See you",
        custom="x=1",
        language="nl",
    )
    answers = [
        place(
            app,
            catalog,
            query=_query(app, "passport"),
            start=start,
            status=Status.HELD,
            hold_ttl=TEN,
            actor=CITIZEN,
        ),
        place(
            app,
            catalog,
            query=_query(app, "passport", people=2),
            start=start + 2 * TEN,
            status=Status.CONFIRMED,
            details=two,
        ),
        place(
            app,
            catalog,
            query=_query(app, "workshop", people=2),
            start=start,
            status=Status.CONFIRMED,
        ),
        # Joins the session the one before opened.
        place(
            app,
            catalog,
            query=_query(app, "workshop"),
            start=start,
            status=Status.HELD,
            hold_ttl=TEN,
        ),
    ]
    assert answers[3].session_id == answers[2].session_id
    for answer in answers:
        stored = get_appointment(app, catalog, ("public_id", answer.public_id))
        assert answer == stored
        assert answer.session_ids == stored.session_ids is not None


def test_a_start_whose_notice_runs_out_while_the_booking_waits_is_refused(
    make_slotbook: MakeSlotbook, clock: FakeClock
) -> None:
    # SQLite chooses the desk before queueing for the write lock; the choice must still
    # hold when the lock is taken.
    app = make_slotbook(issue_catalog(min_notice_minutes=60))
    catalog = tenant_catalog(app, "acme")
    first = datetime(2030, 3, 4, 8, 0, tzinfo=UTC)  # 09:00 Amsterdam: the clock's hour + 60
    uows = app.uows

    class SlowWriters:
        """Two seconds pass while a writer waits for the lock."""

        def __call__(self, *, write: bool = False) -> Any:
            if write:
                clock.advance(seconds=2)
            return uows(write=write)

        def __getattr__(self, name: str) -> Any:
            return getattr(uows, name)

    app.uows = SlowWriters()  # type: ignore[assignment]
    with pytest.raises(SlotTaken):
        place(app, catalog, query=_query(app, "passport"), start=first, status=Status.CONFIRMED)
    later = place(
        app, catalog, query=_query(app, "passport"), start=first + TEN, status=Status.CONFIRMED
    )
    assert later.start == first + TEN


def test_a_desk_taken_between_the_choice_and_the_lock_sends_the_booking_to_another(
    make_slotbook: MakeSlotbook, db_url: str, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A booking chooses its desk before it holds a lock and writes it as chosen; when a
    # rival took that desk in between, the database refuses the write and the booking
    # must go on to the desk still free, not answer "taken".
    app = make_slotbook(one_office(desks=2))
    rival_app = build_slotbook(db_url, clock=clock, run_migrations=False)
    catalog = tenant_catalog(app, "acme")
    start = datetime(2030, 3, 4, 8, 0, tzinfo=UTC)
    rivals: list[Appointment | None] = []

    def rival() -> None:
        if not rivals:  # once (the rival's own booking passes here too)
            rivals.append(None)
            rivals[0] = place(
                rival_app,
                catalog,
                query=_query(app, "passport"),
                start=start,
                status=Status.CONFIRMED,
            )

    try:
        if "postgresql" in db_url:  # the choice is made in the transaction, then one desk locked
            locking = SqlBookingRepository.try_lock_resource

            def lock_after_a_rival(self: SqlBookingRepository, ref: int) -> bool:
                rival()
                return locking(self, ref)

            monkeypatch.setattr(SqlBookingRepository, "try_lock_resource", lock_after_a_rival)
        else:  # the choice is read before the writer queues for the database
            uows = app.uows

            class RivalFirst:
                def __call__(self, *, write: bool = False) -> Any:
                    if write:
                        rival()
                    return uows(write=write)

                def __getattr__(self, name: str) -> Any:
                    return getattr(uows, name)

            app.uows = RivalFirst()  # type: ignore[assignment]
        mine = place(
            app, catalog, query=_query(app, "passport"), start=start, status=Status.CONFIRMED
        )
    finally:
        rival_app.uows.close()  # type: ignore[attr-defined]
    assert rivals[0] is not None
    assert {mine.resource_key, rivals[0].resource_key} == {"desk-1", "desk-2"}
