"""What keeps the API safe to expose: write counters, idempotency records, the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from slotbook.persistence.tables import audit_log, idempotency_keys, rate_windows, server_secrets
from slotbook.services.ports import AuditEntry, StoredResponse


class SqlLimitRepository:
    """Writes per client and minute, counted in fixed windows."""

    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def hit(self, subject: str, window: int) -> int:
        """Count one write of ``subject`` in ``window``; the count so far, this one included."""
        insert: Any = (
            postgresql.insert(rate_windows)
            if self._db.dialect.name == "postgresql"
            else sqlite.insert(rate_windows)
        )
        statement = (
            insert.values(subject=subject, window=window, count=1)
            .on_conflict_do_update(
                index_elements=[rate_windows.c.subject, rate_windows.c.window],
                set_={"count": rate_windows.c.count + 1},
            )
            .returning(rate_windows.c.count)
        )
        return int(self._db.execute(statement).scalar_one())

    def prune(self, before_window: int) -> int:
        """Forget windows older than ``before_window``."""
        result = self._db.execute(delete(rate_windows).where(rate_windows.c.window < before_window))
        return int(result.rowcount)


def _stored(row: RowMapping) -> StoredResponse:
    return StoredResponse(
        fingerprint=row["fingerprint"],
        status=row["status"],
        headers=[(str(k), str(v)) for k, v in (row["headers"] or [])],
        body=bytes(row["body"] or b""),
        created=row["created"],
    )


class SqlIdempotencyRepository:
    """The first answer to a write, kept for 24 hours under the client's Idempotency-Key."""

    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def get(self, caller: str, key: str, now: datetime) -> StoredResponse | None:
        """The unexpired record of a key (its answer is None while the first request runs)."""
        row = (
            self._db.execute(
                select(idempotency_keys).where(
                    idempotency_keys.c.caller == caller,
                    idempotency_keys.c.key == key,
                    idempotency_keys.c.expires > now,
                )
            )
            .mappings()
            .one_or_none()
        )
        return None if row is None else _stored(row)

    def start(
        self, caller: str, key: str, fingerprint: str, now: datetime, expires: datetime
    ) -> bool:
        """Claim a key for a first request; False when another request holds it already.

        The unique constraint decides between two concurrent first requests.
        """
        self._db.execute(
            delete(idempotency_keys).where(
                idempotency_keys.c.caller == caller,
                idempotency_keys.c.key == key,
                idempotency_keys.c.expires <= now,
            )
        )
        try:
            with self._db.begin_nested():
                self._db.execute(
                    idempotency_keys.insert().values(
                        caller=caller,
                        key=key,
                        fingerprint=fingerprint,
                        created=now,
                        expires=expires,
                    )
                )
        except IntegrityError:
            return False
        return True

    def finish(
        self, caller: str, key: str, status: int, headers: list[tuple[str, str]], body: bytes
    ) -> None:
        """Keep the first request's answer."""
        self._db.execute(
            update(idempotency_keys)
            .where(idempotency_keys.c.caller == caller, idempotency_keys.c.key == key)
            .values(status=status, headers=[list(h) for h in headers], body=body)
        )

    def forget(self, caller: str, key: str) -> None:
        """Drop a claim whose request ended without an answer worth keeping."""
        self._db.execute(
            delete(idempotency_keys).where(
                idempotency_keys.c.caller == caller, idempotency_keys.c.key == key
            )
        )

    def prune(self, now: datetime) -> int:
        """Drop expired records."""
        result = self._db.execute(delete(idempotency_keys).where(idempotency_keys.c.expires <= now))
        return int(result.rowcount)


# Built once (see booking_repo): every change writes one.
_INSERT_AUDIT = audit_log.insert()


class SqlAuditRepository:
    """The append-only audit log (the database refuses updates and deletes)."""

    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def add(self, tenant_ref: int, entry: AuditEntry) -> None:
        """Append an entry."""
        self._db.execute(
            _INSERT_AUDIT,
            {
                "tenant_pk": tenant_ref,
                "at": entry.at,
                "key_pk": entry.key_id,
                "scope": entry.scope,
                "client_address": entry.client_address,
                "route": entry.route,
                "operation": entry.operation,
                "appointment": entry.appointment,
                "outcome": entry.outcome,
                "detail": entry.detail,
            },
        )

    def list(self, tenant_ref: int, *, since: datetime | None, limit: int) -> list[AuditEntry]:
        """Entries of a tenant from ``since`` on, oldest first."""
        query = select(audit_log).where(audit_log.c.tenant_pk == tenant_ref)
        if since is not None:
            query = query.where(audit_log.c.at >= since)
        rows = self._db.execute(query.order_by(audit_log.c.pk).limit(limit)).mappings()
        return [
            AuditEntry(
                at=row["at"],
                key_id=row["key_pk"],
                scope=row["scope"],
                client_address=row["client_address"],
                route=row["route"],
                operation=row["operation"],
                appointment=row["appointment"],
                outcome=row["outcome"],
                detail=row["detail"],
                id=row["pk"],
            )
            for row in rows
        ]


class SqlSecretRepository:
    """Secrets the server makes once for itself."""

    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def get(self, name: str) -> str | None:
        """A secret by name."""
        found = self._db.execute(
            select(server_secrets.c.value).where(server_secrets.c.name == name)
        ).scalar_one_or_none()
        return None if found is None else str(found)

    def add(self, name: str, value: str, now: datetime) -> bool:
        """Store a new secret; False when another process stored one under that name first."""
        try:
            with self._db.begin_nested():
                self._db.execute(
                    server_secrets.insert().values(name=name, value=value, created=now)
                )
        except IntegrityError:
            return False
        return True
