"""appointments' session index covers what availability counts

Availability counts each session's live spaces (firm appointments, holds until they expire)
in a correlated subquery; with status, expiry and spaces in the session index it is answered
from the index alone, without reading the wide appointment rows.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_COVERING = ["session_pk", "status", "expires_at", "spaces"]


def upgrade() -> None:
    op.create_index(
        "ix_appointments_session_pk_status_expires_at_spaces", "appointments", _COVERING
    )
    op.drop_index("ix_appointments_session_pk", table_name="appointments")


def downgrade() -> None:
    op.create_index("ix_appointments_session_pk", "appointments", ["session_pk"])
    op.drop_index("ix_appointments_session_pk_status_expires_at_spaces", table_name="appointments")
