"""Who calls (tenant, key, language) and how errors look on this surface."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from starlette.responses import Response

from slotbook.api.common import (
    JSON,
    BadInput,
    install_error_handlers,
    json_body,
    resolve_locale,
    slotbook_of,
)
from slotbook.api.common import credential as presented_credential
from slotbook.api.qmatic.mapping import Texts
from slotbook.domain.errors import (
    AuthenticationRequired,
    DomainError,
    ForeignKeyUsed,
    InvalidRequest,
    NotAllowed,
    NotFound,
    NotHeld,
    SlotTaken,
    WrongState,
)
from slotbook.domain.model import Catalog
from slotbook.services.access import authorize
from slotbook.services.context import Slotbook

# Core field names that this surface calls differently.
_FIELDS = {
    "numberOfCustomers": "numberOfReservations",
    "services": "serviceIds",
    "customers": "customer",
}


@dataclass(frozen=True, slots=True)
class Caller:
    """The tenant a request acts for, whether its key is internal, and its language."""

    catalog: Catalog
    internal: bool
    locale: str

    @property
    def text(self) -> Texts:
        """Texts in the caller's language."""
        return Texts(self.catalog, self.locale)


SlotbookDep = Annotated[Slotbook, Depends(slotbook_of)]


def get_caller(request: Request, app: SlotbookDep) -> Caller:
    """Resolve ``X-TENANT-ID``, check the API key and read ``Accept-Language``."""
    tenant = request.headers.get("x-tenant-id", "").strip()
    if not tenant:
        raise BadInput("The X-TENANT-ID header is required", code="tenant_required")
    access = authorize(app, tenant_key=tenant, credential=presented_credential(request))
    locale = resolve_locale(
        request.headers.get("accept-language"), access.catalog.settings.default_locale
    )
    return Caller(access.catalog, access.internal, locale)


CallerDep = Annotated[Caller, Depends(get_caller)]
BodyDep = Annotated[Any, Depends(json_body)]


def render(status: int, code: str, message: str) -> Response:
    """``{"code": ..., "message": ...}`` with the HTTP status."""
    return JSON({"code": code, "message": message}, status_code=status)


def classify(exc: DomainError) -> tuple[int, str]:
    """HTTP status and error code of a core error."""
    if isinstance(exc, NotFound):
        return 404, f"{exc.kind}_not_found"
    if isinstance(exc, AuthenticationRequired):
        return 401, "unauthorized"
    if isinstance(exc, ForeignKeyUsed):
        return 403, "forbidden"
    if isinstance(exc, NotAllowed):
        return 403, "not_bookable_online"
    if isinstance(exc, SlotTaken):
        return 409, "timeslot_not_available"
    if isinstance(exc, NotHeld):
        # A reservation that ran out or was used is gone for good: 410, never retried.
        return 410, "reservation_expired" if exc.expired else "reservation_not_pending"
    if isinstance(exc, WrongState):
        return 409, "wrong_state"
    return 400, "bad_request"


def install_errors(app: FastAPI) -> None:
    """Every error of the surface in its format; core field names translated."""
    install_error_handlers(app, render, classify)

    async def on_invalid(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, InvalidRequest)
        field = _FIELDS.get(exc.field or "", exc.field)
        message = f"{field}: {exc.message}" if field else exc.message
        return render(400, "bad_request", message)

    async def on_not_held(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, NotHeld)
        status, code = classify(exc)
        message = (
            "This reservation has expired; reserve a time slot again"
            if exc.expired
            else "This reservation is no longer pending (confirmed, cancelled or used up)"
        )
        return render(status, code, message)

    async def on_taken(_request: Request, _exc: Exception) -> Response:
        message = "This time slot is not available (any more); fetch the time slots again"
        return render(409, "timeslot_not_available", message)

    app.add_exception_handler(InvalidRequest, on_invalid)
    app.add_exception_handler(SlotTaken, on_taken)
    app.add_exception_handler(NotHeld, on_not_held)
