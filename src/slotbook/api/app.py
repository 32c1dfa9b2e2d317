"""ASGI app factory: mounts each surface with its own error format."""

from __future__ import annotations

from fastapi import FastAPI, Request
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response

from slotbook import __version__
from slotbook.api.common import JSON, ErrorRenderer, PathNormalizer
from slotbook.services.context import Slotbook

SURFACES = {
    "orchestra": "/calendar-backend/public/api",
    "qmatic": "/external/v1",
    "onsched": "/consumer/v1",
    "appointedd": "/v1",
}


def create_app(slotbook: Slotbook) -> FastAPI:
    """The whole HTTP server: every vendor surface on one scheduling core."""
    from slotbook.api.appointedd import routes as appointedd_api
    from slotbook.api.onsched import deps as onsched_errors
    from slotbook.api.onsched import routes as onsched_api
    from slotbook.api.onsched import token as token_errors
    from slotbook.api.orchestra import routes as orchestra_api
    from slotbook.api.qmatic import deps as qmatic_errors
    from slotbook.api.qmatic import routes as qmatic_api

    app = FastAPI(title="Slotbook", version=__version__, default_response_class=JSON)
    app.state.slotbook = slotbook

    @app.get("/", include_in_schema=False)
    def index() -> JSON:
        return JSON({"name": "Slotbook", "version": __version__, "surfaces": SURFACES})

    @app.get("/health", include_in_schema=False)
    def health() -> JSON:
        return JSON({"status": "ok"})

    app.mount(SURFACES["orchestra"], orchestra_api.create_surface(slotbook))
    app.mount(SURFACES["qmatic"], qmatic_api.create_surface(slotbook))
    app.mount(SURFACES["onsched"], onsched_api.create_surface(slotbook))
    app.mount("/connect", onsched_api.create_token_surface(slotbook))
    app.mount(SURFACES["appointedd"], appointedd_api.create_surface(slotbook))
    # A path no mount matches (e.g. one with an encoded line break) still answers in the
    # format of the surface whose prefix it carries.
    renderers: list[tuple[str, ErrorRenderer, str]] = [
        (SURFACES["orchestra"], orchestra_api.render_error, "404"),
        (SURFACES["qmatic"], qmatic_errors.render, "not_found"),
        (SURFACES["onsched"], onsched_errors.render_error, "not_found"),
        ("/connect", token_errors.render_oauth_error, "invalid_request"),
        (SURFACES["appointedd"], appointedd_api.render_error, "not_found"),
    ]

    async def unrouted(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        path = request.url.path
        for prefix, render, code in renderers:
            if path == prefix or path.startswith(prefix + "/"):
                return render(exc.status_code, code, "No such endpoint")
        return JSON(
            {"error": "not_found", "message": "No such endpoint"}, status_code=exc.status_code
        )

    app.add_exception_handler(StarletteHTTPException, unrouted)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["*"],
        allow_headers=["*"],
        expose_headers=["ERROR_CODE", "ERROR_MESSAGE"],
    )
    app.add_middleware(PathNormalizer, mounts=[*SURFACES.values(), "/connect"])
    return app
