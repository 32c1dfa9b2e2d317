"""The waitlist table."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, select, update

from slotbook.domain.waitlist import WaitlistEntry, WaitStatus
from slotbook.persistence.tables import waitlist


class SqlWaitlistRepository:
    """Waitlist entries on one connection."""

    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def add(self, tenant_ref: int, entry: WaitlistEntry, now: datetime) -> WaitlistEntry:
        """Put someone at the end of the list; ids are assigned here."""
        entry.uuid = str(uuid.uuid4())
        entry.created = now
        entry.id = self._db.execute(
            waitlist.insert()
            .values(tenant_pk=tenant_ref, uuid=entry.uuid, created=now, **_values(entry, now))
            .returning(waitlist.c.pk)
        ).scalar_one()
        return entry

    def save(self, entry: WaitlistEntry, now: datetime) -> None:
        """Write back an entry's status and offer."""
        self._db.execute(
            update(waitlist).where(waitlist.c.pk == entry.id).values(**_values(entry, now))
        )

    def with_status(self, tenant_ref: int, status: WaitStatus, limit: int) -> list[WaitlistEntry]:
        """Entries with a status, in the order people asked."""
        query = (
            select(waitlist)
            .where(waitlist.c.tenant_pk == tenant_ref, waitlist.c.status == status.value)
            .order_by(waitlist.c.pk)
            .limit(limit)
        )
        return [_entry_of(r) for r in self._db.execute(query).mappings()]

    def get(self, tenant_ref: int, entry_uuid: str) -> WaitlistEntry | None:
        """An entry by its id."""
        row = (
            self._db.execute(
                select(waitlist).where(
                    waitlist.c.tenant_pk == tenant_ref, waitlist.c.uuid == entry_uuid
                )
            )
            .mappings()
            .one_or_none()
        )
        return None if row is None else _entry_of(row)


def _values(entry: WaitlistEntry, now: datetime) -> dict[str, Any]:
    return {
        "branch_key": entry.branch_key,
        "service_keys": list(entry.service_keys),
        "people": entry.people,
        "first_day": entry.first_day,
        "last_day": entry.last_day,
        "first_name": entry.first_name,
        "last_name": entry.last_name,
        "email": entry.email,
        "phone": entry.phone,
        "language": entry.language,
        "status": entry.status.value,
        "offer_public_id": entry.offer_public_id,
        "offered_until": entry.offered_until,
        "updated": now,
    }


def _entry_of(row: RowMapping) -> WaitlistEntry:
    return WaitlistEntry(
        id=row["pk"],
        uuid=row["uuid"],
        branch_key=row["branch_key"],
        service_keys=tuple(row["service_keys"]),
        people=row["people"],
        first_day=row["first_day"],
        last_day=row["last_day"],
        first_name=row["first_name"],
        last_name=row["last_name"],
        email=row["email"],
        phone=row["phone"],
        language=row["language"],
        status=WaitStatus(row["status"]),
        offer_public_id=row["offer_public_id"],
        offered_until=row["offered_until"],
        created=row["created"],
    )
