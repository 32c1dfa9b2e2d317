"""What every use case gets: units of work, a clock, and the catalog cache."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime

from slotbook.domain.model import Catalog
from slotbook.services.ports import Clock, UnitOfWork, UnitOfWorkFactory


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        """The current instant in UTC."""
        return datetime.now(UTC)


class CatalogCache:
    """Parsed catalogs per tenant, reused while the stored revision is unchanged.

    Every process checks the revision (one indexed read) before use, so a catalog loaded
    by another process is seen at once.
    """

    def __init__(self) -> None:
        self._items: dict[str, Catalog] = {}
        self._lock = threading.Lock()

    def get(self, uow: UnitOfWork, tenant_key: str) -> Catalog | None:
        """The tenant's current catalog, or None for an unknown tenant."""
        revision = uow.catalogs.revision(tenant_key)
        if revision is None:
            return None
        cached = self._items.get(tenant_key)
        if cached is not None and cached.revision == revision:
            return cached
        loaded = uow.catalogs.load(tenant_key)
        if loaded is not None:
            with self._lock:
                self._items[tenant_key] = loaded
        return loaded


@dataclass
class Slotbook:
    """The application: the one object adapters call use cases with."""

    uows: UnitOfWorkFactory
    clock: Clock = field(default_factory=SystemClock)
    catalogs: CatalogCache = field(default_factory=CatalogCache)

    def now(self) -> datetime:
        """Current instant from the injected clock."""
        return self.clock.now()
