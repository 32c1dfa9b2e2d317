"""The one place that wires engine, units of work, clock and the HTTP app together."""

from __future__ import annotations

from functools import partial

from fastapi import FastAPI
from sqlalchemy import Engine, event

from slotbook.api.app import create_app
from slotbook.api.kit.logs import configure_logging
from slotbook.api.kit.metrics import CountedWrites, Metrics
from slotbook.config import Settings
from slotbook.notifications.worker import worker_settings
from slotbook.persistence.changes import generation_for
from slotbook.persistence.database import create_db_engine, migrate
from slotbook.persistence.gate import writer_gate_for
from slotbook.persistence.gauges import TenantGauges, read_gauges
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
    uows = SqlUnitOfWorkFactory(engine, generation_for(database_url), writer_gate_for(database_url))
    return Slotbook(uows=uows, clock=clock or SystemClock())


def app_from_env() -> FastAPI:
    """ASGI app for server workers: settings from the environment, schema already migrated.

    The server's own housekeeping (retention, pruning) runs in every worker; each round is
    idempotent, so several workers tidying at once do no harm.
    """
    settings = Settings.from_env()
    configure_logging(settings.log_level, settings.log_format)
    slotbook = build_slotbook(settings.database_url, run_migrations=False)
    metrics = None
    if settings.metrics:
        engine: Engine = getattr(slotbook.uows, "engine")  # noqa: B009 (not in the protocol)
        metrics = watched(engine, slotbook)
        slotbook.uows = CountedWrites(slotbook.uows, metrics)
    return create_app(
        slotbook,
        cors_origins=settings.cors_origins,
        trusted_proxies=settings.trusted_proxies,
        housekeeping=True,
        access_log=True,
        delivery=worker_settings(settings) if settings.worker else None,
        metrics=metrics,
        metrics_here=settings.metrics_port is None,
    )


def database_numbers(engine: Engine, slotbook: Slotbook) -> partial[list[TenantGauges]]:
    """What the metrics read from the database when scraped."""
    return partial(_read, engine, slotbook.clock)


def _read(engine: Engine, clock: Clock) -> list[TenantGauges]:
    return read_gauges(engine, clock.now())


def watched(engine: Engine, slotbook: Slotbook) -> Metrics:
    """Metrics for a server process: its connection pool watched, the database read."""
    metrics = Metrics(database_numbers(engine, slotbook))
    size = getattr(engine.pool, "size", None)
    metrics.pool_size.set(size() if callable(size) else 1)
    event.listen(engine, "checkout", metrics.connection_out)
    event.listen(engine, "checkin", metrics.connection_back)
    return metrics
