"""Errors in each surface's own format: one table from core error to status, never a bare 500."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DataError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.responses import Response

from slotbook.api.kit.notes import note_refusal
from slotbook.domain.errors import DomainError, InvalidRequest, TooManyRequests
from slotbook.services import audit
from slotbook.services.ports import TransientConflict

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Path parameters that name an appointment (or a hold or booking) on some surface.
_APPOINTMENT_PARAMS = (
    "public_id",
    "appointment_id",
    "appointmentId",
    "reservationId",
    "slot_id",
    "booking_id",
    "customer_booking_id",
)


class BadInput(Exception):
    """Malformed or unacceptable client input; always a 4xx naming the problem."""

    def __init__(
        self, message: str, *, field: str | None = None, status: int = 400, code: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status
        self.code = code


ErrorRenderer = Callable[[int, str, str], Response]
"""(HTTP status, surface error code, message) -> response in the surface's format."""

Entry = tuple[int, str] | Callable[[Any], tuple[int, str]]


class ErrorTable:
    """Core error class -> (HTTP status, surface code); the most specific class wins.

    An entry is a pair, or a function of the error for codes that depend on it (the kind of
    object not found, whether a hold expired).
    """

    def __init__(
        self, entries: Mapping[type[DomainError], Entry], default: tuple[int, str]
    ) -> None:
        self._entries = dict(entries)
        self._default = default

    def classify(self, exc: DomainError) -> tuple[int, str]:
        """Status and code of a core error."""
        for cls in type(exc).__mro__:
            entry = self._entries.get(cls)
            if entry is not None:
                return entry(exc) if callable(entry) else entry
        return self._default


def describe_errors(errors: Any) -> str:
    """One readable sentence from pydantic/FastAPI errors, naming the fields."""
    parts = []
    for err in list(errors)[:5]:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "header")]
        field = ".".join(loc) or "request"
        message = err.get("msg", "is invalid")
        if err.get("type") == "extra_forbidden":
            message = "unknown field"
        elif err.get("type") == "missing":
            message = "is required"
        parts.append(f"{field}: {message}")
    return "; ".join(parts) or "Invalid request"


def plain_message(exc: DomainError) -> str:
    """The core's own sentence."""
    return exc.message


def naming_fields(names: Mapping[str, str]) -> Callable[[DomainError], str]:
    """A ``message_of`` that prefixes a refused value's field, as this surface calls it
    (``names``: the core's field name -> the surface's)."""

    def message_of(exc: DomainError) -> str:
        if isinstance(exc, InvalidRequest):
            field = names.get(exc.field or "", exc.field)
            return f"{field}: {exc.message}" if field else exc.message
        return exc.message

    return message_of


def domain_response(
    render: ErrorRenderer,
    status: int,
    code: str,
    exc: DomainError,
    message_of: Callable[[DomainError], str] = plain_message,
) -> Response:
    """A core error in a surface's format, with ``Retry-After`` where the client must wait."""
    response = render(status, code, message_of(exc))
    if isinstance(exc, TooManyRequests):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


async def audit_refusal(request: Request, status: int, code: str) -> None:
    """Record a write the core refused, when the caller's tenant is known."""
    access = getattr(request.state, "access", None)
    if request.method not in WRITE_METHODS or access is None:
        return
    params = request.path_params
    appointment = next((params[p] for p in _APPOINTMENT_PARAMS if p in params), None)
    await run_in_threadpool(
        audit.record_refusal,
        request.app.state.slotbook,
        access.catalog,
        access.actor,
        operation=request.method,
        outcome=f"{status} {code}"[:50],
        appointment=str(appointment)[:64] if appointment is not None else None,
    )


def install_error_handlers(
    app: FastAPI,
    render: ErrorRenderer,
    table: ErrorTable,
    *,
    bad_input_code: str = "bad_request",
    not_found_code: str = "not_found",
    message_of: Callable[[DomainError], str] = plain_message,
) -> None:
    """Make every error of ``app`` come out in one surface's format; never a bare 500.

    ``message_of`` words a core error for this surface (e.g. its own field names).
    """

    async def on_bad_input(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, BadInput)
        return render(exc.status, exc.code or bad_input_code, exc.message)

    async def on_domain(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, DomainError)
        status, code = table.classify(exc)
        note_refusal(request, exc)
        await audit_refusal(request, status, code)
        return domain_response(render, status, code, exc, message_of)

    async def on_validation(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return render(400, bad_input_code, describe_errors(exc.errors()))

    async def on_http(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code == 404:
            response = render(404, not_found_code, "No such endpoint")
        elif exc.status_code == 405:
            response = render(405, "method_not_allowed", "Method not allowed on this endpoint")
        else:
            response = render(exc.status_code, bad_input_code, str(exc.detail))
        response.headers.update(exc.headers or {})  # e.g. ``Allow`` with a 405
        return response

    async def on_unstorable(_request: Request, _exc: Exception) -> Response:
        # Input the database cannot hold (e.g. a NUL character in a path id on PostgreSQL).
        return render(400, bad_input_code, "The request contains characters that are not allowed")

    async def on_busy(_request: Request, _exc: Exception) -> Response:
        return render(503, "busy", "The server is busy with other bookings; please try again")

    async def on_disconnect(_request: Request, _exc: Exception) -> Response:
        # The client hung up before its body arrived: nobody reads this, but handling it
        # here keeps a traceback out of the server log.
        return render(400, bad_input_code, "The request body ended before its Content-Length")

    async def on_unexpected(_request: Request, _exc: Exception) -> Response:
        return render(500, "internal_error", "Internal server error")

    app.add_exception_handler(BadInput, on_bad_input)
    app.add_exception_handler(DomainError, on_domain)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(DataError, on_unstorable)
    app.add_exception_handler(ClientDisconnect, on_disconnect)
    app.add_exception_handler(TransientConflict, on_busy)
    app.add_exception_handler(Exception, on_unexpected)
