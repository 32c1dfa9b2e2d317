"""Closures and blocks: time a branch or a resource is not available.

A block holds its resource's time like a full session, so availability leaves it out at
once and the database refuses a booking over it, whatever the concurrency. Closing cancels
what is booked inside first (and tells the customers); blocking refuses when something is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from slotbook.domain.errors import InvalidRequest
from slotbook.domain.model import Appointment, Catalog
from slotbook.services import audit, outbox
from slotbook.services.actor import SYSTEM, Actor
from slotbook.services.booking import reread, save
from slotbook.services.context import Slotbook, retrying
from slotbook.services.ports import Block

MAX_DAYS = 366


@dataclass(frozen=True, slots=True)
class Closure:
    """What a closure did: the blocks it put in place and the appointments it cancelled."""

    blocks: list[Block]
    cancelled: list[Appointment]


@retrying
def close(
    app: Slotbook,
    catalog: Catalog,
    *,
    branch_key: str,
    resource_key: str | None,
    start: datetime,
    end: datetime,
    reason: str,
    cancel_inside: bool = True,
    notify: bool = True,
    actor: Actor = SYSTEM,
) -> Closure:
    """Make a branch (or one of its resources) unavailable from ``start`` to ``end``.

    With ``cancel_inside`` the appointments and holds inside are cancelled (customers told
    unless ``notify`` is False); without, something booked inside refuses the block (409).
    """
    if not start < end:
        raise InvalidRequest("The end must be after the start", "end")
    if (end - start).days > MAX_DAYS:
        raise InvalidRequest(f"A closure lasts at most {MAX_DAYS} days", "end")
    branch = catalog.branch(branch_key)
    chosen = (
        [catalog.resource(resource_key)] if resource_key is not None else list(branch.resources)
    )
    if any(r.branch_key != branch.key for r in chosen):
        raise InvalidRequest("The resource is not at this branch", "resource")
    refs = sorted(r.ref for r in chosen)
    with app.uows(write=True) as uow:
        # Rows first, then resources: the order every writer uses. What was booked between
        # the first look and the resource lock is found by the second look.
        inside = uow.bookings.live_on(refs, start, end, app.now()) if cancel_inside else []
        for appointment in inside:
            uow.bookings.get(catalog.ref, "public_id", appointment.public_id, for_update=True)
        uow.bookings.lock_resources(refs)
        now = app.now()
        cancelled = []
        if cancel_inside:
            for appointment in uow.bookings.live_on(refs, start, end, now):
                appointment.cancel(now, reason=reason, by_staff=True, notify=notify)
                save(uow, catalog, appointment, now)
                assert appointment.session_id is not None
                uow.bookings.recount(appointment.session_id, now)
                cancelled.append(appointment)
        blocks = []
        for resource in chosen:
            block_id = uow.bookings.open_block(
                tenant_ref=catalog.ref,
                branch_ref=branch.ref,
                resource_ref=resource.ref,
                start=start,
                end=end,
                reason=reason,
                now=now,
            )
            blocks.append(Block(block_id, branch.key, resource.key, start, end, reason))
        done = []
        for appointment in cancelled:
            result = reread(uow, catalog, appointment)
            audit.record(uow, catalog, actor, "cancel", now, appointment=result)
            outbox.publish(uow, catalog, result, now)
            done.append(result)
        detail = f"{len(blocks)} block(s), {len(done)} cancelled: {reason}"[:300]
        audit.record(uow, catalog, actor, "close" if cancel_inside else "block", now, detail=detail)
        uow.commit()
    return Closure(blocks, done)


def blocks(app: Slotbook, catalog: Catalog, start: datetime, end: datetime) -> list[Block]:
    """Blocks in force that overlap ``[start, end)``."""
    with app.uows() as uow:
        return uow.bookings.blocks(catalog.ref, start, end)


@retrying
def lift(app: Slotbook, catalog: Catalog, block_id: str, *, actor: Actor = SYSTEM) -> bool:
    """End a block at once (its time is bookable again); False when there is none."""
    with app.uows(write=True) as uow:
        now = app.now()
        done = uow.bookings.lift_block(catalog.ref, block_id, now)
        if done:
            audit.record(uow, catalog, actor, "lift_block", now, detail=f"block {block_id}")
        uow.commit()
    return done
