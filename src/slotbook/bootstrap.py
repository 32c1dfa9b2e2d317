"""The one place that wires engine, units of work, clock and the HTTP app together."""

from __future__ import annotations

from fastapi import FastAPI

from slotbook.api.app import create_app
from slotbook.api.kit.logs import configure_logging
from slotbook.config import Settings
from slotbook.notifications.worker import worker_settings
from slotbook.persistence.database import create_db_engine, migrate
from slotbook.persistence.uow import SqlUnitOfWorkFactory
from slotbook.services.context import Slotbook, SystemClock
from slotbook.services.ports import Clock


def build_slotbook(
    database_url: str, *, clock: Clock | None = None, run_migrations: bool = True
) -> Slotbook:
    """An application on a database, migrated to the newest schema."""
    engine = create_db_engine(database_url)
    if run_migrations:
        migrate(engine)
    return Slotbook(uows=SqlUnitOfWorkFactory(engine), clock=clock or SystemClock())


def app_from_env() -> FastAPI:
    """ASGI app for server workers: settings from the environment, schema already migrated.

    The server's own housekeeping (retention, pruning) runs in every worker; each round is
    idempotent, so several workers tidying at once do no harm.
    """
    configure_logging()
    settings = Settings.from_env()
    return create_app(
        build_slotbook(settings.database_url, run_migrations=False),
        cors_origins=settings.cors_origins,
        trusted_proxies=settings.trusted_proxies,
        housekeeping=True,
        access_log=True,
        delivery=worker_settings(settings) if settings.worker else None,
    )
