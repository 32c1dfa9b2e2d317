"""The native API's administration routes: keys, erasure, the audit log (``admin`` scope).

The rest of the native API (catalog objects, bookings, the staff day) follows in its own
issue; these are the pieces the access rules need now.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

from fastapi import FastAPI, Request
from starlette.responses import Response

from slotbook.api.kit.docs import new_surface
from slotbook.api.kit.errors import install_error_handlers
from slotbook.api.kit.http import JSON, parse_model, slotbook_of
from slotbook.api.kit.parsers import parse_date, parse_int
from slotbook.api.native.deps import AdminAccess, AdminWriteAccess, BodyDep
from slotbook.api.native.errors import TABLE, render_problem
from slotbook.api.native.mapping import audit_out, key_out
from slotbook.api.native.schemas import (
    AuditPage,
    CreatedKeyOut,
    ErasedOut,
    EraseIn,
    KeyIn,
    KeyList,
    Problem,
)
from slotbook.services import access as keys
from slotbook.services import audit, privacy
from slotbook.services.actor import Scope
from slotbook.services.context import Slotbook

_PROBLEMS: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "content": {"application/problem+json": {}}}
    for status in (400, 401, 403, 404, 429)
}


def create_surface(slotbook: Slotbook) -> FastAPI:
    """The native API app (mounted at ``/api/v1``)."""
    app = new_surface(
        "Slotbook API",
        slotbook,
        description="Slotbook's own API. Send `Authorization: Bearer <key>`; the key's scope "
        "decides what it may do (see docs/access.md).",
        schemes={"bearer": {"type": "http", "scheme": "bearer"}},
    )
    install_error_handlers(
        app, render_problem, TABLE, bad_input_code="invalid_request", not_found_code="not_found"
    )
    _admin_routes(app)
    return app


def _admin_routes(app: FastAPI) -> None:
    @app.post(
        "/customers/erase",
        response_model=ErasedOut,
        responses=_PROBLEMS,
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": EraseIn.model_json_schema()}},
            }
        },
    )
    def erase_customer(request: Request, access: AdminWriteAccess, body: BodyDep) -> JSON:
        """Anonymise a customer everywhere (by e-mail, external id or id); times stay."""
        wanted = parse_model(EraseIn, body)
        done = privacy.erase_customer(
            slotbook_of(request),
            access.catalog,
            email=wanted.email,
            external_id=wanted.external_id,
            customer_id=wanted.id,
            actor=access.actor,
        )
        return JSON({"customers": done.customers, "appointments": done.appointments})

    @app.get("/audit", response_model=AuditPage, responses=_PROBLEMS)
    def audit_log(
        request: Request,
        access: AdminAccess,
        since: str | None = None,
        limit: str | None = None,
    ) -> JSON:
        """The tenant's audit log from ``since`` (YYYY-MM-DD, UTC) on, oldest first."""
        first = parse_date(since, "since") if since else None
        count = parse_int(limit, "limit", 1, audit.MAX_ENTRIES, default=1000) or 1000
        entries = audit.read_log(
            slotbook_of(request),
            access.catalog,
            since=datetime.combine(first, time(0), tzinfo=UTC) if first else None,
            limit=count,
        )
        return JSON({"data": [audit_out(e).model_dump(mode="json") for e in entries]})

    @app.get("/keys", response_model=KeyList, responses=_PROBLEMS)
    def list_keys(request: Request, access: AdminAccess) -> JSON:
        """The tenant's API keys (never their values)."""
        found = keys.list_keys(slotbook_of(request), tenant_key=access.catalog.key)
        return JSON({"data": [key_out(k).model_dump(mode="json") for k in found]})

    @app.post(
        "/keys",
        status_code=201,
        response_model=CreatedKeyOut,
        responses=_PROBLEMS,
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": KeyIn.model_json_schema()}},
            }
        },
    )
    def create_key(request: Request, access: AdminWriteAccess, body: BodyDep) -> JSON:
        """Create a key with a scope; its value is in this answer only."""
        wanted = parse_model(KeyIn, body)
        created = keys.create_key(
            slotbook_of(request),
            tenant_key=access.catalog.key,
            scope=Scope(wanted.scope),
            label=wanted.label,
            actor=access.actor,
        )
        shown = key_out(created.info).model_dump(mode="json") | {"key": created.key}
        return JSON(shown, status_code=201)

    @app.delete("/keys/{key_id}", status_code=204, responses=_PROBLEMS)
    def revoke_key(key_id: str, request: Request, access: AdminWriteAccess) -> Response:
        """Revoke a key of the tenant at once."""
        number = parse_int(key_id, "key_id", 1, 2**31 - 1)
        assert number is not None
        keys.revoke_key(
            slotbook_of(request),
            key_id=number,
            tenant_key=access.catalog.key,
            actor=access.actor,
        )
        return Response(status_code=204)
