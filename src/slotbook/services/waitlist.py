"""The waitlist: ask to be offered a time; workers hand freed times to the first who fits.

A worker cycle lapses offers that ran out and then, oldest wish first, holds the earliest
free time that fits each waiting person's wish and mails them a link to confirm it. Holding
goes through the same use case as any booking, so a direct booking racing for the same time
is decided by the database: one of the two gets it, never both.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from slotbook.domain.errors import InvalidRequest, NotFound, NotHeld, SlotTaken, WrongState
from slotbook.domain.model import Appointment, Catalog, CustomerDetails, Status
from slotbook.domain.waitlist import WaitlistEntry, WaitStatus
from slotbook.services import audit, outbox
from slotbook.services.actor import SYSTEM, Actor
from slotbook.services.availability import SlotQuery, find_openings, instant
from slotbook.services.booking import BookingDetails, check_bookable, confirm, place
from slotbook.services.changes import release_hold
from slotbook.services.context import Slotbook, retrying

BATCH = 50


@dataclass(frozen=True, slots=True)
class Wish:
    """What a person asks to be offered, and how to reach them."""

    branch_key: str
    service_keys: tuple[str, ...]
    first_day: date
    last_day: date
    first_name: str
    last_name: str
    email: str
    phone: str | None = None
    people: int = 1
    language: str | None = None


def _query(catalog: Catalog, entry: WaitlistEntry | Wish) -> SlotQuery:
    return SlotQuery(
        branch=catalog.branch(entry.branch_key),
        services=tuple(catalog.service(k) for k in entry.service_keys),
        people=entry.people,
    )


@retrying
def join(app: Slotbook, catalog: Catalog, wish: Wish, *, actor: Actor = SYSTEM) -> WaitlistEntry:
    """Put a person on the waitlist (at the end)."""
    query = _query(catalog, wish)
    check_bookable(catalog, query, internal=actor.staff)
    today = app.now().astimezone(query.branch.zone).date()
    if wish.last_day < wish.first_day:
        raise InvalidRequest("The last day must not be before the first day", "last_day")
    if wish.last_day < today:
        raise InvalidRequest("The days asked for are over", "last_day")
    if wish.last_day > today + timedelta(days=catalog.settings.horizon_days):
        raise InvalidRequest("The last day is beyond the booking horizon", "last_day")
    entry = WaitlistEntry(
        uuid="",
        branch_key=query.branch.key,
        service_keys=tuple(s.key for s in query.services),
        people=wish.people,
        first_day=wish.first_day,
        last_day=wish.last_day,
        first_name=wish.first_name,
        last_name=wish.last_name,
        email=wish.email,
        phone=wish.phone,
        language=wish.language,
    )
    with app.uows(write=True) as uow:
        now = app.now()
        uow.waitlist.add(catalog.ref, entry, now)
        audit.record(uow, catalog, actor, "waitlist_join", now, detail=f"waitlist {entry.uuid}")
        uow.commit()
    return entry


def entry(app: Slotbook, catalog: Catalog, entry_uuid: str) -> WaitlistEntry | None:
    """One entry by its id."""
    with app.uows() as uow:
        return uow.waitlist.get(catalog.ref, entry_uuid)


def entries(app: Slotbook, catalog: Catalog, status: WaitStatus) -> list[WaitlistEntry]:
    """The tenant's entries with a status, oldest first."""
    with app.uows() as uow:
        return uow.waitlist.with_status(catalog.ref, status, 1000)


def offer_freed_times(app: Slotbook, catalog: Catalog) -> int:
    """One round: lapse offers that ran out, then offer free times to who waits; how many
    offers were made."""
    with app.uows() as uow:
        offered = uow.waitlist.with_status(catalog.ref, WaitStatus.OFFERED, BATCH)
        waiting = uow.waitlist.with_status(catalog.ref, WaitStatus.WAITING, BATCH)
    for entry in offered:
        if entry.offered_until is not None and app.now() >= entry.offered_until:
            _lapse(app, catalog, entry.uuid)
    made = 0
    for entry in waiting:
        if _offer(app, catalog, entry):
            made += 1
    return made


@retrying
def _lapse(app: Slotbook, catalog: Catalog, entry_uuid: str) -> None:
    with app.uows(write=True) as uow:
        entry = uow.waitlist.get(catalog.ref, entry_uuid)
        now = app.now()
        if entry is None or entry.status is not WaitStatus.OFFERED:
            return
        try:
            entry.lapse(now)
        except WrongState:
            return
        uow.waitlist.save(entry, now)
        audit.record(uow, catalog, SYSTEM, "waitlist_lapse", now, detail=f"waitlist {entry.uuid}")
        uow.commit()


def _offer(app: Slotbook, catalog: Catalog, entry: WaitlistEntry) -> bool:
    """Hold the earliest free time that fits the wish, then record the offer and its mail."""
    try:
        query = _query(catalog, entry)
    except NotFound:  # a service or branch retired since: the wish cannot be met
        return False
    for opening in find_openings(
        app, catalog, query, first_day=entry.first_day, last_day=entry.last_day
    )[:3]:
        try:
            held = place(
                app,
                catalog,
                query=query,
                start=instant(opening.start),
                status=Status.HELD,
                hold_ttl=timedelta(minutes=catalog.settings.waitlist_hold_minutes),
                details=BookingDetails(source="waitlist", language=entry.language),
            )
        except SlotTaken:
            continue  # someone was quicker for this one: try the next free time
        if _record_offer(app, catalog, entry.uuid, held):
            return True
        # Another worker offered this person a time first: give this one back at once.
        release_hold(app, catalog, ref=("public_id", held.public_id))
        return False
    return False


@retrying
def _record_offer(app: Slotbook, catalog: Catalog, entry_uuid: str, held: Appointment) -> bool:
    with app.uows(write=True) as uow:
        entry = uow.waitlist.get(catalog.ref, entry_uuid)
        now = app.now()
        if entry is None or entry.status is not WaitStatus.WAITING:
            return False  # another worker offered first; this hold simply runs out
        assert held.expires_at is not None
        entry.offer(held.public_id, held.expires_at)
        uow.waitlist.save(entry, now)
        outbox.offer(uow, catalog, held, entry, now)
        audit.record(uow, catalog, SYSTEM, "waitlist_offer", now, appointment=held)
        uow.commit()
    return True


def accept(app: Slotbook, catalog: Catalog, entry_uuid: str) -> Appointment:
    """The waiting person confirms the time held for them; NotHeld once it ran out."""
    with app.uows() as uow:
        entry = uow.waitlist.get(catalog.ref, entry_uuid)
    if entry is None or entry.status is not WaitStatus.OFFERED or not entry.offer_public_id:
        raise NotHeld("There is no offer to take", expired=True)
    entry.accept(app.now())
    booked = confirm(
        app,
        catalog,
        ref=("public_id", entry.offer_public_id),
        details=BookingDetails(
            customers=[
                CustomerDetails(
                    first_name=entry.first_name,
                    last_name=entry.last_name,
                    email=entry.email,
                    phone=entry.phone,
                )
            ],
            source="waitlist",
            language=entry.language,
        ),
    )
    with app.uows(write=True) as uow:
        now = app.now()
        uow.waitlist.save(entry, now)
        uow.commit()
    return booked
