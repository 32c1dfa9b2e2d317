"""Sessions and appointments. Overlaps and over-capacity are refused by the database itself."""

from __future__ import annotations

import contextlib
import functools
import sqlite3
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import (
    BigInteger,
    BindParameter,
    Connection,
    Integer,
    RowMapping,
    Select,
    and_,
    bindparam,
    case,
    cast,
    delete,
    exists,
    func,
    null,
    or_,
    select,
    tuple_,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import IntegrityError

from slotbook.domain.availability import Occupancy
from slotbook.domain.errors import InvalidRequest, SlotTaken
from slotbook.domain.model import FIRM_STATUSES, Appointment, Arrival, ExternalIds, Status
from slotbook.persistence.customer_repo import customer_of, same_text
from slotbook.persistence.ids import new_id_columns, new_public_id
from slotbook.persistence.tables import (
    appointment_customers,
    appointments,
    branches,
    customers,
    resources,
    sessions,
)
from slotbook.services.ports import AppointmentFilter, Block, IdKind, SessionInfo, SessionPage

_FIRM = [s.value for s in FIRM_STATUSES]
BLOCKED = ("#blocked",)  # the service keys of a block: no service can join it


def _live_spaces(now: datetime | BindParameter[datetime]) -> Any:
    """Spaces an appointment row holds at ``now`` (a value, or a parameter of a statement built
    once): firm ones always, holds until they expire."""
    return case(
        (
            or_(
                appointments.c.status.in_(_FIRM),
                and_(appointments.c.status == Status.HELD.value, appointments.c.expires_at > now),
            ),
            appointments.c.spaces,
        ),
        else_=0,
    )


# The longest a session that is not a block may hold its resource (an appointment of a day
# with its buffers stays far below). Reading the sessions around a window then scans only
# from this long before it, however long the history: blocks (closures) may last longer and
# are read apart, from their own index.
MAX_SESSION_SPAN = timedelta(days=7)


# SQLite 3.38+ has ``unixepoch()``, which reads a stored instant several times faster than
# ``strftime('%s', …)`` (that parses its format string on every row), and always has the JSON
# functions (before, they were a build option).
_SQLITE_3_38 = sqlite3.sqlite_version_info >= (3, 38)


def _reads_json(postgres: bool) -> bool:
    """Whether the occupancy read comes back as one JSON document (see ``_occupancy_query``)."""
    return not postgres and _SQLITE_3_38


def _epoch(column: Any, postgres: bool) -> Any:
    """Epoch seconds of a UTC instant column, computed in SQL on either backend."""
    if postgres:
        return cast(func.extract("epoch", column), BigInteger)
    if _SQLITE_3_38:
        return func.unixepoch(column, type_=Integer)
    return cast(func.strftime("%s", column), Integer)


@functools.cache
def _next_expiry_query() -> Any:
    """The soonest expiry of any live hold: one step into the status and expiry index,
    however many appointments there are (reading only the asked resources' holds walked
    their sessions, which cost as much as the availability read itself)."""
    return select(func.min(appointments.c.expires_at)).where(
        appointments.c.status == Status.HELD.value,
        appointments.c.expires_at > bindparam("now"),
    )


@functools.cache
def _occupancy_query(postgres: bool, until: bool) -> Any:
    """The live sessions of some resources around a window, built once per backend.

    Instants come back as epoch seconds computed by the database: turning thousands of rows
    into datetimes and back would cost more than the whole availability search.
    """
    # Live spaces counted per session through its own index (a correlated subquery): a join
    # and GROUP BY let PostgreSQL's planner scan every appointment ever made instead.
    live = (
        select(func.coalesce(func.sum(_live_spaces(bindparam("now"))), 0))
        .where(appointments.c.session_pk == sessions.c.pk)
        .scalar_subquery()
        .label("live")
    )

    def part(*conditions: Any) -> Any:
        return (
            select(
                sessions.c.pk,
                sessions.c.taken,
                sessions.c.capacity,
                sessions.c.service_keys,
                _epoch(sessions.c.starts_at, postgres).label("start"),
                _epoch(sessions.c.ends_at, postgres).label("end"),
                _epoch(sessions.c.block_start, postgres).label("block_start"),
                _epoch(sessions.c.block_end, postgres).label("block_end"),
                resources.c.key,
                live,
                sessions.c.block_reason,
            )
            .select_from(sessions.join(resources, resources.c.pk == sessions.c.resource_pk))
            .where(
                sessions.c.resource_pk.in_(bindparam("refs", expanding=True)),
                sessions.c.released.is_(False),
                sessions.c.block_start < bindparam("hi"),
                sessions.c.block_end > bindparam("lo"),
                *conditions,
            )
        )

    both = union_all(
        part(
            sessions.c.block_reason.is_(None),
            sessions.c.block_start >= bindparam("earliest"),
        ),
        part(sessions.c.block_reason.is_not(None)),
    )
    # With ``until``, when the first live hold runs out, asked once with the read (an
    # uncorrelated subquery is evaluated once): a kept answer ends then. Others get a NULL
    # there (PostgreSQL spends a fraction of a millisecond planning the subquery).
    expiry = (_next_expiry_query().scalar_subquery() if until else null()).label("next_expiry")
    rows = both.subquery()
    if not _reads_json(postgres):
        return select(*rows.c, expiry)
    # SQLite hands every row over through Python's GIL: with a few request threads reading
    # hundreds of rows each, the threads mostly wait for each other (one thread 1,456 reads
    # a second of 500 rows, four threads 410 together). One JSON document per read, parsed
    # in one call, scales with the threads instead (3,393 a second with four).
    return select(func.json_group_array(func.json_array(*rows.c)), expiry)


# Built once: a statement built per call costs more to build and to look up in the
# compiled-statement cache than SQLite takes to run it.
_INSERT_SESSION = sessions.insert().returning(sessions.c.pk)
# PostgreSQL: an overlap gives no row instead of an error, so the transaction goes on without
# a savepoint around the insert (two round trips less for every new session).
_INSERT_SESSION_UNLESS_OVERLAP = (
    postgresql.insert(sessions)
    .on_conflict_do_nothing(constraint="ex_sessions_no_overlap")
    .returning(sessions.c.pk)
)
_INSERT_APPOINTMENT = appointments.insert().returning(appointments.c.pk)


class SqlBookingRepository:
    """Sessions (resource occupancies) and the appointments in them."""

    def __init__(self, connection: Connection) -> None:
        self._db = connection
        self._postgres = connection.dialect.name == "postgresql"

    # --- sessions --------------------------------------------------------------------------
    def lock_resources(self, resource_refs: Sequence[int]) -> None:
        """Row-lock resources (PostgreSQL); SQLite writers already hold the database lock."""
        if self._postgres and resource_refs:
            self._db.execute(
                select(resources.c.pk)
                .where(resources.c.pk.in_(sorted(set(resource_refs))))
                .order_by(resources.c.pk)
                .with_for_update()
            )

    def try_lock_resource(self, resource_ref: int) -> bool:
        """Row-lock a resource unless another transaction holds it (PostgreSQL)."""
        if not self._postgres:
            return True
        found = self._db.execute(
            select(resources.c.pk)
            .where(resources.c.pk == resource_ref)
            .with_for_update(skip_locked=True)
        ).first()
        return found is not None

    def _refusable(self) -> contextlib.AbstractContextManager[Any]:
        """Around one statement a constraint may refuse while the transaction goes on. On
        PostgreSQL a savepoint: an error there ends the whole transaction. SQLite undoes only
        the refused statement (its ABORT rule), so a savepoint would be two statements more."""
        return self._db.begin_nested() if self._postgres else contextlib.nullcontext()

    @property
    def writers_serialised(self) -> bool:
        """SQLite writers hold the database write lock for their whole transaction."""
        return not self._postgres

    def lock_client(self, client_ref: str) -> None:
        """Serialise one client's holds (PostgreSQL); SQLite writers are serialised already."""
        if self._postgres:
            self._db.execute(
                select(func.pg_advisory_xact_lock(cast(int(client_ref[:15], 16), BigInteger)))
            )

    def live_holds(self, tenant_ref: int, client_ref: str, now: datetime) -> list[datetime | None]:
        """When each live hold of one client expires, soonest first; None (last) for its
        unconfirmed reservations, which do not expire."""
        rows = self._db.execute(
            select(appointments.c.expires_at).where(
                appointments.c.tenant_pk == tenant_ref,
                appointments.c.client_ref == client_ref,
                or_(
                    and_(
                        appointments.c.status == Status.HELD.value,
                        appointments.c.expires_at > now,
                    ),
                    appointments.c.status == Status.RESERVED.value,
                ),
            )
        ).scalars()
        found: list[datetime | None] = list(rows)
        return sorted(found, key=lambda at: (at is None, at or now))

    def occupancies(
        self, resource_refs: Sequence[int], lo: datetime, hi: datetime, now: datetime, *, tidy: bool
    ) -> list[Occupancy]:
        """Live sessions on resources whose blocks overlap ``[lo, hi)``."""
        return self._occupancies(resource_refs, lo, hi, now, tidy=tidy, until=False)[0]

    def occupancies_until(
        self, resource_refs: Sequence[int], lo: datetime, hi: datetime, now: datetime, *, tidy: bool
    ) -> tuple[list[Occupancy], datetime | None]:
        """``occupancies``, and when they may change without a commit: the first live hold's
        expiry (None: no hold is live, or no session is there to hold a time in)."""
        return self._occupancies(resource_refs, lo, hi, now, tidy=tidy, until=True)

    def _occupancies(
        self,
        resource_refs: Sequence[int],
        lo: datetime,
        hi: datetime,
        now: datetime,
        *,
        tidy: bool,
        until: bool,
    ) -> tuple[list[Occupancy], datetime | None]:
        if not resource_refs:
            return [], None
        found = self._db.execute(
            _occupancy_query(self._postgres, until),
            {
                "refs": list(resource_refs),
                "lo": lo,
                "hi": hi,
                "earliest": lo - MAX_SESSION_SPAN,
                "now": now,
            },
        )
        expiry: datetime | None
        rows: Sequence[Sequence[Any]]
        if _reads_json(self._postgres):
            document, expiry = found.one()
            rows = orjson.loads(document)
        else:
            rows = found.all()
            expiry = rows[0][-1] if rows else None
        result = []
        keys: dict[str, tuple[str, ...]] = {}
        for row in rows:
            pk, taken, capacity, services, start, end, block_start, block_end, resource, live = row[
                :10
            ]
            if row[10] is not None:  # block_reason
                # A block: full, joinable by no service, never tidied away.
                result.append(
                    Occupancy(
                        resource,
                        int(start),
                        int(end),
                        int(block_start),
                        int(block_end),
                        BLOCKED,
                        1,
                        1,
                        pk,
                    )
                )
                continue
            if tidy and live != taken:
                self._tidy(pk, int(live), now)
            if live > 0:
                if services not in keys:
                    keys[services] = tuple(services.split(","))
                result.append(
                    Occupancy(
                        resource,
                        int(start),
                        int(end),
                        int(block_start),
                        int(block_end),
                        keys[services],
                        capacity,
                        int(live),
                        pk,
                    )
                )
        return result, expiry

    def _epoch(self, column: Any) -> Any:
        """Epoch seconds of a UTC instant column, computed in SQL on either backend."""
        return _epoch(column, self._postgres)

    def _set_taken(self, session_id: int, live: int, now: datetime) -> None:
        """Store a session's live count; a count the constraints refuse is SlotTaken.

        Setting the count can bring a released session back (a hold confirmed after a rival
        took its room): the overlap and capacity constraints then refuse it, so the database,
        not the clock of either request, decides who has the slot.
        """
        try:
            with self._db.begin_nested():
                self._db.execute(
                    update(sessions)
                    .where(sessions.c.pk == session_id)
                    .values(taken=live, released=live == 0, updated=now)
                )
        except IntegrityError as exc:
            raise SlotTaken("The slot was taken in the meantime") from exc

    def _tidy(self, session_id: int, live: int, now: datetime) -> None:
        """Bring a stale count up to date while reading; never fail a reader over it."""
        # A refused count is left for the writer that owns the session; readers count live
        # spaces themselves, so a stale stored count misleads nobody.
        with contextlib.suppress(SlotTaken):
            self._set_taken(session_id, live, now)

    def open_session(
        self,
        *,
        tenant_ref: int,
        branch_ref: int,
        resource_ref: int,
        service_keys: tuple[str, ...],
        start: datetime,
        end: datetime,
        block_start: datetime,
        block_end: datetime,
        capacity: int,
        taken: int,
        now: datetime,
    ) -> tuple[int, ExternalIds]:
        """Insert a session (its row id and public ids); an overlap on the resource is refused
        by the database."""
        if block_end - block_start > MAX_SESSION_SPAN:
            # What ``occupancies`` relies on to read only around a window.
            raise InvalidRequest("An appointment lasts at most 7 days", "length")
        if not (0 <= taken <= capacity and block_start < block_end):
            # The CHECK constraints' rules, before the insert: on PostgreSQL their refusal
            # would end the transaction, which must go on to try another resource.
            raise SlotTaken()
        ids = new_id_columns()
        statement = _INSERT_SESSION_UNLESS_OVERLAP if self._postgres else _INSERT_SESSION
        try:
            session_ref = self._db.execute(
                statement,
                {
                    "tenant_pk": tenant_ref,
                    "branch_pk": branch_ref,
                    "resource_pk": resource_ref,
                    "service_keys": ",".join(service_keys),
                    "starts_at": start,
                    "ends_at": end,
                    "block_start": block_start,
                    "block_end": block_end,
                    "capacity": capacity,
                    "taken": taken,
                    "released": False,
                    "created": now,
                    "updated": now,
                    **ids,
                },
            ).scalar_one_or_none()
        except IntegrityError as exc:
            if self._postgres:  # not an overlap: the transaction is over
                raise
            raise SlotTaken() from exc  # SQLite's overlap trigger
        if session_ref is None:
            raise SlotTaken()
        return int(session_ref), ExternalIds(ids["uuid"], ids["digits"], ids["hex24"])

    def open_block(
        self,
        *,
        tenant_ref: int,
        branch_ref: int,
        resource_ref: int,
        start: datetime,
        end: datetime,
        reason: str,
        now: datetime,
    ) -> str:
        """Block a resource's time (its UUID); SlotTaken when something live is there."""
        try:
            with self._db.begin_nested():
                ids = new_id_columns()
                self._db.execute(
                    sessions.insert().values(
                        tenant_pk=tenant_ref,
                        branch_pk=branch_ref,
                        resource_pk=resource_ref,
                        service_keys=BLOCKED[0],
                        starts_at=start,
                        ends_at=end,
                        block_start=start,
                        block_end=end,
                        capacity=1,
                        taken=1,
                        released=False,
                        block_reason=reason,
                        created=now,
                        updated=now,
                        **ids,
                    )
                )
                return str(ids["uuid"])
        except IntegrityError as exc:
            raise SlotTaken("The resource is booked at that time") from exc

    def blocks(self, tenant_ref: int, lo: datetime, hi: datetime) -> list[Block]:
        """Blocks in force that overlap ``[lo, hi)``, by start."""
        query = (
            self._session_query()
            .where(
                sessions.c.tenant_pk == tenant_ref,
                sessions.c.block_reason.is_not(None),
                sessions.c.released.is_(False),
                sessions.c.block_start < hi,
                sessions.c.block_end > lo,
            )
            .order_by(sessions.c.block_start, resources.c.key)
        )
        return [
            Block(
                id=r["uuid"],
                branch_key=r["branch_key"],
                resource_key=r["resource_key"],
                start=r["block_start"],
                end=r["block_end"],
                reason=r["block_reason"],
            )
            for r in self._db.execute(query).mappings()
        ]

    def lift_block(self, tenant_ref: int, block_id: str, now: datetime) -> bool:
        """End a block at once; False when there is no such block in force."""
        result = self._db.execute(
            update(sessions)
            .where(
                sessions.c.tenant_pk == tenant_ref,
                sessions.c.uuid == block_id,
                sessions.c.block_reason.is_not(None),
                sessions.c.released.is_(False),
            )
            .values(released=True, updated=now)
        )
        return bool(result.rowcount)

    def live_on(
        self, resource_refs: Sequence[int], lo: datetime, hi: datetime, now: datetime
    ) -> list[Appointment]:
        """Booked appointments and live holds on these resources whose time overlaps."""
        if not resource_refs:
            return []
        query = self._query().where(
            appointments.c.resource_pk.in_(list(resource_refs)),
            appointments.c.starts_at < hi,
            appointments.c.ends_at > lo,
            or_(
                appointments.c.status.in_(_FIRM),
                and_(appointments.c.status == Status.HELD.value, appointments.c.expires_at > now),
            ),
        )
        return self._hydrate(self._db.execute(query).mappings().all())

    def take_spaces(self, session_id: int, spaces: int, now: datetime) -> ExternalIds:
        """Take spaces in a session (its public ids); more than its capacity is refused by
        the database."""
        try:
            with self._refusable():
                row = self._db.execute(
                    update(sessions)
                    .where(sessions.c.pk == session_id)
                    .values(taken=sessions.c.taken + spaces, released=False, updated=now)
                    .returning(sessions.c.uuid, sessions.c.digits, sessions.c.hex24)
                ).one()
        except IntegrityError as exc:
            raise SlotTaken("Not enough free spaces in this session") from exc
        return ExternalIds(row.uuid, row.digits, row.hex24)

    def recount(self, session_id: int, now: datetime, *, excluding: int | None = None) -> None:
        """Recount a session's live spaces (leaving one appointment out); release it at 0.

        SlotTaken when the count would overlap another session or exceed the capacity."""
        query = select(func.coalesce(func.sum(_live_spaces(now)), 0)).where(
            appointments.c.session_pk == session_id
        )
        if excluding is not None:
            query = query.where(appointments.c.pk != excluding)
        live = self._db.execute(query).scalar_one()
        self._set_taken(session_id, int(live), now)

    def _session_query(self) -> Select[Any]:
        return select(
            sessions, branches.c.key.label("branch_key"), resources.c.key.label("resource_key")
        ).select_from(
            sessions.join(branches, branches.c.pk == sessions.c.branch_pk).join(
                resources, resources.c.pk == sessions.c.resource_pk
            )
        )

    def session(self, tenant_ref: int, kind: IdKind, value: str) -> SessionInfo | None:
        """A session by one of its identifiers."""
        if kind == "public_id":
            return None
        row = (
            self._db.execute(
                self._session_query().where(
                    sessions.c.tenant_pk == tenant_ref,
                    sessions.c[kind] == value,
                    sessions.c.block_reason.is_(None),
                )
            )
            .mappings()
            .one_or_none()
        )
        return None if row is None else _session_of(row)

    def session_by_id(self, session_id: int) -> SessionInfo:
        """A session by its storage id."""
        row = self._db.execute(self._session_query().where(sessions.c.pk == session_id)).mappings()
        return _session_of(row.one())

    def sessions_by_id(self, tenant_ref: int, session_ids: Sequence[int]) -> list[SessionInfo]:
        """Sessions of a tenant by storage id, in one query."""
        if not session_ids:
            return []
        query = self._session_query().where(
            sessions.c.tenant_pk == tenant_ref, sessions.c.pk.in_(list(session_ids))
        )
        return [_session_of(row) for row in self._db.execute(query).mappings()]

    def session_page(
        self,
        tenant_ref: int,
        *,
        hex_ids: Sequence[str] | None,
        start_hex: str | None,
        limit: int,
        now: datetime,
    ) -> SessionPage | None:
        """Sessions that someone booked or holds, by start; a page from ``start_hex`` on.

        None when ``start_hex`` is not one of the listed sessions.
        """
        occupied = exists().where(
            appointments.c.session_pk == sessions.c.pk,
            or_(
                appointments.c.status.in_([*_FIRM, Status.CANCELLED.value]),
                and_(appointments.c.status == Status.HELD.value, appointments.c.expires_at > now),
            ),
        )
        base = self._session_query().where(sessions.c.tenant_pk == tenant_ref, occupied)
        if hex_ids is not None:
            base = base.where(sessions.c.hex24.in_(list(hex_ids)))
        total = self._db.execute(select(func.count()).select_from(base.subquery())).scalar_one()
        ordered = base.order_by(sessions.c.starts_at, sessions.c.pk)
        previous: str | None = None
        if start_hex is not None:
            # The cursor must itself be a listed session: one query finds and checks it.
            cursor = (
                self._db.execute(base.where(sessions.c.hex24 == start_hex)).mappings().one_or_none()
            )
            if cursor is None:
                return None
            key = tuple_(sessions.c.starts_at, sessions.c.pk)
            before = (
                base.where(key < tuple_(cursor["starts_at"], cursor["pk"]))
                .order_by(sessions.c.starts_at.desc(), sessions.c.pk.desc())
                .limit(limit)
            )
            earlier = self._db.execute(before).mappings().all()
            previous = earlier[-1]["hex24"] if earlier else None
            ordered = ordered.where(key >= tuple_(cursor["starts_at"], cursor["pk"]))
        rows = self._db.execute(ordered.limit(limit + 1)).mappings().all()
        following = rows[limit]["hex24"] if len(rows) > limit else None
        return SessionPage([_session_of(r) for r in rows[:limit]], int(total), previous, following)

    # --- appointments ----------------------------------------------------------------------
    def add(
        self,
        tenant_ref: int,
        appointment: Appointment,
        *,
        branch_ref: int,
        resource_ref: int,
        now: datetime,
    ) -> Appointment:
        """Insert an appointment and its customer links; identifiers are assigned here."""
        ids = new_id_columns()
        appointment.public_id = new_public_id()
        appointment.ids = ExternalIds(ids["uuid"], ids["digits"], ids["hex24"])
        appointment.created = appointment.updated = now
        appointment.id = self._db.execute(
            _INSERT_APPOINTMENT,
            {
                "tenant_pk": tenant_ref,
                "public_id": appointment.public_id,
                "created": now,
                **ids,
                **self._values(appointment, branch_ref, resource_ref, now),
            },
        ).scalar_one()
        self._link_customers(tenant_ref, appointment)
        return appointment

    def save(
        self, appointment: Appointment, *, branch_ref: int, resource_ref: int, now: datetime
    ) -> None:
        """Write back an appointment's changed fields and customers."""
        assert appointment.id is not None
        appointment.updated = now
        self._db.execute(
            update(appointments)
            .where(appointments.c.pk == appointment.id)
            .values(**self._values(appointment, branch_ref, resource_ref, now))
        )
        deleted = self._db.execute(
            delete(appointment_customers)
            .where(appointment_customers.c.appointment_pk == appointment.id)
            .returning(appointment_customers.c.tenant_pk)
        ).all()
        if appointment.customers:
            tenant_ref = (
                deleted[0].tenant_pk
                if deleted
                else self._db.execute(
                    select(appointments.c.tenant_pk).where(appointments.c.pk == appointment.id)
                ).scalar_one()
            )
            self._link_customers(tenant_ref, appointment)

    @staticmethod
    def _values(
        appointment: Appointment, branch_ref: int, resource_ref: int, now: datetime
    ) -> dict[str, Any]:
        return {
            "session_pk": appointment.session_id,
            "branch_pk": branch_ref,
            "resource_pk": resource_ref,
            "service_keys": list(appointment.service_keys),
            "starts_at": appointment.start,
            "ends_at": appointment.end,
            "buffer_before": appointment.buffer_before,
            "buffer_after": appointment.buffer_after,
            "status": appointment.status.value,
            "expires_at": appointment.expires_at,
            "people": appointment.people,
            "spaces": appointment.spaces,
            "custom_length": appointment.custom_length,
            "title": appointment.title,
            "notes": appointment.notes,
            "customer_message": appointment.customer_message,
            "custom": appointment.custom,
            "answers": dict(appointment.answers),
            "source": appointment.source,
            "client_ref": appointment.client_ref,
            "sequence": appointment.sequence,
            "language": appointment.language,
            "expiry_noted": appointment.expiry_noted,
            "arrival": appointment.arrival.value if appointment.arrival else None,
            "arrived_at": appointment.arrived_at,
            "updated": now,
        }

    def _link_customers(self, tenant_ref: int, appointment: Appointment) -> None:
        rows = []
        for position, customer in enumerate(appointment.customers):
            assert customer.id is not None
            spaces = (
                appointment.customer_spaces[position]
                if position < len(appointment.customer_spaces)
                else 1
            )
            rows.append(
                {
                    "tenant_pk": tenant_ref,
                    "appointment_pk": appointment.id,
                    "position": position,
                    "customer_pk": customer.id,
                    "spaces": spaces,
                }
            )
        if rows:
            self._db.execute(appointment_customers.insert(), rows)

    def _query(self) -> Select[Any]:
        return (
            select(
                appointments,
                branches.c.key.label("branch_key"),
                resources.c.key.label("resource_key"),
                sessions.c.uuid.label("session_uuid"),
                sessions.c.digits.label("session_digits"),
                sessions.c.hex24.label("session_hex24"),
            )
            .select_from(
                appointments.join(branches, branches.c.pk == appointments.c.branch_pk)
                .join(resources, resources.c.pk == appointments.c.resource_pk)
                .join(sessions, sessions.c.pk == appointments.c.session_pk)
            )
            .order_by(appointments.c.starts_at, appointments.c.pk)
        )

    def _hydrate(self, rows: Sequence[RowMapping]) -> list[Appointment]:
        result = [_appointment_of(row) for row in rows]
        if not result:
            return result
        by_id = {a.id: a for a in result}
        links = self._db.execute(
            select(
                appointment_customers.c.appointment_pk, appointment_customers.c.spaces, customers
            )
            .join(customers, customers.c.pk == appointment_customers.c.customer_pk)
            .where(appointment_customers.c.appointment_pk.in_(list(by_id)))
            .order_by(appointment_customers.c.appointment_pk, appointment_customers.c.position)
        ).mappings()
        for link in links:
            target = by_id[link["appointment_pk"]]
            target.customers.append(customer_of(link))
            target.customer_spaces.append(link["spaces"])
        return result

    def get(
        self, tenant_ref: int, kind: IdKind, value: str, *, for_update: bool = False
    ) -> Appointment | None:
        """An appointment by one of its identifiers, within a tenant."""
        where = (appointments.c.tenant_pk == tenant_ref, appointments.c[kind] == value)
        if for_update and self._postgres:
            # Lock the bare row, then read it with its joins. Locking through the joins lets
            # PostgreSQL re-check them against the old session row after a concurrent move
            # (EvalPlanQual), which drops a row that still exists.
            self._db.execute(select(appointments.c.pk).where(*where).with_for_update())
        found = self._hydrate(self._db.execute(self._query().where(*where)).mappings().all())
        return found[0] if found else None

    def expired_holds(self, tenant_ref: int, now: datetime, limit: int) -> list[Appointment]:
        """Holds that ran out and whose expiry nobody has announced yet, oldest first."""
        query = self._query().where(
            appointments.c.tenant_pk == tenant_ref,
            appointments.c.status == Status.HELD.value,
            appointments.c.expires_at < now,
            appointments.c.expiry_noted.is_(False),
        )
        rows = self._db.execute(query.order_by(None).order_by(appointments.c.expires_at))
        return self._hydrate(rows.mappings().fetchmany(limit))

    def note_expiry(self, appointment_id: int) -> bool:
        """Mark a hold's expiry as announced; False when it is no longer an unnoticed hold."""
        result = self._db.execute(
            update(appointments)
            .where(
                appointments.c.pk == appointment_id,
                appointments.c.status == Status.HELD.value,
                appointments.c.expiry_noted.is_(False),
            )
            .values(expiry_noted=True)
        )
        return bool(result.rowcount)

    def in_session(self, session_id: int) -> list[Appointment]:
        """Every appointment of a session, oldest first."""
        return self.in_sessions([session_id]).get(session_id, [])

    def in_sessions(self, session_ids: Sequence[int]) -> dict[int, list[Appointment]]:
        """Every appointment of some sessions, oldest first, in one query."""
        if not session_ids:
            return {}
        query = self._query().where(appointments.c.session_pk.in_(list(session_ids)))
        rows = self._db.execute(query.order_by(None).order_by(appointments.c.pk)).mappings().all()
        found: dict[int, list[Appointment]] = {}
        for appointment in self._hydrate(rows):
            assert appointment.session_id is not None
            found.setdefault(appointment.session_id, []).append(appointment)
        return found

    def for_customer(self, tenant_ref: int, customer_id: int) -> list[Appointment]:
        """Appointments that list a customer, by start."""
        linked = exists().where(
            appointment_customers.c.appointment_pk == appointments.c.pk,
            appointment_customers.c.customer_pk == customer_id,
        )
        query = self._query().where(appointments.c.tenant_pk == tenant_ref, linked)
        return self._hydrate(self._db.execute(query).mappings().all())

    def find(
        self,
        tenant_ref: int,
        criteria: AppointmentFilter,
        *,
        offset: int = 0,
        limit: int | None = None,
    ) -> tuple[list[Appointment], int]:
        """Appointments matching criteria, by start, with the total count."""
        conditions: list[Any] = [appointments.c.tenant_pk == tenant_ref]
        if criteria.branch_key is not None:
            conditions.append(branches.c.key == criteria.branch_key)
        if criteria.resource_key is not None:
            conditions.append(resources.c.key == criteria.resource_key)
        if criteria.starts_from is not None:
            conditions.append(appointments.c.starts_at >= criteria.starts_from)
        if criteria.starts_before is not None:
            conditions.append(appointments.c.starts_at < criteria.starts_before)
        if criteria.statuses is not None:
            conditions.append(appointments.c.status.in_(list(criteria.statuses)))
        person = []
        if criteria.customer_email is not None:
            person.append(same_text(customers.c.email, criteria.customer_email))
        if criteria.customer_last_name is not None:
            person.append(same_text(customers.c.last_name, criteria.customer_last_name))
        if person:
            conditions.append(
                exists()
                .where(appointment_customers.c.appointment_pk == appointments.c.pk)
                .where(customers.c.pk == appointment_customers.c.customer_pk)
                .where(*person)
            )
        query = self._query().where(*conditions)
        total = self._db.execute(
            select(func.count()).select_from(query.order_by(None).subquery())
        ).scalar_one()
        if offset:
            query = query.offset(offset)
        if limit is not None:
            query = query.limit(limit)
        return self._hydrate(self._db.execute(query).mappings().all()), int(total)

    # --- privacy -----------------------------------------------------------------------------
    def of_customers(self, customer_refs: Sequence[int]) -> list[int]:
        """Storage ids of every appointment that lists one of these customers."""
        if not customer_refs:
            return []
        query = (
            select(appointment_customers.c.appointment_pk)
            .where(appointment_customers.c.customer_pk.in_(list(customer_refs)))
            .distinct()
        )
        return list(self._db.execute(query).scalars())

    def ended_before(self, tenant_ref: int, cutoff: datetime) -> list[int]:
        """Appointments not yet anonymised that ended before ``cutoff``."""
        query = select(appointments.c.pk).where(
            appointments.c.tenant_pk == tenant_ref,
            appointments.c.ends_at < cutoff,
            appointments.c.anonymised.is_(None),
        )
        return list(self._db.execute(query).scalars())

    def anonymise(self, appointment_refs: Sequence[int], now: datetime) -> int:
        """Clear what people wrote (titles, notes, messages, answers); times and counts stay."""
        if not appointment_refs:
            return 0
        result = self._db.execute(
            update(appointments)
            .where(appointments.c.pk.in_(list(appointment_refs)))
            .values(
                title=None,
                notes=None,
                customer_message=None,
                custom=None,
                answers={},
                client_ref=None,
                anonymised=now,
            )
        )
        return int(result.rowcount)


def _session_of(row: RowMapping) -> SessionInfo:
    return SessionInfo(
        id=row["pk"],
        ids=ExternalIds(row["uuid"], row["digits"], row["hex24"]),
        branch_key=row["branch_key"],
        resource_key=row["resource_key"],
        service_keys=tuple(row["service_keys"].split(",")),
        start=row["starts_at"],
        end=row["ends_at"],
        block_start=row["block_start"],
        block_end=row["block_end"],
        capacity=row["capacity"],
        taken=row["taken"],
        released=row["released"],
        created=row["created"],
        updated=row["updated"],
    )


def _appointment_of(row: RowMapping) -> Appointment:
    return Appointment(
        id=row["pk"],
        public_id=row["public_id"],
        ids=ExternalIds(row["uuid"], row["digits"], row["hex24"]),
        branch_key=row["branch_key"],
        resource_key=row["resource_key"],
        service_keys=tuple(row["service_keys"]),
        start=row["starts_at"],
        end=row["ends_at"],
        status=Status(row["status"]),
        people=row["people"],
        spaces=row["spaces"],
        buffer_before=row["buffer_before"],
        buffer_after=row["buffer_after"],
        expires_at=row["expires_at"],
        custom_length=row["custom_length"],
        title=row["title"],
        notes=row["notes"],
        customer_message=row["customer_message"],
        custom=row["custom"],
        answers=dict(row["answers"] or {}),
        source=row["source"],
        client_ref=row["client_ref"],
        created=row["created"],
        updated=row["updated"],
        session_id=row["session_pk"],
        session_ids=ExternalIds(row["session_uuid"], row["session_digits"], row["session_hex24"]),
        sequence=row["sequence"],
        language=row["language"],
        expiry_noted=row["expiry_noted"],
        arrival=Arrival(row["arrival"]) if row["arrival"] else None,
        arrived_at=row["arrived_at"],
    )
