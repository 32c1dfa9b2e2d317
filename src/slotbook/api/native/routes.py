"""The native API's administration routes: keys, erasure, the audit log (``admin`` scope).

The rest of the native API (catalog objects, bookings, the staff day) follows in its own
issue; these are the pieces the access rules need now.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

from fastapi import FastAPI, Request
from starlette.responses import Response

from slotbook.api.kit.docs import IDEMPOTENCY_KEY, error_answers, new_surface, request_body
from slotbook.api.kit.errors import install_error_handlers
from slotbook.api.kit.http import JSON, parse_model, slotbook_of
from slotbook.api.kit.parsers import parse_date, parse_int
from slotbook.api.native.deps import AdminAccess, AdminWriteAccess, BodyDep
from slotbook.api.native.errors import PROBLEM, TABLE, render_problem
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

_WHEN = {
    400: "Malformed request (`invalid_request`)",
    401: "No key, or an unknown one (`unauthorized`)",
    403: "The key's scope is not admin (`forbidden`)",
    404: "No such object for this tenant (`not_found`)",
    409: "A request with this Idempotency-Key is still running",
    413: "The request body is too large",
    422: "This Idempotency-Key was already used for another request",
    429: "Too many changes from this client (`too_many_requests`)",
    503: "The server is busy; try again (`busy`)",
}
_PROBLEMS = error_answers(Problem, _WHEN, (400, 401, 403, 404, 503))
_PROBLEMS_OF_WRITES = error_answers(Problem, _WHEN, (400, 401, 403, 404, 409, 413, 422, 429, 503))


def _problems_as_problem_json(document: dict[str, Any]) -> None:
    """Error answers travel as ``application/problem+json`` (RFC 9457), not plain JSON."""
    for item in document.get("paths", {}).values():
        for operation in item.values():
            for status, answer in operation.get("responses", {}).items():
                content = answer.get("content", {})
                if status.startswith(("4", "5")) and "application/json" in content:
                    answer["content"] = {PROBLEM: content["application/json"]}


def create_surface(slotbook: Slotbook) -> FastAPI:
    """The native API app (mounted at ``/api/v1``)."""
    app = new_surface(
        "Slotbook API",
        slotbook,
        description="Slotbook's own API. Send `Authorization: Bearer <key>`; the key's scope "
        "decides what it may do (see docs/access.md).",
        schemes={"bearer": {"type": "http", "scheme": "bearer"}},
        bodies=(EraseIn, KeyIn),
        finish=_problems_as_problem_json,
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
        responses=_PROBLEMS_OF_WRITES,
        openapi_extra={"requestBody": request_body(EraseIn), "parameters": [IDEMPOTENCY_KEY]},
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
        responses=_PROBLEMS_OF_WRITES,
        openapi_extra={"requestBody": request_body(KeyIn), "parameters": [IDEMPOTENCY_KEY]},
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

    @app.delete(
        "/keys/{key_id}",
        status_code=204,
        responses=_PROBLEMS_OF_WRITES,
        openapi_extra={"parameters": [IDEMPOTENCY_KEY]},
    )
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
