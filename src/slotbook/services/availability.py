"""Availability use cases: bookable dates and start times, one query for the whole window."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from slotbook.domain.availability import (
    Demand,
    Occupancy,
    Opening,
    ResourceCalendar,
    Window,
    bookable_days,
    openings,
)
from slotbook.domain.model import (
    Branch,
    Catalog,
    Service,
    appointment_length,
    buffers_of,
    session_capacity,
    spaces_needed,
)
from slotbook.domain.schedule import local_instant
from slotbook.services.context import Slotbook
from slotbook.services.ports import UnitOfWork


@dataclass(frozen=True, slots=True)
class SlotQuery:
    """What a client asks for: services at a branch, for some people, maybe a length."""

    branch: Branch
    services: tuple[Service, ...]
    people: int = 1
    custom_length: int | None = None
    duration: int | None = None
    resource_keys: tuple[str, ...] | None = None
    step: int | None = None
    spaces: int | None = None

    @property
    def length(self) -> int:
        """Length in minutes of a new appointment for this query."""
        return appointment_length(
            self.services,
            self.people,
            custom_length=self.custom_length,
            chosen_duration=self.duration,
        )


def build_demand(catalog: Catalog, query: SlotQuery) -> Demand:
    """The engine's view of a query: lengths in seconds and the resources that can host it."""
    services = query.services
    before, after = buffers_of(services)
    hosts = catalog.resources_for(query.branch.key, services)
    if query.resource_keys is not None:
        hosts = [r for r in hosts if r.key in query.resource_keys]
    return Demand(
        service_keys=tuple(s.key for s in services),
        length=query.length * 60,
        step=(query.step or services[0].step) * 60,
        resources=tuple(ResourceCalendar(r.key, r.schedule) for r in hosts),
        buffer_before=before * 60,
        buffer_after=after * 60,
        spaces=query.spaces if query.spaces is not None else spaces_needed(services, query.people),
        capacity=session_capacity(services),
    )


def booking_window(
    catalog: Catalog,
    branch: Branch,
    now: datetime,
    first_day: date | None = None,
    last_day: date | None = None,
) -> Window:
    """Dates from today (branch-local) through the horizon; starts after the minimum notice."""
    zone = branch.zone
    today = now.astimezone(zone).date()
    horizon_last = today + timedelta(days=catalog.settings.horizon_days - 1)
    first = today if first_day is None else max(first_day, today)
    last = horizon_last if last_day is None else min(last_day, horizon_last)
    earliest = now + timedelta(minutes=catalog.settings.min_notice_minutes)
    return Window(zone, first, last, int(earliest.timestamp()))


def load_occupancies(
    uow: UnitOfWork,
    catalog: Catalog,
    demand: Demand,
    window: Window,
    now: datetime,
    *,
    tidy: bool = False,
    span: tuple[int, int] | None = None,
) -> list[Occupancy]:
    """Every live session on the demand's resources around the window (or overlapping
    ``span``, epoch seconds, when given), in one query."""
    if window.first_day > window.last_day:
        return []
    refs, lo, hi = _around(catalog, demand, window, span)
    return uow.bookings.occupancies(refs, lo, hi, now, tidy=tidy)


def _around(
    catalog: Catalog, demand: Demand, window: Window, span: tuple[int, int] | None = None
) -> tuple[list[int], datetime, datetime]:
    """The resources and the instants whose sessions matter to ``window`` (or ``span``)."""
    refs = [catalog.resource(r.key, include_retired=True).ref for r in demand.resources]
    if span is not None:
        lo, hi = span
    else:
        # Opening hours end by midnight, so a start's buffered block lies within its local
        # day widened by the buffers; group sessions to join and the day's load (for the
        # pick) lie within the day.
        lo = local_instant(window.first_day, 0, window.zone) - demand.buffer_before
        hi = local_instant(window.last_day + timedelta(days=1), 0, window.zone)
        hi += demand.buffer_after
    return refs, datetime.fromtimestamp(lo, UTC), datetime.fromtimestamp(hi, UTC)


# How many resources a date list asks about first; each next round asks twice as many (see
# ``find_days``). One: on a branch whose days are not full, the first resource has a time on
# nearly every day, and reading one resource's sessions is the whole cost of the list.
DAYS_BATCH = 1


def find_days(
    app: Slotbook,
    catalog: Catalog,
    query: SlotQuery,
    *,
    first_day: date | None = None,
    last_day: date | None = None,
) -> list[date]:
    """Local dates with at least one free start."""
    demand = build_demand(catalog, query)
    if not demand.resources:
        return []
    now = app.now()
    window = booking_window(catalog, query.branch, now, first_day, last_day)
    found: set[date] = set()
    open_days = {
        window.first_day + timedelta(days=n)
        for n in range((window.last_day - window.first_day).days + 1)
    }
    # A day bookable on some resources stays bookable whatever the others hold: ask a few
    # resources first, and twice as many next only about the days still without a time.
    # Exact, each resource is read at most once, and on a branch whose days are not full
    # about as cheap as a branch with one resource.
    with app.uows() as uow:
        first, size = 0, DAYS_BATCH
        while open_days and first < len(demand.resources):
            part = replace(demand, resources=demand.resources[first : first + size])
            first, size = first + size, size * 2
            asked = replace(window, first_day=min(open_days), last_day=max(open_days))
            busy = load_occupancies(uow, catalog, part, asked, now)
            bookable = set(bookable_days(part, busy, asked)) & open_days
            found |= bookable
            open_days -= bookable
    return sorted(found)


def find_openings(
    app: Slotbook,
    catalog: Catalog,
    query: SlotQuery,
    *,
    first_day: date | None = None,
    last_day: date | None = None,
) -> list[Opening]:
    """Every free start (with its hosts) on the given local dates."""
    found = _openings(app, catalog, query, first_day, last_day, read=True)
    assert found is not None
    return found


def kept_openings(
    app: Slotbook,
    catalog: Catalog,
    query: SlotQuery,
    *,
    first_day: date | None = None,
    last_day: date | None = None,
) -> list[Opening] | None:
    """``find_openings``'s answer if it is kept, else None: never reads the database (so an
    event loop may ask it without a thread)."""
    return _openings(app, catalog, query, first_day, last_day, read=False)


def _openings(
    app: Slotbook,
    catalog: Catalog,
    query: SlotQuery,
    first_day: date | None,
    last_day: date | None,
    *,
    read: bool,
) -> list[Opening] | None:
    demand = build_demand(catalog, query)
    if not demand.resources:
        return []
    now = app.now()
    window = booking_window(catalog, query.branch, now, first_day, last_day)
    if window.first_day > window.last_day:
        return []
    # The same question is asked again and again (a launch day): the answer is kept until
    # any commit (see ``persistence.changes``) or until the first hold in it runs out.
    # Time moving on only drops starts before the minimum notice, which is done on reading.
    generation = app.uows.generation()
    asked = (catalog.key, catalog.revision, _question(query), window.first_day, window.last_day)
    kept = app.openings.get(asked, generation)
    if kept is not None:
        found, read_at, expiry = kept
        if read_at <= now and (expiry is None or now < expiry):
            return [o for o in found if o.start >= window.earliest]
    if not read:
        return None
    refs, lo, hi = _around(catalog, demand, window)
    with app.uows() as uow:
        busy, expiry = uow.bookings.occupancies_until(refs, lo, hi, now, tidy=False)
    found = openings(demand, busy, window)
    app.openings.put(asked, generation, (found, now, expiry))
    return list(found)  # the kept list stays as it was read


def _question(query: SlotQuery) -> tuple[object, ...]:
    """What of a query decides its answer (the catalog's objects stand for themselves)."""
    return (
        query.branch.key,
        tuple(s.key for s in query.services),
        query.people,
        query.custom_length,
        query.duration,
        query.resource_keys,
        query.step,
        query.spaces,
    )


def instant(seconds: int) -> datetime:
    """Aware UTC datetime of epoch seconds (the engine's unit)."""
    return datetime.fromtimestamp(seconds, UTC)


def without_own(busy: Sequence[Occupancy], session_id: int | None, spaces: int) -> list[Occupancy]:
    """Occupancies as if an appointment had left its session (for moves)."""
    result = []
    for occ in busy:
        if occ.session_id != session_id:
            result.append(occ)
        elif occ.taken > spaces:
            result.append(occ._replace(taken=occ.taken - spaces))
    return result
