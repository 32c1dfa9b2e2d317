"""Orchestra Calendar Public Appointment API, v1 and v2 side by side.

Tenant: ``X-TENANT-ID`` when given, else the tenant of the presented key, else the first
tenant (documented in docs/access.md). Errors carry the manual's
``ERROR_CODE``/``ERROR_MESSAGE`` headers and a ``{"msg": ...}`` body.
"""

from __future__ import annotations

from fastapi import FastAPI

from slotbook.api.kit.docs import new_surface
from slotbook.api.kit.errors import install_error_handlers
from slotbook.api.orchestra import appointment_routes, booking_routes, catalog_routes
from slotbook.api.orchestra.errors import INVALID_PARAMETER, TABLE, render_error
from slotbook.api.orchestra.schemas import BookingIn
from slotbook.services.context import Slotbook


def create_surface(slotbook: Slotbook) -> FastAPI:
    """The Orchestra Calendar Public Appointment API app."""
    app = new_surface("Orchestra Calendar Public Appointment API", slotbook, bodies=(BookingIn,))
    install_error_handlers(
        app, render_error, TABLE, bad_input_code=INVALID_PARAMETER, not_found_code="404"
    )
    catalog_routes.register(app)
    booking_routes.register(app)
    appointment_routes.register(app)
    return app
