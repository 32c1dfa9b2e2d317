"""Orchestra Calendar Public Appointment API, v1 and v2 side by side.

Tenant: ``X-TENANT-ID`` when given, else the first tenant. Errors carry the manual's
``ERROR_CODE``/``ERROR_MESSAGE`` headers and a ``{"msg": ...}`` body.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.responses import Response

from slotbook.api.common import JSON, header_safe, install_error_handlers
from slotbook.api.orchestra import appointment_routes, booking_routes, catalog_routes
from slotbook.api.orchestra.params import INVALID_PARAMETER
from slotbook.domain.errors import (
    AuthenticationRequired,
    DomainError,
    ForeignKeyUsed,
    NotAllowed,
    NotFound,
    NotHeld,
    SlotTaken,
    WrongState,
)
from slotbook.services.context import Slotbook

_NOT_FOUND_CODES = {"customer": "140", "appointment": "142", "branch": "410", "service": "420"}


def render_error(status: int, code: str, message: str) -> Response:
    """The manual's error format: headers plus ``{"msg": ...}``; codes are numbers."""
    # Errors the manual has no code for (405, 413, 503 ...) carry their HTTP status.
    numeric = code if code.isascii() and code.isdigit() else str(status)
    return JSON(
        {"msg": message},
        status_code=status,
        headers={"ERROR_CODE": numeric, "ERROR_MESSAGE": header_safe(message)},
    )


def classify(exc: DomainError) -> tuple[int, str]:
    """HTTP status and manual error code of a core error."""
    if isinstance(exc, NotFound):
        return 404, _NOT_FOUND_CODES.get(exc.kind, "404")
    if isinstance(exc, SlotTaken):
        return 400, "440"
    if isinstance(exc, NotHeld | WrongState):
        return 400, "460"
    if isinstance(exc, AuthenticationRequired):
        return 401, "401"
    if isinstance(exc, ForeignKeyUsed):
        return 403, "403"
    if isinstance(exc, NotAllowed):
        return 403, "450"
    return 400, INVALID_PARAMETER


def create_surface(slotbook: Slotbook) -> FastAPI:
    """The Orchestra Calendar Public Appointment API app."""
    app = FastAPI(title="Orchestra Calendar Public Appointment API", default_response_class=JSON)
    app.state.slotbook = slotbook
    install_error_handlers(
        app, render_error, classify, bad_input_code=INVALID_PARAMETER, not_found_code="404"
    )
    catalog_routes.register(app)
    booking_routes.register(app)
    appointment_routes.register(app)
    return app
