"""an index of blocks by resource and end

Availability reads a resource's sessions from a week before the asked window (no session but
a block lasts longer), so a long history costs nothing; blocks, which may last any time,
are read apart through this small partial index.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_BLOCKS = sa.text("block_reason IS NOT NULL")


def upgrade() -> None:
    op.create_index(
        "ix_sessions_blocks",
        "sessions",
        ["resource_pk", "block_end"],
        sqlite_where=_BLOCKS,
        postgresql_where=_BLOCKS,
    )


def downgrade() -> None:
    op.drop_index("ix_sessions_blocks", table_name="sessions")
