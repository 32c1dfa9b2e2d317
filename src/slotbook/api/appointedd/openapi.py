"""What the Appointedd surface's OpenAPI document says beyond the routes' signatures.

The routes read their query parameters and bodies themselves (to answer in this surface's
error format), so their parameters, bodies and error answers are declared here, once.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel

from slotbook.api.kit.docs import IDEMPOTENCY_KEY, Responses, error_answers, request_body
from slotbook.api.kit.http import MAX_BODY_BYTES

from .mapping import DEFAULT_LIMIT, MAX_LIMIT
from .schemas import HEX24_PATTERN, ErrorOut

_ERRORS: dict[int, str] = {
    400: "Malformed request: bad JSON, wrong types, missing or out-of-range fields, bad ids, "
    "times or zones, a length or number of spaces the service does not offer "
    "(`bad_request`)",
    401: "No API key, or an unknown one, for a tenant that has keys (`unauthorized`)",
    403: "The key's scope does not allow this (cancelling a whole booking of several "
    "participants needs a staff key), a service not bookable online, or a key of another "
    "tenant (`forbidden`)",
    404: "No such object for this tenant, or an availability slot that expired, was released "
    "or was used (`not_found`)",
    409: "No room at that start (`no_availability`), a slot that expired or was used "
    "(`slot_unavailable`), already cancelled or booked (`conflict`), or a request with this "
    "Idempotency-Key still running (`idempotency_key_in_use`)",
    413: f"Request body over {MAX_BODY_BYTES} bytes (`too_large`)",
    422: "This Idempotency-Key was already used for another request (`idempotency_key_reused`)",
    429: "Too many changes or live slots from this client (`too_many_requests`); "
    "retry after `Retry-After` seconds",
    503: "The database is busy with other bookings; retry (`busy`)",
}

READ = (400, 401, 403, 404, 503)
"""Error statuses of every operation."""
POSTED = (*READ, 409, 413, 422)
"""... of a POST or DELETE: the body and the ``Idempotency-Key`` add their own."""
COUNTED = (*POSTED, 429)
"""... of a change counted against the client's limits."""


def answers(statuses: Iterable[int]) -> Responses:
    """The ``responses=`` of a route: these error statuses, in this surface's error shape."""
    return error_answers(ErrorOut, _ERRORS, statuses)


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


TIMEZONE = _query(
    "timezone",
    {"type": "string", "minLength": 1, "maxLength": 64, "default": "UTC"},
    "IANA time zone in which times are shown (default UTC)",
)
LIMIT = _query(
    "limit",
    {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
    "Items per page",
)
START = _query(
    "start",
    {"type": "string", "pattern": HEX24_PATTERN},
    "The id to start the page at: a `next` or `prev` value of an earlier page",
)
EMAIL = _query(
    "email", {"type": "string", "maxLength": 255}, "Only customers with this e-mail (any case)"
)
LASTNAME = _query(
    "lastname", {"type": "string", "maxLength": 255}, "Only customers with this last name"
)
IDS = _query(
    "ids",
    {
        "type": "array",
        "items": {"type": "string", "pattern": HEX24_PATTERN},
        "minItems": 1,
        "maxItems": 100,
    },
    "Only these bookings (`ids=a,b`, `ids=a&ids=b` or `ids[]=a`); leave out to list every one",
)


def operation(
    *parameters: dict[str, Any], body: type[BaseModel] | None = None, write: bool = False
) -> dict[str, Any]:
    """The ``openapi_extra=`` of a route: its query parameters, JSON body (one of the
    surface's ``bodies``) and, for a POST or DELETE (``write``), ``Idempotency-Key``."""
    extra: dict[str, Any] = {}
    if parameters or write:
        extra["parameters"] = [*parameters, *([IDEMPOTENCY_KEY] if write else [])]
    if body is not None:
        extra["requestBody"] = request_body(body)
    return extra
