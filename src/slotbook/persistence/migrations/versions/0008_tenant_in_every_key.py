"""the tenant in every unique and exclusion constraint and every foreign key

Ready for a distributed PostgreSQL (Citus) with the tenant as distribution column: rows
refer to rows of their own tenant only, and uniqueness is decided within a tenant.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# Rows that other rows refer to get UNIQUE (tenant_pk, pk), the target of the new references.
_PARENTS = ("branches", "customers", "api_keys", "resources", "sessions", "appointments")

# (table, column, parent): references that gain the tenant.
_REFERENCES = (
    ("resources", "branch_pk", "branches"),
    ("sessions", "branch_pk", "branches"),
    ("sessions", "resource_pk", "resources"),
    ("appointments", "session_pk", "sessions"),
    ("appointments", "branch_pk", "branches"),
    ("appointments", "resource_pk", "resources"),
    ("appointment_customers", "appointment_pk", "appointments"),
    ("appointment_customers", "customer_pk", "customers"),
    ("access_tokens", "api_key_pk", "api_keys"),
    ("deliveries", "appointment_pk", "appointments"),
)

# (table, old columns, new columns): unique constraints that gain the tenant. A hash looked up
# on its own keeps the first place, so the constraint's index still serves that lookup.
_UNIQUES = (
    ("api_keys", ("key_hash",), ("key_hash", "tenant_pk")),
    ("access_tokens", ("token_hash",), ("token_hash", "tenant_pk")),
    ("deliveries", ("message_id",), ("tenant_pk", "message_id")),
    ("waitlist", ("uuid",), ("tenant_pk", "uuid")),
)

# Tables whose rows get a tenant column, filled from the row they belong to.
_NEW_TENANT_COLUMN = (
    ("appointment_customers", "appointments", "appointment_pk"),
    ("access_tokens", "api_keys", "api_key_pk"),
)

_ORDER = (
    "branches",
    "customers",
    "api_keys",
    "resources",
    "sessions",
    "appointments",
    "appointment_customers",
    "access_tokens",
    "deliveries",
    "waitlist",
)

_SQLITE_OVERLAP = """
    NEW.released = 0 AND EXISTS (
        SELECT 1 FROM sessions AS s
        WHERE s.tenant_pk = NEW.tenant_pk AND s.resource_pk = NEW.resource_pk
          AND s.released = 0 AND s.pk != NEW.pk
          AND s.block_start < NEW.block_end AND NEW.block_start < s.block_end)
"""

_SQLITE_OVERLAP_BEFORE = """
    NEW.released = 0 AND EXISTS (
        SELECT 1 FROM sessions AS s
        WHERE s.resource_pk = NEW.resource_pk AND s.released = 0 AND s.pk != NEW.pk
          AND s.block_start < NEW.block_end AND NEW.block_start < s.block_end)
"""


def _name(kind: str, table: str, columns: tuple[str, ...]) -> str:
    return f"{kind}_{table}_{'_'.join(columns)}"


def _postgres() -> bool:
    return bool(op.get_bind().dialect.name == "postgresql")


def upgrade() -> None:
    for table, parent, via in _NEW_TENANT_COLUMN:
        op.add_column(table, sa.Column("tenant_pk", sa.Integer(), nullable=True))
        op.execute(
            f"UPDATE {table} SET tenant_pk = "
            f"(SELECT {parent}.tenant_pk FROM {parent} WHERE {parent}.pk = {table}.{via})"
        )
    _drop_overlap_guard()
    for table in _ORDER:
        with op.batch_alter_table(table) as batch:
            if table in {t for t, _, _ in _NEW_TENANT_COLUMN}:
                batch.alter_column("tenant_pk", existing_type=sa.Integer(), nullable=False)
                batch.create_foreign_key(
                    _name("fk", table, ("tenant_pk",)) + "_tenants",
                    "tenants",
                    ["tenant_pk"],
                    ["pk"],
                )
            if table == "appointment_customers":
                batch.drop_constraint("pk_appointment_customers", type_="primary")
                batch.create_primary_key(
                    "pk_appointment_customers", ["tenant_pk", "appointment_pk", "position"]
                )
            for child, column, parent in _REFERENCES:
                if child != table:
                    continue
                batch.drop_constraint(f"fk_{table}_{column}_{parent}", type_="foreignkey")
                batch.create_foreign_key(
                    f"fk_{table}_tenant_pk_{parent}",
                    parent,
                    ["tenant_pk", column],
                    ["tenant_pk", "pk"],
                )
            for owner, old, new in _UNIQUES:
                if owner == table:
                    batch.drop_constraint(_name("uq", table, old), type_="unique")
                    batch.create_unique_constraint(_name("uq", table, new), list(new))
            if table in _PARENTS:
                batch.create_unique_constraint(
                    _name("uq", table, ("tenant_pk", "pk")), ["tenant_pk", "pk"]
                )
    _add_overlap_guard(_SQLITE_OVERLAP, with_tenant=True)
    _check_references()


def downgrade() -> None:
    _drop_overlap_guard()
    for table in reversed(_ORDER):
        with op.batch_alter_table(table) as batch:
            if table in _PARENTS:
                batch.drop_constraint(_name("uq", table, ("tenant_pk", "pk")), type_="unique")
            for owner, old, new in _UNIQUES:
                if owner == table:
                    batch.drop_constraint(_name("uq", table, new), type_="unique")
                    batch.create_unique_constraint(_name("uq", table, old), list(old))
            for child, column, parent in _REFERENCES:
                if child != table:
                    continue
                batch.drop_constraint(f"fk_{table}_tenant_pk_{parent}", type_="foreignkey")
                batch.create_foreign_key(f"fk_{table}_{column}_{parent}", parent, [column], ["pk"])
            if table == "appointment_customers":
                batch.drop_constraint("pk_appointment_customers", type_="primary")
                batch.create_primary_key("pk_appointment_customers", ["appointment_pk", "position"])
            if table in {t for t, _, _ in _NEW_TENANT_COLUMN}:
                batch.drop_constraint(
                    _name("fk", table, ("tenant_pk",)) + "_tenants", type_="foreignkey"
                )
                batch.drop_column("tenant_pk")
    _add_overlap_guard(_SQLITE_OVERLAP_BEFORE, with_tenant=False)
    _check_references()


def _drop_overlap_guard() -> None:
    if _postgres():
        op.execute("ALTER TABLE sessions DROP CONSTRAINT ex_sessions_no_overlap")
    else:
        op.execute("DROP TRIGGER IF EXISTS sessions_no_overlap_insert")
        op.execute("DROP TRIGGER IF EXISTS sessions_no_overlap_update")


def _add_overlap_guard(sqlite_condition: str, *, with_tenant: bool) -> None:
    """Two unreleased sessions never overlap on one resource (re-made: SQLite's table copy
    drops triggers; the PostgreSQL constraint gains the tenant)."""
    if _postgres():
        tenant = "tenant_pk WITH =, " if with_tenant else ""
        op.execute(
            "ALTER TABLE sessions ADD CONSTRAINT ex_sessions_no_overlap EXCLUDE USING gist "
            f"({tenant}resource_pk WITH =, tstzrange(block_start, block_end, '[)') WITH &&) "
            "WHERE (NOT released)"
        )
    else:
        for event in ("INSERT", "UPDATE"):
            op.execute(
                f"CREATE TRIGGER sessions_no_overlap_{event.lower()} BEFORE {event} ON sessions "
                f"WHEN {sqlite_condition} "
                "BEGIN SELECT RAISE(ABORT, 'ex_sessions_no_overlap'); END"
            )


def _check_references() -> None:
    """SQLite copies tables with its reference checks off (migrate()); check them now."""
    if not _postgres():
        broken = op.get_bind().exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"rows refer to rows of another tenant: {broken[:5]}")
