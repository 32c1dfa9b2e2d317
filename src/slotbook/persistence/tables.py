"""Table definitions (SQLAlchemy Core). Migrations in ``migrations/`` create these."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
)

from slotbook.persistence.types import UTCDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


# Every unique and exclusion constraint and every foreign key of a tenant's data includes
# ``tenant_pk``: the tenant can become the distribution column of a distributed PostgreSQL
# (Citus) without a new schema (docs/scaling.md). Rows that others refer to therefore also
# have UNIQUE (tenant_pk, pk); ``pk`` alone stays the primary key (SQLite's rowid).


def _ids() -> list[Column[str]]:
    """GUID, digit-string and 24-hex identifiers shown by the public APIs."""
    return [
        Column("uuid", String(36), nullable=False),
        Column("digits", String(20), nullable=False),
        Column("hex24", String(24), nullable=False),
    ]


def _in_tenant(column: str, table: str) -> ForeignKeyConstraint:
    """A reference to a row of ``table`` in the same tenant (the tenant is part of the key)."""
    return ForeignKeyConstraint(["tenant_pk", column], [f"{table}.tenant_pk", f"{table}.pk"])


def _stamps() -> list[Column[object]]:
    return [
        Column("created", UTCDateTime(), nullable=False),
        Column("updated", UTCDateTime(), nullable=False),
    ]


tenants = Table(
    "tenants",
    metadata,
    Column("pk", Integer, primary_key=True),
    Column("key", String(100), nullable=False, unique=True),
    Column("name", String(255), nullable=False),
    Column("position", Integer, nullable=False, default=0),
    Column("settings", JSON, nullable=False),
    Column("revision", Integer, nullable=False, default=1),
    *_stamps(),
)

branches = Table(
    "branches",
    metadata,
    Column("pk", Integer, primary_key=True),
    Column("tenant_pk", ForeignKey("tenants.pk"), nullable=False),
    Column("key", String(100), nullable=False),
    Column("public_id", String(255), nullable=False),
    *_ids(),
    Column("position", Integer, nullable=False, default=0),
    Column("active", Boolean, nullable=False, default=True),
    Column("data", JSON, nullable=False),
    *_stamps(),
    UniqueConstraint("tenant_pk", "pk"),
    UniqueConstraint("tenant_pk", "key"),
    UniqueConstraint("tenant_pk", "uuid"),
    UniqueConstraint("tenant_pk", "digits"),
    UniqueConstraint("tenant_pk", "hex24"),
)

resources = Table(
    "resources",
    metadata,
    Column("pk", Integer, primary_key=True),
    Column("tenant_pk", ForeignKey("tenants.pk"), nullable=False),
    Column("branch_pk", Integer, nullable=False),
    Column("key", String(100), nullable=False),
    *_ids(),
    Column("position", Integer, nullable=False, default=0),
    Column("active", Boolean, nullable=False, default=True),
    Column("data", JSON, nullable=False),
    *_stamps(),
    _in_tenant("branch_pk", "branches"),
    UniqueConstraint("tenant_pk", "pk"),
    UniqueConstraint("tenant_pk", "key"),
    UniqueConstraint("tenant_pk", "uuid"),
    UniqueConstraint("tenant_pk", "digits"),
    UniqueConstraint("tenant_pk", "hex24"),
)

services = Table(
    "services",
    metadata,
    Column("pk", Integer, primary_key=True),
    Column("tenant_pk", ForeignKey("tenants.pk"), nullable=False),
    Column("key", String(100), nullable=False),
    Column("public_id", String(255), nullable=False),
    *_ids(),
    Column("position", Integer, nullable=False, default=0),
    Column("active", Boolean, nullable=False, default=True),
    Column("data", JSON, nullable=False),
    *_stamps(),
    UniqueConstraint("tenant_pk", "key"),
    UniqueConstraint("tenant_pk", "uuid"),
    UniqueConstraint("tenant_pk", "digits"),
    UniqueConstraint("tenant_pk", "hex24"),
)

service_groups = Table(
    "service_groups",
    metadata,
    Column("pk", Integer, primary_key=True),
    Column("tenant_pk", ForeignKey("tenants.pk"), nullable=False),
    Column("key", String(100), nullable=False),
    *_ids(),
    Column("position", Integer, nullable=False, default=0),
    Column("active", Boolean, nullable=False, default=True),
    Column("data", JSON, nullable=False),
    *_stamps(),
    UniqueConstraint("tenant_pk", "key"),
    UniqueConstraint("tenant_pk", "uuid"),
)

customers = Table(
    "customers",
    metadata,
    Column("pk", Integer, primary_key=True),
    Column("tenant_pk", ForeignKey("tenants.pk"), nullable=False),
    Column("public_id", String(64), nullable=False),
    *_ids(),
    Column("external_id", String(255)),
    Column("first_name", String(255)),
    Column("last_name", String(255)),
    Column("email", String(255)),
    Column("phone", String(255)),
    Column("date_of_birth", Date),
    Column("identification_number", String(255)),
    Column("address_line1", String(255)),
    Column("address_line2", String(255)),
    Column("address_city", String(255)),
    Column("address_state", String(255)),
    Column("address_zip", String(255)),
    Column("address_country", String(255)),
    Column("custom", Text),
    Column("erased", UTCDateTime()),
    *_stamps(),
    UniqueConstraint("tenant_pk", "pk"),
    UniqueConstraint("tenant_pk", "public_id"),
    UniqueConstraint("tenant_pk", "uuid"),
    UniqueConstraint("tenant_pk", "digits"),
    UniqueConstraint("tenant_pk", "hex24"),
    UniqueConstraint("tenant_pk", "external_id"),
    Index(None, "tenant_pk", "email"),
)

# A session is one occupancy of one resource: an exclusive appointment, or a group session
# that several appointments share up to ``capacity`` spaces. The database refuses two
# unreleased sessions whose buffered blocks overlap on one resource (exclusion constraint on
# PostgreSQL, triggers on SQLite), and more spaces taken than the capacity (CHECK).
sessions = Table(
    "sessions",
    metadata,
    Column("pk", Integer, primary_key=True),
    Column("tenant_pk", ForeignKey("tenants.pk"), nullable=False),
    Column("branch_pk", Integer, nullable=False),
    Column("resource_pk", Integer, nullable=False),
    *_ids(),
    Column("service_keys", String(1000), nullable=False),
    Column("starts_at", UTCDateTime(), nullable=False),
    Column("ends_at", UTCDateTime(), nullable=False),
    Column("block_start", UTCDateTime(), nullable=False),
    Column("block_end", UTCDateTime(), nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("taken", Integer, nullable=False),
    Column("released", Boolean, nullable=False, default=False),
    # Set on a block: time a resource is not available (a closure, a desk out of order). It
    # holds the resource like a full session, so the database refuses bookings over it.
    Column("block_reason", String(500)),
    *_stamps(),
    CheckConstraint("taken >= 0 AND taken <= capacity", name="spaces"),
    CheckConstraint("block_start < block_end", name="block"),
    _in_tenant("branch_pk", "branches"),
    _in_tenant("resource_pk", "resources"),
    UniqueConstraint("tenant_pk", "pk"),
    UniqueConstraint("tenant_pk", "uuid"),
    UniqueConstraint("tenant_pk", "digits"),
    UniqueConstraint("tenant_pk", "hex24"),
    Index("ix_sessions_live_block", "resource_pk", "block_start", "block_end", "released"),
    # Blocks may last any time; availability reads them apart (see migration 0009).
    Index(
        "ix_sessions_blocks",
        "resource_pk",
        "block_end",
        sqlite_where=text("block_reason IS NOT NULL"),
        postgresql_where=text("block_reason IS NOT NULL"),
    ),
)

appointments = Table(
    "appointments",
    metadata,
    Column("pk", Integer, primary_key=True),
    Column("tenant_pk", ForeignKey("tenants.pk"), nullable=False),
    Column("session_pk", Integer, nullable=False),
    Column("public_id", String(64), nullable=False),
    *_ids(),
    Column("branch_pk", Integer, nullable=False),
    Column("resource_pk", Integer, nullable=False),
    Column("service_keys", JSON, nullable=False),
    Column("starts_at", UTCDateTime(), nullable=False),
    Column("ends_at", UTCDateTime(), nullable=False),
    Column("buffer_before", Integer, nullable=False, default=0),
    Column("buffer_after", Integer, nullable=False, default=0),
    Column("status", String(20), nullable=False),
    Column("expires_at", UTCDateTime()),
    Column("people", Integer, nullable=False),
    Column("spaces", Integer, nullable=False),
    Column("custom_length", Integer),
    Column("title", String(255)),
    Column("notes", Text),
    Column("customer_message", Text),
    Column("custom", Text),
    Column("answers", JSON, nullable=False),
    Column("source", String(20), nullable=False),
    Column("client_ref", String(32)),  # who holds it: a hash of key and client address
    Column("anonymised", UTCDateTime()),
    Column("sequence", Integer, nullable=False, default=0, server_default="0"),
    Column("language", String(8)),
    Column("expiry_noted", Boolean, nullable=False, default=False, server_default=false()),
    Column("arrival", String(12)),
    Column("arrived_at", UTCDateTime()),
    *_stamps(),
    CheckConstraint("people >= 1 AND spaces >= 1", name="counts"),
    _in_tenant("session_pk", "sessions"),
    _in_tenant("branch_pk", "branches"),
    _in_tenant("resource_pk", "resources"),
    UniqueConstraint("tenant_pk", "pk"),
    UniqueConstraint("tenant_pk", "public_id"),
    UniqueConstraint("tenant_pk", "uuid"),
    UniqueConstraint("tenant_pk", "digits"),
    UniqueConstraint("tenant_pk", "hex24"),
    # Covers the live-spaces count availability makes per session (migration 0010).
    Index(None, "session_pk", "status", "expires_at", "spaces"),
    Index(None, "tenant_pk", "starts_at"),
    Index(None, "tenant_pk", "client_ref"),
    Index(None, "status", "expires_at"),  # the worker's look for holds that ran out
)

appointment_customers = Table(
    "appointment_customers",
    metadata,
    Column("tenant_pk", ForeignKey("tenants.pk"), primary_key=True),
    Column("appointment_pk", Integer, primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("customer_pk", Integer, nullable=False),
    Column("spaces", Integer, nullable=False, default=1),
    _in_tenant("appointment_pk", "appointments"),
    _in_tenant("customer_pk", "customers"),
    Index(None, "customer_pk"),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("pk", Integer, primary_key=True),
    Column("tenant_pk", ForeignKey("tenants.pk"), nullable=False),
    Column("key_hash", String(64), nullable=False),
    Column("prefix", String(12), nullable=False),
    Column("label", String(255)),
    Column("scope", String(10), nullable=False, default="booking"),
    Column("source", String(20), nullable=False),
    Column("created", UTCDateTime(), nullable=False),
    Column("revoked", UTCDateTime()),
    UniqueConstraint("tenant_pk", "pk"),
    UniqueConstraint("key_hash", "tenant_pk"),  # found by hash: the hash leads
    Index(None, "tenant_pk"),
)

access_tokens = Table(
    "access_tokens",
    metadata,
    Column("pk", Integer, primary_key=True),
    Column("tenant_pk", ForeignKey("tenants.pk"), nullable=False),
    Column("token_hash", String(64), nullable=False),
    Column("api_key_pk", Integer, nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Column("created", UTCDateTime(), nullable=False),
    _in_tenant("api_key_pk", "api_keys"),
    UniqueConstraint("token_hash", "tenant_pk"),  # found by hash: the hash leads
)

# A write retried with the same ``Idempotency-Key`` gets the first answer back. ``caller``
# hashes the surface, the tenant header and the credential, so keys never collide across them.
idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("pk", Integer, primary_key=True),
    Column("caller", String(64), nullable=False),
    Column("key", String(255), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("status", Integer),  # null while the first request is still running
    Column("headers", JSON),
    Column("body", LargeBinary),
    Column("created", UTCDateTime(), nullable=False),
    Column("expires", UTCDateTime(), nullable=False),
    UniqueConstraint("caller", "key"),
    Index(None, "expires"),
)

# Writes per client per minute (fixed windows), shared by every server process.
rate_windows = Table(
    "rate_windows",
    metadata,
    Column("subject", String(64), primary_key=True),
    Column("window", Integer, primary_key=True),
    Column("count", Integer, nullable=False),
)

# Who changed what, when, and how it ended. Append-only: triggers refuse UPDATE and DELETE.
audit_log = Table(
    "audit_log",
    metadata,
    Column("pk", Integer, primary_key=True),
    Column("tenant_pk", ForeignKey("tenants.pk"), nullable=False),
    Column("at", UTCDateTime(), nullable=False),
    Column("key_pk", Integer),
    Column("scope", String(10)),
    Column("client_address", String(64)),
    Column("route", String(300)),
    Column("operation", String(50), nullable=False),
    Column("appointment", String(64)),
    Column("outcome", String(50), nullable=False),
    Column("detail", String(500)),
    Index(None, "tenant_pk", "at"),
)

# Secrets the server makes for itself once and every process shares, e.g. the key that signs
# the booking page's links (a manage link in an e-mail must outlive a restart).
server_secrets = Table(
    "server_secrets",
    metadata,
    Column("name", String(50), primary_key=True),
    Column("value", String(200), nullable=False),
    Column("created", UTCDateTime(), nullable=False),
)

# The outbox: one row per message to send (an e-mail, a webhook call, an SMS), written in the
# transaction of the change it tells about. ``message_id`` is the message's identity on the
# wire (Message-ID, webhook-id), the same on every attempt.
deliveries = Table(
    "deliveries",
    metadata,
    Column("pk", Integer, primary_key=True),
    Column("tenant_pk", ForeignKey("tenants.pk"), nullable=False),
    Column("appointment_pk", Integer),
    Column("message_id", String(64), nullable=False),
    Column("event_type", String(40), nullable=False),
    Column("channel", String(10), nullable=False),  # email | webhook | sms
    Column("target", String(500), nullable=False),  # address, URL or phone number
    Column("payload", JSON, nullable=False),
    Column("status", String(10), nullable=False),  # pending | sent | failed | dropped
    Column("due_at", UTCDateTime(), nullable=False),
    Column("next_attempt_at", UTCDateTime(), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("claimed_by", String(40)),
    Column("claimed_until", UTCDateTime()),
    Column("last_error", String(300)),
    Column("sent_at", UTCDateTime()),
    Column("created", UTCDateTime(), nullable=False),
    _in_tenant("appointment_pk", "appointments"),
    UniqueConstraint("tenant_pk", "message_id"),
    Index(None, "status", "next_attempt_at"),
    Index(None, "appointment_pk"),
    Index(None, "tenant_pk", "created"),
)

# People waiting for a time to free up, in the order they asked (``pk``).
waitlist = Table(
    "waitlist",
    metadata,
    Column("pk", Integer, primary_key=True),
    Column("tenant_pk", ForeignKey("tenants.pk"), nullable=False),
    Column("uuid", String(36), nullable=False),
    Column("branch_key", String(100), nullable=False),
    Column("service_keys", JSON, nullable=False),
    Column("people", Integer, nullable=False),
    Column("first_day", Date, nullable=False),
    Column("last_day", Date, nullable=False),
    Column("first_name", String(255), nullable=False),
    Column("last_name", String(255), nullable=False),
    Column("email", String(254), nullable=False),
    Column("phone", String(40)),
    Column("language", String(8)),
    Column("status", String(10), nullable=False),
    Column("offer_public_id", String(64)),
    Column("offered_until", UTCDateTime()),
    Column("created", UTCDateTime(), nullable=False),
    Column("updated", UTCDateTime(), nullable=False),
    UniqueConstraint("tenant_pk", "uuid"),
    Index(None, "tenant_pk", "status", "pk"),
)
