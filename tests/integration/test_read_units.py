"""A unit of work that only read ends with a commit, so PostgreSQL keeps its prepared
statements; one that wrote anything and did not commit still undoes it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from slotbook.services.context import Slotbook
from tests.factories import one_office

NOW = datetime(2030, 3, 4, 7, 0, tzinfo=UTC)


def test_repeated_reads_are_planned_once_on_postgresql(
    make_slotbook: Callable[[dict[str, Any]], Slotbook], db_url: str
) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite has no server-side plans")
    app = make_slotbook(one_office())
    # psycopg prepares a statement on its fifth run on a connection, and forgets every
    # prepared statement on a rollback: reads that ended in one were planned every time.
    for _ in range(40):
        with app.uows() as uow:
            assert uow.catalogs.revision("acme") is not None
    engine = app.uows.engine  # type: ignore[attr-defined]
    with engine.connect() as connection:
        prepared = connection.exec_driver_sql("SELECT count(*) FROM pg_prepared_statements")
        assert prepared.scalar_one() >= 1


@pytest.mark.parametrize("write", [False, True])
def test_a_unit_that_wrote_and_did_not_commit_keeps_nothing(
    make_slotbook: Callable[[dict[str, Any]], Slotbook], write: bool
) -> None:
    app = make_slotbook(one_office())
    with app.uows(write=write) as uow:
        assert uow.secrets.add("signing", "s3cret", NOW)
        assert uow.limits.hit("client-1", 1) == 1
    with app.uows() as uow:
        assert uow.secrets.get("signing") is None
        assert uow.limits.hit("client-1", 1) == 1
