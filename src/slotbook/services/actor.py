"""Who acts: the scope of the presented key, the key and the client, for rights and the audit."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum


class Scope(StrEnum):
    """What a key may do; each scope includes the ones before it."""

    BOOKING = "booking"  # a citizen's browser or app: the catalog, availability, own bookings
    STAFF = "staff"  # the organisation's desks and server-side integrations
    ADMIN = "admin"  # catalog, keys, erasure, the audit log

    def covers(self, needed: Scope) -> bool:
        """True when this scope includes ``needed``."""
        return _RANK[self] >= _RANK[needed]


_RANK = {Scope.BOOKING: 0, Scope.STAFF: 1, Scope.ADMIN: 2}


@dataclass(frozen=True, slots=True)
class Actor:
    """Who makes a request: its rights (scope), its key and its client address."""

    scope: Scope
    key_id: int | None = None
    address: str | None = None
    route: str | None = None

    @property
    def staff(self) -> bool:
        """True for the organisation's own keys (staff or admin)."""
        return self.scope.covers(Scope.STAFF)

    @property
    def client_ref(self) -> str:
        """One client (key and address) as a short hash: what the abuse limits count per."""
        raw = f"{self.key_id if self.key_id is not None else '-'}|{self.address or '-'}"
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


SYSTEM = Actor(Scope.ADMIN, route="system")
"""The operator at the command line, and the server's own housekeeping."""
