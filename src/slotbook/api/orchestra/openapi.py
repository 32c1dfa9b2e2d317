"""What the Orchestra routes declare in the OpenAPI document beyond their signatures.

Routes read matrix parameters (and the same names as query parameters) from the request
itself, so each declares them here as query parameters; errors share one ``responses``
entry per status, with the ``ERROR_CODE``/``ERROR_MESSAGE`` headers every error carries.
"""

from __future__ import annotations

import copy
from typing import Annotated, Any

from fastapi import Path

from slotbook.api.kit.docs import IDEMPOTENCY_KEY, Responses, error_answers, request_body
from slotbook.api.orchestra.schemas import BookingIn, ErrorOut

_CODE = {"type": "string", "pattern": "^[0-9]+$"}
_ERROR_HEADERS = {
    "ERROR_CODE": {
        "description": "The error's code (the manual's, or the HTTP status)",
        "required": True,
        "schema": _CODE,
    },
    "ERROR_MESSAGE": {
        "description": "The message of the body, in printable ASCII",
        "required": True,
        "schema": {"type": "string"},
    },
}
_ERRORS = {
    400: "Malformed input (470 parameter, 471 date, 472 time, 473 body); no resource available "
    "then (440); appointment not in RESERVED state (460)",
    401: "No API key, or an unknown one, for a tenant that has keys",
    403: "A key of another tenant (403); a service not bookable online (450)",
    404: "Unknown customer (140), appointment (142), branch (410), service (420) or tenant (404)",
    409: "A request with this Idempotency-Key is still running; retry later",
    413: "The request body is over 1 MB",
    422: "This Idempotency-Key was already used for another request",
    429: "Too many changes or live reservations from this client",
    503: "The server is busy with other bookings; try again",
}
_READ_ERRORS = (400, 401, 403, 404, 503)
_WRITE_ERRORS = (*_READ_ERRORS, 409, 413, 422, 429)

_QUERY: dict[str, dict[str, Any]] = {
    "servicePublicId": {
        "description": "Service publicIds (also as matrix parameters, repeated or "
        "comma-separated; `service-publicId` is accepted too)",
        "schema": {"type": "array", "items": {"type": "string"}},
        "style": "form",
        "explode": True,
    },
    "numberOfCustomers": {
        "description": "Additional customers (2 people: 1); also as a matrix parameter",
        "schema": {"type": "integer", "minimum": 0, "maximum": 100},
    },
    "customSlotLength": {
        "description": "Length in minutes instead of the services' own; also as a matrix parameter",
        "schema": {"type": "integer", "minimum": 1, "maximum": 480},
    },
    "start": {
        "description": "New branch-local start, yyyy-MM-ddTHH:mm:ss",
        "schema": {
            "type": "string",
            "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:00)?$",
        },
    },
    "end": {
        "description": "New branch-local end, yyyy-MM-ddTHH:mm:ss (omitted: the length stays)",
        "schema": {
            "type": "string",
            "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:00)?$",
        },
    },
}
_HEADERS: list[dict[str, Any]] = [
    {
        "name": "X-TENANT-ID",
        "in": "header",
        "description": "The tenant; without it, the tenant of the API key",
        "schema": {"type": "string"},
    },
    {
        "name": "Accept-Language",
        "in": "header",
        "description": "Locale of service names (en_US, nl_NL, ...; nl-NL works too)",
        "schema": {"type": "string"},
    },
]
Day = Annotated[
    str,
    Path(
        description="YYYY-MM-DD (a trailing T00:00:00 is accepted)",
        json_schema_extra={"pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}(T00:00:00)?$"},
    ),
]
Clock = Annotated[
    str,
    Path(
        description="HH:MM, branch-local",
        json_schema_extra={"pattern": "^[0-9]{2}:[0-9]{2}$"},
    ),
]


def error_responses(*, write: bool) -> Responses:
    """The ``responses`` entry of every error status a read (or a write) can answer."""
    statuses = _WRITE_ERRORS if write else _READ_ERRORS
    return error_answers(ErrorOut, _ERRORS, statuses, headers=_ERROR_HEADERS)


def documented(
    *query: str, required: tuple[str, ...] = (), write: bool = False, body: bool = False
) -> dict[str, Any]:
    """Keyword arguments of a route decorator: error answers, query parameters, body."""
    parameters = [
        {"name": name, "in": "query", "required": name in required, **_QUERY[name]}
        for name in query
    ]
    parameters += _HEADERS
    if write:
        parameters.append(IDEMPOTENCY_KEY)
    extra: dict[str, Any] = {"parameters": copy.deepcopy(parameters)}
    if body:
        extra["requestBody"] = request_body(BookingIn, required=False)
    return {"responses": error_responses(write=write), "openapi_extra": extra}
