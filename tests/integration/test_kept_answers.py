"""A day's free times are kept in memory between requests, and are never older than the
database: a commit in any process, a hold running out, or the clock moving on is seen."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from slotbook.bootstrap import build_slotbook
from slotbook.domain.errors import AuthenticationRequired
from slotbook.domain.model import Status
from slotbook.persistence.changes import (
    FileGeneration,
    LocalGeneration,
    NoGeneration,
    NotifiedGeneration,
    generation_for,
)
from slotbook.services.access import create_key, identify, kept_access, revoke_key
from slotbook.services.actor import Scope
from slotbook.services.availability import SlotQuery, find_openings, kept_openings
from slotbook.services.booking import place
from slotbook.services.catalog import tenant_catalog
from slotbook.services.context import Slotbook
from tests.conftest import FakeClock
from tests.factories import one_office

MakeSlotbook = Callable[[dict[str, Any]], Slotbook]
MONDAY = date(2030, 3, 4)  # the test clock's day


def _query(app: Slotbook) -> SlotQuery:
    catalog = tenant_catalog(app, "acme")
    return SlotQuery(branch=catalog.branch("north"), services=(catalog.service("passport"),))


def _times(app: Slotbook, day: date = MONDAY) -> list[str]:
    catalog = tenant_catalog(app, "acme")
    zone = catalog.branch("north").zone
    found = find_openings(app, catalog, _query(app), first_day=day, last_day=day)
    return [datetime.fromtimestamp(o.start, UTC).astimezone(zone).strftime("%H:%M") for o in found]


def _at(app: Slotbook, hhmm: str, day: date = MONDAY) -> datetime:
    zone = tenant_catalog(app, "acme").branch("north").zone
    hour, minute = map(int, hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)


def _hold(app: Slotbook, hhmm: str) -> None:
    catalog = tenant_catalog(app, "acme")
    hold = timedelta(minutes=10)
    place(app, catalog, query=_query(app), start=_at(app, hhmm), status=Status.HELD, hold_ttl=hold)


def _wait_while(still: Callable[[], bool], seconds: float = 2, *, at_once: bool = False) -> None:
    """Poll until ``still()`` turns false or the time is up; ``at_once``: no wait is allowed
    (SQLite's processes share the counter file, so they see a commit at once)."""
    deadline = time.monotonic() + seconds
    while still() and time.monotonic() < deadline:
        assert not at_once, "SQLite processes share the change counter"
        time.sleep(0.01)


@contextmanager
def _other_process(db_url: str, clock: FakeClock) -> Iterator[Slotbook]:
    """A second application on the same database, as another server process would be."""
    there = build_slotbook(db_url, clock=clock, run_migrations=False)
    try:
        yield there
    finally:
        there.uows.close()  # type: ignore[attr-defined]


def _counting(app: Slotbook) -> None:
    """Wait until the process counts commits (PostgreSQL: its listener has connected)."""
    _wait_while(lambda: app.uows.generation() is None, 5)
    assert app.uows.generation() is not None


def test_a_repeated_question_is_answered_from_memory_until_something_is_committed(
    make_slotbook: MakeSlotbook,
) -> None:
    app = make_slotbook(one_office())
    _counting(app)
    catalog = tenant_catalog(app, "acme")
    asked = {"first_day": MONDAY, "last_day": MONDAY}
    assert kept_openings(app, catalog, _query(app), **asked) is None  # never asked yet
    first = _times(app)
    assert [o.start for o in kept_openings(app, catalog, _query(app), **asked) or []] == [
        o.start for o in find_openings(app, catalog, _query(app), **asked)
    ]
    place(app, catalog, query=_query(app), start=_at(app, "09:00"), status=Status.CONFIRMED)
    assert kept_openings(app, catalog, _query(app), **asked) is None
    assert _times(app) == first[1:]


def test_a_time_booked_by_another_process_leaves_the_times_this_one_keeps(
    make_slotbook: MakeSlotbook, db_url: str, clock: FakeClock
) -> None:
    here = make_slotbook(one_office())
    with _other_process(db_url, clock) as there:
        _counting(here)
        assert _times(here)[0] == "09:00"
        assert _times(here)[0] == "09:00"  # now from memory
        _hold(there, "09:00")
        # SQLite's processes share a counter file: at once. PostgreSQL's hear of the commit
        # by a notification, a few milliseconds later.
        _wait_while(lambda: _times(here)[0] == "09:00", at_once="postgresql" not in db_url)
        assert _times(here)[0] == "09:10"


def test_a_kept_answer_offers_a_held_time_again_the_moment_the_hold_runs_out(
    make_slotbook: MakeSlotbook, clock: FakeClock
) -> None:
    app = make_slotbook(one_office())
    _counting(app)
    _hold(app, "09:00")
    assert _times(app)[0] == "09:10"
    clock.advance(minutes=10, seconds=-1)
    assert _times(app)[0] == "09:10"
    clock.advance(seconds=1)
    assert _times(app)[0] == "09:00"


def test_kept_times_drop_the_starts_the_clock_has_passed_and_a_clock_set_back_reads_again(
    make_slotbook: MakeSlotbook, clock: FakeClock
) -> None:
    app = make_slotbook(one_office())
    all_day = _times(app)
    assert all_day[0] == "09:00"
    began = clock.now()
    clock.set(_at(app, "10:02"))
    assert _times(app) == [t for t in all_day if t >= "10:05"]
    clock.set(began)
    assert _times(app) == all_day


def test_each_database_gets_the_change_counter_it_can_share(tmp_path: Path) -> None:
    assert isinstance(generation_for("sqlite://"), LocalGeneration)
    assert isinstance(generation_for(f"sqlite:///{tmp_path / 'a.sqlite3'}"), FileGeneration)
    postgres = "postgresql://postgres@127.0.0.1:5432/slotbook"
    assert isinstance(generation_for(postgres), NotifiedGeneration)
    # PgBouncer's transaction mode keeps no session to LISTEN on: nothing is kept there.
    behind_pgbouncer = generation_for(postgres + "?pgbouncer=true")
    assert isinstance(behind_pgbouncer, NoGeneration)
    assert behind_pgbouncer.current() is None


def test_two_servers_on_one_sqlite_file_count_each_others_commits(tmp_path: Path) -> None:
    one, other = FileGeneration(tmp_path / "db-changes"), FileGeneration(tmp_path / "db-changes")
    try:
        start = one.current()
        assert start is not None
        other.after_commit(access=False)
        other.after_commit(access=False)
        assert one.current() == start + 2
        one.after_commit(access=False)
        assert other.current() == start + 3
    finally:
        one.close()
        other.close()


def test_bookings_leave_the_kept_caller_and_a_key_change_anywhere_drops_it(
    make_slotbook: MakeSlotbook, db_url: str, clock: FakeClock
) -> None:
    here = make_slotbook(one_office())
    with _other_process(db_url, clock) as there:
        _counting(here)
        created = create_key(here, tenant_key="acme", scope=Scope.BOOKING, label=None)
        # PostgreSQL: a process counts its own commit at once and again when its notification
        # comes back. Notifications arrive in commit order: once the other application's
        # booking is heard of, so is the key's creation.
        before = here.uows.generation()
        _hold(there, "09:30")
        _wait_while(lambda: here.uows.generation() == before)
        access = here.uows.access_generation()
        commits = here.uows.generation()
        assert access is not None and commits is not None and commits != before
        caller = {"tenant_key": None, "credential": created.key}
        identify(here, **caller)
        _hold(here, "09:00")
        _hold(there, "09:40")
        # Bookings move the commit count on, not who the caller is: still kept.
        assert here.uows.generation() != commits
        assert here.uows.access_generation() == access
        assert kept_access(here, **caller) is not None
        revoke_key(there, key_id=created.info.id)
        _wait_while(
            lambda: kept_access(here, **caller) is not None, at_once="postgresql" not in db_url
        )
        assert kept_access(here, **caller) is None
        with pytest.raises(AuthenticationRequired):
            identify(here, **caller)


def test_an_sqlite_counter_file_counts_access_changes_apart(tmp_path: Path) -> None:
    path = tmp_path / "db-changes"
    path.write_bytes((41).to_bytes(8, sys.byteorder))  # an older version's file: one counter
    one, other = FileGeneration(path), FileGeneration(path)
    try:
        assert one.current() == 41
        access = one.current_access()
        assert access is not None
        other.after_commit(access=False)
        assert (one.current(), one.current_access()) == (42, access)
        other.after_commit(access=True)
        assert (one.current(), one.current_access()) == (43, access + 1)
    finally:
        one.close()
        other.close()
