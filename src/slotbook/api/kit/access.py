"""Who calls, and may they: one dependency per scope, the same on every surface.

A surface names how a request picks its tenant (``TenantOf``); each route then declares the
scope it needs by the dependency it takes (``Needs(tenant_of, Scope.STAFF)``). The declared
scopes are what ``docs/access.md`` lists and what the access test walks.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from fastapi import FastAPI, Request
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.concurrency import run_in_threadpool
from starlette.routing import Mount
from starlette.types import ASGIApp, Receive, Send
from starlette.types import Scope as AsgiScope

from slotbook.api.kit.http import slotbook_of
from slotbook.services.access import Access, count_write, counts_writes, identify, kept_access
from slotbook.services.actor import Scope


@dataclass(frozen=True, slots=True)
class TenantOf:
    """How a surface picks the tenant of a request.

    ``header``: the tenant the request names itself (e.g. ``X-TENANT-ID``), if any; else the
    tenant of the presented key; else, with ``first_by_default``, the first tenant.
    """

    header: Callable[[Request], str | None]
    first_by_default: bool = True


def credential(request: Request) -> str | None:
    """The presented API key or bearer token (``X-API-KEY`` or ``Authorization: Bearer``)."""
    key = request.headers.get("x-api-key")
    if key:
        return key.strip()
    auth = request.headers.get("authorization", "")
    scheme, _, value = auth.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def client_address(request: Request) -> str | None:
    """The client's address (``ClientAddress`` applies the trusted-proxy rule before)."""
    found = request.scope.get("state", {}).get("client_address")
    if isinstance(found, str):
        return found
    return request.client.host if request.client else None


def route_template(request: Request) -> str | None:
    """The route as declared (``/v1/appointments/{public_id}``) under its mount point."""
    route = request.scope.get("route")
    path = getattr(route, "path", None)
    if not isinstance(path, str):
        return None
    root: str = request.scope.get("root_path", "")
    return (root + path)[:300]


class Needs:
    """A FastAPI dependency: the caller's Access, refused unless its scope covers ``scope``.

    With ``write`` the request also counts against the client's write limit (booking scope).
    """

    def __init__(self, tenant_of: TenantOf, scope: Scope, *, write: bool = False) -> None:
        self.tenant_of = tenant_of
        self.scope = scope
        self.write = write

    async def __call__(self, request: Request) -> Access:
        slotbook = slotbook_of(request)
        asked: dict[str, Any] = {
            "tenant_key": self.tenant_of.header(request),
            "credential": credential(request),
            "tenant_from_credential": True,
            "first_by_default": self.tenant_of.first_by_default,
            "address": client_address(request),
            "route": route_template(request),
        }
        # A caller seen since the last commit is answered here, on the event loop; the
        # database is read in a worker thread.
        access = kept_access(slotbook, **asked)
        if access is None:
            access = await run_in_threadpool(partial(identify, slotbook, **asked))
        request.state.access = access  # so a refusal can be audited
        access.require(self.scope)
        if self.write and counts_writes(access):  # no thread hop for an uncounted caller
            await run_in_threadpool(count_write, slotbook, access)
        return access


@dataclass(frozen=True, slots=True)
class DeclaredRoute:
    """A route with the scope it declares (None: no key involved, e.g. the token exchange)."""

    method: str
    path: str
    scope: Scope | None
    write: bool


def declared_routes(app: FastAPI | ASGIApp, prefix: str = "") -> Iterator[DeclaredRoute]:
    """Every route of an app and its mounted apps, with the scope each declares."""
    for context in iter_route_contexts(getattr(app, "routes", [])):
        route = context.original_route
        if isinstance(route, Mount):
            if getattr(route.app, "openapi_url", "") is None:
                continue  # a mounted app with no API document (the booking page) has no API
            yield from declared_routes(route.app, prefix + route.path)
        elif isinstance(route, APIRoute) and context.include_in_schema:
            needs = _needs_of(context.dependant)
            for method in sorted(context.methods or ()):
                if method == "HEAD":
                    continue
                yield DeclaredRoute(
                    method,
                    prefix + str(context.path_format),
                    needs.scope if needs else None,
                    needs.write if needs else False,
                )


def _needs_of(dependant: Any) -> Needs | None:
    for sub in dependant.dependencies:
        if isinstance(sub.call, Needs):
            return sub.call
        found = _needs_of(sub)
        if found is not None:
            return found
    return None


class ClientAddress:
    """Put the client's address in the request state.

    It is the peer's address, unless the peer is a trusted proxy: then the nearest address
    in ``X-Forwarded-For`` that is not itself a trusted proxy. A client can write anything
    into that header, so without trusted proxies it is never read. A trusted proxy's
    ``X-Forwarded-Proto`` also sets the scheme (secure cookies behind a proxy that ends TLS).
    """

    def __init__(self, app: ASGIApp, trusted: Sequence[str] = ()) -> None:
        self.app = app
        self.trusted = [ipaddress.ip_network(t, strict=False) for t in trusted]

    def _is_trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self.trusted)

    async def __call__(self, scope: AsgiScope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            client = scope.get("client")
            address = client[0] if client else None
            scheme = scope.get("scheme")
            if address is not None and self.trusted and self._is_trusted(address):
                address = self._forwarded(scope, address)
                scheme = _forwarded_scheme(scope) or scheme
            state = dict(scope.get("state") or {})
            state["client_address"] = address
            scope = dict(scope)
            scope["state"] = state
            scope["scheme"] = scheme
        await self.app(scope, receive, send)

    def _forwarded(self, scope: AsgiScope, peer: str) -> str:
        hops: list[str] = []
        for name, value in scope.get("headers", []):
            if name == b"x-forwarded-for":
                hops += [h.strip() for h in value.decode("latin-1").split(",") if h.strip()]
        for hop in reversed(hops):
            if not self._is_trusted(hop):
                try:
                    return str(ipaddress.ip_address(hop))
                except ValueError:
                    return peer  # a malformed entry: do not trust anything beyond it
        return hops[0] if hops else peer


def _forwarded_scheme(scope: AsgiScope) -> str | None:
    """The scheme the client used, as the nearest proxy says (``http`` or ``https``)."""
    for name, value in scope.get("headers", []):
        if name == b"x-forwarded-proto":
            nearest = value.decode("latin-1").split(",")[-1].strip().lower()
            return nearest if nearest in ("http", "https") else None
    return None
