"""Who is calling: tenant, key and scope, the same on every surface; keys and tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from slotbook.domain.errors import (
    AuthenticationRequired,
    Forbidden,
    ForeignKeyUsed,
    NotFound,
    TooManyRequests,
)
from slotbook.domain.model import Catalog
from slotbook.services import audit
from slotbook.services.actor import SYSTEM, Actor, Scope
from slotbook.services.context import Slotbook
from slotbook.services.ports import ApiKeyInfo, UnitOfWork

TOKEN_LIFETIME = timedelta(hours=1)
ANYONE = Actor(Scope.BOOKING)
RATE_WINDOW_SECONDS = 60


def hash_key(key: str) -> str:
    """SHA-256 of a key or token. Keys are long random strings, so no slow hash is needed."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Access:
    """The tenant a request acts for, and who acts (scope, key, client)."""

    catalog: Catalog
    actor: Actor = ANYONE

    @property
    def scope(self) -> Scope:
        """The scope of the presented key (``booking`` without one)."""
        return self.actor.scope

    @property
    def internal(self) -> bool:
        """True for staff and admin keys: they may go beyond the citizens' rules."""
        return self.actor.staff

    def require(self, needed: Scope) -> None:
        """Refuse unless the caller's scope includes ``needed``: 401 without a key, else 403."""
        if self.actor.scope.covers(needed):
            return
        if self.actor.key_id is None:
            raise AuthenticationRequired(f"This needs an API key with the {needed} scope")
        raise Forbidden(
            f"This needs an API key with the {needed} scope; this key has the "
            f"{self.actor.scope} scope"
        )


def kept_access(
    app: Slotbook,
    *,
    tenant_key: str | None,
    credential: str | None,
    tenant_from_credential: bool = False,
    first_by_default: bool = True,
    address: str | None = None,
    route: str | None = None,
) -> Access | None:
    """What ``identify`` answers, if it was resolved since tenants, catalogs and keys last
    changed anywhere; else None. Never reads the database (so an event loop may ask it
    without a thread)."""
    digest = hash_key(credential) if credential else None
    asked = (tenant_key, digest, tenant_from_credential, first_by_default)
    return _kept(app, asked, app.uows.access_generation(), address, route)


def _kept(
    app: Slotbook,
    asked: tuple[str | None, str | None, bool, bool],
    generation: int | None,
    address: str | None,
    route: str | None,
) -> Access | None:
    kept = app.resolved.get(asked, generation)
    return None if kept is None else Access(kept[0], Actor(kept[1], kept[2], address, route))


def identify(
    app: Slotbook,
    *,
    tenant_key: str | None,
    credential: str | None,
    tenant_from_credential: bool = False,
    first_by_default: bool = True,
    address: str | None = None,
    route: str | None = None,
) -> Access:
    """Resolve the tenant and the caller's key (its scope is checked by ``Access.require``).

    The tenant is ``tenant_key`` when given; else, with ``tenant_from_credential``, the
    tenant of the presented key; else (``first_by_default``) the first tenant. A tenant
    that has (or had) keys needs an active one: none or an unknown one is
    AuthenticationRequired, a key of another tenant is ForeignKeyUsed. A tenant that never
    had a key serves the booking scope to anyone.
    """
    now = app.now()
    digest = hash_key(credential) if credential else None
    # Read before the database (see ``persistence.changes``): a commit after this moves it on.
    generation = app.uows.access_generation()
    asked = (tenant_key, digest, tenant_from_credential, first_by_default)
    if (kept := _kept(app, asked, generation, address, route)) is not None:
        return kept
    with app.uows() as uow:
        owner: tuple[ApiKeyInfo, str] | None = None
        catalog: Catalog | None = None
        from_token = False
        if digest is not None:
            owner, catalog = _known_key(app, uow, digest)
            if owner is None:
                found = uow.keys.find_current(digest)
                if found is not None:
                    app.keys.put(digest, found)
                    owner = (found[0], found[1])
                else:
                    # A token runs out with the clock, not with a commit: never kept.
                    owner = uow.keys.find_token(digest, now)
                    from_token = True
        if tenant_key is None:
            if tenant_from_credential and owner is not None:
                tenant_key = owner[1]
            elif not first_by_default:
                raise AuthenticationRequired(
                    "Invalid API key" if credential else "An API key is required"
                )
            else:
                keys = uow.catalogs.tenant_keys()
                if not keys:
                    raise NotFound("tenant", None, "No tenant is configured")
                tenant_key = keys[0]
        if catalog is None or catalog.key != tenant_key:
            catalog = app.catalogs.get(uow, tenant_key)
        if catalog is None:
            raise NotFound("tenant", tenant_key, f'Unknown tenant "{tenant_key}"')
        if owner is not None and owner[1] != tenant_key:
            raise ForeignKeyUsed("This API key belongs to another tenant")
        if owner is None:
            if uow.keys.tenant_has_keys(tenant_key):
                raise AuthenticationRequired(
                    "Invalid API key" if credential else "An API key is required"
                )
            resolved: tuple[Catalog, Scope, int | None] = (catalog, Scope.BOOKING, None)
        else:
            resolved = (catalog, Scope(owner[0].scope), owner[0].id)
    if not from_token:
        app.resolved.put(asked, generation, resolved)
    return Access(resolved[0], Actor(resolved[1], resolved[2], address, route))


def _known_key(
    app: Slotbook, uow: UnitOfWork, digest: str
) -> tuple[tuple[ApiKeyInfo, str] | None, Catalog | None]:
    """A cached key still valid (its tenant's revision unchanged), with that tenant's catalog
    read on the way; (None, None) when the key must be looked up."""
    cached = app.keys.get(digest)
    if cached is None:
        return None, None
    info, tenant, revision = cached
    catalog = app.catalogs.get(uow, tenant)
    if catalog is None or catalog.revision != revision:
        return None, catalog
    return (info, tenant), catalog


def counts_writes(access: Access) -> bool:
    """Whether this caller's writes are counted against the tenant's write limit."""
    return access.catalog.settings.writes_per_minute is not None and not access.actor.staff


def count_write(app: Slotbook, access: Access) -> None:
    """Count a write of a booking-scope client; TooManyRequests past the tenant's limit.

    Counted in the database, so every server process shares one count per client.
    """
    limit = access.catalog.settings.writes_per_minute
    if limit is None or not counts_writes(access):
        return
    now = app.now().timestamp()
    window = int(now) // RATE_WINDOW_SECONDS
    subject = hash_key(f"{access.catalog.key}|{access.actor.client_ref}")
    with app.uows(write=True) as uow:
        count = uow.limits.hit(subject, window)
        uow.commit()
    if count > limit:
        retry_after = int((window + 1) * RATE_WINDOW_SECONDS - now) + 1
        raise TooManyRequests(
            f"Too many changes from this client (at most {limit} a minute); "
            f"try again in {retry_after} seconds",
            retry_after=retry_after,
        )


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A bearer token handed out for an API key."""

    token: str
    lifetime: timedelta


def issue_token(app: Slotbook, *, tenant_key: str, key: str) -> IssuedToken:
    """Exchange a tenant's API key for a short-lived bearer token (with the key's scope)."""
    now = app.now()
    with app.uows(write=True) as uow:
        found = uow.keys.find(hash_key(key))
        if found is None or found[1] != tenant_key:
            raise AuthenticationRequired("Invalid client credentials")
        token = secrets.token_urlsafe(32)
        uow.keys.add_token(found[0].id, hash_key(token), now + TOKEN_LIFETIME, now)
        uow.commit()
    return IssuedToken(token, TOKEN_LIFETIME)


@dataclass(frozen=True, slots=True)
class CreatedKey:
    """A new key: shown once, stored only as a hash."""

    key: str
    info: ApiKeyInfo


def create_key(
    app: Slotbook, *, tenant_key: str, scope: Scope, label: str | None, actor: Actor = SYSTEM
) -> CreatedKey:
    """Create an operator key with a scope for a tenant."""
    now = app.now()
    key = "sk_" + secrets.token_urlsafe(32)
    with app.uows(write=True) as uow:
        catalog = app.catalogs.get(uow, tenant_key)
        if catalog is None:
            raise NotFound("tenant", tenant_key, f'Unknown tenant "{tenant_key}"')
        info = uow.keys.add(
            tenant_key,
            hash_key(key),
            key[:8],
            scope=scope.value,
            label=label,
            source="operator",
            now=now,
        )
        audit.record(uow, catalog, actor, "create_key", now, detail=f"key {info.id} ({scope})")
        uow.commit()
    return CreatedKey(key, info)


def list_keys(app: Slotbook, *, tenant_key: str | None) -> list[ApiKeyInfo]:
    """Keys (never their values), optionally of one tenant."""
    with app.uows() as uow:
        return uow.keys.list(tenant_key)


def revoke_key(
    app: Slotbook, *, key_id: int, tenant_key: str | None = None, actor: Actor = SYSTEM
) -> None:
    """Revoke a key at once (tokens issued for it stop working too).

    With ``tenant_key`` only a key of that tenant (an administrator revokes their own).
    """
    now = app.now()
    missing = NotFound("key", str(key_id), f"No active key with id {key_id}")
    with app.uows(write=True) as uow:
        owner = next((k for k in uow.keys.list(tenant_key) if k.id == key_id), None)
        if owner is None or not uow.keys.revoke(key_id, now):
            raise missing
        catalog = app.catalogs.get(uow, owner.tenant_key)
        if catalog is not None:
            audit.record(uow, catalog, actor, "revoke_key", now, detail=f"key {key_id}")
        uow.commit()
