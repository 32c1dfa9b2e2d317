"""Readiness: is the database reachable, and does it have the schema this version needs?"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slotbook.services.context import Slotbook


@dataclass(frozen=True, slots=True)
class Readiness:
    """What ``/ready`` reports."""

    database: bool
    schema: str | None
    expected: str

    @property
    def ready(self) -> bool:
        """True when requests can be served."""
        return self.database and self.schema == self.expected

    def as_json(self) -> dict[str, Any]:
        """The answer's body."""
        return {
            "status": "ready" if self.ready else "not ready",
            "database": "ok" if self.database else "unreachable",
            "schema": self.schema,
            "expected_schema": self.expected,
        }


def readiness(app: Slotbook) -> Readiness:
    """Check the database and its schema revision (one short query)."""
    expected = app.uows.expected_schema()
    try:
        found = app.uows.schema_revision()
    except Exception:  # any failure to reach the database means not ready
        return Readiness(False, None, expected)
    return Readiness(True, found, expected)
