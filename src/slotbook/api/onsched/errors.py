"""How errors look on the OnSched surface: ``{"error", "message"}``; a 401 names the scheme."""

from __future__ import annotations

from starlette.responses import Response

from slotbook.api.kit.errors import ErrorTable, naming_fields
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

# Core field names (shared by every surface) -> this surface's names, for error messages.
_FIELD_NAMES = {
    "numberOfCustomers": "groupSize",
    "end": "endDateTime",
    "customSlotLength": "endDateTime",
    "answers": "appointmentBookingFields",
    "dateOfBirth": "customerBookingFields.dateOfBirth",
}


def render_error(status: int, code: str, message: str) -> Response:
    """``{"error": code, "message": sentence}``; a 401 also names the scheme."""
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSON({"error": code, "message": message}, status_code=status, headers=headers)


def _not_held(exc: NotHeld) -> tuple[int, str]:
    return 409, "hold_expired" if exc.expired else "invalid_status"


TABLE = ErrorTable(
    {
        NotFound: (404, "not_found"),
        SlotTaken: (409, "slot_unavailable"),
        NotHeld: _not_held,
        WrongState: (409, "invalid_status"),
        AuthenticationRequired: (401, "unauthorized"),
        ForeignKeyUsed: (403, "forbidden"),
        Forbidden: (403, "forbidden"),
        NotAllowed: (403, "forbidden"),
        TooManyRequests: (429, "too_many_requests"),
    },
    default=(400, "invalid_request"),
)


message_of = naming_fields(_FIELD_NAMES)
"""A core rule's refusal naming the field as this surface calls it."""
