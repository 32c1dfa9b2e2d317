"""waitlist: people waiting for a time to free up

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_STAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "waitlist",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("tenant_pk", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("branch_key", sa.String(length=100), nullable=False),
        sa.Column("service_keys", sa.JSON(), nullable=False),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("first_name", sa.String(length=255), nullable=False),
        sa.Column("last_name", sa.String(length=255), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("offer_public_id", sa.String(length=64), nullable=True),
        sa.Column("offered_until", _STAMP, nullable=True),
        sa.Column("created", _STAMP, nullable=False),
        sa.Column("updated", _STAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_pk"], ["tenants.pk"], name=op.f("fk_waitlist_tenant_pk_tenants")
        ),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_waitlist")),
        sa.UniqueConstraint("uuid", name=op.f("uq_waitlist_uuid")),
    )
    op.create_index(
        op.f("ix_waitlist_tenant_pk_status_pk"),
        "waitlist",
        ["tenant_pk", "status", "pk"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_table("waitlist")
