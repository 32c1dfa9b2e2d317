"""Routes of this surface (placeholder until implemented)."""

from __future__ import annotations

from fastapi import FastAPI

from slotbook.services.context import Slotbook


def create_surface(slotbook: Slotbook) -> FastAPI:
    """The surface's ASGI app."""
    app = FastAPI()
    app.state.slotbook = slotbook
    return app
