"""arrivals: check-in, no-show and completion of booked appointments

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("appointments", sa.Column("arrival", sa.String(length=12), nullable=True))
    op.add_column(
        "appointments", sa.Column("arrived_at", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    op.drop_column("appointments", "arrived_at")
    op.drop_column("appointments", "arrival")
