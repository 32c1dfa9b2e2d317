"""Backups of a whole Slotbook database, taken while it serves, and their restore.

SQLite: the online backup API copies a consistent snapshot while writers continue.
PostgreSQL: ``pg_dump -Fc`` (one snapshot transaction) and ``pg_restore --clean --if-exists``
in one transaction, from Debian's postgresql-client. A restore ends by migrating the schema
to this version's head, so a backup from an older version can be restored by a newer one.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from slotbook.persistence.database import (
    UnsupportedDatabase,
    create_db_engine,
    current_revision,
    migrate,
    normalize_url,
    pgbouncer_options,
)

_PG_ARCHIVE_MAGIC = b"PGDMP"
_SQLITE_MAGIC = b"SQLite format 3\x00"


class BackupError(RuntimeError):
    """A backup or restore that could not be done; the message says why."""


@dataclass(frozen=True, slots=True)
class BackupResult:
    """What a backup or restore did: the file, its size and the schema revision."""

    file: Path
    size: int
    revision: str | None


def backup(database: str, file: Path) -> BackupResult:
    """Write a consistent copy of ``database`` to ``file`` (replaced only when complete)."""
    url = _url(database)
    partial = file.with_name(file.name + ".partial")
    try:
        if url.get_backend_name() == "sqlite":
            _sqlite_backup(_sqlite_path(url), partial)
        else:
            _run(["pg_dump", "--format=custom", "--file", str(partial)], url)
        os.replace(partial, file)
    finally:
        partial.unlink(missing_ok=True)
    return BackupResult(file, file.stat().st_size, _revision(database))


def restore(database: str, file: Path) -> BackupResult:
    """Replace the contents of ``database`` with the backup in ``file``, then migrate it.

    Stop the servers and workers first: a restore replaces everything they would see.
    """
    url = _url(database)
    if not file.is_file():
        raise BackupError(f"no backup file at {file}")
    with file.open("rb") as handle:
        head = handle.read(16)
    if url.get_backend_name() == "sqlite":
        if not head.startswith(_SQLITE_MAGIC):
            raise BackupError(f"{file} is not a SQLite backup (a PostgreSQL one restores there)")
        _sqlite_restore(file, _sqlite_path(url))
    else:
        if not head.startswith(_PG_ARCHIVE_MAGIC):
            raise BackupError(f"{file} is not a pg_dump archive (a SQLite one restores there)")
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                str(file),
            ],
            url,
        )
    engine = create_db_engine(database)
    try:
        migrate(engine)
    finally:
        engine.dispose()
    return BackupResult(file, file.stat().st_size, _revision(database))


def _url(database: str) -> URL:
    url = make_url(normalize_url(database))
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise UnsupportedDatabase(f"unsupported database {url.get_backend_name()!r}")
    return url


def _revision(database: str) -> str | None:
    engine = create_db_engine(database)
    try:
        return current_revision(engine)
    finally:
        engine.dispose()


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database has nothing to back up")
    return Path(url.database)


def _sqlite_backup(source: Path, target: Path) -> None:
    if not source.is_file():
        raise BackupError(f"no SQLite database at {source}")
    target.unlink(missing_ok=True)
    with (
        closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=60)) as src,
        closing(sqlite3.connect(target)) as copy,
    ):
        # pages=-1 (the default) copies everything in one step under one read lock: a
        # snapshot, however many bookings are written meanwhile.
        src.backup(copy)
        # One self-contained file, with no -wal beside it.
        copy.execute("PRAGMA journal_mode=DELETE")
        if copy.execute("PRAGMA quick_check").fetchone() != ("ok",):
            raise BackupError("the copy failed SQLite's integrity check")


def _sqlite_restore(file: Path, target: Path) -> None:
    with closing(sqlite3.connect(f"file:{file}?mode=ro", uri=True)) as src:
        tables = {row[0] for row in src.execute("SELECT name FROM sqlite_master")}
        if "alembic_version" not in tables:
            raise BackupError(f"{file} holds no Slotbook database")
        target.parent.mkdir(parents=True, exist_ok=True)
        # Copying into an open connection replaces the target's pages under its write lock, so
        # its WAL and any reader stay consistent (unlike copying the file over it).
        with closing(sqlite3.connect(target, timeout=60)) as dest:
            src.backup(dest)


def _run(command: list[str], url: URL) -> None:
    """Run a PostgreSQL client program on ``url``; the password goes by environment only."""
    program = command[0]
    if shutil.which(program) is None:
        raise BackupError(f"{program} not found: install the PostgreSQL client programs")
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    # They do not know Slotbook's ``pgbouncer=``; give them PostgreSQL's own address: they
    # need one session throughout, which PgBouncer's transaction mode does not keep.
    direct, _ = pgbouncer_options(url)
    conninfo = direct.set(drivername="postgresql", password=None).render_as_string(
        hide_password=False
    )
    done = subprocess.run(
        [*command, "--dbname", conninfo],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        problem = done.stderr.strip().splitlines()
        raise BackupError(f"{program} failed: {problem[-1] if problem else done.returncode}")
