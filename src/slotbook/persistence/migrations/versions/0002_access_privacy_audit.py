"""scoped keys, abuse limits, idempotency, erasure and the audit log

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_STAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    # Keys: one scope each. ``internal`` keys become staff keys.
    op.add_column(
        "api_keys",
        sa.Column("scope", sa.String(length=10), nullable=False, server_default="booking"),
    )
    op.execute("UPDATE api_keys SET scope = 'staff' WHERE internal")
    op.drop_column("api_keys", "internal")

    # Who took a hold (a hash of key and client address), for the per-client hold cap.
    op.add_column("appointments", sa.Column("client_ref", sa.String(length=32), nullable=True))
    op.add_column("appointments", sa.Column("anonymised", _STAMP, nullable=True))
    op.create_index(
        op.f("ix_appointments_tenant_pk_client_ref"),
        "appointments",
        ["tenant_pk", "client_ref"],
        unique=False,
    )
    op.add_column("customers", sa.Column("erased", _STAMP, nullable=True))

    op.create_table(
        "idempotency_keys",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("caller", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("headers", sa.JSON(), nullable=True),
        sa.Column("body", sa.LargeBinary(), nullable=True),
        sa.Column("created", _STAMP, nullable=False),
        sa.Column("expires", _STAMP, nullable=False),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_idempotency_keys")),
        sa.UniqueConstraint("caller", "key", name=op.f("uq_idempotency_keys_caller_key")),
    )
    op.create_index(
        op.f("ix_idempotency_keys_expires"), "idempotency_keys", ["expires"], unique=False
    )

    op.create_table(
        "rate_windows",
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("window", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("subject", "window", name=op.f("pk_rate_windows")),
    )

    op.create_table(
        "audit_log",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("tenant_pk", sa.Integer(), nullable=False),
        sa.Column("at", _STAMP, nullable=False),
        sa.Column("key_pk", sa.Integer(), nullable=True),
        sa.Column("scope", sa.String(length=10), nullable=True),
        sa.Column("client_address", sa.String(length=64), nullable=True),
        sa.Column("route", sa.String(length=300), nullable=True),
        sa.Column("operation", sa.String(length=50), nullable=False),
        sa.Column("appointment", sa.String(length=64), nullable=True),
        sa.Column("outcome", sa.String(length=50), nullable=False),
        sa.Column("detail", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_pk"], ["tenants.pk"], name=op.f("fk_audit_log_tenant_pk_tenants")
        ),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_tenant_pk_at"), "audit_log", ["tenant_pk", "at"])
    _make_append_only("audit_log")


def _make_append_only(table: str) -> None:
    """The database itself refuses to change or delete an audit entry."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION slotbook_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            "$$BEGIN RAISE EXCEPTION 'the audit log is append-only'; END$$"
        )
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION slotbook_append_only()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_append_only_{event.lower()} BEFORE {event} ON {table} "
                "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS slotbook_append_only()")
    op.drop_index(op.f("ix_audit_log_tenant_pk_at"), table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_table("rate_windows")
    op.drop_index(op.f("ix_idempotency_keys_expires"), table_name="idempotency_keys")
    op.drop_table("idempotency_keys")
    op.drop_column("customers", "erased")
    op.drop_index(op.f("ix_appointments_tenant_pk_client_ref"), table_name="appointments")
    op.drop_column("appointments", "anonymised")
    op.drop_column("appointments", "client_ref")
    op.add_column(
        "api_keys",
        sa.Column("internal", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.execute("UPDATE api_keys SET internal = (scope <> 'booking')")
    op.drop_column("api_keys", "scope")
