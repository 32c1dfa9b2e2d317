"""notifications: the outbox of deliveries, and what messages need of an appointment

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_STAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column(
        "appointments",
        sa.Column("sequence", sa.Integer(), nullable=False, server_default="0"),
    )
    op.add_column("appointments", sa.Column("language", sa.String(length=8), nullable=True))
    op.add_column(
        "appointments",
        sa.Column("expiry_noted", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_index(
        op.f("ix_appointments_status_expires_at"),
        "appointments",
        ["status", "expires_at"],
        unique=False,
    )
    op.create_table(
        "deliveries",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("tenant_pk", sa.Integer(), nullable=False),
        sa.Column("appointment_pk", sa.Integer(), nullable=True),
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("event_type", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("target", sa.String(length=500), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("due_at", _STAMP, nullable=False),
        sa.Column("next_attempt_at", _STAMP, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_by", sa.String(length=40), nullable=True),
        sa.Column("claimed_until", _STAMP, nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("sent_at", _STAMP, nullable=True),
        sa.Column("created", _STAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_pk"], ["tenants.pk"], name=op.f("fk_deliveries_tenant_pk_tenants")
        ),
        sa.ForeignKeyConstraint(
            ["appointment_pk"],
            ["appointments.pk"],
            name=op.f("fk_deliveries_appointment_pk_appointments"),
        ),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_deliveries")),
        sa.UniqueConstraint("message_id", name=op.f("uq_deliveries_message_id")),
    )
    op.create_index(
        op.f("ix_deliveries_status_next_attempt_at"),
        "deliveries",
        ["status", "next_attempt_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_deliveries_appointment_pk"), "deliveries", ["appointment_pk"], unique=False
    )
    op.create_index(
        op.f("ix_deliveries_tenant_pk_created"),
        "deliveries",
        ["tenant_pk", "created"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_table("deliveries")
    op.drop_index(op.f("ix_appointments_status_expires_at"), table_name="appointments")
    op.drop_column("appointments", "expiry_noted")
    op.drop_column("appointments", "language")
    op.drop_column("appointments", "sequence")
