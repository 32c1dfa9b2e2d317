"""Interfaces the use cases need from storage and the outside world."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any, Literal, Protocol, Self

from slotbook.catalog.schema import TenantIn
from slotbook.domain.availability import Occupancy
from slotbook.domain.model import Appointment, Catalog, Customer, CustomerDetails, ExternalIds
from slotbook.domain.waitlist import WaitlistEntry, WaitStatus

IdKind = Literal["public_id", "uuid", "digits", "hex24"]


class Clock(Protocol):
    """Source of the current instant (aware, UTC)."""

    def now(self) -> datetime:
        """The current instant."""
        ...


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """A session (one occupancy of a resource) as stored."""

    id: int
    ids: ExternalIds
    branch_key: str
    resource_key: str
    service_keys: tuple[str, ...]
    start: datetime
    end: datetime
    block_start: datetime
    block_end: datetime
    capacity: int
    taken: int
    released: bool
    created: datetime
    updated: datetime


@dataclass(frozen=True, slots=True)
class SessionPage:
    """One page of sessions, with the total and the first ids of the pages around it."""

    sessions: list[SessionInfo]
    total: int
    previous: str | None
    following: str | None


@dataclass(frozen=True, slots=True)
class ApiKeyInfo:
    """An API key as listed (never the key itself)."""

    id: int
    tenant_key: str
    prefix: str
    label: str | None
    scope: str
    source: str
    created: datetime
    revoked: datetime | None


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One line of the audit log: who did what to which appointment, when, and the outcome."""

    at: datetime
    operation: str
    outcome: str
    key_id: int | None = None
    scope: str | None = None
    client_address: str | None = None
    route: str | None = None
    appointment: str | None = None
    detail: str | None = None
    id: int | None = None


@dataclass(frozen=True, slots=True)
class StoredResponse:
    """The first answer to a write sent with an Idempotency-Key (status None: still running)."""

    fingerprint: str
    status: int | None
    headers: list[tuple[str, str]]
    body: bytes
    created: datetime


@dataclass(frozen=True, slots=True)
class CatalogKey:
    """A key as the catalog file lists it (stored by hash)."""

    prefix: str
    scope: str
    label: str | None = None


@dataclass(frozen=True, slots=True)
class AppointmentFilter:
    """Criteria for listing appointments of a tenant."""

    branch_key: str | None = None
    resource_key: str | None = None
    customer_email: str | None = None
    customer_last_name: str | None = None
    starts_from: datetime | None = None
    starts_before: datetime | None = None
    statuses: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class StoredObject:
    """One catalog object as stored: its catalog-file entry (``data``) and identity."""

    kind: Literal["branch", "resource", "service", "service_group"]
    key: str
    uuid: str
    public_id: str | None
    active: bool
    data: dict[str, Any]
    created: datetime
    updated: datetime
    branch_key: str | None = None  # a resource's branch


@dataclass(frozen=True, slots=True)
class StoredTenant:
    """A tenant's catalog as stored, retired objects included, in catalog order."""

    key: str
    name: str
    position: int
    revision: int
    settings: dict[str, Any]
    objects: tuple[StoredObject, ...]


class CatalogRepository(Protocol):
    """Stored catalogs (one per tenant)."""

    def tenant_keys(self) -> list[str]:
        """Tenant ids, the first tenant first."""
        ...

    def revision(self, tenant_key: str) -> int | None:
        """Current catalog revision of a tenant; None when the tenant is unknown."""
        ...

    def load(self, tenant_key: str) -> Catalog | None:
        """The whole catalog of a tenant, retired objects included."""
        ...

    def stored(self, tenant_key: str) -> StoredTenant | None:
        """A tenant's catalog entries as stored; None when the tenant is unknown."""
        ...

    def apply(
        self,
        tenant: TenantIn,
        position: int,
        now: datetime,
        *,
        expected_revision: int | None = None,
    ) -> None:
        """Create or update a tenant's catalog objects by id; retire the missing ones.

        With ``expected_revision``, raise TransientConflict when another change came first.
        """
        ...

    def set_order(self, first: list[str]) -> None:
        """Put the given tenants first, in this order."""
        ...


class BookingRepository(Protocol):
    """Sessions and appointments."""

    def lock_resources(self, resource_refs: Sequence[int]) -> None:
        """Serialise writers on these resources until the transaction ends."""
        ...

    def try_lock_resource(self, resource_ref: int) -> bool:
        """Lock a resource like ``lock_resources`` if no other writer holds it; else False."""
        ...

    @property
    def writers_serialised(self) -> bool:
        """True when a writer holds the whole database (SQLite): resource locks add nothing."""
        ...

    def occupancies(
        self, resource_refs: Sequence[int], lo: datetime, hi: datetime, now: datetime, *, tidy: bool
    ) -> list[Occupancy]:
        """Live sessions on resources whose blocks overlap ``[lo, hi)``.

        With ``tidy`` (writers, under lock) sessions whose holds have expired get their
        spaces recounted, and are released when nothing live is left in them.
        """
        ...

    def occupancies_until(
        self, resource_refs: Sequence[int], lo: datetime, hi: datetime, now: datetime, *, tidy: bool
    ) -> tuple[list[Occupancy], datetime | None]:
        """``occupancies``, and when they may change without a commit (a hold running out);
        None when only a commit can change them."""
        ...

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
        """Insert a session (its row id and public ids); the database refuses an overlap on
        the resource."""
        ...

    def take_spaces(self, session_id: int, spaces: int, now: datetime) -> ExternalIds:
        """Take spaces in a session (its public ids); the database refuses more than its
        capacity."""
        ...

    def recount(self, session_id: int, now: datetime, *, excluding: int | None = None) -> None:
        """Recount a session's live spaces (leaving one appointment out); release it at 0."""
        ...

    def session(self, tenant_ref: int, kind: IdKind, value: str) -> SessionInfo | None:
        """A session by one of its identifiers."""
        ...

    def session_by_id(self, session_id: int) -> SessionInfo:
        """A session by its storage id."""
        ...

    def sessions_by_id(self, tenant_ref: int, session_ids: Sequence[int]) -> list[SessionInfo]:
        """Sessions of a tenant by storage id, in one query."""
        ...

    def session_page(
        self,
        tenant_ref: int,
        *,
        hex_ids: Sequence[str] | None,
        start_hex: str | None,
        limit: int,
        now: datetime,
    ) -> SessionPage | None:
        """Sessions someone booked or holds, by start, from ``start_hex`` (None: not listed)."""
        ...

    def add(
        self,
        tenant_ref: int,
        appointment: Appointment,
        *,
        branch_ref: int,
        resource_ref: int,
        now: datetime,
    ) -> Appointment:
        """Insert an appointment (with its customers); identifiers are assigned here."""
        ...

    def save(
        self, appointment: Appointment, *, branch_ref: int, resource_ref: int, now: datetime
    ) -> None:
        """Write back an appointment's changed fields and customers."""
        ...

    def get(
        self, tenant_ref: int, kind: IdKind, value: str, *, for_update: bool = False
    ) -> Appointment | None:
        """An appointment by one of its identifiers, within a tenant."""
        ...

    def expired_holds(self, tenant_ref: int, now: datetime, limit: int) -> list[Appointment]:
        """Holds that ran out and whose expiry nobody has announced yet, oldest first."""
        ...

    def note_expiry(self, appointment_id: int) -> bool:
        """Mark a hold's expiry as announced; False when it is no longer an unnoticed hold."""
        ...

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
        ...

    def blocks(self, tenant_ref: int, lo: datetime, hi: datetime) -> list[Block]:
        """Blocks in force that overlap ``[lo, hi)``, by start."""
        ...

    def lift_block(self, tenant_ref: int, block_id: str, now: datetime) -> bool:
        """End a block at once; False when there is no such block in force."""
        ...

    def live_on(
        self, resource_refs: Sequence[int], lo: datetime, hi: datetime, now: datetime
    ) -> list[Appointment]:
        """Booked appointments and live holds on these resources whose time overlaps."""
        ...

    def in_session(self, session_id: int) -> list[Appointment]:
        """Every appointment of a session, oldest first."""
        ...

    def in_sessions(self, session_ids: Sequence[int]) -> dict[int, list[Appointment]]:
        """Every appointment of some sessions, oldest first, in one query."""
        ...

    def for_customer(self, tenant_ref: int, customer_id: int) -> list[Appointment]:
        """Appointments that list a customer, by start."""
        ...

    def find(
        self,
        tenant_ref: int,
        criteria: AppointmentFilter,
        *,
        offset: int = 0,
        limit: int | None = None,
    ) -> tuple[list[Appointment], int]:
        """Appointments matching criteria, by start, with the total count."""
        ...

    def lock_client(self, client_ref: str) -> None:
        """Serialise the holds of one client until the transaction ends."""
        ...

    def live_holds(self, tenant_ref: int, client_ref: str, now: datetime) -> list[datetime | None]:
        """When each live hold of one client expires, soonest first (None: no expiry)."""
        ...

    def of_customers(self, customer_refs: Sequence[int]) -> list[int]:
        """Storage ids of every appointment that lists one of these customers."""
        ...

    def ended_before(self, tenant_ref: int, cutoff: datetime) -> list[int]:
        """Appointments not yet anonymised that ended before ``cutoff``."""
        ...

    def anonymise(self, appointment_refs: Sequence[int], now: datetime) -> int:
        """Clear what people wrote on these appointments; times and counts stay."""
        ...


class CustomerRepository(Protocol):
    """Customers of a tenant."""

    def get(self, tenant_ref: int, kind: IdKind, value: str) -> Customer | None:
        """A customer by one of its identifiers."""
        ...

    def by_external_id(self, tenant_ref: int, external_id: str) -> Customer | None:
        """The customer with an external id."""
        ...

    def upsert(self, tenant_ref: int, details: CustomerDetails, now: datetime) -> Customer:
        """Create a customer, or update the one with the same external id."""
        ...

    def update(self, customer: Customer, details: CustomerDetails, now: datetime) -> Customer:
        """Overwrite the given (non-None) fields of a customer."""
        ...

    def search(
        self,
        tenant_ref: int,
        *,
        email: str | None,
        last_name: str | None,
        offset: int,
        limit: int,
        phone: str | None = None,
        external_id: str | None = None,
    ) -> tuple[list[Customer], int]:
        """Customers by e-mail, last name, phone (case-insensitive) and/or external id."""
        ...

    def matching(
        self,
        tenant_ref: int,
        *,
        email: str | None = None,
        external_id: str | None = None,
        any_id: str | None = None,
    ) -> list[int]:
        """Storage ids of the customers with this e-mail, external id or id."""
        ...

    def erase(self, customer_refs: Sequence[int], now: datetime) -> int:
        """Remove every personal field of these customers."""
        ...

    def idle_since(self, tenant_ref: int, cutoff: datetime) -> list[int]:
        """Customers not yet erased with no appointment ending after ``cutoff``."""
        ...


class KeyRepository(Protocol):
    """API keys (stored as hashes) and the bearer tokens exchanged for them."""

    def find(self, key_hash: str) -> tuple[ApiKeyInfo, str] | None:
        """An active key by hash, with its tenant id."""
        ...

    def find_current(self, key_hash: str) -> tuple[ApiKeyInfo, str, int] | None:
        """An active key by hash, its tenant id and the tenant's catalog revision (read at
        once: revoking a key moves the revision on)."""
        ...

    def tenant_has_keys(self, tenant_key: str) -> bool:
        """True when the tenant has or ever had a key (then it needs an active one)."""
        ...

    def add(
        self,
        tenant_key: str,
        key_hash: str,
        prefix: str,
        *,
        scope: str,
        label: str | None,
        source: str,
        now: datetime,
    ) -> ApiKeyInfo:
        """Store a new key."""
        ...

    def sync_catalog_keys(
        self, tenant_key: str, keys: dict[str, CatalogKey], now: datetime
    ) -> None:
        """Make the catalog-sourced keys of a tenant exactly ``keys`` (by hash)."""
        ...

    def list(self, tenant_key: str | None) -> list[ApiKeyInfo]:
        """Keys, optionally of one tenant."""
        ...

    def revoke(self, key_id: int, now: datetime) -> bool:
        """Revoke a key; False when there is no such active key."""
        ...

    def owner_of_hash(self, key_hash: str) -> str | None:
        """Tenant id of any key (active or not) with this hash."""
        ...

    def add_token(self, key_id: int, token_hash: str, expires_at: datetime, now: datetime) -> None:
        """Store a bearer token exchanged for a key."""
        ...

    def find_token(self, token_hash: str, now: datetime) -> tuple[ApiKeyInfo, str] | None:
        """The active key behind an unexpired token, with its tenant id."""
        ...


class LimitRepository(Protocol):
    """Write counters per client and minute."""

    def hit(self, subject: str, window: int) -> int:
        """Count one write; the count in this window so far."""
        ...

    def prune(self, before_window: int) -> int:
        """Forget old windows."""
        ...


class IdempotencyRepository(Protocol):
    """First answers to writes, by the client's Idempotency-Key."""

    def get(self, caller: str, key: str, now: datetime) -> StoredResponse | None:
        """The unexpired record of a key."""
        ...

    def start(
        self, caller: str, key: str, fingerprint: str, now: datetime, expires: datetime
    ) -> bool:
        """Claim a key for a first request; False when another request holds it."""
        ...

    def finish(
        self, caller: str, key: str, status: int, headers: list[tuple[str, str]], body: bytes
    ) -> None:
        """Keep the first request's answer."""
        ...

    def forget(self, caller: str, key: str) -> None:
        """Drop a claim."""
        ...

    def prune(self, now: datetime) -> int:
        """Drop expired records."""
        ...


class AuditRepository(Protocol):
    """The append-only audit log."""

    def add(self, tenant_ref: int, entry: AuditEntry) -> None:
        """Append an entry."""
        ...

    def list(self, tenant_ref: int, *, since: datetime | None, limit: int) -> list[AuditEntry]:
        """Entries from ``since`` on, oldest first."""
        ...


class SecretRepository(Protocol):
    """Secrets the server makes once for itself."""

    def get(self, name: str) -> str | None:
        """A secret by name."""
        ...

    def add(self, name: str, value: str, now: datetime) -> bool:
        """Store a new secret; False when one by that name exists already."""
        ...


# A delivery's states: waiting to be sent (or retried), done, given up, not needed any more.
PENDING, SENT, FAILED, DROPPED = "pending", "sent", "failed", "dropped"


@dataclass(frozen=True, slots=True)
class Block:
    """Time a resource is not available (a closure or an ad-hoc block)."""

    id: str
    branch_key: str
    resource_key: str
    start: datetime
    end: datetime
    reason: str


@dataclass(frozen=True, slots=True)
class NewDelivery:
    """A message to send, as a change writes it to the outbox."""

    message_id: str
    event_type: str
    channel: str  # email | webhook | sms
    target: str
    payload: dict[str, Any]
    due_at: datetime
    appointment_id: int | None = None


@dataclass(frozen=True, slots=True)
class Delivery:
    """A message in the outbox, with how its sending went so far."""

    id: int
    tenant_key: str
    message_id: str
    event_type: str
    channel: str
    target: str
    payload: dict[str, Any]
    status: str  # pending | sent | failed | dropped
    due_at: datetime
    next_attempt_at: datetime
    attempts: int
    last_error: str | None
    sent_at: datetime | None
    created: datetime


class OutboxRepository(Protocol):
    """The outbox: messages written with the change they tell about, sent by workers."""

    def add(self, tenant_ref: int, delivery: NewDelivery, now: datetime) -> None:
        """Queue a message (in the caller's transaction); an existing message id is kept."""
        ...

    def drop_pending(self, appointment_id: int, event_type: str, now: datetime) -> int:
        """Drop an appointment's unsent messages of one type (its old reminders)."""
        ...

    def any_due(self, now: datetime) -> bool:
        """Whether some message is due and not held by a worker."""
        ...

    def claim(self, worker: str, now: datetime, lease: timedelta, limit: int) -> list[Delivery]:
        """Take due messages nobody else holds, for ``lease``; skips rows others have locked."""
        ...

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
        ...

    def listing(self, tenant_ref: int, *, failed_only: bool, limit: int) -> list[Delivery]:
        """The tenant's latest messages, newest first."""
        ...

    def retry(self, tenant_ref: int | None, delivery_id: int, now: datetime) -> bool:
        """Queue a failed or dropped message again, at once."""
        ...

    def forget(self, appointment_refs: Sequence[int]) -> None:
        """Erase what messages about these appointments say; unsent ones are dropped."""
        ...

    def prune(self, before: datetime) -> int:
        """Delete finished messages created before ``before``."""
        ...


class WaitlistRepository(Protocol):
    """People waiting for a time to free up."""

    def add(self, tenant_ref: int, entry: WaitlistEntry, now: datetime) -> WaitlistEntry:
        """Put someone at the end of the list; ids are assigned here."""
        ...

    def save(self, entry: WaitlistEntry, now: datetime) -> None:
        """Write back an entry's status and offer."""
        ...

    def with_status(self, tenant_ref: int, status: WaitStatus, limit: int) -> list[WaitlistEntry]:
        """Entries with a status, in the order people asked."""
        ...

    def get(self, tenant_ref: int, entry_uuid: str) -> WaitlistEntry | None:
        """An entry by its id."""
        ...


class TransientConflict(Exception):
    """The database gave up on a transaction that may succeed if run again (deadlock victim,
    serialisation failure). Units of work raise it; use cases retry."""


class UnitOfWork(Protocol):
    """One transaction over every repository."""

    @property
    def catalogs(self) -> CatalogRepository:
        """Catalog storage."""
        ...

    @property
    def bookings(self) -> BookingRepository:
        """Session and appointment storage."""
        ...

    @property
    def customers(self) -> CustomerRepository:
        """Customer storage."""
        ...

    @property
    def keys(self) -> KeyRepository:
        """API key storage."""
        ...

    @property
    def limits(self) -> LimitRepository:
        """Write counters."""
        ...

    @property
    def idempotency(self) -> IdempotencyRepository:
        """Idempotency records."""
        ...

    @property
    def audit(self) -> AuditRepository:
        """The audit log."""
        ...

    @property
    def secrets(self) -> SecretRepository:
        """The server's own secrets."""
        ...

    @property
    def outbox(self) -> OutboxRepository:
        """Messages to send."""
        ...

    @property
    def waitlist(self) -> WaitlistRepository:
        """People waiting for a time."""
        ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None:
        """Make the transaction's writes durable."""
        ...


class UnitOfWorkFactory(Protocol):
    """Opens units of work; writers are serialised where the backend needs it."""

    def __call__(self, *, write: bool = False) -> UnitOfWork: ...

    def schema_revision(self) -> str | None:
        """The database's schema revision; raises when it cannot be reached."""
        ...

    def expected_schema(self) -> str:
        """The schema revision this version needs."""
        ...

    def generation(self) -> int | None:
        """A number that moves on whenever any process commits; None when unknown (then
        nothing read may be kept for later requests)."""
        ...

    def access_generation(self) -> int | None:
        """A number that moves on whenever any process commits a change to tenants, catalogs
        or keys; None when unknown."""
        ...

    def serialises_writers(self) -> bool:
        """Whether a writer holds the whole database for its transaction (then writers do
        what they can before they start)."""
        ...
