"""Errors of the native API: RFC 9457 problem details (``application/problem+json``)."""

from __future__ import annotations

from http import HTTPStatus

import orjson
from starlette.responses import Response

from slotbook.api.kit.errors import ErrorTable
from slotbook.domain.errors import (
    AuthenticationRequired,
    CatalogError,
    Forbidden,
    ForeignKeyUsed,
    NotAllowed,
    NotFound,
    NotHeld,
    SlotTaken,
    TooManyRequests,
    WrongState,
)

PROBLEM = "application/problem+json"


def render_problem(status: int, code: str, message: str) -> Response:
    """A problem details document; ``code`` is a stable machine-readable name."""
    try:
        title = HTTPStatus(status).phrase
    except ValueError:
        title = "Error"
    body = {"type": "about:blank", "title": title, "status": status, "detail": message}
    body["code"] = code
    headers = {"WWW-Authenticate": 'Bearer realm="slotbook"'} if status == 401 else None
    return Response(orjson.dumps(body), status_code=status, media_type=PROBLEM, headers=headers)


TABLE = ErrorTable(
    {
        AuthenticationRequired: (401, "unauthorized"),
        ForeignKeyUsed: (403, "forbidden"),
        Forbidden: (403, "forbidden"),
        NotAllowed: (403, "not_allowed"),
        NotFound: (404, "not_found"),
        SlotTaken: (409, "slot_taken"),
        NotHeld: (409, "not_held"),
        WrongState: (409, "wrong_state"),
        CatalogError: (422, "invalid_catalog"),
        TooManyRequests: (429, "too_many_requests"),
    },
    default=(400, "invalid_request"),
)
