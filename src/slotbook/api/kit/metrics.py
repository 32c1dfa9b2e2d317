"""Prometheus metrics: requests, bookings, conflicts, the outbox and the database pool.

Counted at the edges, not in the core: requests and refusals where they are answered
(``RequestLog`` tells ``Metrics.observe``); holds, bookings and other writes from the audit
entries a use case writes, once its transaction commits (``CountedWrites`` wraps the unit
of work factory); the outbox and expired holds are read from the database when scraped.

With several server processes (``slotbook serve --workers N``) the serve command gives them
a ``PROMETHEUS_MULTIPROC_DIR``; each process writes its numbers there and whichever process
is scraped adds them up, so ``/metrics`` reports the server once.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator, Sequence
from types import TracebackType
from typing import Any, Protocol, Self

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from slotbook.api.kit.logs import Finished
from slotbook.api.kit.notes import current_request
from slotbook.config import InvalidSetting
from slotbook.services.ports import AuditEntry, AuditRepository, UnitOfWork, UnitOfWorkFactory

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = CONTENT_TYPE_LATEST
# Seconds: from a cached availability read (a few ms) to a slow write under contention.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
HOLDS = frozenset({"hold"})
BOOKINGS = frozenset({"book", "confirm"})
log = logging.getLogger("slotbook.metrics")


class TenantNumbers(Protocol):
    """What the database says about one tenant (see ``persistence.gauges``)."""

    @property
    def tenant(self) -> str:
        """The tenant's key."""
        ...

    @property
    def outbox_pending(self) -> int:
        """Messages due and not yet sent."""
        ...

    @property
    def outbox_lag_seconds(self) -> float:
        """How long the oldest due message has waited."""
        ...

    @property
    def outbox_failed(self) -> int:
        """Messages given up on."""
        ...

    @property
    def expired_holds(self) -> int:
        """Holds that ran out without being confirmed."""
        ...


DatabaseNumbers = Callable[[], Sequence[TenantNumbers]]


class _FromDatabase(Collector):
    """Reads the database's numbers when scraped (only the scraped process asks)."""

    def __init__(self, read: DatabaseNumbers) -> None:
        self.read = read

    def collect(self) -> Iterator[Metric]:
        """The outbox and expired-hold gauges per tenant."""
        try:
            rows = self.read()
        except Exception as exc:  # a scrape must not fail because the database is away
            log.warning("metrics: cannot read the database (%s)", type(exc).__name__)
            rows = []
        families = {
            "outbox_pending": GaugeMetricFamily(
                "slotbook_outbox_pending", "Messages due and not yet sent", labels=["tenant"]
            ),
            "outbox_lag_seconds": GaugeMetricFamily(
                "slotbook_outbox_lag_seconds",
                "How long the oldest due, unsent message has waited",
                labels=["tenant"],
            ),
            "outbox_failed": GaugeMetricFamily(
                "slotbook_outbox_failed",
                "Messages given up on after retrying (until pruned)",
                labels=["tenant"],
            ),
            "expired_holds": GaugeMetricFamily(
                "slotbook_holds_expired",
                "Holds that ran out without being confirmed",
                labels=["tenant"],
            ),
        }
        for row in rows:
            for name, family in families.items():
                family.add_metric([row.tenant], float(getattr(row, name)))
        yield from families.values()


class Metrics:
    """The server's metrics; one per app (its own registry, so tests can build many)."""

    def __init__(self, database: DatabaseNumbers | None = None) -> None:
        # Read when the app is built, never at import: the serve command sets it first.
        self.multiprocess = bool(os.environ.get(MULTIPROC_ENV))
        self.database = database
        self.registry = CollectorRegistry(auto_describe=False)
        r = self.registry
        self.requests = Counter(
            "slotbook_http_requests",
            "HTTP requests answered, by surface, route template and status",
            ["surface", "route", "method", "status"],
            registry=r,
        )
        self.latency = Histogram(
            "slotbook_http_request_duration_seconds",
            "Time to answer a request, by surface and route template",
            ["surface", "route", "method"],
            buckets=BUCKETS,
            registry=r,
        )
        self.conflicts = Counter(
            "slotbook_conflicts",
            "Requests refused because the time was taken (someone else was quicker)",
            ["surface", "route"],
            registry=r,
        )
        self.holds = Counter("slotbook_holds", "Holds placed", ["surface", "tenant"], registry=r)
        self.bookings = Counter(
            "slotbook_bookings",
            "Appointments booked (directly or by confirming a hold)",
            ["surface", "tenant"],
            registry=r,
        )
        self.writes = Counter(
            "slotbook_writes",
            "Committed writes by operation (as the audit log names them)",
            ["surface", "tenant", "operation"],
            registry=r,
        )
        self.pool_in_use = Gauge(
            "slotbook_db_connections_in_use",
            "Database connections checked out of the pools (all processes)",
            registry=r,
            multiprocess_mode="livesum",
        )
        self.pool_size = Gauge(
            "slotbook_db_pool_size",
            "Connections the pools keep open (all processes; more may overflow)",
            registry=r,
            multiprocess_mode="livesum",
        )
        if database is not None and not self.multiprocess:
            r.register(_FromDatabase(database))

    def observe(self, done: Finished) -> None:
        """Count one answered request (called by ``RequestLog``)."""
        status = str(done.status)
        self.requests.labels(done.surface, done.route, done.method, status).inc()
        self.latency.labels(done.surface, done.route, done.method).observe(done.seconds)
        if done.refusal == "SlotTaken":
            self.conflicts.labels(done.surface, done.route).inc()

    def committed(self, operations: Sequence[str]) -> None:
        """Count the writes of a committed transaction (their audit operations)."""
        where = current_request.get()
        surface = where.surface if where is not None else "background"
        tenant = (where.tenant_key() if where is not None else None) or "-"
        for operation in operations:
            self.writes.labels(surface, tenant, operation).inc()
            if operation in HOLDS:
                self.holds.labels(surface, tenant).inc()
            elif operation in BOOKINGS:
                self.bookings.labels(surface, tenant).inc()

    def connection_out(self, *_: object) -> None:
        """A pool handed out a connection (SQLAlchemy ``checkout`` event)."""
        self.pool_in_use.inc()

    def connection_back(self, *_: object) -> None:
        """A connection went back to its pool (SQLAlchemy ``checkin`` event)."""
        self.pool_in_use.dec()

    def exposition(self) -> bytes:
        """Every metric in the Prometheus text format (all processes when there are several)."""
        if not self.multiprocess:
            return bytes(generate_latest(self.registry))
        return exposition(self.database)


def exposition(database: DatabaseNumbers | None = None) -> bytes:
    """The numbers every server process wrote to ``PROMETHEUS_MULTIPROC_DIR``, added up, and
    the database's own."""
    return bytes(generate_latest(_all_processes(database)))


def _all_processes(database: DatabaseNumbers | None) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    if database is not None:
        registry.register(_FromDatabase(database))
    return registry


def serve_metrics(host: str, port: int, database: DatabaseNumbers | None) -> Callable[[], None]:
    """Serve ``/metrics`` of every server process on a port of its own (a thread of the serve
    command); the function returned stops it."""
    from prometheus_client import start_http_server

    try:
        server, thread = start_http_server(port, addr=host, registry=_all_processes(database))
    except OSError as exc:
        raise InvalidSetting(
            f"metrics_port (--metrics-port): cannot listen on {host}:{port} ({exc.strerror})"
        ) from None

    def stop() -> None:
        server.shutdown()
        thread.join(timeout=5)

    return stop


class _CountingAudit:
    """The audit repository, noting each entry's operation for the commit."""

    def __init__(self, inner: AuditRepository, noted: list[str]) -> None:
        self.inner = inner
        self.noted = noted

    def add(self, tenant_ref: int, entry: AuditEntry) -> None:
        """Append an entry (and note it)."""
        self.inner.add(tenant_ref, entry)
        if entry.outcome == "ok":
            self.noted.append(entry.operation)

    def list(self, tenant_ref: int, *, since: Any, limit: int) -> list[AuditEntry]:
        """Entries from ``since`` on, oldest first."""
        return self.inner.list(tenant_ref, since=since, limit=limit)


class _CountedUnitOfWork:
    """A writing unit of work whose audited operations count once it commits."""

    def __init__(self, inner: UnitOfWork, metrics: Metrics) -> None:
        self._inner = inner
        self._metrics = metrics
        self._noted: list[str] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    @property
    def audit(self) -> AuditRepository:
        """The audit log (noting what this transaction did)."""
        return _CountingAudit(self._inner.audit, self._noted)

    def __enter__(self) -> Self:
        self._inner.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._noted.clear()
        self._inner.__exit__(exc_type, exc, tb)

    def commit(self) -> None:
        """Commit, then count what was committed."""
        self._inner.commit()
        if self._noted:
            self._metrics.committed(self._noted)
            self._noted.clear()


class CountedWrites:
    """A unit-of-work factory whose writers report committed operations to the metrics."""

    def __init__(self, inner: UnitOfWorkFactory, metrics: Metrics) -> None:
        self.inner = inner
        self.metrics = metrics

    def __call__(self, *, write: bool = False) -> UnitOfWork:
        uow = self.inner(write=write)
        if not write:
            return uow  # reads are never audited: no wrapper, no cost
        counted: UnitOfWork = _CountedUnitOfWork(uow, self.metrics)
        return counted

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)  # e.g. the engine, for tests that dispose of it

    def schema_revision(self) -> str | None:
        """The database's schema revision."""
        return self.inner.schema_revision()

    def expected_schema(self) -> str:
        """The schema revision this version needs."""
        return self.inner.expected_schema()

    def generation(self) -> int | None:
        """The database's change generation."""
        return self.inner.generation()

    def access_generation(self) -> int | None:
        """The wrapped factory's access generation."""
        return self.inner.access_generation()

    def serialises_writers(self) -> bool:
        """Whether the wrapped factory's writers hold the whole database."""
        return self.inner.serialises_writers()
