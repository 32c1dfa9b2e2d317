"""The migrated schema keeps each tenant's rows to itself, ready to distribute by tenant."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, insert, inspect, select, text
from sqlalchemy.exc import IntegrityError

from slotbook.domain.errors import SlotTaken
from slotbook.domain.model import CustomerDetails, Status
from slotbook.persistence import database
from slotbook.persistence.database import create_db_engine, current_revision, head_revision
from slotbook.persistence.tables import metadata, resources, tenants
from slotbook.services.availability import SlotQuery
from slotbook.services.booking import BookingDetails, place
from slotbook.services.catalog import tenant_catalog
from slotbook.services.context import Slotbook
from tests.conftest import MONDAY
from tests.factories import one_office

MakeSlotbook = Callable[[dict[str, Any]], Slotbook]

# Tables that belong to the server, not to a tenant (each says why in tables.py): they stay
# on one node, and no tenant's row refers to them.
SERVER_WIDE = {"tenants", "idempotency_keys", "rate_windows", "server_secrets", "alembic_version"}


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine on the migrated test database."""
    engine = create_db_engine(db_url)
    yield engine
    engine.dispose()


def test_every_key_and_reference_of_tenant_data_includes_the_tenant(engine: Engine) -> None:
    schema = inspect(engine)
    names = set(schema.get_table_names())
    tenant_tables = {t for t in names if "tenant_pk" in {c["name"] for c in schema.get_columns(t)}}
    assert names - tenant_tables == SERVER_WIDE
    problems = []
    for table in sorted(tenant_tables):
        for unique in schema.get_unique_constraints(table):
            if "tenant_pk" not in unique["column_names"]:
                problems.append(f"{table}: unique {unique['column_names']}")
        for index in schema.get_indexes(table):
            if index["unique"] and "tenant_pk" not in index["column_names"]:
                problems.append(f"{table}: unique index {index['column_names']}")
        primary = schema.get_pk_constraint(table)["constrained_columns"]
        if primary != ["pk"] and "tenant_pk" not in primary:
            problems.append(f"{table}: primary key {primary}")
        for reference in schema.get_foreign_keys(table):
            pairs = dict(
                zip(reference["constrained_columns"], reference["referred_columns"], strict=True)
            )
            expected = "pk" if reference["referred_table"] == "tenants" else "tenant_pk"
            if pairs.get("tenant_pk") != expected:
                problems.append(f"{table}: reference {pairs} to {reference['referred_table']}")
    for table in sorted(SERVER_WIDE - {"tenants"}):
        if schema.get_foreign_keys(table):
            problems.append(f"{table}: a server-wide table refers to tenant data")
    assert problems == []


def test_the_overlap_guard_compares_sessions_within_one_tenant(engine: Engine) -> None:
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            guards = connection.execute(
                text("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'x'")
            ).scalars()
        else:
            guards = connection.execute(
                text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE :n"),
                {"n": "sessions_no_overlap%"},
            ).scalars()
        found = list(guards)
    assert found, "no overlap guard at all"
    marker = "tenant_pk WITH =" if engine.dialect.name == "postgresql" else "s.tenant_pk = NEW"
    assert all(marker in guard for guard in found), found


def test_a_row_cannot_refer_to_a_row_of_another_tenant(
    make_slotbook: MakeSlotbook, engine: Engine
) -> None:
    make_slotbook(one_office())
    with engine.begin() as connection:
        other = connection.execute(
            insert(tenants)
            .values(
                key="globex",
                name="Globex",
                position=1,
                settings={},
                revision=1,
                created=MONDAY,
                updated=MONDAY,
            )
            .returning(tenants.c.pk)
        ).scalar_one()
    desk = {"tenant_pk": other, "key": "stolen", "uuid": "u", "digits": "1", "hex24": "h"}
    with engine.connect() as connection:
        row = dict(connection.execute(select(resources)).mappings().first() or {})
        assert row, "the catalog made no resource"
        row.pop("pk")
        with pytest.raises(IntegrityError):
            connection.execute(insert(resources).values({**row, **desk}))


def _book(app: Slotbook, number: int) -> None:
    catalog = tenant_catalog(app, "acme")
    query = SlotQuery(
        branch=catalog.branch("north"), services=(catalog.service("passport"),), people=1
    )
    place(
        app,
        catalog,
        query=query,
        start=MONDAY + timedelta(hours=2, minutes=10 * number),
        status=Status.CONFIRMED,
        details=BookingDetails(customers=[CustomerDetails(first_name=f"Person {number}")]),
    )


def _snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, in the columns revision 0007 had (sorted, comparable)."""
    schema = inspect(engine)
    found = {}
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            columns = [c["name"] for c in schema.get_columns(table.name)]
            if table.name in ("appointment_customers", "access_tokens"):
                columns.remove("tenant_pk")
            rows = connection.execute(select(*(table.c[c] for c in columns))).all()
            found[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return found


def _run(engine: Engine, step: Callable[[Config, str], None], revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(Path(database.__file__).parent / "migrations"))
    with engine.connect() as connection:
        sqlite = engine.dialect.name == "sqlite"
        if sqlite:  # as migrate() does: SQLite copies tables with its reference checks off
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        config.attributes["connection"] = connection
        step(config, revision)
        connection.commit()
        if sqlite:
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")


def test_upgrading_a_database_with_bookings_keeps_every_row_and_the_guard(
    make_slotbook: MakeSlotbook, engine: Engine
) -> None:
    app = make_slotbook(one_office())
    for number in range(4):
        _book(app, number)
    before = _snapshot(engine)
    assert len(before["appointment_customers"]) == 4
    _run(engine, command.downgrade, "0007")
    assert current_revision(engine) == "0007"
    database.migrate(engine)
    assert current_revision(engine) == head_revision()
    assert _snapshot(engine) == before
    again = make_slotbook(one_office())
    with pytest.raises(SlotTaken):
        _book(again, 0)
    _book(again, 5)
