"""Every surface as a FastAPI app with its OpenAPI document and docs pages that work offline.

The Swagger UI and ReDoc assets come from the installed ``fastapi-offline`` package and are
served by Slotbook itself (``ASSETS_PATH``), so the docs load without any internet access.
Each operation's document names the security schemes it accepts and the scope it needs
(``x-slotbook-scope``), taken from the route's declared ``Needs``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import Depends, FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.staticfiles import StaticFiles
from starlette.responses import HTMLResponse

from slotbook import __version__
from slotbook.api.kit.access import declared_routes
from slotbook.api.kit.http import JSON
from slotbook.api.kit.logs import note_route
from slotbook.services.actor import Scope
from slotbook.services.context import Slotbook

ASSETS_PATH = "/_docs-assets"
_ASSETS_DIR = Path(fastapi_offline.__file__).parent / "static"

# Key schemes the surfaces accept: the vendor's header, or a bearer token.
API_KEY_SCHEMES: dict[str, dict[str, Any]] = {
    "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-KEY"},
    "bearer": {"type": "http", "scheme": "bearer"},
}


def assets() -> StaticFiles:
    """The docs pages' scripts and styles, to mount at ``ASSETS_PATH`` on the root app."""
    return StaticFiles(directory=_ASSETS_DIR.as_posix())


def new_surface(
    title: str,
    slotbook: Slotbook,
    *,
    description: str | None = None,
    schemes: dict[str, dict[str, Any]] | None = None,
) -> FastAPI:
    """A surface app with offline docs at ``docs`` and ``redoc`` under its mount point."""
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
