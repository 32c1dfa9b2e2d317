"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tenants",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_tenants")),
        sa.UniqueConstraint("key", name=op.f("uq_tenants_key")),
    )
    op.create_table(
        "api_keys",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("tenant_pk", sa.Integer(), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=12), nullable=False),
        sa.Column("label", sa.String(length=255), nullable=True),
        sa.Column("internal", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_pk"], ["tenants.pk"], name=op.f("fk_api_keys_tenant_pk_tenants")
        ),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_keys_key_hash")),
    )
    op.create_index(op.f("ix_api_keys_tenant_pk"), "api_keys", ["tenant_pk"], unique=False)

    op.create_table(
        "branches",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("tenant_pk", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("public_id", sa.String(length=255), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("digits", sa.String(length=20), nullable=False),
        sa.Column("hex24", sa.String(length=24), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_pk"], ["tenants.pk"], name=op.f("fk_branches_tenant_pk_tenants")
        ),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_branches")),
        sa.UniqueConstraint("tenant_pk", "digits", name=op.f("uq_branches_tenant_pk_digits")),
        sa.UniqueConstraint("tenant_pk", "hex24", name=op.f("uq_branches_tenant_pk_hex24")),
        sa.UniqueConstraint("tenant_pk", "key", name=op.f("uq_branches_tenant_pk_key")),
        sa.UniqueConstraint("tenant_pk", "uuid", name=op.f("uq_branches_tenant_pk_uuid")),
    )
    op.create_table(
        "customers",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("tenant_pk", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=64), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("digits", sa.String(length=20), nullable=False),
        sa.Column("hex24", sa.String(length=24), nullable=False),
        sa.Column("external_id", sa.String(length=255), nullable=True),
        sa.Column("first_name", sa.String(length=255), nullable=True),
        sa.Column("last_name", sa.String(length=255), nullable=True),
        sa.Column("email", sa.String(length=255), nullable=True),
        sa.Column("phone", sa.String(length=255), nullable=True),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("identification_number", sa.String(length=255), nullable=True),
        sa.Column("address_line1", sa.String(length=255), nullable=True),
        sa.Column("address_line2", sa.String(length=255), nullable=True),
        sa.Column("address_city", sa.String(length=255), nullable=True),
        sa.Column("address_state", sa.String(length=255), nullable=True),
        sa.Column("address_zip", sa.String(length=255), nullable=True),
        sa.Column("address_country", sa.String(length=255), nullable=True),
        sa.Column("custom", sa.Text(), nullable=True),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_pk"], ["tenants.pk"], name=op.f("fk_customers_tenant_pk_tenants")
        ),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_customers")),
        sa.UniqueConstraint("tenant_pk", "digits", name=op.f("uq_customers_tenant_pk_digits")),
        sa.UniqueConstraint(
            "tenant_pk", "external_id", name=op.f("uq_customers_tenant_pk_external_id")
        ),
        sa.UniqueConstraint("tenant_pk", "hex24", name=op.f("uq_customers_tenant_pk_hex24")),
        sa.UniqueConstraint(
            "tenant_pk", "public_id", name=op.f("uq_customers_tenant_pk_public_id")
        ),
        sa.UniqueConstraint("tenant_pk", "uuid", name=op.f("uq_customers_tenant_pk_uuid")),
    )
    op.create_index(
        op.f("ix_customers_tenant_pk_email"), "customers", ["tenant_pk", "email"], unique=False
    )

    op.create_table(
        "service_groups",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("tenant_pk", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("digits", sa.String(length=20), nullable=False),
        sa.Column("hex24", sa.String(length=24), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_pk"], ["tenants.pk"], name=op.f("fk_service_groups_tenant_pk_tenants")
        ),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_service_groups")),
        sa.UniqueConstraint("tenant_pk", "key", name=op.f("uq_service_groups_tenant_pk_key")),
        sa.UniqueConstraint("tenant_pk", "uuid", name=op.f("uq_service_groups_tenant_pk_uuid")),
    )
    op.create_table(
        "services",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("tenant_pk", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("public_id", sa.String(length=255), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("digits", sa.String(length=20), nullable=False),
        sa.Column("hex24", sa.String(length=24), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_pk"], ["tenants.pk"], name=op.f("fk_services_tenant_pk_tenants")
        ),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_services")),
        sa.UniqueConstraint("tenant_pk", "digits", name=op.f("uq_services_tenant_pk_digits")),
        sa.UniqueConstraint("tenant_pk", "hex24", name=op.f("uq_services_tenant_pk_hex24")),
        sa.UniqueConstraint("tenant_pk", "key", name=op.f("uq_services_tenant_pk_key")),
        sa.UniqueConstraint("tenant_pk", "uuid", name=op.f("uq_services_tenant_pk_uuid")),
    )
    op.create_table(
        "access_tokens",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("api_key_pk", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["api_key_pk"], ["api_keys.pk"], name=op.f("fk_access_tokens_api_key_pk_api_keys")
        ),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_access_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_access_tokens_token_hash")),
    )
    op.create_table(
        "resources",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("tenant_pk", sa.Integer(), nullable=False),
        sa.Column("branch_pk", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("digits", sa.String(length=20), nullable=False),
        sa.Column("hex24", sa.String(length=24), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["branch_pk"], ["branches.pk"], name=op.f("fk_resources_branch_pk_branches")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_pk"], ["tenants.pk"], name=op.f("fk_resources_tenant_pk_tenants")
        ),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_resources")),
        sa.UniqueConstraint("tenant_pk", "digits", name=op.f("uq_resources_tenant_pk_digits")),
        sa.UniqueConstraint("tenant_pk", "hex24", name=op.f("uq_resources_tenant_pk_hex24")),
        sa.UniqueConstraint("tenant_pk", "key", name=op.f("uq_resources_tenant_pk_key")),
        sa.UniqueConstraint("tenant_pk", "uuid", name=op.f("uq_resources_tenant_pk_uuid")),
    )
    op.create_table(
        "sessions",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("tenant_pk", sa.Integer(), nullable=False),
        sa.Column("branch_pk", sa.Integer(), nullable=False),
        sa.Column("resource_pk", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("digits", sa.String(length=20), nullable=False),
        sa.Column("hex24", sa.String(length=24), nullable=False),
        sa.Column("service_keys", sa.String(length=1000), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("block_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("block_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("taken", sa.Integer(), nullable=False),
        sa.Column("released", sa.Boolean(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("block_start < block_end", name=op.f("ck_sessions_block")),
        sa.CheckConstraint("taken >= 0 AND taken <= capacity", name=op.f("ck_sessions_spaces")),
        sa.ForeignKeyConstraint(
            ["branch_pk"], ["branches.pk"], name=op.f("fk_sessions_branch_pk_branches")
        ),
        sa.ForeignKeyConstraint(
            ["resource_pk"], ["resources.pk"], name=op.f("fk_sessions_resource_pk_resources")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_pk"], ["tenants.pk"], name=op.f("fk_sessions_tenant_pk_tenants")
        ),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_sessions")),
        sa.UniqueConstraint("tenant_pk", "digits", name=op.f("uq_sessions_tenant_pk_digits")),
        sa.UniqueConstraint("tenant_pk", "hex24", name=op.f("uq_sessions_tenant_pk_hex24")),
        sa.UniqueConstraint("tenant_pk", "uuid", name=op.f("uq_sessions_tenant_pk_uuid")),
    )
    op.create_index(
        "ix_sessions_live_block",
        "sessions",
        ["resource_pk", "block_start", "block_end", "released"],
        unique=False,
    )

    op.create_table(
        "appointments",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("tenant_pk", sa.Integer(), nullable=False),
        sa.Column("session_pk", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=64), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("digits", sa.String(length=20), nullable=False),
        sa.Column("hex24", sa.String(length=24), nullable=False),
        sa.Column("branch_pk", sa.Integer(), nullable=False),
        sa.Column("resource_pk", sa.Integer(), nullable=False),
        sa.Column("service_keys", sa.JSON(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("buffer_before", sa.Integer(), nullable=False),
        sa.Column("buffer_after", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.Column("spaces", sa.Integer(), nullable=False),
        sa.Column("custom_length", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=255), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("customer_message", sa.Text(), nullable=True),
        sa.Column("custom", sa.Text(), nullable=True),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("people >= 1 AND spaces >= 1", name=op.f("ck_appointments_counts")),
        sa.ForeignKeyConstraint(
            ["branch_pk"], ["branches.pk"], name=op.f("fk_appointments_branch_pk_branches")
        ),
        sa.ForeignKeyConstraint(
            ["resource_pk"], ["resources.pk"], name=op.f("fk_appointments_resource_pk_resources")
        ),
        sa.ForeignKeyConstraint(
            ["session_pk"], ["sessions.pk"], name=op.f("fk_appointments_session_pk_sessions")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_pk"], ["tenants.pk"], name=op.f("fk_appointments_tenant_pk_tenants")
        ),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_appointments")),
        sa.UniqueConstraint("tenant_pk", "digits", name=op.f("uq_appointments_tenant_pk_digits")),
        sa.UniqueConstraint("tenant_pk", "hex24", name=op.f("uq_appointments_tenant_pk_hex24")),
        sa.UniqueConstraint(
            "tenant_pk", "public_id", name=op.f("uq_appointments_tenant_pk_public_id")
        ),
        sa.UniqueConstraint("tenant_pk", "uuid", name=op.f("uq_appointments_tenant_pk_uuid")),
    )
    op.create_index(
        op.f("ix_appointments_session_pk"), "appointments", ["session_pk"], unique=False
    )
    op.create_index(
        op.f("ix_appointments_tenant_pk_starts_at"),
        "appointments",
        ["tenant_pk", "starts_at"],
        unique=False,
    )

    op.create_table(
        "appointment_customers",
        sa.Column("appointment_pk", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("customer_pk", sa.Integer(), nullable=False),
        sa.Column("spaces", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["appointment_pk"],
            ["appointments.pk"],
            name=op.f("fk_appointment_customers_appointment_pk_appointments"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_pk"],
            ["customers.pk"],
            name=op.f("fk_appointment_customers_customer_pk_customers"),
        ),
        sa.PrimaryKeyConstraint(
            "appointment_pk", "position", name=op.f("pk_appointment_customers")
        ),
    )
    op.create_index(
        op.f("ix_appointment_customers_customer_pk"),
        "appointment_customers",
        ["customer_pk"],
        unique=False,
    )

    _add_overlap_guard()


# Two unreleased sessions may never overlap on one resource: the database says no, whatever
# the application does. PostgreSQL: an exclusion constraint; SQLite: triggers.
_SQLITE_OVERLAP = """
    NEW.released = 0 AND EXISTS (
        SELECT 1 FROM sessions AS s
        WHERE s.resource_pk = NEW.resource_pk AND s.released = 0 AND s.pk != NEW.pk
          AND s.block_start < NEW.block_end AND NEW.block_start < s.block_end)
"""


def _add_overlap_guard() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(
            "ALTER TABLE sessions ADD CONSTRAINT ex_sessions_no_overlap EXCLUDE USING gist "
            "(resource_pk WITH =, tstzrange(block_start, block_end, '[)') WITH &&) "
            "WHERE (NOT released)"
        )
    else:
        for event in ("INSERT", "UPDATE"):
            op.execute(
                f"CREATE TRIGGER sessions_no_overlap_{event.lower()} BEFORE {event} ON sessions "
                f"WHEN {_SQLITE_OVERLAP} "
                "BEGIN SELECT RAISE(ABORT, 'ex_sessions_no_overlap'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        op.execute("DROP TRIGGER IF EXISTS sessions_no_overlap_insert")
        op.execute("DROP TRIGGER IF EXISTS sessions_no_overlap_update")
    op.drop_index(op.f("ix_appointment_customers_customer_pk"), table_name="appointment_customers")

    op.drop_table("appointment_customers")
    op.drop_index(op.f("ix_appointments_tenant_pk_starts_at"), table_name="appointments")
    op.drop_index(op.f("ix_appointments_session_pk"), table_name="appointments")

    op.drop_table("appointments")
    op.drop_index("ix_sessions_live_block", table_name="sessions")

    op.drop_table("sessions")
    op.drop_table("resources")
    op.drop_table("access_tokens")
    op.drop_table("services")
    op.drop_table("service_groups")
    op.drop_index(op.f("ix_customers_tenant_pk_email"), table_name="customers")

    op.drop_table("customers")
    op.drop_table("branches")
    op.drop_index(op.f("ix_api_keys_tenant_pk"), table_name="api_keys")

    op.drop_table("api_keys")
    op.drop_table("tenants")
