"""How errors look on the Appointedd surface: ``{"error", "message"}`` with the status."""

from __future__ import annotations

from starlette.responses import Response

from slotbook.api.kit.errors import ErrorTable
from slotbook.api.kit.http import JSON
from slotbook.domain.errors import (
    AuthenticationRequired,
    Forbidden,
    ForeignKeyUsed,
    NotAllowed,
    NotFound,
    NotHeld,
    SlotTaken,
    TooManyRequests,
    WrongState,
)


def render_error(status: int, code: str, message: str) -> Response:
    """An error in Appointedd's shape."""
    return JSON({"error": code, "message": message}, status_code=status)


TABLE = ErrorTable(
    {
        AuthenticationRequired: (401, "unauthorized"),
        ForeignKeyUsed: (403, "forbidden"),
        Forbidden: (403, "forbidden"),
        NotAllowed: (403, "forbidden"),
        NotFound: (404, "not_found"),
        SlotTaken: (409, "no_availability"),
        NotHeld: (409, "slot_unavailable"),
        WrongState: (409, "conflict"),
        TooManyRequests: (429, "too_many_requests"),
    },
    default=(400, "bad_request"),
)
