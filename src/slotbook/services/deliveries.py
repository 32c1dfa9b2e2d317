"""The outbox's other side: workers claim due messages, record how sending went, announce
holds that ran out, and operators list and retry what failed."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from slotbook.domain.events import EventKind
from slotbook.domain.model import Catalog
from slotbook.services import outbox
from slotbook.services.context import Slotbook
from slotbook.services.ports import DROPPED, FAILED, PENDING, SENT, Delivery

FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=1)
GIVE_UP_AFTER = timedelta(hours=24)  # ``--delivery-give-up-after``


@dataclass(frozen=True, slots=True)
class Outcome:
    """How one attempt ended: sent, or an error that is final or worth another try."""

    sent: bool
    reason: str | None = None
    permanent: bool = False
    dropped: bool = False


def backoff(attempts: int, rng: random.Random | None = None) -> timedelta:
    """Exponential wait before the next attempt, with full jitter over its upper half."""
    ceiling = min(FIRST_RETRY * (1 << max(min(attempts, 20) - 1, 0)), LONGEST_WAIT)
    share: float = (rng or random).random()
    return ceiling * (0.5 + 0.5 * share)


def claim(app: Slotbook, worker: str, *, lease: timedelta, limit: int) -> list[Delivery]:
    """Take up to ``limit`` due messages for this worker (no other worker gets them)."""
    # Look before taking the write lock: an idle worker polls, and on SQLite a write
    # transaction would queue the bookings behind it every time.
    with app.uows() as uow:
        if not uow.outbox.any_due(app.now()):
            return []
    with app.uows(write=True) as uow:
        taken = uow.outbox.claim(worker, app.now(), lease, limit)
        uow.commit()
    return taken


def finish(
    app: Slotbook,
    delivery: Delivery,
    worker: str,
    outcome: Outcome,
    *,
    give_up_after: timedelta = GIVE_UP_AFTER,
) -> str:
    """Record an attempt: sent, dropped, failed for good, or due again after a backoff.

    A message is retried until ``give_up_after`` past the time it was due.
    """
    now = app.now()
    if outcome.sent:
        status, retry_at = SENT, None
    elif outcome.dropped:
        status, retry_at = DROPPED, None
    else:
        retry_at = now + backoff(delivery.attempts)
        final = outcome.permanent or retry_at > delivery.due_at + give_up_after
        status = FAILED if final else PENDING
    with app.uows(write=True) as uow:
        uow.outbox.finish(
            delivery.id,
            worker,
            status=status,
            now=now,
            next_attempt_at=retry_at if status == PENDING else None,
            error=outcome.reason,
        )
        uow.commit()
    return status


def announce_expired_holds(app: Slotbook, catalog: Catalog, *, limit: int = 100) -> int:
    """Record ``hold.expired`` once for holds that ran out, for the webhooks that want it."""
    hooks = catalog.settings.notifications.webhooks
    if not any("*" in h.events or EventKind.HOLD_EXPIRED.value in h.events for h in hooks):
        return 0
    with app.uows() as uow:  # look first (see ``claim``)
        if not uow.bookings.expired_holds(catalog.ref, app.now(), 1):
            return 0
    with app.uows(write=True) as uow:
        now = app.now()
        announced = 0
        for hold in uow.bookings.expired_holds(catalog.ref, now, limit):
            hold.expire(now)
            assert hold.id is not None
            # Only this flag changes, and only while the row is still an unnoticed hold: a
            # cancel that got there first wins, and two workers announce it once.
            if uow.bookings.note_expiry(hold.id):
                outbox.publish(uow, catalog, hold, now)
                announced += 1
        uow.commit()
    return announced


def listing(
    app: Slotbook, catalog: Catalog, *, failed_only: bool, limit: int = 100
) -> list[Delivery]:
    """A tenant's latest messages, newest first."""
    with app.uows() as uow:
        return uow.outbox.listing(catalog.ref, failed_only=failed_only, limit=limit)


def retry(app: Slotbook, catalog: Catalog | None, delivery_id: int) -> bool:
    """Send a failed or dropped message again (with the same message id)."""
    with app.uows(write=True) as uow:
        done = uow.outbox.retry(catalog.ref if catalog else None, delivery_id, app.now())
        uow.commit()
    return done
