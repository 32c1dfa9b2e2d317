"""API keys (SHA-256 hashes only) and bearer tokens exchanged for them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, RowMapping, select, update

from slotbook.persistence.tables import access_tokens, api_keys, tenants
from slotbook.services.ports import ApiKeyInfo, CatalogKey


def _info(row: RowMapping) -> ApiKeyInfo:
    return ApiKeyInfo(
        id=row["pk"],
        tenant_key=row["tenant_key"],
        prefix=row["prefix"],
        label=row["label"],
        scope=row["scope"],
        source=row["source"],
        created=row["created"],
        revoked=row["revoked"],
    )


_KEYS = select(
    api_keys, tenants.c.key.label("tenant_key"), tenants.c.revision.label("tenant_revision")
).join(tenants, tenants.c.pk == api_keys.c.tenant_pk)


class SqlKeyRepository:
    """Key storage; plain keys never reach the database."""

    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def find(self, key_hash: str) -> tuple[ApiKeyInfo, str] | None:
        """An active key by hash, with its tenant id."""
        row = (
            self._db.execute(
                _KEYS.where(api_keys.c.key_hash == key_hash, api_keys.c.revoked.is_(None))
            )
            .mappings()
            .one_or_none()
        )
        return None if row is None else (_info(row), row["tenant_key"])

    def find_current(self, key_hash: str) -> tuple[ApiKeyInfo, str, int] | None:
        """An active key by hash, with its tenant id and the tenant's catalog revision, read
        together: a key found at a revision stays valid while the revision is unchanged."""
        row = (
            self._db.execute(
                _KEYS.where(api_keys.c.key_hash == key_hash, api_keys.c.revoked.is_(None))
            )
            .mappings()
            .one_or_none()
        )
        return None if row is None else (_info(row), row["tenant_key"], row["tenant_revision"])

    def owner_of_hash(self, key_hash: str) -> str | None:
        """Tenant id of any key (active or not) with this hash."""
        row = self._db.execute(_KEYS.where(api_keys.c.key_hash == key_hash)).mappings()
        found = row.one_or_none()
        return None if found is None else str(found["tenant_key"])

    def tenant_has_keys(self, tenant_key: str) -> bool:
        """True when the tenant has or ever had a key: revoking every key locks it, not opens it."""
        row = self._db.execute(_KEYS.where(tenants.c.key == tenant_key).limit(1)).first()
        return row is not None

    def _tenant_pk(self, tenant_key: str) -> int:
        return int(
            self._db.execute(select(tenants.c.pk).where(tenants.c.key == tenant_key)).scalar_one()
        )

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
        pk = self._db.execute(
            api_keys.insert()
            .values(
                tenant_pk=self._tenant_pk(tenant_key),
                key_hash=key_hash,
                prefix=prefix,
                label=label,
                scope=scope,
                source=source,
                created=now,
            )
            .returning(api_keys.c.pk)
        ).scalar_one()
        return _info(self._db.execute(_KEYS.where(api_keys.c.pk == pk)).mappings().one())

    def sync_catalog_keys(
        self, tenant_key: str, keys: dict[str, CatalogKey], now: datetime
    ) -> None:
        """Add the catalog's keys (by hash) and revoke catalog keys the file dropped."""
        tenant_pk = self._tenant_pk(tenant_key)
        rows = self._db.execute(
            select(api_keys).where(api_keys.c.tenant_pk == tenant_pk)
        ).mappings()
        existing = {row["key_hash"]: row for row in rows}
        for key_hash, entry in keys.items():
            row = existing.get(key_hash)
            label = entry.label or "catalog"
            if row is None:
                self.add(
                    tenant_key,
                    key_hash,
                    entry.prefix,
                    scope=entry.scope,
                    label=label,
                    source="catalog",
                    now=now,
                )
            elif (row["scope"], row["label"]) != (entry.scope, label):
                # A revoked key stays revoked even if the file still lists it: an operator who
                # revoked a leaked key must not see it come back with the next start.
                self._db.execute(
                    update(api_keys)
                    .where(api_keys.c.pk == row["pk"])
                    .values(scope=entry.scope, label=label)
                )
        stale = [
            row["pk"]
            for key_hash, row in existing.items()
            if row["source"] == "catalog" and key_hash not in keys and row["revoked"] is None
        ]
        if stale:
            self._db.execute(update(api_keys).where(api_keys.c.pk.in_(stale)).values(revoked=now))

    def list(self, tenant_key: str | None) -> list[ApiKeyInfo]:
        """Keys, optionally of one tenant."""
        query = _KEYS.order_by(tenants.c.position, api_keys.c.pk)
        if tenant_key is not None:
            query = query.where(tenants.c.key == tenant_key)
        return [_info(row) for row in self._db.execute(query).mappings()]

    def revoke(self, key_id: int, now: datetime) -> bool:
        """Revoke a key; False when there is no such active key.

        The tenant's catalog revision moves on with it, so every process stops trusting the
        key from its cache at its next request.
        """
        result = self._db.execute(
            update(api_keys)
            .where(api_keys.c.pk == key_id, api_keys.c.revoked.is_(None))
            .values(revoked=now)
        )
        if not result.rowcount:
            return False
        owner = select(api_keys.c.tenant_pk).where(api_keys.c.pk == key_id).scalar_subquery()
        self._db.execute(
            update(tenants).where(tenants.c.pk == owner).values(revision=tenants.c.revision + 1)
        )
        return True

    def add_token(self, key_id: int, token_hash: str, expires_at: datetime, now: datetime) -> None:
        """Store a bearer token exchanged for a key."""
        self._db.execute(
            access_tokens.insert().values(
                tenant_pk=select(api_keys.c.tenant_pk)
                .where(api_keys.c.pk == key_id)
                .scalar_subquery(),
                token_hash=token_hash,
                api_key_pk=key_id,
                expires_at=expires_at,
                created=now,
            )
        )

    def find_token(self, token_hash: str, now: datetime) -> tuple[ApiKeyInfo, str] | None:
        """The active key behind an unexpired token, with its tenant id."""
        row = (
            self._db.execute(
                _KEYS.join(access_tokens, access_tokens.c.api_key_pk == api_keys.c.pk).where(
                    access_tokens.c.token_hash == token_hash,
                    access_tokens.c.expires_at > now,
                    api_keys.c.revoked.is_(None),
                )
            )
            .mappings()
            .one_or_none()
        )
        return None if row is None else (_info(row), row["tenant_key"])
