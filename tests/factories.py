"""Test data with sensible defaults: the issue's example catalog and variations of it."""

from __future__ import annotations

import copy
from typing import Any

ISSUE_CATALOG: dict[str, Any] = {
    "tenants": [
        {
            "id": "acme",
            "name": "Acme Municipality",
            "reservation_ttl_seconds": 600,
            "branches": [
                {
                    "id": "north",
                    "name": "North Office",
                    "time_zone": "Europe/Amsterdam",
                    "address": {
                        "line1": "Lageweg 35",
                        "line2": None,
                        "city": "Katwijk",
                        "state": None,
                        "zip": "2222 AG",
                        "country": "Netherlands",
                    },
                    "hours": {
                        "mon": ["09:00-12:00", "13:00-17:00"],
                        "tue": ["09:00-17:00"],
                        "sat": [],
                    },
                    "closed": ["2026-12-25"],
                    "resources": [
                        {"id": "desk-1", "name": "Desk 1"},
                        {"id": "room-1", "name": "Room 1"},
                    ],
                }
            ],
            "services": [
                {
                    "id": "passport",
                    "public_id": "Paspoort",
                    "name": "Passport",
                    "duration": 10,
                    "additional_customer_duration": 5,
                    "slot_step": 5,
                    "branches": ["north"],
                    "resources": ["desk-1"],
                },
                {"id": "idcard", "name": "ID card", "duration": 10, "branches": ["north"]},
                {
                    "id": "workshop",
                    "name": "Citizenship workshop",
                    "duration": 60,
                    "slot_step": 60,
                    "capacity": 5,
                    "branches": ["north"],
                    "resources": ["room-1"],
                },
            ],
            "combinations": [["passport", "idcard"]],
        }
    ]
}


def issue_catalog(**tenant_overrides: Any) -> dict[str, Any]:
    """A deep copy of the issue's example catalog, with tenant keys overridden."""
    catalog = copy.deepcopy(ISSUE_CATALOG)
    catalog["tenants"][0].update(tenant_overrides)
    return catalog


def every_day(ranges: list[str] | None = None) -> dict[str, list[str]]:
    """Opening hours on all seven days."""
    return {
        day: list(ranges or ["09:00-17:00"])
        for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    }


def passport(**more: Any) -> dict[str, Any]:
    """A 10-minute passport service at the North Office."""
    return {"id": "passport", "name": "Passport", "duration": 10, "branches": ["north"], **more}


def one_office(
    *,
    keys: dict[str, str] | None = None,
    hours: str = "09:00-17:00",
    desks: int = 1,
    services: list[dict[str, Any]] | None = None,
    public_ids: bool = False,
    **tenant: Any,
) -> dict[str, Any]:
    """Tenant ``acme`` with one branch (``north``, Amsterdam, open every day) and its desks.

    ``keys`` maps API keys to their scopes; the services default to ``passport()``.
    """
    branch: dict[str, Any] = {
        "id": "north",
        "name": "North Office",
        "time_zone": "Europe/Amsterdam",
        "hours": every_day([hours]),
        "resources": [{"id": f"desk-{n}", "name": f"Desk {n}"} for n in range(1, desks + 1)],
    }
    if public_ids:
        branch["public_id"] = "north"
    data: dict[str, Any] = {
        "id": "acme",
        "name": "Acme",
        "api_keys": [{"key": key, "scope": scope} for key, scope in (keys or {}).items()],
        "branches": [branch],
        "services": services if services is not None else [passport()],
        **tenant,
    }
    return {"tenants": [data]}
