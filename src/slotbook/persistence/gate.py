"""SQLite's writers queue on a lock of their own before they ask for the database's.

SQLite lets one writer in at a time; the others learn that the lock is taken and poll it
from its busy handler, sleeping 1, 2, 5 ... up to 100 ms between tries, so under load the
lock often lies free while the next writer sleeps. Bookings over HTTP, two processes, four
clients: p99 0.9-1.2 s. Threads that wait on a lock of their own process are woken the
moment it is let go (p99 45-50 ms, the same throughput). The first writer of each process
then waits on a file lock beside the database (``flock``), which the kernel hands to the
next process the moment it is let go: with two processes the lock was otherwise free 40%
of the time while a writer slept. The database still judges every write (``BEGIN
IMMEDIATE``, its overlap triggers); the gate only orders the queue, and writers that do not
take it (other programs) still meet the others in SQLite's busy handler.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
import weakref
from pathlib import Path

from sqlalchemy.engine import make_url

from slotbook.persistence.database import normalize_url

log = logging.getLogger(__name__)


class WriterGate:
    """A re-entrant lock for one process's writers (a thread's own nested write passes)
    and, while its outermost holder has it, a file lock shared by every process."""

    def __init__(self, path: Path | None) -> None:
        self._threads = threading.RLock()
        self._path = path
        self._depth = 0  # changed only by the thread holding ``_threads``
        self._holds_file = False
        self._fd = -1
        self._pid = 0

    def acquire(self) -> None:
        """Wait until this thread may write (its process first, then the file)."""
        self._threads.acquire()
        if self._depth == 0:
            self._holds_file = self._lock_file()
        self._depth += 1

    def release(self) -> None:
        """Let the next writer in (the file only when the outermost write ends)."""
        self._depth -= 1
        if self._depth == 0 and self._holds_file:
            self._holds_file = False
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._threads.release()

    def _lock_file(self) -> bool:
        if self._path is None:
            return False
        try:
            if self._pid != os.getpid():
                # Each process its own descriptor: one inherited over fork shares the lock.
                self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
                self._pid = os.getpid()
                # Closed with the gate, as the change counter's file is (tests make
                # thousands of applications).
                weakref.finalize(self, os.close, self._fd)
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        except OSError:  # e.g. a read-only folder: SQLite's busy handler orders the queue
            log.warning("the writers' lock file %s cannot be used", self._path)
            self._path = None
            return False
        return True


def writer_gate_for(url: str) -> WriterGate | None:
    """A gate for SQLite's writers (across processes for a database in a file); None for
    PostgreSQL, whose writers wait on row locks, which wake them at once."""
    sa_url = make_url(normalize_url(url))
    if sa_url.get_backend_name() != "sqlite":
        return None
    database = sa_url.database
    in_file = bool(database) and database != ":memory:"
    return WriterGate(Path(f"{database}-writers") if in_file else None)
