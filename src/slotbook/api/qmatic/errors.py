"""How errors look on the Qmatic cloud surface: ``{"code", "message"}`` with the status."""

from __future__ import annotations

from starlette.responses import Response

from slotbook.api.kit.errors import ErrorTable, naming_fields
from slotbook.api.kit.http import JSON
from slotbook.domain.errors import (
    AuthenticationRequired,
    DomainError,
    Forbidden,
    ForeignKeyUsed,
    NotAllowed,
    NotFound,
    NotHeld,
    SlotTaken,
    TooManyRequests,
    WrongState,
)

# Core field names that this surface calls differently.
_FIELDS = {
    "numberOfCustomers": "numberOfReservations",
    "services": "serviceIds",
    "customers": "customer",
    "dateOfBirth": "customer.dateOfBirth",
    "answers": "informationQuestions",
}


def render(status: int, code: str, message: str) -> Response:
    """``{"code": ..., "message": ...}`` with the HTTP status."""
    return JSON({"code": code, "message": message}, status_code=status)


def _not_found(exc: NotFound) -> tuple[int, str]:
    return 404, f"{exc.kind}_not_found"


def _not_held(exc: NotHeld) -> tuple[int, str]:
    # A reservation that ran out or was used is gone for good: 410, never retried.
    return 410, "reservation_expired" if exc.expired else "reservation_not_pending"


TABLE = ErrorTable(
    {
        NotFound: _not_found,
        AuthenticationRequired: (401, "unauthorized"),
        ForeignKeyUsed: (403, "forbidden"),
        Forbidden: (403, "forbidden"),
        NotAllowed: (403, "not_bookable_online"),
        SlotTaken: (409, "timeslot_not_available"),
        NotHeld: _not_held,
        WrongState: (409, "wrong_state"),
        TooManyRequests: (429, "too_many_requests"),
    },
    default=(400, "bad_request"),
)


_NAMED = naming_fields(_FIELDS)


def message_of(exc: DomainError) -> str:
    """The core's sentence in this surface's words (its field names, its reservation terms)."""
    if isinstance(exc, NotHeld):
        if exc.expired:
            return "This reservation has expired; reserve a time slot again"
        return "This reservation is no longer pending (confirmed, cancelled or used up)"
    if isinstance(exc, SlotTaken):
        return "This time slot is not available (any more); fetch the time slots again"
    return _NAMED(exc)
