"""Change generations: a number that moves on whenever any server process commits a write.

Answers read from the database (the key and catalog behind a request, a day's free times)
are kept while the generation they were read at is still the current one. A reader takes
the generation *before* it reads, and a writer moves it on *after* its commit is visible,
so an answer kept under a generation never misses a commit that was announced by then, and
any later commit moves the generation past it.

A second number, the access generation, moves on only with commits that wrote the tables
``identify`` reads (tenants, their catalogs, API keys; see ``ACCESS_NEUTRAL``): the key
and catalog behind a request stay kept while bookings are written.

Each backend shares the number between processes its own way: SQLite's processes are on
one machine and share a small counter file beside the database; PostgreSQL's announce a
commit with ``NOTIFY`` (delivered only once the transaction commits), which a listener
thread in every process counts. Where neither works (PgBouncer in transaction mode keeps
no session to listen on) there is no generation and nothing is kept.
"""

from __future__ import annotations

import fcntl
import logging
import mmap
import os
import struct
import threading
import time
import weakref
from pathlib import Path
from typing import Any, Protocol

import psycopg
from sqlalchemy.engine import make_url

from slotbook.persistence.database import (
    PGBOUNCER_PARAMETER,
    normalize_url,
    pgbouncer_options,
)

log = logging.getLogger(__name__)

CHANNEL = "slotbook_changes"
NOTIFY = f"SELECT pg_notify('{CHANNEL}', '')"
NOTIFY_ACCESS = f"SELECT pg_notify('{CHANNEL}', 'access')"

# Tables whose writes never change who a caller is (tokens are never kept); a write to any
# other table, a new one included, moves the access generation on as well.
ACCESS_NEUTRAL = frozenset(
    {
        "customers",
        "sessions",
        "appointments",
        "appointment_customers",
        "access_tokens",
        "idempotency_keys",
        "rate_windows",
        "audit_log",
        "server_secrets",
        "deliveries",
        "waitlist",
    }
)
WAKE_SECONDS = 0.25  # how often a listener checks that it is still wanted (close)
RETRY_SECONDS = 1.0


class Generation(Protocol):
    """A shared change counter."""

    def current(self) -> int | None:
        """The current generation; None when it cannot be known (keep nothing then)."""
        ...

    def current_access(self) -> int | None:
        """The current access generation; None when it cannot be known."""
        ...

    def before_commit(self, connection: Any, *, access: bool) -> None:
        """Announce, inside the transaction, what ``after_commit`` will count."""
        ...

    def after_commit(self, *, access: bool) -> None:
        """Move the generation (and with ``access`` the access generation) on once a commit
        is visible."""
        ...

    def close(self) -> None:
        """Let go of what the counter holds (a file, a listening connection)."""
        ...


class LocalGeneration:
    """One process owns the database (in-memory SQLite): a plain counter."""

    def __init__(self) -> None:
        self._value = self._access = 0
        self._lock = threading.Lock()

    def current(self) -> int | None:
        """The number of commits so far."""
        return self._value

    def current_access(self) -> int | None:
        """The number of commits that changed access so far."""
        return self._access

    def before_commit(self, connection: Any, *, access: bool) -> None:
        """Nothing to announce to other processes."""

    def after_commit(self, *, access: bool) -> None:
        """Count a commit."""
        with self._lock:
            self._value += 1
            self._access += access

    def close(self) -> None:
        """Nothing is held."""


class FileGeneration:
    """SQLite in a file: two 8-byte counters (every commit, access commits) in a file beside
    the database, mapped into memory.

    Readers load it from the shared mapping (no system call: an aligned 8-byte load is
    atomic); writers add one under ``flock``. Each process opens the file itself (a
    descriptor inherited over ``fork`` would share its lock with the parent).
    """

    def __init__(self, path: Path) -> None:
        self._path = path
        self._map: mmap.mmap | None = None
        self._fd = -1
        self._pid = 0
        self._lock = threading.Lock()
        self._closing: weakref.finalize[Any, Any] | None = None

    def _mapped(self) -> mmap.mmap:
        if self._map is None or self._pid != os.getpid():
            with self._lock:
                if self._map is None or self._pid != os.getpid():
                    fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
                    if os.fstat(fd).st_size < _SIZE:
                        os.ftruncate(fd, _SIZE)  # zeros added; what is there is kept
                    mapped = mmap.mmap(fd, _SIZE)
                    # Closed with the generation, ``close`` or not (tests make thousands).
                    self._closing = weakref.finalize(self, _close_map, mapped, fd)
                    self._map, self._fd, self._pid = mapped, fd, os.getpid()
        return self._map

    def close(self) -> None:
        """Close the counter file."""
        with self._lock:
            if self._closing is not None and self._pid == os.getpid():
                self._closing()
            self._map = self._closing = None

    def current(self) -> int | None:
        """The commit counter as stored now."""
        return self._read(0)

    def current_access(self) -> int | None:
        """The access counter as stored now."""
        return self._read(_COUNTER.size)

    def _read(self, offset: int) -> int | None:
        try:
            found: int = _COUNTER.unpack_from(self._mapped(), offset)[0]
        except (OSError, ValueError):  # e.g. a read-only folder: keep nothing
            return None
        return found

    def before_commit(self, connection: Any, *, access: bool) -> None:
        """The file is written after the commit."""

    def after_commit(self, *, access: bool) -> None:
        """Add one to the counters (other processes see it at their next read)."""
        try:
            mapped = self._mapped()
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            try:
                for offset in (0, _COUNTER.size) if access else (0,):
                    _COUNTER.pack_into(mapped, offset, _COUNTER.unpack_from(mapped, offset)[0] + 1)
            finally:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        except (OSError, ValueError):
            log.warning("the change counter %s cannot be written", self._path)


# Native order and size: unpacked with one aligned 8-byte load (the standard "<Q" format
# is read byte by byte, which a concurrent write could tear).
_COUNTER = struct.Struct("Q")
_SIZE = 2 * _COUNTER.size


def _close_map(mapped: mmap.mmap, fd: int) -> None:
    mapped.close()
    os.close(fd)


class NotifiedGeneration:
    """PostgreSQL: writers ``NOTIFY`` in their transaction; a thread per process listens.

    The writing process counts its own commit at once (a client reads its own write at its
    next request); other processes count it when the notification arrives, a moment later.
    While the listener is not connected the generation is unknown.
    """

    def __init__(self, conninfo: str) -> None:
        self._conninfo = conninfo
        self._value = self._access = 0
        self._listening = False
        self._lock = threading.Lock()
        self._pid = 0
        self._closed = False

    def current(self) -> int | None:
        """The count of commits announced to this process, once it listens."""
        if self._pid != os.getpid():
            self._start()
        return self._value if self._listening else None

    def current_access(self) -> int | None:
        """The count of access commits announced to this process, once it listens."""
        if self._pid != os.getpid():
            self._start()
        return self._access if self._listening else None

    def before_commit(self, connection: Any, *, access: bool) -> None:
        """Announce the commit to every listener (PostgreSQL delivers it at commit)."""
        connection.exec_driver_sql(NOTIFY_ACCESS if access else NOTIFY)

    def after_commit(self, *, access: bool) -> None:
        """Count this process's own commit without waiting for its notification."""
        self._bump(access=access)

    def _bump(self, *, access: bool = True) -> None:
        with self._lock:
            self._value += 1
            self._access += access

    def close(self) -> None:
        """Stop listening (at the listener's next wake-up, within a second)."""
        self._closed = True
        self._listening = False

    def _start(self) -> None:
        with self._lock:
            if self._pid == os.getpid():
                return
            self._pid = os.getpid()
            self._listening = False
        # The thread holds the generation weakly: an application dropped without ``close``
        # (a test's) lets its listener end too.
        threading.Thread(
            target=_listen,
            args=(weakref.ref(self), self._conninfo),
            name="slotbook-changes",
            daemon=True,
        ).start()


def _alive(ref: weakref.ref[NotifiedGeneration]) -> NotifiedGeneration | None:
    found = ref()
    return None if found is None or found._closed else found


def _listen(ref: weakref.ref[NotifiedGeneration], conninfo: str) -> None:
    """Count notifications until the generation is closed or dropped; reconnect on loss."""
    while _alive(ref) is not None:
        try:
            with psycopg.connect(conninfo, autocommit=True) as connection:
                connection.execute(f"LISTEN {CHANNEL}")
                if (owner := _alive(ref)) is None:
                    return
                # Commits before LISTEN were not announced: start a new generation.
                owner._bump()
                owner._listening = True
                del owner
                while (owner := _alive(ref)) is not None:
                    del owner
                    for notice in connection.notifies(timeout=WAKE_SECONDS):
                        if (owner := _alive(ref)) is None:
                            return
                        owner._bump(access=notice.payload == "access")
                        del owner
                return
        except psycopg.Error as exc:
            log.warning("change listener disconnected: %s", type(exc).__name__)
        if (owner := _alive(ref)) is None:
            return
        owner._listening = False
        owner._bump()
        del owner
        time.sleep(RETRY_SECONDS)


class NoGeneration:
    """No shared counter: nothing is kept, every answer comes from the database."""

    def current(self) -> int | None:
        """Unknown."""
        return None

    def current_access(self) -> int | None:
        """Unknown."""
        return None

    def before_commit(self, connection: Any, *, access: bool) -> None:
        """Nothing to announce."""

    def after_commit(self, *, access: bool) -> None:
        """Nothing to count."""

    def close(self) -> None:
        """Nothing is held."""


def generation_for(url: str) -> Generation:
    """The change counter that fits a database URL."""
    sa_url = make_url(normalize_url(url))
    if sa_url.get_backend_name() == "sqlite":
        database = sa_url.database
        if not database or database == ":memory:":
            return LocalGeneration()
        return FileGeneration(Path(f"{database}-changes"))
    if str(sa_url.query.get(PGBOUNCER_PARAMETER, "")).lower() in ("true", "1", "yes", "on"):
        return NoGeneration()  # transaction pooling keeps no session to LISTEN on
    direct, _ = pgbouncer_options(sa_url)
    return NotifiedGeneration(
        direct.set(drivername="postgresql").render_as_string(hide_password=False)
    )
