"""Every surface as a FastAPI app with its OpenAPI document and docs pages that work offline.

The Swagger UI and ReDoc assets come from the installed ``fastapi-offline`` package and are
served by Slotbook itself (``ASSETS_PATH``), so the docs load without any internet access.
Each operation's document names the security schemes it accepts and the scope it needs
(``x-slotbook-scope``), taken from the route's declared ``Needs``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import Depends, FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema
from starlette.responses import HTMLResponse

from slotbook import __version__
from slotbook.api.kit.access import declared_routes
from slotbook.api.kit.http import JSON
from slotbook.api.kit.logs import note_route
from slotbook.services.actor import Scope
from slotbook.services.context import Slotbook

ASSETS_PATH = "/_docs-assets"
REF = "#/components/schemas/{model}"
Responses = dict[int | str, dict[str, Any]]
_ASSETS_DIR = Path(fastapi_offline.__file__).parent / "static"

# Key schemes the surfaces accept: the vendor's header, or a bearer token.
API_KEY_SCHEMES: dict[str, dict[str, Any]] = {
    "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-KEY"},
    "bearer": {"type": "http", "scheme": "bearer"},
}


# What the kit itself answers on every surface: these belong in every document.
RETRY_AFTER: dict[str, Any] = {
    "Retry-After": {
        "description": "Seconds to wait before trying again",
        "required": True,
        "schema": {"type": "integer", "minimum": 0},
    }
}
IDEMPOTENCY_KEY: dict[str, Any] = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "schema": {"type": "string", "pattern": "^[\\x21-\\x7e]{1,255}$"},
    "description": "Send a retried write with the same key within 24 hours: it gets the first "
    "answer again (with `Idempotent-Replayed: true`) instead of a second effect; the same key "
    "with another request is 422 (see docs/access.md)",
}


def error_answers(
    model: type[Any],
    descriptions: Mapping[int, str],
    statuses: Iterable[int],
    *,
    headers: Mapping[str, Any] | None = None,
    by_status: Mapping[int, Mapping[str, Any]] | None = None,
) -> Responses:
    """The ``responses=`` entries of some error statuses in a surface's error format
    (``model``: a pydantic model or TypedDict of the error body).

    ``headers`` come with every error, ``by_status`` with one status; a 429 always names
    ``Retry-After``.
    """
    found: Responses = {}
    for status in sorted(set(statuses)):
        entry: dict[str, Any] = {"model": model, "description": descriptions[status]}
        named = {**(headers or {}), **((by_status or {}).get(status, {}))}
        if status == 429:
            named.update(RETRY_AFTER)
        if named:
            entry["headers"] = named
        found[status] = entry
    return found


def request_body(model: type[BaseModel], *, required: bool = True) -> dict[str, Any]:
    """A JSON request body read by the route itself; its schema is one of ``new_surface``'s
    ``bodies``."""
    schema = {"$ref": REF.format(model=model.__name__)}
    return {"required": required, "content": {"application/json": {"schema": schema}}}


def assets() -> StaticFiles:
    """The docs pages' scripts and styles, to mount at ``ASSETS_PATH`` on the root app."""
    return StaticFiles(directory=_ASSETS_DIR.as_posix())


def new_surface(
    title: str,
    slotbook: Slotbook,
    *,
    description: str | None = None,
    schemes: dict[str, dict[str, Any]] | None = None,
    bodies: Sequence[type[BaseModel]] = (),
    finish: Callable[[dict[str, Any]], None] | None = None,
) -> FastAPI:
    """A surface app with offline docs at ``docs`` and ``redoc`` under its mount point.

    Its document names the accepted key ``schemes`` and each operation's scope, holds the
    schemas of the request ``bodies`` the routes read themselves (see ``request_body``), and
    leaves out FastAPI's own 422: every surface answers a request it cannot read with a 400
    in its own format. ``finish`` may add what is particular to one surface.
    """
    app = FastAPI(
        title=title,
        version=__version__,
        description=description or "",
        default_response_class=JSON,
        docs_url=None,
        redoc_url=None,
        dependencies=[Depends(note_route)],
    )
    app.state.slotbook = slotbook
    used = schemes if schemes is not None else API_KEY_SCHEMES

    @app.get("/docs", include_in_schema=False)
    def swagger(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "").rstrip("/")
        return get_swagger_ui_html(
            openapi_url=root + (app.openapi_url or "/openapi.json"),
            title=f"{title} — docs",
            swagger_js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_PATH}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_PATH}/favicon.png",
        )

    @app.get("/redoc", include_in_schema=False)
    def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "").rstrip("/")
        return get_redoc_html(
            openapi_url=root + (app.openapi_url or "/openapi.json"),
            title=f"{title} — reference",
            redoc_js_url=f"{ASSETS_PATH}/redoc.standalone.js",
            redoc_favicon_url=f"{ASSETS_PATH}/favicon.png",
            with_google_fonts=False,
        )

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            _declare_security(app, document, used)
            _add_bodies(document, bodies)
            _drop_validation_answers(document)
            if finish is not None:
                finish(document)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def _declare_security(
    app: FastAPI, document: dict[str, Any], schemes: dict[str, dict[str, Any]]
) -> None:
    """Name the accepted schemes and the needed scope on every operation that takes a key."""
    if not schemes:
        return
    document.setdefault("components", {})["securitySchemes"] = schemes
    for declared in declared_routes(app):
        operation = document.get("paths", {}).get(declared.path, {}).get(declared.method.lower())
        if operation is None or declared.scope is None:
            continue
        operation["x-slotbook-scope"] = declared.scope.value
        alternatives: list[dict[str, list[str]]] = [{name: []} for name in schemes]
        if declared.scope is Scope.BOOKING:
            # A tenant without keys serves the booking scope to anyone: a key is optional.
            alternatives.append({})
        operation["security"] = alternatives


def _add_bodies(document: dict[str, Any], bodies: Sequence[type[BaseModel]]) -> None:
    """Put the request-body models, and every model they refer to, into the components."""
    if not bodies:
        return
    _, found = models_json_schema([(m, "validation") for m in bodies], ref_template=REF)
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in found.get("$defs", {}).items():
        # A model that is both a body and (part of) an answer is already there, written by
        # FastAPI without the defaults; that one describes both.
        if name in schemas and _without_defaults(schemas[name]) != _without_defaults(schema):
            raise AssertionError(f"two different schemas are called {name}")
        schemas[name] = schema


def _without_defaults(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {k: _without_defaults(v) for k, v in schema.items() if k != "default"}
    if isinstance(schema, list):
        return [_without_defaults(v) for v in schema]
    return schema


def _drop_validation_answers(document: dict[str, Any]) -> None:
    """Remove FastAPI's own 422 (``HTTPValidationError``), which no surface ever answers."""
    for item in document.get("paths", {}).values():
        for operation in item.values():
            answer = operation.get("responses", {}).get("422", {})
            if "HTTPValidationError" in str(answer.get("content", "")):
                del operation["responses"]["422"]
    schemas = document.get("components", {}).get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
