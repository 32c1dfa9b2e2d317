"""ASGI app factory: mounts each surface with its own error format."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

from slotbook import __version__
from slotbook.api.common import JSON, PathNormalizer
from slotbook.services.context import Slotbook

SURFACES = {
    "orchestra": "/calendar-backend/public/api",
    "qmatic": "/external/v1",
    "onsched": "/consumer/v1",
    "appointedd": "/v1",
}


def create_app(slotbook: Slotbook) -> FastAPI:
    """The whole HTTP server: every vendor surface on one scheduling core."""
    from slotbook.api.appointedd.routes import create_surface as appointedd
    from slotbook.api.onsched.routes import create_surface as onsched
    from slotbook.api.onsched.routes import create_token_surface
    from slotbook.api.orchestra.routes import create_surface as orchestra
    from slotbook.api.qmatic.routes import create_surface as qmatic

    app = FastAPI(title="Slotbook", version=__version__, default_response_class=JSON)
    app.state.slotbook = slotbook

    @app.get("/", include_in_schema=False)
    def index() -> JSON:
        return JSON({"name": "Slotbook", "version": __version__, "surfaces": SURFACES})

    @app.get("/health", include_in_schema=False)
    def health() -> JSON:
        return JSON({"status": "ok"})

    app.mount(SURFACES["orchestra"], orchestra(slotbook))
    app.mount(SURFACES["qmatic"], qmatic(slotbook))
    app.mount(SURFACES["onsched"], onsched(slotbook))
    app.mount("/connect", create_token_surface(slotbook))
    app.mount(SURFACES["appointedd"], appointedd(slotbook))
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["*"],
        allow_headers=["*"],
        expose_headers=["ERROR_CODE", "ERROR_MESSAGE"],
    )
    app.add_middleware(PathNormalizer)
    return app
