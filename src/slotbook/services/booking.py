"""Booking use cases: hold or book a slot, confirm a hold, turn a hold into participants."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from slotbook.domain.availability import Demand, Opening, fit
from slotbook.domain.errors import (
    InvalidRequest,
    NotAllowed,
    NotFound,
    NotHeld,
    SlotTaken,
    TooManyRequests,
)
from slotbook.domain.model import (
    Appointment,
    Catalog,
    Customer,
    CustomerDetails,
    ExternalIds,
    Status,
    check_details,
    check_length,
    effective_custom_length,
)
from slotbook.domain.schedule import local_instant
from slotbook.services import audit, outbox
from slotbook.services.actor import SYSTEM, Actor
from slotbook.services.availability import (
    SlotQuery,
    booking_window,
    build_demand,
    instant,
    load_occupancies,
    without_own,
)
from slotbook.services.context import Slotbook, retrying
from slotbook.services.ports import IdKind, UnitOfWork

AppointmentRef = tuple[IdKind, str]
_NO_IDS = ExternalIds("", "", "")


@dataclass(frozen=True, slots=True)
class BookingDetails:
    """Who books and what they tell us."""

    customers: Sequence[CustomerDetails | Customer] = ()
    customer_spaces: Sequence[int] = ()
    title: str | None = None
    notes: str | None = None
    customer_message: str | None = None
    custom: str | None = None
    answers: Mapping[str, str] = field(default_factory=dict)
    source: str = "api"
    language: str | None = None  # the customer's language for messages


def check_online(catalog: Catalog, service_keys: Sequence[str], *, internal: bool) -> None:
    """Services that are not bookable online take an internal key, to hold and to book."""
    if internal:
        return
    for key in service_keys:
        service = catalog.service(key, include_retired=True)
        if not service.online_bookable:
            raise NotAllowed(f'Service "{service.key}" cannot be booked online')


def check_bookable(catalog: Catalog, query: SlotQuery, *, internal: bool) -> None:
    """Refuse what no slot could satisfy: unknown combos, closed services, too many people."""
    for service in query.services:
        if query.branch.key not in service.branch_keys:
            raise NotFound("service", service.key, "Service is not offered at this branch")
        check_online(catalog, [service.key], internal=internal)
        if service.max_reservations is not None and query.people > service.max_reservations:
            raise InvalidRequest(
                f"At most {service.max_reservations} customers can book this service together",
                "numberOfCustomers",
            )
        if service.is_group and len(query.services) == 1 and query.people > service.capacity:
            raise InvalidRequest(
                f"A session of this service holds at most {service.capacity} customers",
                "numberOfCustomers",
            )
    if len(query.services) > 1 and not catalog.is_combination(tuple(s.key for s in query.services)):
        raise InvalidRequest("These services cannot be booked together", "services")
    if len({s.key for s in query.services}) != len(query.services):
        raise InvalidRequest("A service is listed twice", "services")


def save_customers(
    uow: UnitOfWork,
    catalog: Catalog,
    details: Sequence[CustomerDetails | Customer],
    now: datetime,
) -> list[Customer]:
    """Create customers, reusing (and updating) the record of a known external id.

    An already stored customer (e.g. found by id) is linked as it is.
    """
    return [
        d if isinstance(d, Customer) else uow.customers.upsert(catalog.ref, d, now) for d in details
    ]


def _take(
    uow: UnitOfWork,
    catalog: Catalog,
    opening: Opening,
    query: SlotQuery,
    demand: Demand,
    now: datetime,
) -> tuple[int, ExternalIds, str, datetime, datetime]:
    """Join the best group session or open a new one; returns (session, its public ids,
    resource, start, end)."""
    if opening.sessions:
        chosen = opening.sessions[0]
        assert chosen.session_id is not None
        ids = uow.bookings.take_spaces(chosen.session_id, demand.spaces, now)
        return (
            chosen.session_id,
            ids,
            chosen.resource_key,
            instant(chosen.start),
            instant(chosen.end),
        )
    if not opening.resources:
        raise SlotTaken()
    resource = catalog.resource(opening.resources[0])
    start, end = instant(opening.start), instant(opening.end)
    session_id, ids = uow.bookings.open_session(
        tenant_ref=catalog.ref,
        branch_ref=query.branch.ref,
        resource_ref=resource.ref,
        service_keys=demand.service_keys,
        start=start,
        end=end,
        block_start=instant(opening.start - demand.buffer_before),
        block_end=instant(opening.end + demand.buffer_after),
        capacity=demand.capacity,
        taken=demand.spaces,
        now=now,
    )
    return session_id, ids, resource.key, start, end


def _find_fit(
    uow: UnitOfWork,
    catalog: Catalog,
    query: SlotQuery,
    demand: Demand,
    start: datetime,
    now: datetime,
    *,
    on_grid: bool,
    leaving: Appointment | None = None,
    locked: bool = False,
    tidy: bool = True,
) -> Opening:
    """Lock the candidate resources (unless ``locked``) and find who can host ``start``.

    With ``tidy`` (only under the locks) stale counts of the sessions read are corrected.
    """
    if not demand.resources:
        raise SlotTaken()
    if not locked:
        lock_candidates(uow, catalog, demand)
    local_day = start.astimezone(query.branch.zone).date()
    window = booking_window(catalog, query.branch, now, local_day, local_day)
    # Only what the choice needs: the sessions of that day (the least-booked resource is
    # chosen) and those overlapping the new block, however far its buffers reach.
    at = int(start.timestamp())
    day_lo = local_instant(local_day, 0, query.branch.zone)
    day_hi = local_instant(local_day + timedelta(days=1), 0, query.branch.zone)
    span = (
        min(day_lo, at - demand.buffer_before),
        max(day_hi, at + demand.length + demand.buffer_after),
    )
    busy = load_occupancies(uow, catalog, demand, window, now, tidy=tidy, span=span)
    if leaving is not None and leaving.is_live(now):
        busy = without_own(busy, leaving.session_id, leaving.spaces)
    opening = fit(demand, busy, window, int(start.timestamp()), on_grid=on_grid)
    if opening is None:
        raise SlotTaken()
    return opening


Recheck = Callable[[], tuple[Opening, datetime]]
Guess = tuple[Opening, datetime]


def _guess(
    app: Slotbook, catalog: Catalog, query: SlotQuery, start: datetime, *, on_grid: bool
) -> Guess | None:
    """The host a booking would choose, read before it queues for the database's write lock
    (SQLite: the search then runs outside the lock); None when none was found (the choice is
    then made, or refused, under the lock)."""
    demand = build_demand(catalog, query)
    now = app.now()
    with app.uows() as uow:
        try:
            opening = _find_fit(
                uow, catalog, query, demand, start, now, on_grid=on_grid, locked=True, tidy=False
            )
        except SlotTaken:
            return None
    return opening, now


def _noticed(catalog: Catalog, query: SlotQuery, start: datetime, now: datetime) -> bool:
    """Whether ``start`` is still after the minimum notice at ``now`` (the only rule of a
    choice made a moment before that the clock moving on can break)."""
    return int(start.timestamp()) >= booking_window(catalog, query.branch, now).earliest


def _claim(
    uow: UnitOfWork,
    app: Slotbook,
    catalog: Catalog,
    query: SlotQuery,
    demand: Demand,
    start: datetime,
    *,
    on_grid: bool,
    guess: Guess | None = None,
) -> tuple[Opening, datetime, Recheck | None]:
    """Find a host for ``start`` and lock it: (the opening on that one host, the time then,
    and how to check it again under the lock if the database refuses it; None when it was
    checked under the lock already).

    A new session chosen without the lock is inserted as chosen once the lock is held: the
    overlap constraint judges it, and only when it refuses is the choice read again under
    the lock (which also corrects stale counts of expired holds). Joining a group session is
    checked under the lock first.

    Where writers hold the whole database (SQLite), the choice may come with the call
    (``guess``, read before queueing for the lock); without one it is made under the lock.
    Elsewhere, locking every resource that could host the booking would make all bookings of
    a branch wait for each other. Instead the choice is made without locks, then only the
    chosen resource is locked — the first of the choice's order that no other booking is
    locking right now, so bookings at once spread over the free resources.
    """
    if uow.bookings.writers_serialised:
        now = app.now()

        def under_lock() -> tuple[Opening, datetime]:
            at = app.now()
            return _find_fit(
                uow, catalog, query, demand, start, at, on_grid=on_grid, locked=True
            ), at

        if (
            guess is not None
            and guess[0].resources
            and not guess[0].sessions
            and _noticed(catalog, query, start, now)
        ):
            return replace(guess[0], resources=guess[0].resources[:1]), now, under_lock
        opening, now = under_lock()
        return opening, now, None
    guessed_at = app.now()
    chosen = _find_fit(
        uow, catalog, query, demand, start, guessed_at, on_grid=on_grid, locked=True, tidy=False
    )
    order = list(dict.fromkeys([o.resource_key for o in chosen.sessions] + list(chosen.resources)))
    hosts = {r.key: r for r in demand.resources}
    refs = {key: catalog.resource(key, include_retired=True).ref for key in order}

    def attempt(key: str) -> tuple[Opening, datetime] | None:
        # Read the clock only once the lock is held: a time read before waiting for it
        # would be stale by the time this request decides (see ``reclaim``).
        now = app.now()
        narrowed = replace(demand, resources=(hosts[key],))
        try:
            opening = _find_fit(
                uow, catalog, query, narrowed, start, now, on_grid=on_grid, locked=True
            )
        except SlotTaken:
            return None
        return opening, now

    def search(refused: str | None) -> tuple[Opening, datetime, Recheck | None]:
        tried = {refused}
        for key in order:  # first the hosts nobody is booking on right now
            if key not in tried and uow.bookings.try_lock_resource(refs[key]):
                tried.add(key)
                now = app.now()
                if refused is None and not chosen.sessions and _noticed(catalog, query, start, now):
                    return replace(chosen, resources=(key,)), now, recheck(key)
                if found := attempt(key):
                    return found[0], found[1], None
        for key in order:  # then wait for the others, one by one
            if key not in tried:
                uow.bookings.lock_resources([refs[key]])
                if found := attempt(key):
                    return found[0], found[1], None
        raise SlotTaken()

    def recheck(key: str) -> Recheck:
        def again() -> tuple[Opening, datetime]:
            if found := attempt(key):
                return found
            opening, now, _ = search(refused=key)  # taken meanwhile: the other hosts
            return opening, now

        return again

    return search(refused=None)


def lock_candidates(uow: UnitOfWork, catalog: Catalog, demand: Demand) -> None:
    """Row-lock every resource that could host the demand (writers queue on these)."""
    uow.bookings.lock_resources(
        [catalog.resource(r.key, include_retired=True).ref for r in demand.resources]
    )


def lock_host(uow: UnitOfWork, catalog: Catalog, appointment: Appointment) -> None:
    """Row-lock the resource an appointment is on."""
    uow.bookings.lock_resources(
        [catalog.resource(appointment.resource_key, include_retired=True).ref]
    )


def reclaim(uow: UnitOfWork, session_id: int, now: datetime) -> None:
    """Recount a hold's session as it becomes firm; NotHeld if a rival has its room by now.

    The clock check alone is not enough across processes: a rival that saw the hold expired
    may have released its session and taken the room. Counting it live again is then
    refused by the overlap and capacity constraints.
    """
    try:
        uow.bookings.recount(session_id, now)
    except SlotTaken:
        raise NotHeld(expired=True) from None


def check_placement(
    catalog: Catalog,
    query: SlotQuery,
    *,
    status: Status,
    hold_ttl: timedelta | None = None,
    actor: Actor = SYSTEM,
) -> None:
    """Refuse, before any lock, what ``place_in`` could never book whatever the time."""
    check_bookable(catalog, query, internal=actor.staff)
    check_length(
        query.services,
        query.people,
        effective_custom_length(query.services, query.custom_length),
        staff=actor.staff,
        field="customSlotLength",
    )
    if status is Status.HELD and hold_ttl is None:
        raise ValueError("a hold needs a time to live")


@retrying
def place(
    app: Slotbook,
    catalog: Catalog,
    *,
    query: SlotQuery,
    start: datetime,
    status: Status,
    details: BookingDetails = BookingDetails(),
    hold_ttl: timedelta | None = None,
    actor: Actor = SYSTEM,
    on_grid: bool = True,
) -> Appointment:
    """Hold or book the slot at ``start``; the database refuses a double booking.

    Without staff rights the start must lie on the service's grid (``on_grid=False`` is a
    staff privilege), the length within the service's rules, and a client may keep only
    the tenant's number of live holds at once.
    """
    check_placement(catalog, query, status=status, hold_ttl=hold_ttl, actor=actor)
    guess = None
    if app.uows.serialises_writers():  # search before queueing for the write lock
        guess = _guess(app, catalog, query, start, on_grid=on_grid or not actor.staff)
    with app.uows(write=True) as uow:
        result = place_in(
            uow,
            app,
            catalog,
            query=query,
            start=start,
            status=status,
            details=details,
            hold_ttl=hold_ttl,
            actor=actor,
            on_grid=on_grid,
            guess=guess,
        )
        uow.commit()
    return result


def place_in(
    uow: UnitOfWork,
    app: Slotbook,
    catalog: Catalog,
    *,
    query: SlotQuery,
    start: datetime,
    status: Status,
    details: BookingDetails = BookingDetails(),
    hold_ttl: timedelta | None = None,
    actor: Actor = SYSTEM,
    on_grid: bool = True,
    guess: Guess | None = None,
) -> Appointment:
    """``place`` inside the caller's unit of work, which commits (after ``check_placement``).

    A refusal (SlotTaken) leaves nothing behind in the unit of work, so a caller may go on
    placing other appointments in it. ``guess``: see ``_claim``.
    """
    demand = build_demand(catalog, query)
    # A reservation without expiry (RESERVED) keeps a slot as a hold does: both count.
    limit_holds = status in (Status.HELD, Status.RESERVED) and not actor.staff
    if limit_holds:
        uow.bookings.lock_client(actor.client_ref)  # before the resources, every time
    opening, now, recheck = _claim(
        uow, app, catalog, query, demand, start, on_grid=on_grid or not actor.staff, guess=guess
    )
    if limit_holds:
        _check_hold_cap(uow, catalog, actor, now)
    try:
        taken = _take(uow, catalog, opening, query, demand, now)
    except SlotTaken:
        if recheck is None:
            raise
        opening, now = recheck()  # refused as guessed: read again under the lock
        taken = _take(uow, catalog, opening, query, demand, now)
    session_id, session_ids, resource_key, begins, ends = taken
    appointment = Appointment(
        public_id="",
        ids=_NO_IDS,
        branch_key=query.branch.key,
        resource_key=resource_key,
        service_keys=demand.service_keys,
        start=begins,
        end=ends,
        status=status,
        people=query.people,
        spaces=demand.spaces,
        buffer_before=demand.buffer_before // 60,
        buffer_after=demand.buffer_after // 60,
        expires_at=now + hold_ttl if status is Status.HELD and hold_ttl else None,
        custom_length=effective_custom_length(query.services, query.custom_length),
        title=details.title,
        notes=details.notes,
        customer_message=details.customer_message,
        custom=details.custom,
        answers=dict(details.answers),
        customers=save_customers(uow, catalog, details.customers, now),
        customer_spaces=list(details.customer_spaces),
        source=details.source,
        language=details.language,
        client_ref=actor.client_ref if status is not Status.CONFIRMED else None,
        session_id=session_id,
        session_ids=session_ids,
    )
    if status is Status.CONFIRMED:
        check_details(query.services, appointment.customers, appointment.answers)
        appointment.book(now)
    added = uow.bookings.add(
        catalog.ref,
        appointment,
        branch_ref=query.branch.ref,
        resource_ref=catalog.resource(resource_key).ref,
        now=now,
    )
    result = as_stored(added)
    audit.record(uow, catalog, actor, _PLACED[status], now, appointment=result)
    outbox.publish(uow, catalog, result, now, new=True)
    return result


_PLACED = {Status.HELD: "hold", Status.RESERVED: "reserve", Status.CONFIRMED: "book"}


def _check_hold_cap(uow: UnitOfWork, catalog: Catalog, actor: Actor, now: datetime) -> None:
    """Refuse a new hold when this client already keeps the tenant's maximum of live holds
    (unconfirmed reservations without expiry included)."""
    cap = catalog.settings.max_live_holds_per_client
    if cap is None:
        return
    expiries = uow.bookings.live_holds(catalog.ref, actor.client_ref, now)
    if len(expiries) >= cap:
        # Room comes when enough holds expire; reservations without expiry never do.
        freeing = expiries[len(expiries) - cap]
        wait = int((freeing - now).total_seconds()) + 1 if freeing is not None else 60
        raise TooManyRequests(
            f"This client already holds {len(expiries)} time slots (at most {cap}); "
            "confirm or release one, or wait until one expires",
            retry_after=wait,
        )


def as_stored(appointment: Appointment) -> Appointment:
    """A just-added appointment as a read would give it back, without the read: instants in
    UTC, one space count per customer (1 where none was given)."""
    given = appointment.customer_spaces
    appointment.customer_spaces = [
        given[i] if i < len(given) else 1 for i in range(len(appointment.customers))
    ]
    appointment.start = appointment.start.astimezone(UTC)
    appointment.end = appointment.end.astimezone(UTC)
    appointment.expires_at = _utc(appointment.expires_at)
    appointment.created = _utc(appointment.created)
    appointment.updated = _utc(appointment.updated)
    appointment.arrived_at = _utc(appointment.arrived_at)
    return appointment


def _utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.astimezone(UTC)


def reread(uow: UnitOfWork, catalog: Catalog, appointment: Appointment) -> Appointment:
    """The stored state of an appointment (with its session ids and customers)."""
    found = uow.bookings.get(catalog.ref, "public_id", appointment.public_id)
    assert found is not None
    found.events = appointment.pop_events()  # still to be published
    return found


def load_appointment(
    uow: UnitOfWork, catalog: Catalog, ref: AppointmentRef, *, for_update: bool = False
) -> Appointment:
    """An appointment of this tenant, or NotFound."""
    found = uow.bookings.get(catalog.ref, ref[0], ref[1], for_update=for_update)
    if found is None:
        raise NotFound("appointment", ref[1], "Appointment not found")
    return found


def save(uow: UnitOfWork, catalog: Catalog, appointment: Appointment, now: datetime) -> None:
    """Write an appointment back."""
    uow.bookings.save(
        appointment,
        branch_ref=catalog.branch(appointment.branch_key, include_retired=True).ref,
        resource_ref=catalog.resource(appointment.resource_key, include_retired=True).ref,
        now=now,
    )


def query_of(catalog: Catalog, appointment: Appointment, *, people: int | None = None) -> SlotQuery:
    """The slot query an existing appointment answers (to move or resize it)."""
    branch = catalog.branch(appointment.branch_key, include_retired=True)
    services = tuple(catalog.service(k, include_retired=True) for k in appointment.service_keys)
    return SlotQuery(
        branch=branch,
        services=services,
        people=people if people is not None else appointment.people,
        custom_length=appointment.custom_length,
    )


def move(
    uow: UnitOfWork,
    catalog: Catalog,
    appointment: Appointment,
    *,
    start: datetime,
    query: SlotQuery,
    now: datetime,
    on_grid: bool = False,
) -> None:
    """Move (or resize) an appointment to ``start`` on the query's resources; caller saves."""
    demand = build_demand(catalog, query)
    opening = _find_fit(
        uow, catalog, query, demand, start, now, on_grid=on_grid, leaving=appointment
    )
    old_session = appointment.session_id
    assert old_session is not None
    assert appointment.id is not None
    uow.bookings.recount(old_session, now, excluding=appointment.id)
    session_id, session_ids, resource_key, begins, ends = _take(
        uow, catalog, opening, query, demand, now
    )
    appointment.session_id, appointment.session_ids = session_id, session_ids
    appointment.resource_key = resource_key
    appointment.branch_key = query.branch.key
    appointment.start, appointment.end = begins, ends
    appointment.spaces = demand.spaces
    appointment.people = query.people


@retrying
def confirm(
    app: Slotbook,
    catalog: Catalog,
    *,
    ref: AppointmentRef,
    details: BookingDetails,
    actor: Actor = SYSTEM,
    allowed_from: tuple[Status, ...] = (Status.HELD,),
    keep_details: bool = False,
    count_customers: bool = True,
) -> Appointment:
    """Confirm a live hold (or a reserved appointment) with the customers' details.

    With ``count_customers`` the number of people becomes the number of customers sent;
    when that changes the length (duration rules), the appointment is resized in place on
    its resource, or refused when the longer slot is taken. Without it the people count of
    the hold stays.
    """
    with app.uows(write=True) as uow:
        appointment = load_appointment(uow, catalog, ref, for_update=True)
        lock_host(uow, catalog, appointment)
        now = app.now()  # after the locks (see ``reclaim``)
        if appointment.status not in allowed_from or appointment.is_expired_hold(now):
            raise NotHeld(expired=appointment.is_expired_hold(now))
        check_online(catalog, appointment.service_keys, internal=actor.staff)
        people = (len(details.customers) if count_customers else 0) or appointment.people
        if people != appointment.people:
            query = query_of(catalog, appointment, people=people)
            resized = query.length != appointment.length_minutes
            grows = build_demand(catalog, query).spaces != appointment.spaces
            if resized or grows:
                query = SlotQuery(
                    branch=query.branch,
                    services=query.services,
                    people=people,
                    custom_length=appointment.custom_length,
                    resource_keys=(appointment.resource_key,),
                )
                move(uow, catalog, appointment, start=appointment.start, query=query, now=now)
            appointment.people = people
        if details.customers:
            appointment.customers = save_customers(uow, catalog, details.customers, now)
            appointment.customer_spaces = list(details.customer_spaces)
        if not keep_details:
            appointment.title = details.title if details.title is not None else appointment.title
            appointment.notes = details.notes if details.notes is not None else appointment.notes
        if details.customer_message is not None:
            appointment.customer_message = details.customer_message
        if details.answers:
            appointment.answers = dict(details.answers)
        services = tuple(catalog.service(k, include_retired=True) for k in appointment.service_keys)
        check_details(services, appointment.customers, appointment.answers)
        if details.language is not None:
            appointment.language = details.language
        appointment.confirm(now)
        save(uow, catalog, appointment, now)
        assert appointment.session_id is not None
        reclaim(uow, appointment.session_id, now)
        result = reread(uow, catalog, appointment)
        audit.record(uow, catalog, actor, "confirm", now, appointment=result)
        outbox.publish(uow, catalog, result, now)
        uow.commit()
    return result


@dataclass(frozen=True, slots=True)
class Participant:
    """One customer taking spaces in a group session."""

    customer: CustomerDetails
    spaces: int = 1


@retrying
def book_participants(
    app: Slotbook,
    catalog: Catalog,
    *,
    hold: AppointmentRef,
    participants: Sequence[Participant],
    actor: Actor = SYSTEM,
    source: str = "api",
) -> list[Appointment]:
    """Turn a live hold into one confirmed appointment per participant, in its session.

    More spaces than the hold reserved are taken if the session still has room; fewer free
    the rest at once.
    """
    if not participants:
        raise InvalidRequest("At least one customer is required", "customers")
    with app.uows(write=True) as uow:
        held = load_appointment(uow, catalog, hold, for_update=True)
        lock_host(uow, catalog, held)
        now = app.now()  # after the locks (see ``reclaim``)
        if not held.is_live_hold(now):
            raise NotHeld("This reservation has expired or was already used", expired=True)
        check_online(catalog, held.service_keys, internal=actor.staff)
        services = tuple(catalog.service(k, include_retired=True) for k in held.service_keys)
        assert held.session_id is not None
        total = sum(p.spaces for p in participants)
        if total > held.spaces:
            uow.bookings.take_spaces(held.session_id, total - held.spaces, now)
        result = []
        for index, participant in enumerate(participants):
            customers = save_customers(uow, catalog, [participant.customer], now)
            if index == 0:
                appointment = held
            else:
                appointment = Appointment(
                    public_id="",
                    ids=_NO_IDS,
                    branch_key=held.branch_key,
                    resource_key=held.resource_key,
                    service_keys=held.service_keys,
                    start=held.start,
                    end=held.end,
                    status=Status.CONFIRMED,
                    buffer_before=held.buffer_before,
                    buffer_after=held.buffer_after,
                    session_id=held.session_id,
                    source=source,
                )
            if index == 0:
                appointment.confirm(now)
            else:
                appointment.book(now)
            appointment.people = appointment.spaces = participant.spaces
            appointment.customers = customers
            appointment.customer_spaces = [participant.spaces]
            check_details(services, customers, appointment.answers)
            if index == 0:
                save(uow, catalog, appointment, now)
            else:
                uow.bookings.add(
                    catalog.ref,
                    appointment,
                    branch_ref=catalog.branch(held.branch_key, include_retired=True).ref,
                    resource_ref=catalog.resource(held.resource_key, include_retired=True).ref,
                    now=now,
                )
            result.append(appointment)
        reclaim(uow, held.session_id, now)
        stored = [reread(uow, catalog, a) for a in result]
        for booked in stored:
            audit.record(uow, catalog, actor, "book", now, appointment=booked)
            outbox.publish(uow, catalog, booked, now)
        uow.commit()
    return stored
