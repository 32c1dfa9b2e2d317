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
