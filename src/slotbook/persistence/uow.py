"""Unit of work over one SQLAlchemy connection and transaction."""

from __future__ import annotations

from types import TracebackType
from typing import Any, Self

from sqlalchemy import Connection, Engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.dml import UpdateBase
from sqlalchemy.sql.elements import TextClause
from sqlalchemy.sql.selectable import CompoundSelect, Select

from slotbook.persistence.booking_repo import SqlBookingRepository
from slotbook.persistence.catalog_repo import SqlCatalogRepository
from slotbook.persistence.changes import ACCESS_NEUTRAL, Generation, NoGeneration
from slotbook.persistence.customer_repo import SqlCustomerRepository
from slotbook.persistence.database import WRITE_OPTION, current_revision, head_revision
from slotbook.persistence.gate import WriterGate
from slotbook.persistence.guard_repo import (
    SqlAuditRepository,
    SqlIdempotencyRepository,
    SqlLimitRepository,
    SqlSecretRepository,
)
from slotbook.persistence.key_repo import SqlKeyRepository
from slotbook.persistence.outbox_repo import SqlOutboxRepository
from slotbook.persistence.waitlist_repo import SqlWaitlistRepository
from slotbook.services.ports import TransientConflict

# PostgreSQL: deadlock detected, serialization failure, lock not available.
_TRANSIENT_STATES = {"40P01", "40001", "55P03"}


def _is_transient(exc: DBAPIError) -> bool:
    state = getattr(exc.orig, "sqlstate", None)
    return state in _TRANSIENT_STATES


_ACCESS_WRITTEN = "slotbook_access_written"
_WRITTEN = "slotbook_written"


def _note_access_write(connection: Connection, statement: Any, *_: Any) -> None:
    """Mark the transaction when it may write at all (anything but a SELECT), and when it
    writes a table that ``identify`` reads (SQL text too)."""
    if isinstance(statement, Select | CompoundSelect):
        return
    connection.info[_WRITTEN] = True
    if isinstance(statement, TextClause) or (
        isinstance(statement, UpdateBase)
        and getattr(statement.table, "name", None) not in ACCESS_NEUTRAL
    ):
        connection.info[_ACCESS_WRITTEN] = True


class SqlUnitOfWork:
    """One transaction; rolled back unless ``commit()`` was called."""

    catalogs: SqlCatalogRepository
    bookings: SqlBookingRepository
    customers: SqlCustomerRepository
    keys: SqlKeyRepository
    limits: SqlLimitRepository
    idempotency: SqlIdempotencyRepository
    audit: SqlAuditRepository
    secrets: SqlSecretRepository
    outbox: SqlOutboxRepository
    waitlist: SqlWaitlistRepository

    def __init__(
        self, engine: Engine, *, write: bool, generation: Generation, gate: WriterGate | None
    ) -> None:
        self._engine = engine
        self._write = write
        self._generation = generation
        self._gate = gate if write else None
        self._connection: Connection | None = None

    def __enter__(self) -> Self:
        if self._gate is not None:  # SQLite: queue here, not in its busy handler (gate.py)
            self._gate.acquire()
        try:
            return self._open()
        except BaseException:
            if self._gate is not None:
                self._gate.release()
            raise

    def _open(self) -> Self:
        connection = self._engine.connect()
        if self._write:
            connection = connection.execution_options(**{WRITE_OPTION: True})
        connection.begin()
        connection.info.pop(_ACCESS_WRITTEN, None)  # left by a rolled-back transaction
        connection.info.pop(_WRITTEN, None)
        self._connection = connection
        self.catalogs = SqlCatalogRepository(connection)
        self.bookings = SqlBookingRepository(connection)
        self.customers = SqlCustomerRepository(connection)
        self.keys = SqlKeyRepository(connection)
        self.limits = SqlLimitRepository(connection)
        self.idempotency = SqlIdempotencyRepository(connection)
        self.audit = SqlAuditRepository(connection)
        self.secrets = SqlSecretRepository(connection)
        self.outbox = SqlOutboxRepository(connection)
        self.waitlist = SqlWaitlistRepository(connection)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._connection is not None
        connection = self._connection
        try:
            if connection.in_transaction():
                # Only SELECTs ran: COMMIT ends it as a rollback would, but psycopg forgets
                # every prepared statement on a rollback, and PostgreSQL would then plan every
                # statement of every request again (0.8 ms of the times' 2 ms read).
                if exc_type is None and not connection.info.pop(_WRITTEN, False):
                    connection.commit()
                else:
                    connection.rollback()
        finally:
            self._connection.close()
            self._connection = None
            if self._gate is not None:
                self._gate.release()
        if isinstance(exc, DBAPIError) and _is_transient(exc):
            raise TransientConflict(str(exc.orig)) from exc

    def commit(self) -> None:
        """Make the transaction's writes durable (and every process's caches stale)."""
        assert self._connection is not None
        access = bool(self._connection.info.pop(_ACCESS_WRITTEN, False))
        self._generation.before_commit(self._connection, access=access)
        self._connection.commit()
        self._generation.after_commit(access=access)


class SqlUnitOfWorkFactory:
    """Creates units of work on one engine."""

    def __init__(
        self,
        engine: Engine,
        generation: Generation | None = None,
        gate: WriterGate | None = None,
    ) -> None:
        self.engine = engine
        self.changes = generation or NoGeneration()
        self.gate = gate
        if not event.contains(engine, "before_execute", _note_access_write):
            event.listen(engine, "before_execute", _note_access_write)

    def __call__(self, *, write: bool = False) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine, write=write, generation=self.changes, gate=self.gate)

    def generation(self) -> int | None:
        """The database's change generation (None: unknown, keep nothing read)."""
        return self.changes.current()

    def serialises_writers(self) -> bool:
        """Whether a writer holds the whole database for its transaction (SQLite)."""
        return self.engine.dialect.name == "sqlite"

    def access_generation(self) -> int | None:
        """The generation of tenants, catalogs and keys (None: unknown, keep nothing read)."""
        return self.changes.current_access()

    def close(self) -> None:
        """Let go of the connections and the change counter."""
        self.changes.close()
        self.engine.dispose()

    def schema_revision(self) -> str | None:
        """The database's schema revision (raises when the database cannot be reached)."""
        return current_revision(self.engine)

    def expected_schema(self) -> str:
        """The schema revision this version of Slotbook needs."""
        return head_revision()
