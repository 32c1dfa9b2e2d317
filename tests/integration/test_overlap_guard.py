"""The database refuses overlapping sessions on a resource, however long ago the earlier one
began: SQLite's guard looks back a week for sessions (none lasts longer) and at every block."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError

from slotbook.persistence.database import create_db_engine
from slotbook.persistence.ids import new_id_columns
from slotbook.persistence.tables import resources, sessions
from slotbook.services.context import Slotbook
from tests.conftest import MONDAY
from tests.factories import one_office


@pytest.fixture
def add_session(
    make_slotbook: Callable[[dict[str, Any]], Slotbook], db_url: str
) -> Iterator[Callable[..., None]]:
    """Insert a session straight into the table (the guard is the database's own)."""
    make_slotbook(one_office())
    engine: Engine = create_db_engine(db_url)
    with engine.connect() as connection:
        desk = connection.execute(select(resources).order_by(resources.c.pk)).mappings().first()
    assert desk is not None

    def add(start: datetime, length: timedelta, *, block: str | None = None) -> None:
        row = {
            "tenant_pk": desk["tenant_pk"],
            "branch_pk": desk["branch_pk"],
            "resource_pk": desk["pk"],
            **new_id_columns(),
            "service_keys": "" if block else "passport",
            "starts_at": start,
            "ends_at": start + length,
            "block_start": start,
            "block_end": start + length,
            "capacity": 1,
            "taken": 1,
            "released": False,
            "block_reason": block,
            "created": MONDAY,
            "updated": MONDAY,
        }
        with engine.begin() as connection:
            connection.execute(insert(sessions).values(row))

    yield add
    engine.dispose()


def test_a_session_that_began_six_days_before_still_holds_its_resource(
    add_session: Callable[..., None],
) -> None:
    add_session(MONDAY - timedelta(days=6), timedelta(days=6, hours=12))
    with pytest.raises(IntegrityError):
        add_session(MONDAY + timedelta(hours=2), timedelta(minutes=10))
    add_session(MONDAY + timedelta(hours=12), timedelta(minutes=10))


def test_a_closure_that_began_weeks_before_still_holds_its_resource(
    add_session: Callable[..., None],
) -> None:
    add_session(MONDAY - timedelta(days=20), timedelta(days=30), block="renovation")
    with pytest.raises(IntegrityError):
        add_session(MONDAY + timedelta(days=3), timedelta(minutes=10))
    with pytest.raises(IntegrityError):
        add_session(MONDAY - timedelta(days=40), timedelta(days=25), block="moving")
    add_session(MONDAY + timedelta(days=10), timedelta(minutes=10))


def test_a_session_of_more_than_a_week_is_refused_unless_it_is_a_block(
    add_session: Callable[..., None], db_url: str
) -> None:
    if not db_url.startswith("sqlite"):
        pytest.skip("PostgreSQL's exclusion constraint compares sessions of any length")
    with pytest.raises(IntegrityError):
        add_session(MONDAY, timedelta(days=7, minutes=1))
    add_session(MONDAY, timedelta(days=7))
    add_session(MONDAY + timedelta(days=8), timedelta(days=30), block="renovation")
