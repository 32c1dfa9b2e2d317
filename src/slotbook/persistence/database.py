"""Engines for SQLite (embedded default) and PostgreSQL, and schema migration on start."""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url

from slotbook.services.context import REQUEST_THREADS

DEFAULT_SQLITE_FILE = "slotbook.sqlite3"
WRITE_OPTION = "slotbook_write"
_MIGRATION_LOCK = 7_301_224_001
# ``?pgbouncer=true`` on a PostgreSQL URL: the connections go through PgBouncer in transaction
# mode, which hands each transaction any server connection. psycopg's prepared statements
# would then meet connections that never prepared them (PgBouncer before 1.21), so they are off.
PGBOUNCER_PARAMETER = "pgbouncer"


class UnsupportedDatabase(ValueError):
    """A database URL of a kind Slotbook does not run on."""


def normalize_url(url: str) -> str:
    """Map user-facing URLs to SQLAlchemy ones: ``postgresql://`` uses psycopg 3."""
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    if url.startswith("sqlite:") or "://" in url:
        return url
    # A bare path means a SQLite file.
    return f"sqlite:///{Path(url).expanduser().resolve()}"


def default_database_url() -> str:
    """``SLOTBOOK_DATABASE_URL`` or a SQLite file in the working directory."""
    return os.environ.get("SLOTBOOK_DATABASE_URL") or f"sqlite:///{DEFAULT_SQLITE_FILE}"


def is_sqlite(engine: Engine) -> bool:
    """True for the embedded SQLite backend."""
    return engine.dialect.name == "sqlite"


# Beside one connection per request thread, a few for the background work (outbox worker,
# housekeeping). A pool smaller than the thread pool would open and close a connection per
# request under load.
BACKGROUND_CONNECTIONS = 4


def create_db_engine(url: str, *, pool_size: int = REQUEST_THREADS) -> Engine:
    """An engine whose write transactions are serialised correctly on either backend."""
    sa_url = make_url(normalize_url(url))
    if sa_url.get_backend_name() == "sqlite":
        return _sqlite_engine(str(sa_url.render_as_string(hide_password=False)), pool_size)
    if sa_url.get_backend_name() != "postgresql":
        raise UnsupportedDatabase(
            f"unsupported database {sa_url.get_backend_name()!r} (use sqlite:/// or postgresql://)"
        )
    sa_url, connect_args = pgbouncer_options(sa_url)
    return create_engine(
        sa_url,
        connect_args=connect_args,
        hide_parameters=True,  # an error message must never carry a name or an e-mail address
        # At most 20 connections per process: four workers stay inside PostgreSQL's default
        # of 100; requests beyond that wait for a connection instead of failing.
        pool_size=pool_size,
        max_overflow=BACKGROUND_CONNECTIONS,
        pool_timeout=60,
        pool_pre_ping=True,
        pool_recycle=1800,
    )


def pgbouncer_options(url: URL) -> tuple[URL, dict[str, Any]]:
    """The URL without ``pgbouncer=``, and the connection arguments that it asks for."""
    flag = url.query.get(PGBOUNCER_PARAMETER)
    if flag is None:
        return url, {}
    rest = url.difference_update_query([PGBOUNCER_PARAMETER])
    if str(flag).lower() in ("true", "1", "yes", "on"):
        return rest, {"prepare_threshold": None}
    return rest, {}


def _lower(text: str | None) -> str | None:
    return None if text is None else str(text).lower()


def _sqlite_engine(url: str, pool_size: int) -> Engine:
    in_memory = url in ("sqlite://", "sqlite:///:memory:")
    engine = create_engine(
        url,
        connect_args={"timeout": 60, "check_same_thread": False},
        **({} if in_memory else {"pool_size": pool_size, "max_overflow": BACKGROUND_CONNECTIONS}),
        hide_parameters=True,  # an error message must never carry a name or an e-mail address
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from pysqlite so BEGIN IMMEDIATE can be issued.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.close()
        # SQLite's own lower() folds ASCII only; case-insensitive lookups need all of Unicode.
        dbapi_connection.create_function("lower", 1, _lower, deterministic=True)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Writers take the database write lock up front: no lost updates, no upgrade deadlock.
        if conn.get_execution_options().get(WRITE_OPTION):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")

    return engine


def _config() -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    return config


@functools.cache
def head_revision() -> str:
    """The newest schema revision this version of Slotbook knows."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The schema revision of a database (None: no schema yet)."""
    from alembic.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _sqlite_references(connection: Connection, *, on: bool) -> None:
    """Switch SQLite's reference checks (only possible outside a transaction)."""
    driver = connection.connection.driver_connection
    assert driver is not None
    driver.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def migrate(engine: Engine) -> tuple[str | None, str]:
    """Create or upgrade the schema to the newest revision (Alembic): (before, after)."""
    from alembic import command
    from alembic.migration import MigrationContext

    config = _config()
    sqlite = is_sqlite(engine)
    with engine.connect() as connection:
        if sqlite:
            # SQLite changes a constraint by copying the table; its reference checks must be
            # off meanwhile (outside a transaction), and the migration checks them itself.
            _sqlite_references(connection, on=False)
        try:
            if not sqlite:
                # Several processes may start at once; one migrates, the others wait. The lock
                # and the migration share one transaction, so behind PgBouncer in transaction
                # mode the lock cannot stay behind on a pooled server connection.
                connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK})
            before = MigrationContext.configure(connection).get_current_revision()
            if sqlite:
                connection.commit()  # the migration takes SQLite's write lock itself
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            connection.commit()
        finally:
            connection.rollback()
            if sqlite:
                _sqlite_references(connection, on=True)
    return before, head_revision()
