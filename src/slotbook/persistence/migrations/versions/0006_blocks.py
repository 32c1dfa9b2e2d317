"""blocks: time a resource is not available (closures, a desk out of order)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("sessions", sa.Column("block_reason", sa.String(length=500), nullable=True))


def downgrade() -> None:
    op.drop_column("sessions", "block_reason")
