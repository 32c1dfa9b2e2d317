"""Alembic environment: runs on the connection that ``migrate()`` hands over."""

from __future__ import annotations

from alembic import context

from slotbook.persistence.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only via slotbook.persistence.database.migrate
    raise RuntimeError("run migrations through slotbook.persistence.database.migrate()")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
