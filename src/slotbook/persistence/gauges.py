"""What the metrics read from the database itself: the same for every process, so the
process that is scraped reports it once (the outbox's backlog and failures, expired holds)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func, select

from slotbook.domain.model import Status
from slotbook.persistence.tables import appointments, deliveries, tenants
from slotbook.services.ports import FAILED, PENDING


@dataclass(frozen=True, slots=True)
class TenantGauges:
    """One tenant's numbers at one instant."""

    tenant: str
    outbox_pending: int  # due and not yet sent
    outbox_lag_seconds: float  # how long the oldest due, unsent message has waited
    outbox_failed: int  # given up after retrying (kept until pruned)
    expired_holds: int  # holds that ran out without being confirmed


def read_gauges(engine: Engine, now: datetime) -> list[TenantGauges]:
    """The numbers per tenant; three indexed queries."""
    with engine.connect() as connection:
        keys: dict[int, str] = dict(
            connection.execute(select(tenants.c.pk, tenants.c.key)).tuples().all()
        )
        due = connection.execute(
            select(deliveries.c.tenant_pk, func.count(), func.min(deliveries.c.due_at))
            .where(deliveries.c.status == PENDING, deliveries.c.next_attempt_at <= now)
            .group_by(deliveries.c.tenant_pk)
        ).all()
        failed: dict[int, int] = dict(
            connection.execute(
                select(deliveries.c.tenant_pk, func.count())
                .where(deliveries.c.status == FAILED)
                .group_by(deliveries.c.tenant_pk)
            )
            .tuples()
            .all()
        )
        expired: dict[int, int] = dict(
            connection.execute(
                select(appointments.c.tenant_pk, func.count())
                .where(appointments.c.status == Status.HELD.value, appointments.c.expires_at <= now)
                .group_by(appointments.c.tenant_pk)
            )
            .tuples()
            .all()
        )
    pending = {pk: (count, oldest) for pk, count, oldest in due}
    found = []
    for pk, key in sorted(keys.items(), key=lambda item: item[1]):
        count, oldest = pending.get(pk, (0, None))
        lag = max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0
        found.append(
            TenantGauges(
                tenant=key,
                outbox_pending=int(count),
                outbox_lag_seconds=lag,
                outbox_failed=int(failed.get(pk, 0)),
                expired_holds=int(expired.get(pk, 0)),
            )
        )
    return found
