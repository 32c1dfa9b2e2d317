"""The outbox table: messages queued with their change, claimed and finished by workers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, RowMapping, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from slotbook.persistence.tables import deliveries, tenants
from slotbook.services.ports import DROPPED, FAILED, PENDING, SENT, Delivery, NewDelivery


class SqlOutboxRepository:
    """Deliveries on one connection (the unit of work's transaction)."""

    def __init__(self, connection: Connection) -> None:
        self._db = connection
        self._postgres = connection.dialect.name == "postgresql"

    def add(self, tenant_ref: int, delivery: NewDelivery, now: datetime) -> None:
        """Queue a message (in the caller's transaction); an existing message id is kept."""
        values: dict[str, Any] = {
            "tenant_pk": tenant_ref,
            "appointment_pk": delivery.appointment_id,
            "message_id": delivery.message_id,
            "event_type": delivery.event_type,
            "channel": delivery.channel,
            "target": delivery.target,
            "payload": delivery.payload,
            "status": PENDING,
            "due_at": delivery.due_at,
            "next_attempt_at": delivery.due_at,
            "attempts": 0,
            "created": now,
        }
        insert = (postgresql.insert if self._postgres else sqlite.insert)(deliveries)
        self._db.execute(insert.values(**values).on_conflict_do_nothing())

    def drop_pending(self, appointment_id: int, event_type: str, now: datetime) -> int:
        """Drop an appointment's unsent messages of one type (its old reminders)."""
        result = self._db.execute(
            update(deliveries)
            .where(
                deliveries.c.appointment_pk == appointment_id,
                deliveries.c.event_type == event_type,
                deliveries.c.status == PENDING,
            )
            .values(status=DROPPED, last_error="no longer due", claimed_until=None)
        )
        return int(result.rowcount or 0)

    def any_due(self, now: datetime) -> bool:
        """Whether some message is due and not held by a worker."""
        return self._db.execute(self._due(now).limit(1)).first() is not None

    @staticmethod
    def _due(now: datetime) -> Any:
        return select(deliveries.c.pk).where(
            deliveries.c.status == PENDING,
            deliveries.c.next_attempt_at <= now,
            (deliveries.c.claimed_until.is_(None)) | (deliveries.c.claimed_until < now),
        )

    def claim(self, worker: str, now: datetime, lease: timedelta, limit: int) -> list[Delivery]:
        """Take due messages nobody else holds, for ``lease``; skips rows others have locked."""
        due = self._due(now).order_by(deliveries.c.next_attempt_at, deliveries.c.pk).limit(limit)
        if self._postgres:
            # Another worker's claim in progress is skipped, not waited for.
            due = due.with_for_update(skip_locked=True)
        ids = list(self._db.execute(due).scalars())
        if not ids:
            return []
        self._db.execute(
            update(deliveries)
            .where(deliveries.c.pk.in_(ids))
            .values(
                claimed_by=worker,
                claimed_until=now + lease,
                attempts=deliveries.c.attempts + 1,
            )
        )
        rows = self._db.execute(self._select().where(deliveries.c.pk.in_(ids))).mappings()
        return sorted((_delivery_of(r) for r in rows), key=lambda d: (d.next_attempt_at, d.id))

    def finish(
        self,
        delivery_id: int,
        worker: str,
        *,
        status: str,
        now: datetime,
        next_attempt_at: datetime | None = None,
        error: str | None = None,
    ) -> bool:
        """Record an attempt's outcome, if this worker still holds the message."""
        values: dict[str, Any] = {"status": status, "claimed_until": None, "claimed_by": None}
        if status == SENT:
            values.update(sent_at=now, last_error=None)
        if error is not None:
            values["last_error"] = error[:300]
        if next_attempt_at is not None:
            values["next_attempt_at"] = next_attempt_at
        result = self._db.execute(
            update(deliveries)
            .where(
                deliveries.c.pk == delivery_id,
                deliveries.c.claimed_by == worker,
                deliveries.c.status == PENDING,
            )
            .values(**values)
        )
        return bool(result.rowcount)

    def listing(self, tenant_ref: int, *, failed_only: bool, limit: int) -> list[Delivery]:
        """The tenant's latest messages, newest first."""
        query = (
            self._select()
            .where(deliveries.c.tenant_pk == tenant_ref)
            .order_by(deliveries.c.created.desc(), deliveries.c.pk.desc())
            .limit(limit)
        )
        if failed_only:
            query = query.where(deliveries.c.status == FAILED)
        return [_delivery_of(r) for r in self._db.execute(query).mappings()]

    def retry(self, tenant_ref: int | None, delivery_id: int, now: datetime) -> bool:
        """Queue a failed or dropped message again, at once."""
        query = update(deliveries).where(
            deliveries.c.pk == delivery_id, deliveries.c.status.in_((FAILED, DROPPED))
        )
        if tenant_ref is not None:
            query = query.where(deliveries.c.tenant_pk == tenant_ref)
        result = self._db.execute(
            query.values(
                status=PENDING,
                next_attempt_at=now,
                due_at=now,  # a retry gets the whole retry period again
                claimed_by=None,
                claimed_until=None,
            )
        )
        return bool(result.rowcount)

    def forget(self, appointment_refs: Sequence[int]) -> None:
        """Erase what messages about these appointments say; unsent ones are dropped."""
        if not appointment_refs:
            return
        about = deliveries.c.appointment_pk.in_(list(appointment_refs))
        self._db.execute(
            update(deliveries)
            .where(about, deliveries.c.status == PENDING)
            .values(status=DROPPED, last_error="erased", claimed_until=None, claimed_by=None)
        )
        self._db.execute(update(deliveries).where(about).values(target="", payload={}))

    def prune(self, before: datetime) -> int:
        """Delete finished messages created before ``before``."""
        result = self._db.execute(
            delete(deliveries).where(deliveries.c.status != PENDING, deliveries.c.created < before)
        )
        return int(result.rowcount or 0)

    @staticmethod
    def _select() -> Any:
        return select(deliveries, tenants.c.key.label("tenant_key")).join(
            tenants, tenants.c.pk == deliveries.c.tenant_pk
        )


def _delivery_of(row: RowMapping) -> Delivery:
    return Delivery(
        id=row["pk"],
        tenant_key=row["tenant_key"],
        message_id=row["message_id"],
        event_type=row["event_type"],
        channel=row["channel"],
        target=row["target"],
        payload=dict(row["payload"]),
        status=row["status"],
        due_at=row["due_at"],
        next_attempt_at=row["next_attempt_at"],
        attempts=row["attempts"],
        last_error=row["last_error"],
        sent_at=row["sent_at"],
        created=row["created"],
    )
