"""Who is calling: tenant resolution and API-key checks, the same on every surface."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from slotbook.domain.errors import AuthenticationRequired, ForeignKeyUsed, NotFound
from slotbook.domain.model import Catalog
from slotbook.services.context import Slotbook
from slotbook.services.ports import ApiKeyInfo

TOKEN_LIFETIME = timedelta(hours=1)


def hash_key(key: str) -> str:
    """SHA-256 of a key or token. Keys are long random strings, so no slow hash is needed."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Access:
    """The tenant a request acts for, and whether it holds an internal key."""

    catalog: Catalog
    internal: bool = False


def authorize(
    app: Slotbook,
    *,
    tenant_key: str | None,
    credential: str | None,
    tenant_from_credential: bool = False,
) -> Access:
    """Resolve the tenant and check the key.

    The tenant is ``tenant_key`` when given; else, with ``tenant_from_credential``, the
    tenant of the presented key; else the first tenant. A tenant that has (or had) keys needs
    an active one: none or an unknown one is AuthenticationRequired, a key of another tenant
    is ForeignKeyUsed. A tenant that never had a key is open.
    """
    now = app.now()
    with app.uows() as uow:
        owner: tuple[ApiKeyInfo, str] | None = None
        if credential:
            digest = hash_key(credential)
            owner = uow.keys.find(digest) or uow.keys.find_token(digest, now)
        if tenant_key is None:
            if tenant_from_credential and owner is not None:
                tenant_key = owner[1]
            else:
                keys = uow.catalogs.tenant_keys()
                if not keys:
                    raise NotFound("tenant", None, "No tenant is configured")
                tenant_key = keys[0]
        catalog = app.catalogs.get(uow, tenant_key)
        if catalog is None:
            raise NotFound("tenant", tenant_key, f'Unknown tenant "{tenant_key}"')
        if owner is not None and owner[1] != tenant_key:
            raise ForeignKeyUsed("This API key belongs to another tenant")
        if not uow.keys.tenant_has_keys(tenant_key):
            return Access(catalog, internal=False)
        if not credential:
            raise AuthenticationRequired("An API key is required")
        if owner is None:
            raise AuthenticationRequired("Invalid API key")
        return Access(catalog, internal=owner[0].internal)


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A bearer token handed out for an API key."""

    token: str
    lifetime: timedelta


def issue_token(app: Slotbook, *, tenant_key: str, key: str) -> IssuedToken:
    """Exchange a tenant's API key for a short-lived bearer token."""
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


def create_key(app: Slotbook, *, tenant_key: str, internal: bool, label: str | None) -> CreatedKey:
    """Create an operator key for a tenant."""
    now = app.now()
    key = "sk_" + secrets.token_urlsafe(32)
    with app.uows(write=True) as uow:
        if uow.catalogs.revision(tenant_key) is None:
            raise NotFound("tenant", tenant_key, f'Unknown tenant "{tenant_key}"')
        info = uow.keys.add(
            tenant_key,
            hash_key(key),
            key[:8],
            internal=internal,
            label=label,
            source="operator",
            now=now,
        )
        uow.commit()
    return CreatedKey(key, info)


def list_keys(app: Slotbook, *, tenant_key: str | None) -> list[ApiKeyInfo]:
    """Keys (never their values), optionally of one tenant."""
    with app.uows() as uow:
        return uow.keys.list(tenant_key)


def revoke_key(app: Slotbook, *, key_id: int) -> None:
    """Revoke a key at once (tokens issued for it stop working too)."""
    with app.uows(write=True) as uow:
        if not uow.keys.revoke(key_id, app.now()):
            raise NotFound("key", str(key_id), f"No active key with id {key_id}")
        uow.commit()
