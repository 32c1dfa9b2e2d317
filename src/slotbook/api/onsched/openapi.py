"""The OnSched surfaces' OpenAPI documents: parameters, bodies and answers of each operation.

Routes read their query parameters and bodies themselves (to keep the vendor's lenient
rules and this surface's messages); ``operation`` describes what they read and every answer
they can give, so a client generated from the document works.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from slotbook.api.kit.docs import IDEMPOTENCY_KEY, Responses, error_answers
from slotbook.api.onsched.schemas import DIGIT_ID, GUID, MAX_GROUP_SIZE, MAX_OFFSET_MINUTES
from slotbook.api.onsched.views import Error

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
    return error_answers(model, descriptions, statuses, by_status=headers)


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
    param("query", "resourceId", DIGIT_ID, "Only appointments on this resource"),
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
UNDO = param(
    "query", "undo", {"type": "boolean", "default": False}, "true is refused (not offered)"
)
GROUP_FILTERS = (LOCATION_ID, *PAGING)
RESOURCE_FILTERS = (
    LOCATION_ID,
    param("query", "resourceGroupId", DIGIT_ID, "Only resources of this group"),
    param("query", "email", _TEXT, "Only the resource with this e-mail (case-insensitive)"),
    param("query", "name", _TEXT, "Only resources whose name contains this"),
    *PAGING,
)
SERVICE_FILTERS = (
    LOCATION_ID,
    param("query", "serviceGroupId", DIGIT_ID, "Only services of this group"),
    param("query", "name", _TEXT, "Only services whose name contains this"),
    *PAGING,
)
ALLOCATION_FILTERS = (
    LOCATION_ID,
    param("query", "resourceId", DIGIT_ID, "Only this resource"),
    *PAGING,
)
DAYS = (
    param("query", "locationId", GUID, "The location; else the resource's, else the first"),
    param("query", "resourceId", DIGIT_ID, "Only this resource"),
    param(
        "query",
        "tzOffset",
        _int(-MAX_OFFSET_MINUTES, MAX_OFFSET_MINUTES),
        "Minutes east of UTC to give dates and times in; else the location's zone",
    ),
)
UNAVAILABLE = (*DAYS, param("query", "duration", _int(1, 1440), "Ignored (kept for clients)"))
COUNTRY = param("query", "country", {"type": "string", "maxLength": 2}, "ISO 3166 code: US, CA")
COMPLETE_BOOKING = param(
    "query",
    "completeBooking",
    {"type": "string", "enum": ["IN", "RS", "BK"], "default": "IN"},
    "IN holds the slot for the booking timer, RS keeps it, BK books it",
)


def operation(
    ok: Any,
    *,
    tag: str,
    write: bool = False,
    query: Sequence[dict[str, Any]] = (),
    body: dict[str, Any] | None = None,
    statuses: Sequence[int] | None = None,
) -> dict[str, Any]:
    """The documenting keywords of a consumer API route: answers, parameters, body.

    ``ok`` is the model of a successful answer (or ``list[Model]``).
    """
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
