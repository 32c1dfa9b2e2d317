"""Loading a catalog into the store, and reading tenants."""

from __future__ import annotations

from slotbook.catalog.schema import ApiKeyIn, CatalogIn
from slotbook.domain.errors import CatalogError, NotFound
from slotbook.domain.model import Catalog
from slotbook.services.access import hash_key
from slotbook.services.context import Slotbook, retrying
from slotbook.services.ports import CatalogKey


@retrying
def load_catalog(app: Slotbook, document: CatalogIn) -> None:
    """Apply a validated catalog in one transaction: all of it or nothing.

    Objects are created or updated by id; objects of a listed tenant that the file no longer
    lists are retired (not offered, still readable). Appointments are never touched.
    """
    now = app.now()
    with app.uows(write=True) as uow:
        for position, tenant in enumerate(document.tenants):
            uow.catalogs.apply(tenant, position, now)
            keys: dict[str, CatalogKey] = {}
            for listed in tenant.api_keys:
                entry = listed if isinstance(listed, ApiKeyIn) else ApiKeyIn(key=listed)
                key = entry.key
                digest = hash_key(key)
                owner = uow.keys.owner_of_hash(digest)
                if owner is not None and owner != tenant.id:
                    raise CatalogError(
                        [f"tenants[{position}].api_keys: a key is already used by another tenant"]
                    )
                keys[digest] = CatalogKey(key[:4], entry.effective_scope, entry.label)
            uow.keys.sync_catalog_keys(tenant.id, keys, now)
        uow.catalogs.set_order([t.id for t in document.tenants])
        uow.commit()


def tenant_catalog(app: Slotbook, tenant_key: str) -> Catalog:
    """A tenant's current catalog."""
    with app.uows() as uow:
        found = app.catalogs.get(uow, tenant_key)
    if found is None:
        raise NotFound("tenant", tenant_key, f'Unknown tenant "{tenant_key}"')
    return found


def tenant_keys(app: Slotbook) -> list[str]:
    """Every tenant id, the first tenant first."""
    with app.uows() as uow:
        return uow.catalogs.tenant_keys()
