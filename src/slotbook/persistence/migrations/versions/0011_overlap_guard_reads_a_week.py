"""SQLite's overlap guard reads a week of sessions, not the whole history

The guard's triggers looked for an overlapping session among every session of the resource
that starts before the new one ends: the whole history of the resource, walked on every
insert and update of a session (with 100,000 past appointments a booking took 4.7-5.4 ms
in-process instead of 2.4-3.6). A session that is not a block lasts at most seven days
(``MAX_SESSION_SPAN``), so one that overlaps starts at most seven days before the new one;
blocks, which may last any time, are looked up apart through their own index (ends after
the new start). A further trigger refuses a session longer than that, so the database, not
only the application, keeps the rule that the guard relies on. PostgreSQL's exclusion
constraint is unchanged.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_EVENTS = ("INSERT", "UPDATE")

_SAME = """s.tenant_pk = NEW.tenant_pk AND s.resource_pk = NEW.resource_pk
          AND s.released = 0 AND s.pk != NEW.pk
          AND s.block_start < NEW.block_end AND NEW.block_start < s.block_end"""

_OVERLAP = f"""
    NEW.released = 0 AND (
      EXISTS (
        SELECT 1 FROM sessions AS s
        WHERE {_SAME} AND s.block_reason IS NULL
          AND s.block_start >= datetime(NEW.block_start, '-7 days'))
      OR EXISTS (
        SELECT 1 FROM sessions AS s
        WHERE {_SAME} AND s.block_reason IS NOT NULL AND s.block_end > NEW.block_start))
"""

_OVERLAP_BEFORE = """
    NEW.released = 0 AND EXISTS (
        SELECT 1 FROM sessions AS s
        WHERE s.tenant_pk = NEW.tenant_pk AND s.resource_pk = NEW.resource_pk
          AND s.released = 0 AND s.pk != NEW.pk
          AND s.block_start < NEW.block_end AND NEW.block_start < s.block_end)
"""

# Whole seconds, as Python compares them (``MAX_SESSION_SPAN``): a difference of julianday()
# values is floating point, and a session of exactly seven days could come out just over.
_TOO_LONG = (
    "NEW.block_reason IS NULL "
    "AND strftime('%s', NEW.block_end) - strftime('%s', NEW.block_start) > 7 * 86400"
)


def _triggers(name: str, condition: str, message: str) -> None:
    for event in _EVENTS:
        op.execute(
            f"CREATE TRIGGER {name}_{event.lower()} BEFORE {event} ON sessions "
            f"WHEN {condition} BEGIN SELECT RAISE(ABORT, '{message}'); END"
        )


def _drop(name: str) -> None:
    for event in _EVENTS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}_{event.lower()}")


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    _drop("sessions_no_overlap")
    _triggers("sessions_no_overlap", _OVERLAP, "ex_sessions_no_overlap")
    _triggers("sessions_at_most_a_week", _TOO_LONG, "ck_sessions_at_most_a_week")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    _drop("sessions_at_most_a_week")
    _drop("sessions_no_overlap")
    _triggers("sessions_no_overlap", _OVERLAP_BEFORE, "ex_sessions_no_overlap")
