"""Loading catalogs into the store: idempotent, all-or-nothing, never touching appointments."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from slotbook.catalog.loader import validate_catalog
from slotbook.domain.errors import CatalogError, NotFound
from slotbook.domain.model import Status
from slotbook.services.availability import SlotQuery
from slotbook.services.booking import place
from slotbook.services.catalog import load_catalog, tenant_catalog, tenant_keys
from slotbook.services.context import Slotbook
from slotbook.services.queries import get_appointment
from tests.factories import issue_catalog

MakeSlotbook = Callable[[dict[str, Any]], Slotbook]


def test_loading_twice_keeps_ids_and_changes_nothing_else(make_slotbook: MakeSlotbook) -> None:
    app = make_slotbook(issue_catalog())
    first = tenant_catalog(app, "acme")
    load_catalog(app, validate_catalog(issue_catalog()))
    second = tenant_catalog(app, "acme")
    assert second.revision == first.revision + 1
    assert [b.public_id for b in second.branches] == [b.public_id for b in first.branches]
    assert [s.ids for s in second.services] == [s.ids for s in first.services]
    assert second.service("passport").updated == first.service("passport").updated


def test_update_by_id_and_retire_what_is_gone_without_touching_appointments(
    make_slotbook: MakeSlotbook,
) -> None:
    app = make_slotbook(issue_catalog())
    catalog = tenant_catalog(app, "acme")
    booked = place(
        app,
        catalog,
        query=SlotQuery(branch=catalog.branch("north"), services=(catalog.service("idcard"),)),
        start=datetime(2030, 3, 4, 8, 0, tzinfo=UTC),
        status=Status.CONFIRMED,
    )
    changed = issue_catalog()
    services = changed["tenants"][0]["services"]
    services[0]["name"] = "Passport (new)"
    changed["tenants"][0]["services"] = [services[0], services[2]]
    changed["tenants"][0]["combinations"] = []
    load_catalog(app, validate_catalog(changed))
    reloaded = tenant_catalog(app, "acme")
    assert reloaded.service("passport").name.get(None) == "Passport (new)"
    with pytest.raises(NotFound):
        reloaded.service("idcard")
    assert reloaded.service("idcard", include_retired=True).name.get(None) == "ID card"
    kept = get_appointment(app, reloaded, ("public_id", booked.public_id))
    assert (kept.status, kept.start, kept.service_keys) == (
        Status.CONFIRMED,
        booked.start,
        ("idcard",),
    )


def test_a_catalog_refused_while_applying_changes_nothing(make_slotbook: MakeSlotbook) -> None:
    app = make_slotbook(issue_catalog())
    other: dict[str, Any] = {
        "tenants": [{"id": "other", "name": "Other", "api_keys": ["other-key-1"]}]
    }
    load_catalog(app, validate_catalog(other))
    before = tenant_catalog(app, "acme")
    # Valid on its own, but the key already belongs to tenant "other": found half-way through.
    broken = issue_catalog(name="Renamed", api_keys=["other-key-1"])
    with pytest.raises(CatalogError, match="another tenant"):
        load_catalog(app, validate_catalog(broken))
    after = tenant_catalog(app, "acme")
    assert (after.name, after.revision) == (before.name, before.revision)


def test_the_first_tenant_of_the_file_comes_first(make_slotbook: MakeSlotbook) -> None:
    app = make_slotbook(issue_catalog())
    two: dict[str, Any] = issue_catalog()
    extra = issue_catalog()["tenants"][0]
    extra["id"] = "bravo"
    two["tenants"].insert(0, extra)
    load_catalog(app, validate_catalog(two))
    assert tenant_keys(app) == ["bravo", "acme"]
