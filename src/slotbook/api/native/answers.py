"""The error answers every native route documents (RFC 9457 problem details)."""

from __future__ import annotations

from slotbook.api.kit.docs import error_answers
from slotbook.api.native.schemas import Problem

WHEN = {
    400: "Malformed request (`invalid_request`)",
    401: "No key, or an unknown one (`unauthorized`)",
    403: "The key's scope is too small, or the key is another tenant's (`forbidden`)",
    404: "No such object for this tenant (`not_found`)",
    409: "The change conflicts with the appointment's state or a booked time "
    "(`wrong_state`, `slot_taken`, `not_held`), or a request with this Idempotency-Key is "
    "still running",
    413: "The request body is too large",
    422: "This Idempotency-Key was already used for another request, or the change would "
    "make the catalog invalid (`invalid_catalog`, naming the place as `slotbook catalog check` "
    "does)",
    429: "Too many changes from this client (`too_many_requests`)",
    503: "The server is busy; try again (`busy`)",
}
# What a read and a write may answer besides success.
PROBLEMS = error_answers(Problem, WHEN, (400, 401, 403, 404, 503))
PROBLEMS_OF_WRITES = error_answers(Problem, WHEN, (400, 401, 403, 404, 409, 413, 422, 429, 503))
