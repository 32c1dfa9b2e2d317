"""The OnSched surfaces' OpenAPI documents: parameters, bodies and answers of each operation.

Routes read their query parameters and bodies themselves (to keep the vendor's lenient
rules and this surface's messages); ``operation`` describes what they read and every answer
they can give, so a client generated from the document works.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from slotbook.api.onsched.schemas import DIGIT_ID, GUID, MAX_GROUP_SIZE, MAX_OFFSET_MINUTES
from slotbook.api.onsched.views import Error

REF = "#/components/schemas/{model}"
Responses = dict[int | str, dict[str, Any]]

_ERRORS: dict[int, str] = {
    400: "invalid_request: malformed input (the message names the field)",
    401: "unauthorized: no API key or token, or an unknown or expired one",
    403: "forbidden: the key's scope is too small, or it belongs to another tenant",
    404: "not_found: an unknown id (or one of another tenant), or an unknown X-TENANT-ID",
    409: "slot_unavailable, hold_expired or invalid_status; idempotency_key_in_use",
    413: "too_large: the body is over 1 MB",
    422: "idempotency_key_reused: this Idempotency-Key came with another request",
    429: "too_many_requests: too many changes or live holds; retry after Retry-After seconds",
    503: "busy: the server is busy with other bookings; try again",
}
_HEADERS: dict[int, dict[str, Any]] = {
    401: {
        "WWW-Authenticate": {
            "description": "The scheme to authenticate with",
            "required": True,
            "schema": {"type": "string"},
        }
    },
    429: {
        "Retry-After": {
            "description": "Seconds to wait before trying again",
            "required": True,
            "schema": {"type": "integer", "minimum": 0},
        }
    },
}
READ_ERRORS = (400, 401, 403, 404, 503)
WRITE_ERRORS = (400, 401, 403, 404, 409, 413, 422, 429, 503)


def errors(
    statuses: Sequence[int],
    model: type[BaseModel] = Error,
    descriptions: Mapping[int, str] = _ERRORS,
    headers: Mapping[int, dict[str, Any]] = _HEADERS,
) -> Responses:
    """The ``responses=`` entries of the given error statuses, in one error format."""
    found: Responses = {}
    for status in statuses:
        entry: dict[str, Any] = {"model": model, "description": descriptions[status]}
        if status in headers:
            entry["headers"] = headers[status]
        found[status] = entry
    return found


def param(
    where: str, name: str, schema: dict[str, Any], description: str, *, required: bool = False
) -> dict[str, Any]:
    """An OpenAPI parameter."""
    return {
        "name": name,
        "in": where,
        "required": required,
        "schema": schema,
        "description": description,
    }


def _int(low: int, high: int, **extra: Any) -> dict[str, Any]:
    return {"type": "integer", "minimum": low, "maximum": high, **extra}


_TEXT = {"type": "string", "maxLength": 255}
TENANT = param(
    "header",
    "X-TENANT-ID",
    {"type": "string", "maxLength": 100},
    "The tenant to act for; by default the tenant of the key or token",
)
IDEMPOTENCY_KEY = param(
    "header",
    "Idempotency-Key",
    {"type": "string", "pattern": "^[!-~]{1,255}$"},
    "Repeat a write with the same key within 24 hours to get its first answer again",
)
OFFSET = param("query", "offset", _int(0, 1_000_000_000, default=0), "Items to skip")
LIMIT = param("query", "limit", _int(1, 100, default=20), "Items per page")
PAGING = (OFFSET, LIMIT)
LOCATION_ID = param("query", "locationId", GUID, "Only this location (GUID)")
EMAIL = param("query", "email", _TEXT, "Customer e-mail address (case-insensitive, exact)")
LASTNAME = param("query", "lastname", _TEXT, "Customer last name (case-insensitive, exact)")
AVAILABILITY = (
    param("query", "locationId", GUID, "The location; else the resource's, else the first"),
    param("query", "resourceId", DIGIT_ID, "Only this resource"),
    param("query", "resourceIds", {"type": "string"}, "Only these resources (comma list)"),
    param(
        "query",
        "tzOffset",
        _int(-MAX_OFFSET_MINUTES, MAX_OFFSET_MINUTES),
        "Minutes east of UTC to give dates and times in; else the location's zone",
    ),
    param("query", "duration", _int(1, 1440), "One of the service's lengths, in minutes"),
    param("query", "interval", _int(1, 1440), "Grid of start times in minutes (finer: staff key)"),
    param("query", "groupSize", _int(1, MAX_GROUP_SIZE, default=1), "People to make room for"),
)
APPOINTMENT_FILTERS = (
    LOCATION_ID,
    EMAIL,
    LASTNAME,
    param("query", "startDate", {"type": "string", "format": "date"}, "First day (YYYY-MM-DD)"),
    param("query", "endDate", {"type": "string", "format": "date"}, "Last day (YYYY-MM-DD)"),
    param(
        "query",
        "status",
        {"type": "string"},
        "IN, RS, BK or CN, or a comma list of them; default all four",
    ),
    *PAGING,
)
COMPLETE_BOOKING = param(
    "query",
    "completeBooking",
    {"type": "string", "enum": ["IN", "RS", "BK"], "default": "IN"},
    "IN holds the slot for the booking timer, RS keeps it, BK books it",
)


def json_body(model: type[BaseModel], *, required: bool = True) -> dict[str, Any]:
    """A JSON request body of a model registered with ``add_schemas``."""
    schema = {"$ref": REF.format(model=model.__name__)}
    return {"required": required, "content": {"application/json": {"schema": schema}}}


def operation(
    ok: type[BaseModel],
    *,
    tag: str,
    write: bool = False,
    query: Sequence[dict[str, Any]] = (),
    body: dict[str, Any] | None = None,
    statuses: Sequence[int] | None = None,
) -> dict[str, Any]:
    """The documenting keywords of a consumer API route: answers, parameters, body."""
    parameters = [*query, TENANT, *([IDEMPOTENCY_KEY] if write else [])]
    extra: dict[str, Any] = {"parameters": parameters}
    if body is not None:
        extra["requestBody"] = body
    return {
        "response_model": ok,
        "responses": errors(statuses or (WRITE_ERRORS if write else READ_ERRORS)),
        "openapi_extra": extra,
        "tags": [tag],
    }


def _drop_validation_errors(document: dict[str, Any]) -> None:
    """Remove FastAPI's own 422: a parameter FastAPI cannot read is a 400 on this surface."""
    for path in document.get("paths", {}).values():
        for op in path.values():
            answer = op.get("responses", {}).get("422", {})
            if "HTTPValidationError" in str(answer.get("content")):
                del op["responses"]["422"]
    schemas = document.get("components", {}).get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)


def add_schemas(
    app: FastAPI,
    models: Sequence[type[BaseModel]],
    extend: Callable[[dict[str, Any]], None] | None = None,
) -> None:
    """Put request-body models (and what they refer to) into the document's components."""
    _, found = models_json_schema([(m, "validation") for m in models], ref_template=REF)
    schemas: dict[str, Any] = found.get("$defs", {})
    made = app.openapi

    def openapi() -> dict[str, Any]:
        document = made()
        components = document.setdefault("components", {})
        for name, schema in schemas.items():
            components.setdefault("schemas", {}).setdefault(name, schema)
        _drop_validation_errors(document)
        if extend is not None:
            extend(document)
        return document

    app.openapi = openapi  # type: ignore[method-assign]
