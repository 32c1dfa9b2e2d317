"""Domain objects with defaults, shared by the unit tests."""

from __future__ import annotations

from slotbook.domain.model import ExternalIds, Localized, Service

IDS = ExternalIds("u", "1", "h")


def make_service(key: str = "s", **fields: object) -> Service:
    """A service with defaults: 10 minutes, offered at branch ``b``."""
    values: dict[str, object] = {
        "key": key,
        "public_id": key,
        "name": Localized.of(key),
        "duration": 10,
        "branch_keys": ("b",),
        "resource_keys": None,
        "ids": IDS,
    }
    values.update(fields)
    return Service(**values)  # type: ignore[arg-type]
