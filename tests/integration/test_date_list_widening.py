"""A branch with many desks: the date list asks a few desks first and ever more of the rest only
about the days still without a time, and finds exactly the days that have one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from starlette.testclient import TestClient

from slotbook.services.availability import DAYS_BATCH, SlotQuery, find_days, find_openings
from slotbook.services.catalog import tenant_catalog
from slotbook.services.context import Slotbook
from tests.factories import one_office

STAFF = "desk-key-000000002"
DESKS = DAYS_BATCH * 8 + 3  # rounds of 1, 2, 4 and 8 desks: the last one is short


def test_a_day_free_only_on_a_late_desk_is_listed_and_a_full_day_is_not(
    make_client: Callable[[dict[str, Any]], TestClient],
) -> None:
    api = make_client(one_office(keys={STAFF: "staff"}, desks=DESKS, horizon_days=10))
    api.headers["Authorization"] = f"Bearer {STAFF}"
    last_desk_only, full, one_desk_out = date(2030, 3, 5), date(2030, 3, 6), date(2030, 3, 7)
    for day, desks in (
        (last_desk_only, range(1, DESKS)),
        (full, range(1, DESKS + 1)),
        (one_desk_out, [1]),
    ):
        for n in desks:
            closed = api.post(
                "/api/v1/closures",
                json={
                    "branch": "north",
                    "resource": f"desk-{n}",
                    "date": day.isoformat(),
                    "reason": "training",
                },
            )
            assert closed.status_code == 201, closed.text
    app: Slotbook = api.app.state.slotbook  # type: ignore[attr-defined]
    acme = tenant_catalog(app, "acme")
    query = SlotQuery(branch=acme.branch("north"), services=(acme.service("passport"),))
    listed = find_days(app, acme, query)
    assert last_desk_only in listed and one_desk_out in listed
    assert full not in listed
    # The same answer as asking every desk about every day.
    first = date(2030, 3, 4)
    every = [
        first + timedelta(days=n)
        for n in range(10)
        if find_openings(
            app,
            acme,
            query,
            first_day=first + timedelta(days=n),
            last_day=first + timedelta(days=n),
        )
    ]
    assert listed == every
