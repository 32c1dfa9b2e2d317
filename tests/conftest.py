"""Shared fixtures: every storage test runs on SQLite and on PostgreSQL.

``SLOTBOOK_TEST_DATABASES`` (default ``sqlite,postgresql``) picks the databases. Without a
reachable PostgreSQL its tests skip with a message, unless ``SLOTBOOK_REQUIRE_POSTGRES=1``
(CI), which turns that into a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx2
import psycopg
import pytest
from starlette.testclient import TestClient

from slotbook.api.app import create_app
from slotbook.bootstrap import build_slotbook
from slotbook.catalog.loader import validate_catalog
from slotbook.persistence.database import create_db_engine, migrate
from slotbook.persistence.tables import metadata
from slotbook.services.catalog import load_catalog
from slotbook.services.context import Slotbook

DATABASES = [
    d.strip()
    for d in os.environ.get("SLOTBOOK_TEST_DATABASES", "sqlite,postgresql").split(",")
    if d.strip()
]
POSTGRES_ADMIN = os.environ.get(
    "SLOTBOOK_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REQUIRE_POSTGRES = os.environ.get("SLOTBOOK_REQUIRE_POSTGRES") == "1"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses storage, so ``-m db`` selects them."""
    for item in items:
        if "db_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.db)


class FakeClock:
    """A clock tests move by hand."""

    def __init__(self, now: datetime) -> None:
        self._now = now
        self._lock = threading.Lock()

    def now(self) -> datetime:
        """The current fake instant."""
        with self._lock:
            return self._now

    def advance(self, **delta: float) -> None:
        """Move the clock forward."""
        with self._lock:
            self._now += timedelta(**delta)

    def set(self, now: datetime) -> None:
        """Jump to an instant."""
        with self._lock:
            self._now = now


# Monday 2030-03-04, 07:00 UTC (08:00 in Amsterdam): a fixed "now" for in-process tests.
MONDAY = datetime(2030, 3, 4, 7, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FakeClock:
    """A fake clock at Monday 2030-03-04 08:00 Amsterdam time."""
    return FakeClock(MONDAY)


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (migrating once is much faster)."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    engine = create_db_engine(f"sqlite:///{path}")
    migrate(engine)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


def _postgres_available() -> str | None:
    try:
        with psycopg.connect(POSTGRES_ADMIN, connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0]


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A migrated PostgreSQL database for this test worker."""
    problem = _postgres_available()
    if problem is not None:
        message = f"PostgreSQL not reachable at {POSTGRES_ADMIN}: {problem}"
        if REQUIRE_POSTGRES:
            pytest.fail(message)
        pytest.skip(message)
    # The process id keeps concurrent test runs on one machine out of each other's way.
    name = f"slotbook_test_{_worker()}_{os.getpid()}"
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
        # Tests need no crash-durability: a commit that does not wait for its WAL flush is
        # still seen by every later transaction, and the suite runs much faster.
        admin.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    url = POSTGRES_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    engine = create_db_engine(url)
    migrate(engine)
    engine.dispose()
    yield url
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# Emptying the few rows a test leaves is ten times faster with DELETE than with TRUNCATE,
# which makes new files for every table. Triggers are off meanwhile (replication role, a
# superuser's setting), so the append-only audit log can be emptied and the order of the
# tables does not matter; the sequences start again at 1, as after a migration.
_EMPTY = (
    "SET LOCAL session_replication_role = replica;"
    + "".join(f"DELETE FROM {t.name};" for t in metadata.sorted_tables)
    + "SELECT setval(format('%I.%I', schemaname, sequencename), 1, false) "
    "FROM pg_sequences WHERE last_value IS NOT NULL"
)


def _empty(url: str) -> None:
    with psycopg.connect(url) as connection:
        try:
            connection.execute(_EMPTY)
        except psycopg.errors.InsufficientPrivilege:
            connection.rollback()
            tables = ", ".join(t.name for t in metadata.sorted_tables)
            connection.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


@pytest.fixture(params=DATABASES)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty, migrated database: a fresh SQLite file, or an emptied PostgreSQL one."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        target = tmp_path / "slotbook.sqlite3"
        shutil.copyfile(template, target)
        return f"sqlite:///{target}"
    if request.param == "postgresql":
        url: str = request.getfixturevalue("postgres_database")
        _empty(url)
        return url
    raise ValueError(f"unknown test database {request.param!r}")


def without_abuse_limits(catalog: dict[str, Any]) -> dict[str, Any]:
    """The catalog with the per-client abuse limits off, unless a tenant sets them itself.

    Tests act as one client sending many writes; the limits have tests of their own.
    """
    tenants = [
        {"writes_per_minute": None, "max_live_holds_per_client": None, **tenant}
        for tenant in catalog.get("tenants", [])
    ]
    return {**catalog, "tenants": tenants}


@pytest.fixture
def make_slotbook(db_url: str, clock: FakeClock) -> Iterator[Callable[[dict[str, Any]], Slotbook]]:
    """Build an application on the test database with a catalog loaded (abuse limits off
    unless the catalog sets them)."""
    built: list[Slotbook] = []

    def make(catalog: dict[str, Any]) -> Slotbook:
        app = build_slotbook(db_url, clock=clock, run_migrations=False)
        load_catalog(app, validate_catalog(without_abuse_limits(catalog)))
        built.append(app)
        return app

    yield make
    for app in built:
        # The connections and, on PostgreSQL, the change listener's own connection: left to
        # the garbage collector, listeners of earlier tests pile up past max_connections.
        close = getattr(app.uows, "close", None)
        if close is not None:
            close()


@pytest.fixture
def make_client(
    make_slotbook: Callable[[dict[str, Any]], Slotbook],
) -> Iterator[Callable[[dict[str, Any]], TestClient]]:
    """An HTTP client for the whole server with a catalog loaded."""
    clients: list[TestClient] = []

    def make(catalog: dict[str, Any]) -> TestClient:
        client = TestClient(create_app(make_slotbook(catalog)))
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    """A real ``slotbook serve`` process (or several workers) on a free port."""

    def __init__(self, db_url: str, workdir: Path) -> None:
        self.db_url = db_url
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None
        self.url = ""
        self.log = workdir / "server.log"

    def start(
        self,
        catalog: dict[str, Any] | None = None,
        *,
        workers: int = 1,
        args: Sequence[str] = (),
        env: dict[str, str] | None = None,
    ) -> str:
        """Start the server (loading ``catalog`` if given; more ``args`` and ``env`` for its
        settings) and wait until it answers."""
        self.stop()
        command = [sys.executable, "-m", "slotbook", "serve", "--database", self.db_url]
        if catalog is not None:
            path = self.workdir / "catalog.json"
            path.write_text(json.dumps(without_abuse_limits(catalog)))
            command += ["--catalog", str(path)]
        port = _free_port()
        command += ["--port", str(port), "--workers", str(workers), *args]
        self.log = self.workdir / f"server-{port}.log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                command,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.workdir,
                env={**os.environ, **env} if env else None,
            )
        self.url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx2.get(self.url + "/health", timeout=1).status_code == 200:
                    return self.url
            except httpx2.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("server did not start in time")

    def stop(self) -> None:
        """Stop the server and wait for it."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


@pytest.fixture
def live_server(db_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    """A real server process on the test database (started by the test with a catalog)."""
    server = LiveServer(db_url, tmp_path)
    yield server
    server.stop()


Call = tuple[str, str, dict[str, Any]]
"""An HTTP call: method, path (appended to the server URL), httpx2 request arguments."""


def race(url: str, calls: list[Call]) -> list[httpx2.Response]:
    """Send every call from its own thread, all released at once; responses in call order."""
    barrier = threading.Barrier(len(calls))
    results: list[httpx2.Response | None] = [None] * len(calls)

    def send(index: int) -> None:
        method, path, arguments = calls[index]
        with httpx2.Client(base_url=url, timeout=60) as client:
            barrier.wait()
            results[index] = client.request(method, path, **arguments)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done = [r for r in results if r is not None]
    assert len(done) == len(calls), "a racing request did not complete"
    return done
