"""What every use case gets: units of work, a clock, and the catalog cache."""

from __future__ import annotations

import functools
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, ParamSpec, TypeVar

from slotbook.domain.model import Catalog
from slotbook.services.ports import (
    ApiKeyInfo,
    Clock,
    TransientConflict,
    UnitOfWork,
    UnitOfWorkFactory,
)

P = ParamSpec("P")
R = TypeVar("R")
ATTEMPTS = 3
# Requests one server process works on at once (its thread pool), each holding at most one
# database connection: the connection pool is sized to match.
REQUEST_THREADS = 16


def retrying(use_case: Callable[P, R]) -> Callable[P, R]:
    """Run a write use case again when the database aborted it as a deadlock victim.

    Safe because a use case commits once at its end: an aborted attempt left nothing behind.
    """

    @functools.wraps(use_case)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return use_case(*args, **kwargs)
            except TransientConflict:
                if attempt == ATTEMPTS:
                    raise
        raise AssertionError("unreachable")

    return run


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


class KeyCache:
    """Active API keys by hash, trusted while their tenant's catalog revision is unchanged.

    Revoking a key moves the revision on (in the same transaction), and every request reads
    the revision anyway for its catalog: a revoked key is refused by every process at its
    next request, with no extra query for a known key.
    """

    LIMIT = 10_000  # keys are few; a flood of distinct ones must not grow the memory

    def __init__(self) -> None:
        self._items: dict[str, tuple[ApiKeyInfo, str, int]] = {}

    def get(self, key_hash: str) -> tuple[ApiKeyInfo, str, int] | None:
        """(key, tenant id, revision it was found at), if known."""
        return self._items.get(key_hash)

    def put(self, key_hash: str, found: tuple[ApiKeyInfo, str, int]) -> None:
        """Remember a key found active at a revision."""
        if len(self._items) >= self.LIMIT:
            self._items.clear()
        self._items[key_hash] = found


K = TypeVar("K")
V = TypeVar("V")


class KeptAnswers(Generic[K, V]):
    """Answers kept while the database's change generation they were read at is current.

    The reader passes the generation it took *before* reading; any commit since, in any
    process, moves the generation on and so drops every answer kept before it.
    """

    LIMIT = 10_000  # a flood of distinct questions must not grow the memory

    def __init__(self) -> None:
        self._items: dict[K, tuple[int, V]] = {}

    def get(self, asked: K, generation: int | None) -> V | None:
        """The answer kept for ``asked`` at this generation, if any."""
        if generation is None:
            return None
        found = self._items.get(asked)
        if found is None or found[0] != generation:
            return None
        return found[1]

    def put(self, asked: K, generation: int | None, answer: V) -> None:
        """Keep an answer read at ``generation`` (nothing is kept when it is unknown)."""
        if generation is None:
            return
        if len(self._items) >= self.LIMIT:
            self._items.clear()
        self._items[asked] = (generation, answer)


@dataclass
class Slotbook:
    """The application: the one object adapters call use cases with."""

    uows: UnitOfWorkFactory
    clock: Clock = field(default_factory=SystemClock)
    catalogs: CatalogCache = field(default_factory=CatalogCache)
    keys: KeyCache = field(default_factory=KeyCache)
    # (tenant asked, key hash, ...) -> (catalog, scope, key id): a request's access.
    resolved: KeptAnswers[Any, Any] = field(default_factory=KeptAnswers)
    # (catalog, question, days) -> (openings, read at, first hold's expiry): free times.
    openings: KeptAnswers[Any, Any] = field(default_factory=KeptAnswers)
    _secrets: dict[str, str] = field(default_factory=dict, repr=False)

    def now(self) -> datetime:
        """Current instant from the injected clock."""
        return self.clock.now()

    def secret(self, name: str) -> str:
        """A server secret shared by every process: made once, kept in the database."""
        found = self._secrets.get(name)
        if found is None:
            with self.uows(write=True) as uow:
                found = uow.secrets.get(name)
                if found is None:
                    made = secrets.token_urlsafe(48)
                    found = made if uow.secrets.add(name, made, self.now()) else None
                    found = found or uow.secrets.get(name)
                uow.commit()
            assert found is not None
            self._secrets[name] = found
        return found
