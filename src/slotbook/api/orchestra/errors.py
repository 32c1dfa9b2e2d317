"""How errors look on the Orchestra surface: ``ERROR_CODE``/``ERROR_MESSAGE`` and ``{"msg"}``."""

from __future__ import annotations

from starlette.responses import Response

from slotbook.api.kit.errors import ErrorTable
from slotbook.api.kit.http import JSON, header_safe
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

# Codes of our own for malformed input (the manual's codes cover only business errors).
INVALID_PARAMETER, INVALID_DATE, INVALID_TIME, INVALID_BODY = "470", "471", "472", "473"
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


def _not_found(exc: NotFound) -> tuple[int, str]:
    return 404, _NOT_FOUND_CODES.get(exc.kind, "404")


TABLE = ErrorTable(
    {
        NotFound: _not_found,
        SlotTaken: (400, "440"),
        NotHeld: (400, "460"),
        WrongState: (400, "460"),
        AuthenticationRequired: (401, "401"),
        ForeignKeyUsed: (403, "403"),
        Forbidden: (403, "403"),
        NotAllowed: (403, "450"),
        TooManyRequests: (429, "429"),
    },
    default=(400, INVALID_PARAMETER),
)
