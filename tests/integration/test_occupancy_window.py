"""Availability reads only around the asked days, and still sees a long closure."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from starlette.testclient import TestClient

from slotbook.domain.errors import InvalidRequest
from slotbook.persistence import booking_repo
from slotbook.services.catalog import tenant_catalog
from slotbook.services.context import Slotbook
from tests.factories import one_office, passport

STAFF = "desk-key-000000002"
API = "/api/v1"


def test_a_closure_that_began_weeks_before_still_empties_the_day(
    make_client: Callable[[dict[str, Any]], TestClient],
) -> None:
    api = make_client(one_office(keys={STAFF: "staff"}, horizon_days=60))
    api.headers["Authorization"] = f"Bearer {STAFF}"
    day = {"branch": "north", "services": "passport", "date": "2030-03-25"}
    assert api.get(f"{API}/availability/times", params=day).json()["data"]
    closed = api.post(
        f"{API}/closures",
        json={
            "branch": "north",
            "start": "2030-03-05T00:00:00+01:00",
            "end": "2030-04-01T00:00:00+02:00",
            "reason": "renovation",
        },
    )
    assert closed.status_code == 201, closed.text
    assert api.get(f"{API}/availability/times", params=day).json()["data"] == []
    dates = api.get(f"{API}/availability/dates", params={"branch": "north", "services": "passport"})
    assert dates.json()["data"][:2] == ["2030-03-04", "2030-04-01"]


def test_an_appointment_from_the_evening_before_still_holds_the_morning(
    make_client: Callable[[dict[str, Any]], TestClient],
) -> None:
    # Availability reads only the asked day (widened by the buffers): a session that began
    # the day before and whose buffer runs past midnight overlaps it, so it is read too.
    api = make_client(
        one_office(
            keys={STAFF: "staff"},
            hours="00:00-24:00",
            services=[passport(buffer_after=120)],
        )
    )
    api.headers["Authorization"] = f"Bearer {STAFF}"
    night = api.post(
        f"{API}/appointments",
        json={
            "branch": "north",
            "services": ["passport"],
            "resource": "desk-1",
            "start": "2030-03-05T23:40:00+01:00",
            "customer": {"first_name": "Bo", "last_name": "Ek"},
        },
    )
    assert night.status_code == 201, night.text
    day = {"branch": "north", "services": "passport", "date": "2030-03-06"}
    times = api.get(f"{API}/availability/times", params=day).json()["data"]
    assert times and times[0]["start"] == "2030-03-06T01:50:00+01:00"


def test_no_session_but_a_block_may_hold_a_resource_longer_than_a_week(
    make_slotbook: Callable[[dict[str, Any]], Slotbook],
) -> None:
    app = make_slotbook(one_office())
    acme = tenant_catalog(app, "acme")
    start = datetime(2030, 3, 5, 8, 0, tzinfo=UTC)
    with app.uows(write=True) as uow, pytest.raises(InvalidRequest):
        uow.bookings.open_session(
            tenant_ref=acme.ref,
            branch_ref=acme.branch("north").ref,
            resource_ref=acme.resource("desk-1").ref,
            service_keys=("passport",),
            start=start,
            end=start + timedelta(days=8),
            block_start=start,
            block_end=start + timedelta(days=8),
            capacity=1,
            taken=1,
            now=start,
        )


def test_an_older_sqlite_reads_the_same_occupancy_row_by_row(
    make_client: Callable[[dict[str, Any]], TestClient],
    db_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # SQLite 3.38+ answers the occupancy read as one JSON document with unixepoch(); older
    # ones (no guaranteed JSON functions) read rows with strftime(). Both must agree.
    if not db_url.startswith("sqlite"):
        pytest.skip("the JSON read is SQLite's")
    api = make_client(one_office(keys={STAFF: "staff"}, desks=2))
    api.headers["Authorization"] = f"Bearer {STAFF}"
    for start, desk in (("09:00", "desk-1"), ("09:30", "desk-2"), ("10:00", "desk-1")):
        booked = api.post(
            f"{API}/appointments",
            json={
                "branch": "north",
                "services": ["passport"],
                "resource": desk,
                "start": f"2030-03-05T{start}:00+01:00",
                "customer": {"first_name": "Bo", "last_name": "Ek"},
            },
        )
        assert booked.status_code == 201, booked.text
    blocked = api.post(
        f"{API}/blocks",
        json={
            "resource": "desk-2",
            "start": "2030-03-05T13:00:00+01:00",
            "end": "2030-03-05T14:00:00+01:00",
            "reason": "repair",
        },
    )
    assert blocked.status_code == 201, blocked.text
    app: Slotbook = api.app.state.slotbook  # type: ignore[attr-defined]
    acme = tenant_catalog(app, "acme")
    refs = [acme.resource(k).ref for k in ("desk-1", "desk-2")]
    lo, hi = datetime(2030, 3, 4, tzinfo=UTC), datetime(2030, 3, 7, tzinfo=UTC)

    def read() -> list[Any]:
        with app.uows() as uow:
            return uow.bookings.occupancies(refs, lo, hi, lo, tidy=False)

    as_json = read()
    assert len(as_json) == 4
    monkeypatch.setattr(booking_repo, "_SQLITE_3_38", False)
    booking_repo._occupancy_query.cache_clear()
    try:
        assert read() == as_json
    finally:
        booking_repo._occupancy_query.cache_clear()
