"""Customers of a tenant; one record per external id."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    RowMapping,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from slotbook.domain.model import Address, Customer, CustomerDetails, ExternalIds
from slotbook.persistence.ids import new_id_columns, new_public_id
from slotbook.persistence.tables import appointment_customers, appointments, customers
from slotbook.services.ports import IdKind

_ADDRESS = {
    "line1": "address_line1",
    "line2": "address_line2",
    "city": "address_city",
    "state": "address_state",
    "zip": "address_zip",
    "country": "address_country",
}


_ID_KINDS = ("public_id", "uuid", "digits", "hex24")
# Every column that says something about the person (the ids are random and say nothing).
_PERSONAL = (
    "external_id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "date_of_birth",
    "identification_number",
    *_ADDRESS.values(),
    "custom",
)


def same_text(column: ColumnElement[Any], value: str) -> ColumnElement[bool]:
    """Equal ignoring case: the database lowers both sides, so they always agree."""
    return func.lower(column) == func.lower(literal(value))


def customer_of(row: RowMapping) -> Customer:
    """Domain customer from a ``customers`` row."""
    return Customer(
        id=row["pk"],
        public_id=row["public_id"],
        ids=ExternalIds(row["uuid"], row["digits"], row["hex24"]),
        external_id=row["external_id"],
        first_name=row["first_name"],
        last_name=row["last_name"],
        email=row["email"],
        phone=row["phone"],
        date_of_birth=row["date_of_birth"],
        identification_number=row["identification_number"],
        address=Address(**{field: row[column] for field, column in _ADDRESS.items()}),
        custom=row["custom"],
        created=row["created"],
        updated=row["updated"],
    )


def _given(details: CustomerDetails) -> dict[str, Any]:
    """Columns for the fields a client actually sent."""
    values: dict[str, Any] = {
        "external_id": details.external_id,
        "first_name": details.first_name,
        "last_name": details.last_name,
        "email": details.email,
        "phone": details.phone,
        "date_of_birth": details.date_of_birth,
        "identification_number": details.identification_number,
        "custom": details.custom,
    }
    for field, column in _ADDRESS.items():
        values[column] = getattr(details.address, field)
    return {k: v for k, v in values.items() if v is not None}


# Built once (see booking_repo): a new customer is a step of every booking.
_INSERT_CUSTOMER = customers.insert().returning(*customers.c)


class SqlCustomerRepository:
    """Customer records."""

    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def get(self, tenant_ref: int, kind: IdKind, value: str) -> Customer | None:
        """A customer by one of its identifiers."""
        row = (
            self._db.execute(
                select(customers).where(
                    customers.c.tenant_pk == tenant_ref, customers.c[kind] == value
                )
            )
            .mappings()
            .one_or_none()
        )
        return None if row is None else customer_of(row)

    def by_external_id(self, tenant_ref: int, external_id: str) -> Customer | None:
        """The customer with an external id."""
        row = (
            self._db.execute(
                select(customers).where(
                    customers.c.tenant_pk == tenant_ref, customers.c.external_id == external_id
                )
            )
            .mappings()
            .one_or_none()
        )
        return None if row is None else customer_of(row)

    def upsert(self, tenant_ref: int, details: CustomerDetails, now: datetime) -> Customer:
        """Create a customer, or update the one with the same external id (race-free)."""
        given = _given(details)
        fresh = {
            "tenant_pk": tenant_ref,
            "public_id": new_public_id(),
            "created": now,
            "updated": now,
            **new_id_columns(),
            **given,
        }
        if details.external_id is None:
            created = self._db.execute(_INSERT_CUSTOMER, fresh).mappings().one()
            return customer_of(created)
        insert = (
            postgresql.insert(customers)
            if self._db.dialect.name == "postgresql"
            else sqlite.insert(customers)
        )
        statement: Any = insert.values(**fresh).on_conflict_do_update(
            index_elements=[customers.c.tenant_pk, customers.c.external_id],
            set_={**given, "updated": now},
        )
        row = self._db.execute(statement.returning(*customers.c)).mappings().one()
        return customer_of(row)

    def update(self, customer: Customer, details: CustomerDetails, now: datetime) -> Customer:
        """Overwrite the given (non-None) fields of a customer."""
        assert customer.id is not None
        row = (
            self._db.execute(
                update(customers)
                .where(customers.c.pk == customer.id)
                .values(**_given(details), updated=now)
                .returning(*customers.c)
            )
            .mappings()
            .one()
        )
        return customer_of(row)

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
        query = select(customers).where(customers.c.tenant_pk == tenant_ref)
        if email is not None:
            query = query.where(same_text(customers.c.email, email))
        if last_name is not None:
            query = query.where(same_text(customers.c.last_name, last_name))
        if phone is not None:
            query = query.where(same_text(customers.c.phone, phone))
        if external_id is not None:
            query = query.where(customers.c.external_id == external_id)
        total = self._db.execute(select(func.count()).select_from(query.subquery())).scalar_one()
        rows = self._db.execute(
            query.order_by(customers.c.pk).offset(offset).limit(limit)
        ).mappings()
        return [customer_of(r) for r in rows], int(total)

    # --- privacy -----------------------------------------------------------------------------
    def matching(
        self,
        tenant_ref: int,
        *,
        email: str | None = None,
        external_id: str | None = None,
        any_id: str | None = None,
    ) -> list[int]:
        """Storage ids of the customers with this e-mail (any case), external id or id."""
        query = select(customers.c.pk).where(customers.c.tenant_pk == tenant_ref)
        if email is not None:
            query = query.where(same_text(customers.c.email, email))
        elif external_id is not None:
            query = query.where(customers.c.external_id == external_id)
        elif any_id is not None:
            query = query.where(or_(*(customers.c[kind] == any_id for kind in _ID_KINDS)))
        else:
            return []
        return list(self._db.execute(query.order_by(customers.c.pk)).scalars())

    def erase(self, customer_refs: Sequence[int], now: datetime) -> int:
        """Remove every personal field of these customers; their ids stay (links survive)."""
        if not customer_refs:
            return 0
        result = self._db.execute(
            update(customers)
            .where(customers.c.pk.in_(list(customer_refs)))
            .values(**dict.fromkeys(_PERSONAL), erased=now, updated=now)
        )
        return int(result.rowcount)

    def idle_since(self, tenant_ref: int, cutoff: datetime) -> list[int]:
        """Customers not yet erased with no appointment ending after ``cutoff``.

        A customer without any appointment counts from the day it was created.
        """
        recent = (
            select(appointment_customers.c.customer_pk)
            .join(appointments, appointments.c.pk == appointment_customers.c.appointment_pk)
            .where(appointments.c.ends_at >= cutoff)
        )
        query = select(customers.c.pk).where(
            customers.c.tenant_pk == tenant_ref,
            customers.c.erased.is_(None),
            customers.c.created < cutoff,
            customers.c.pk.not_in(recent),
        )
        return list(self._db.execute(query).scalars())
