"""Changing a tenant's catalog one object at a time, through the catalog file's validation.

Every change rebuilds the tenant's catalog document (the catalog file's shape) from what is
stored, applies the change to it, validates the whole document with the file loader's rules
and stores it as a catalog load would: the API and the file can never disagree on what a
valid catalog is. API keys are not part of the document and are left as they are.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from slotbook.catalog.loader import validate_tenant
from slotbook.domain.errors import CatalogError, NotFound
from slotbook.services.context import Slotbook, retrying
from slotbook.services.ports import StoredObject, StoredTenant, UnitOfWork

Kind = Literal["branch", "resource", "service", "service_group"]
# Where each kind lives in a tenant's catalog document.
LISTS: dict[Kind, str] = {
    "branch": "branches",
    "resource": "resources",
    "service": "services",
    "service_group": "service_groups",
}
# Tenant settings kept in the stored settings under the catalog file's own key names.
_SETTINGS = (
    "default_locale",
    "reservation_ttl_seconds",
    "horizon_days",
    "min_notice_minutes",
    "max_live_holds_per_client",
    "writes_per_minute",
    "retention_days",
    "waitlist_hold_minutes",
    "booking_page",
    "notifications",
    "webhooks",
    "combinations",
)


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    """One catalog object: its catalog-file entry and its stored identity.

    ``entry`` is what the catalog file would say (``id`` included); a resource's entry also
    names its ``branch``, and a branch's leaves its resources out.
    """

    kind: Kind
    id: str
    uuid: str
    retired: bool
    created: datetime
    updated: datetime
    entry: dict[str, Any]


Document = dict[str, Any]
Change = Callable[[StoredTenant, Document], None]


def _entry_of(item: StoredObject) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": item.key}
    if item.kind in ("branch", "service") and item.public_id:
        entry["public_id"] = item.public_id
    if item.kind == "resource":
        entry["branch"] = item.branch_key
    entry.update(copy.deepcopy(item.data))
    return entry


def _as_entry(item: StoredObject) -> CatalogEntry:
    return CatalogEntry(
        kind=item.kind,
        id=item.key,
        uuid=item.uuid,
        retired=not item.active,
        created=item.created,
        updated=item.updated,
        entry=_entry_of(item),
    )


def document_of(stored: StoredTenant) -> Document:
    """The tenant's current catalog as the catalog file writes it (without API keys)."""
    settings = stored.settings
    document: Document = {"id": stored.key, "name": stored.name}
    document.update({name: copy.deepcopy(settings[name]) for name in _SETTINGS if name in settings})
    live = [item for item in stored.objects if item.active]
    document["branches"] = []
    for branch in (item for item in live if item.kind == "branch"):
        entry = _entry_of(branch)
        entry["resources"] = [
            {k: v for k, v in _entry_of(r).items() if k != "branch"}
            for r in live
            if r.kind == "resource" and r.branch_key == branch.key
        ]
        document["branches"].append(entry)
    for kind in ("service", "service_group"):
        document[LISTS[kind]] = [_entry_of(i) for i in live if i.kind == kind]
    return document


def _stored(uow: UnitOfWork, tenant_key: str) -> StoredTenant:
    found = uow.catalogs.stored(tenant_key)
    if found is None:
        raise NotFound("tenant", tenant_key, f'Unknown tenant "{tenant_key}"')
    return found


def _find(stored: StoredTenant, kind: Kind, alias: str) -> StoredObject:
    """An object of a kind by its catalog id, UUID or public id (the live one first)."""
    wanted = alias.lower()
    matches = [
        item
        for item in stored.objects
        if item.kind == kind
        and (item.key == alias or item.uuid == wanted or (item.public_id or "").lower() == wanted)
    ]
    if not matches:
        raise NotFound(kind, alias, f'No {kind.replace("_", " ")} "{alias}"')
    return sorted(matches, key=lambda item: not item.active)[0]


def listing(
    app: Slotbook, tenant_key: str, kind: Kind, *, include_retired: bool = False
) -> list[CatalogEntry]:
    """A kind's objects in catalog order; retired ones (after the live) when asked."""
    with app.uows() as uow:
        stored = _stored(uow, tenant_key)
    return [
        _as_entry(item)
        for item in stored.objects
        if item.kind == kind and (include_retired or item.active)
    ]


def read(app: Slotbook, tenant_key: str, kind: Kind, alias: str) -> CatalogEntry:
    """One object, live or retired."""
    with app.uows() as uow:
        stored = _stored(uow, tenant_key)
    return _as_entry(_find(stored, kind, alias))


def combinations(app: Slotbook, tenant_key: str) -> list[list[str]]:
    """The services that may be booked together, as the catalog lists them."""
    with app.uows() as uow:
        stored = _stored(uow, tenant_key)
    return [list(c) for c in stored.settings.get("combinations", [])]


@retrying
def _change(app: Slotbook, tenant_key: str, change: Change) -> StoredTenant:
    """Apply ``change`` to the tenant's document, validate it like a file, store it."""
    with app.uows(write=True) as uow:
        stored = _stored(uow, tenant_key)
        document = document_of(stored)
        change(stored, document)
        tenant = validate_tenant(document)
        uow.catalogs.apply(tenant, stored.position, app.now(), expected_revision=stored.revision)
        after = _stored(uow, tenant_key)
        uow.commit()
    return after


def _place(document: Document, kind: Kind) -> list[dict[str, Any]]:
    """The document's list of a kind (not resources: they sit in their branches)."""
    found: list[dict[str, Any]] = document[LISTS[kind]]
    return found


def _branch_entry(document: Document, branch: Any) -> dict[str, Any]:
    if not isinstance(branch, str):
        raise CatalogError(["branch: give the id of the resource's branch"])
    for entry in document["branches"]:
        if entry["id"] == branch:
            found: dict[str, Any] = entry
            return found
    raise CatalogError([f'branch: unknown branch "{branch}"'])


def _put(document: Document, kind: Kind, entry: dict[str, Any], old_key: str | None) -> None:
    """Put ``entry`` in the document, in place of the object ``old_key`` (else at the end)."""
    if kind == "resource":
        entry = dict(entry)
        branch = _branch_entry(document, entry.pop("branch", None))
        for owner in document["branches"]:
            for index, res in enumerate(owner["resources"]):
                if res["id"] == old_key:
                    if owner is branch:
                        owner["resources"][index] = entry
                        return
                    del owner["resources"][index]
                    break
        branch["resources"].append(entry)
        return
    items = _place(document, kind)
    for index, item in enumerate(items):
        if item["id"] == old_key:
            items[index] = entry
            return
    items.append(entry)


def _remove(document: Document, kind: Kind, key: str) -> None:
    if kind == "resource":
        for owner in document["branches"]:
            owner["resources"] = [r for r in owner["resources"] if r["id"] != key]
        return
    document[LISTS[kind]] = [i for i in _place(document, kind) if i["id"] != key]


def _check_entry(kind: Kind, entry: Any) -> dict[str, Any]:
    if not isinstance(entry, dict):
        raise CatalogError([f"{LISTS[kind]}: give the object as a JSON object"])
    if kind == "branch" and "resources" in entry:
        raise CatalogError(["resources: add and change a branch's resources one by one"])
    return dict(entry)


def create(app: Slotbook, tenant_key: str, kind: Kind, entry: Any) -> CatalogEntry:
    """Add an object (a retired one with the same id comes back with this entry)."""
    wanted = _check_entry(kind, entry)
    key = wanted.get("id")

    def add(stored: StoredTenant, document: Document) -> None:
        if any(i.kind == kind and i.active and i.key == key for i in stored.objects):
            raise CatalogError([f'id: "{key}" is already in use'])
        if kind == "branch":
            wanted["resources"] = []
        _put(document, kind, wanted, None)

    after = _change(app, tenant_key, add)
    return _as_entry(_find(after, kind, str(key)))


def update(
    app: Slotbook,
    tenant_key: str,
    kind: Kind,
    alias: str,
    edit: Callable[[dict[str, Any]], Any],
) -> CatalogEntry:
    """Change a live object: ``edit`` gets its current entry and returns the new one."""
    key: str | None = None

    def change(stored: StoredTenant, document: Document) -> None:
        nonlocal key
        key = _live(stored, kind, alias).key
        current = _find_live(document, kind, key)
        shown = {k: v for k, v in current.items() if not (kind == "branch" and k == "resources")}
        new = _check_entry(kind, edit(copy.deepcopy(shown)))
        if new.get("id", key) != key:
            raise CatalogError(["id: an object keeps its id (retire it and add a new one)"])
        new["id"] = key
        if kind == "branch":
            new["resources"] = current["resources"]
        _put(document, kind, new, key)

    after = _change(app, tenant_key, change)
    assert key is not None
    return _as_entry(_find(after, kind, key))


def _find_live(document: Document, kind: Kind, alias: str) -> dict[str, Any]:
    """A live object's entry in the document by id; NotFound otherwise."""
    if kind == "resource":
        for branch in document["branches"]:
            for res in branch["resources"]:
                if res["id"] == alias:
                    return {"branch": branch["id"], **res}
    else:
        for item in _place(document, kind):
            if item["id"] == alias:
                entry: dict[str, Any] = item
                return entry
    raise NotFound(kind, alias, f'No {kind.replace("_", " ")} "{alias}" in use')


def _live(stored: StoredTenant, kind: Kind, alias: str) -> StoredObject:
    item = _find(stored, kind, alias)
    if not item.active:
        raise NotFound(kind, alias, f'The {kind.replace("_", " ")} "{alias}" is retired')
    return item


def retire(app: Slotbook, tenant_key: str, kind: Kind, alias: str) -> None:
    """Retire an object: not offered any more, still readable; its appointments stay."""

    def change(stored: StoredTenant, document: Document) -> None:
        _remove(document, kind, _live(stored, kind, alias).key)

    _change(app, tenant_key, change)


def set_combinations(app: Slotbook, tenant_key: str, combos: Any) -> list[list[str]]:
    """Replace the services that may be booked together."""

    def change(_stored: StoredTenant, document: Document) -> None:
        document["combinations"] = combos

    after = _change(app, tenant_key, change)
    return [list(c) for c in after.settings.get("combinations", [])]
