"""Catalog storage: one row per tenant, branch, resource, service and service group."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Connection, Table, select, update

from slotbook.catalog.convert import (
    branch_of,
    group_of,
    resource_group_of,
    resource_of,
    service_of,
)
from slotbook.catalog.schema import TenantIn
from slotbook.domain.model import (
    Catalog,
    NotificationSettings,
    PageSettings,
    SmsGateway,
    TenantSettings,
    Webhook,
)
from slotbook.persistence.ids import new_id_columns, new_public_id
from slotbook.persistence.tables import branches, resources, service_groups, services, tenants
from slotbook.services.ports import StoredObject, StoredTenant, TransientConflict

Kind = Literal["branch", "resource", "service", "service_group"]


class SqlCatalogRepository:
    """Stores catalogs; loading is create-or-update by id and never touches appointments."""

    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def tenant_keys(self) -> list[str]:
        """Tenant ids, the first tenant first."""
        rows = self._db.execute(select(tenants.c.key).order_by(tenants.c.position, tenants.c.pk))
        return list(rows.scalars())

    def revision(self, tenant_key: str) -> int | None:
        """Current catalog revision of a tenant."""
        value = self._db.execute(
            select(tenants.c.revision).where(tenants.c.key == tenant_key)
        ).scalar_one_or_none()
        return None if value is None else int(value)

    def load(self, tenant_key: str) -> Catalog | None:
        """The whole catalog of a tenant, retired objects included."""
        tenant = self._db.execute(select(tenants).where(tenants.c.key == tenant_key)).mappings()
        trow = tenant.one_or_none()
        if trow is None:
            return None
        pk = trow["pk"]
        branch_rows = self._rows(branches, pk)
        resource_rows = self._rows(resources, pk)
        by_branch: dict[int, list[Mapping[str, Any]]] = {}
        for row in resource_rows:
            by_branch.setdefault(row["branch_pk"], []).append(row)
        branch_list = tuple(
            branch_of(
                row,
                tuple(
                    resource_of(r, row["key"], row["data"]) for r in by_branch.get(row["pk"], [])
                ),
            )
            for row in branch_rows
        )
        settings = trow["settings"]
        return Catalog(
            key=trow["key"],
            name=trow["name"],
            settings=TenantSettings(
                reservation_ttl_seconds=settings.get("reservation_ttl_seconds"),
                horizon_days=settings.get("horizon_days", 60),
                min_notice_minutes=settings.get("min_notice_minutes", 0),
                default_locale=settings.get("default_locale", "en_US"),
                max_live_holds_per_client=settings.get("max_live_holds_per_client", 5),
                writes_per_minute=settings.get("writes_per_minute", 30),
                retention_days=settings.get("retention_days"),
                waitlist_hold_minutes=settings.get("waitlist_hold_minutes", 120),
                page=_page_of(settings.get("booking_page") or {}),
                notifications=_notifications_of(settings),
            ),
            branches=branch_list,
            services=tuple(service_of(r) for r in self._rows(services, pk)),
            service_groups=tuple(
                group_of(r) for r in self._rows(service_groups, pk) if r["active"]
            ),
            resource_groups=tuple(
                resource_group_of(g, trow["key"], i)
                for i, g in enumerate(settings.get("resource_groups", []))
            ),
            combinations=tuple(tuple(c) for c in settings.get("combinations", [])),
            revision=trow["revision"],
            position=trow["position"],
            created=trow["created"],
            updated=trow["updated"],
            ref=pk,
        )

    def _rows(self, table: Table, tenant_pk: int) -> list[dict[str, Any]]:
        query = (
            select(table)
            .where(table.c.tenant_pk == tenant_pk)
            .order_by(table.c.active.desc(), table.c.position, table.c.pk)
        )
        return [dict(row) for row in self._db.execute(query).mappings()]

    def stored(self, tenant_key: str) -> StoredTenant | None:
        """A tenant's catalog entries as stored, retired objects included."""
        trow = (
            self._db.execute(select(tenants).where(tenants.c.key == tenant_key))
            .mappings()
            .one_or_none()
        )
        if trow is None:
            return None
        pk = trow["pk"]
        branch_rows = self._rows(branches, pk)
        branch_keys = {row["pk"]: row["key"] for row in branch_rows}
        found: list[StoredObject] = []
        kinds: tuple[tuple[Kind, Table], ...] = (
            ("branch", branches),
            ("resource", resources),
            ("service", services),
            ("service_group", service_groups),
        )
        for kind, table in kinds:
            rows = branch_rows if table is branches else self._rows(table, pk)
            found.extend(
                StoredObject(
                    kind=kind,
                    key=row["key"],
                    uuid=row["uuid"],
                    public_id=row.get("public_id"),
                    active=row["active"],
                    data=dict(row["data"]),
                    created=row["created"],
                    updated=row["updated"],
                    branch_key=branch_keys.get(row["branch_pk"]) if "branch_pk" in row else None,
                )
                for row in rows
            )
        return StoredTenant(
            key=trow["key"],
            name=trow["name"],
            position=trow["position"],
            revision=trow["revision"],
            settings=dict(trow["settings"]),
            objects=tuple(found),
        )

    # --- writing -------------------------------------------------------------------------
    def apply(
        self,
        tenant: TenantIn,
        position: int,
        now: datetime,
        *,
        expected_revision: int | None = None,
    ) -> None:
        """Create or update a tenant's catalog objects by id; retire the ones not listed.

        With ``expected_revision`` the tenant must still be at that revision (compare and
        set), else TransientConflict: a concurrent change came first and the caller re-reads.
        """
        settings = {
            "default_locale": tenant.default_locale,
            "reservation_ttl_seconds": tenant.reservation_ttl_seconds,
            "horizon_days": tenant.horizon_days,
            "min_notice_minutes": tenant.min_notice_minutes,
            "max_live_holds_per_client": tenant.max_live_holds_per_client,
            "writes_per_minute": tenant.writes_per_minute,
            "retention_days": tenant.retention_days,
            "waitlist_hold_minutes": tenant.waitlist_hold_minutes,
            "booking_page": tenant.booking_page.model_dump(mode="json"),
            "notifications": tenant.notifications.model_dump(mode="json", by_alias=True),
            "webhooks": [w.model_dump(mode="json") for w in tenant.webhooks],
            "combinations": tenant.combinations,
            # Resource groups have no table: they live with the tenant (ids derived from theirs).
            "resource_groups": [g.model_dump(mode="json") for g in tenant.resource_groups],
        }
        existing = self._db.execute(
            select(tenants.c.pk).where(tenants.c.key == tenant.id)
        ).scalar_one_or_none()
        values = {"name": tenant.name, "position": position, "settings": settings, "updated": now}
        if existing is None:
            tenant_pk = self._db.execute(
                tenants.insert()
                .values(key=tenant.id, revision=1, created=now, **values)
                .returning(tenants.c.pk)
            ).scalar_one()
        else:
            tenant_pk = existing
            change = update(tenants).where(tenants.c.pk == tenant_pk)
            if expected_revision is not None:
                change = change.where(tenants.c.revision == expected_revision)
            done = self._db.execute(change.values(revision=tenants.c.revision + 1, **values))
            if done.rowcount != 1:
                raise TransientConflict("the catalog changed meanwhile")
        branch_pks = self._upsert(
            branches,
            tenant_pk,
            [
                (
                    b.id,
                    b.public_id,
                    b.model_dump(mode="json", exclude={"id", "public_id", "resources"}),
                    {},
                )
                for b in tenant.branches
            ],
            now,
        )
        self._upsert(
            resources,
            tenant_pk,
            [
                (
                    r.id,
                    None,
                    r.model_dump(mode="json", exclude={"id"}),
                    {"branch_pk": branch_pks[b.id]},
                )
                for b in tenant.branches
                for r in b.resources
            ],
            now,
        )
        self._upsert(
            services,
            tenant_pk,
            [
                (s.id, s.public_id, s.model_dump(mode="json", exclude={"id", "public_id"}), {})
                for s in tenant.services
            ],
            now,
        )
        self._upsert(
            service_groups,
            tenant_pk,
            [
                (g.id, None, g.model_dump(mode="json", exclude={"id"}), {})
                for g in tenant.service_groups
            ],
            now,
        )

    def _upsert(
        self,
        table: Table,
        tenant_pk: int,
        items: list[tuple[str, str | None, dict[str, Any], dict[str, Any]]],
        now: datetime,
    ) -> dict[str, int]:
        """Insert new objects, update changed ones, retire missing ones; key -> pk."""
        has_public_id = "public_id" in table.c
        current = {
            row["key"]: row
            for row in self._db.execute(
                select(table).where(table.c.tenant_pk == tenant_pk)
            ).mappings()
        }
        pks: dict[str, int] = {}
        for position, (key, public_id, data, extra) in enumerate(items):
            row = current.get(key)
            values: dict[str, Any] = {"data": data, "position": position, "active": True, **extra}
            if has_public_id and (public_id is not None or row is None):
                values["public_id"] = public_id or new_public_id()
            if row is None:
                pks[key] = self._db.execute(
                    table.insert()
                    .values(
                        tenant_pk=tenant_pk,
                        key=key,
                        created=now,
                        updated=now,
                        **new_id_columns(),
                        **values,
                    )
                    .returning(table.c.pk)
                ).scalar_one()
                continue
            pks[key] = row["pk"]
            if any(row[name] != value for name, value in values.items()):
                self._db.execute(
                    update(table).where(table.c.pk == row["pk"]).values(updated=now, **values)
                )
        missing = [row["pk"] for key, row in current.items() if key not in pks and row["active"]]
        if missing:
            self._db.execute(
                update(table).where(table.c.pk.in_(missing)).values(active=False, updated=now)
            )
        return pks

    def set_order(self, first: list[str]) -> None:
        """Put the given tenants first, in this order; the rest keep their relative order."""
        others = [k for k in self.tenant_keys() if k not in first]
        for position, key in enumerate([*first, *others]):
            self._db.execute(update(tenants).where(tenants.c.key == key).values(position=position))


def _page_of(data: dict[str, Any]) -> PageSettings:
    return PageSettings(
        name=data.get("name"),
        logo_url=data.get("logo_url"),
        primary_colour=data.get("primary_colour"),
        frame_ancestors=tuple(data.get("frame_ancestors") or ()),
    )


def _notifications_of(settings: dict[str, Any]) -> NotificationSettings:
    data = settings.get("notifications") or {}
    sms = data.get("sms")
    return NotificationSettings(
        sender=data.get("from"),
        reply_to=data.get("reply_to"),
        email=data.get("email", True),
        reminders=tuple(data.get("reminders", (1440,))),
        reminder_grace_minutes=data.get("reminder_grace_minutes", 60),
        sms=SmsGateway(sms["url"], sms.get("token"), sms.get("template")) if sms else None,
        webhooks=tuple(
            Webhook(w["url"], w["secret"], tuple(w.get("events", ("*",))))
            for w in settings.get("webhooks", [])
        ),
    )
