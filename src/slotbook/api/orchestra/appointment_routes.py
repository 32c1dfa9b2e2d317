"""Orchestra appointment and customer endpoints: read, delete, reschedule, lookups."""

from __future__ import annotations

from datetime import datetime

from fastapi import FastAPI, Request
from starlette.responses import Response

from slotbook.api.kit.errors import BadInput
from slotbook.api.kit.http import JSON, slotbook_of
from slotbook.api.orchestra import mapping as out
from slotbook.api.orchestra.deps import (
    BookingAccess,
    BookingWriteAccess,
    first_free,
    live_appointment,
    locale_of,
    params_of,
    parse_local_datetime,
    starts_at,
)
from slotbook.api.orchestra.errors import INVALID_DATE
from slotbook.api.orchestra.openapi import documented
from slotbook.api.orchestra.schemas import (
    AppointmentEnvelope,
    AppointmentListOut,
    CustomerEnvelope,
)
from slotbook.domain.errors import NotFound
from slotbook.domain.model import Customer
from slotbook.services import changes, queries
from slotbook.services.access import Access


def register(app: FastAPI) -> None:
    for version in ("v1", "v2"):

        @app.get(
            f"/{version}/appointments/{{public_id}}",
            response_model=AppointmentEnvelope,
            **documented(),
        )
        def appointment(public_id: str, request: Request, access: BookingAccess) -> JSON:
            """One appointment."""
            found = live_appointment(slotbook_of(request), access.catalog, public_id)
            body = out.appointment_json(found, access.catalog, locale_of(request))
            return JSON(out.envelope("appointment", body))

        @app.delete(
            f"/{version}/appointments/{{public_id}}",
            response_class=Response,
            response_description="Deleted (empty body)",
            **documented(write=True),
        )
        def delete(public_id: str, request: Request, access: BookingWriteAccess) -> Response:
            """Delete (cancel) an appointment; its slot is free at once."""
            live_appointment(slotbook_of(request), access.catalog, public_id)
            changes.cancel(
                slotbook_of(request),
                access.catalog,
                ref=("public_id", public_id),
                actor=access.actor,
            )
            return Response(status_code=200)

        @app.put(
            f"/{version}/appointments/{{public_id}}/reschedule",
            response_model=AppointmentEnvelope,
            **documented("start", "end", required=("start",), write=True),
        )
        def reschedule(public_id: str, request: Request, access: BookingWriteAccess) -> JSON:
            """Move an appointment on its resource to branch-local ``start``/``end``."""
            app_, catalog, params = slotbook_of(request), access.catalog, params_of(request)
            start_text = (params.get("start") or [""])[-1]
            end_text = (params.get("end") or [""])[-1]
            if not start_text:
                raise BadInput("start is required (yyyy-MM-ddTHH:mm:ss)", code=INVALID_DATE)
            current = live_appointment(app_, catalog, public_id)
            branch = catalog.branch(current.branch_key, include_retired=True)
            starts = starts_at(branch, *parse_local_datetime(start_text, "start"))
            ends: tuple[datetime | None, ...] = (None,)
            if end_text:
                ends = starts_at(branch, *parse_local_datetime(end_text, "end"))
            # In a repeated hour either time may name two instants: try the pairs in order.
            pairs = [(s, e) for s in starts for e in ends if e is None or e > s]
            if not pairs:
                raise BadInput("end must be after start", field="end", code=INVALID_DATE)
            moved = first_free(
                pairs,
                lambda pair: changes.reschedule(
                    app_,
                    catalog,
                    ref=("public_id", public_id),
                    start=pair[0],
                    end=pair[1],
                    actor=access.actor,
                ),
            )
            body = out.appointment_json(moved, catalog, locale_of(request))
            return JSON(
                out.envelope("appointment", body, start=f"[{start_text}]", end=f"[{end_text}]")
            )

        @app.get(
            f"/{version}/customers/externalId/{{external_id}}/appointments",
            response_model=AppointmentListOut,
            **documented(),
        )
        def external_appointments(
            external_id: str, request: Request, access: BookingAccess
        ) -> JSON:
            """Appointments of the customer with this externalId."""
            found = queries.appointments_by_external_id(
                slotbook_of(request), access.catalog, external_id
            )
            listed = [out.appointment_json(a, access.catalog, locale_of(request)) for a in found]
            return JSON(out.envelope("appointmentList", listed))

        @app.get(
            f"/{version}/customers/{{public_id}}",
            response_model=CustomerEnvelope,
            **documented(),
        )
        def customer(public_id: str, request: Request, access: BookingAccess) -> JSON:
            """One customer by publicId."""
            found = _customer(request, access, public_id)
            return JSON(out.envelope("customer", out.customer_json(found)))

        @app.get(
            f"/{version}/customers/{{public_id}}/appointments",
            response_model=AppointmentListOut,
            **documented(),
        )
        def customer_appointments(public_id: str, request: Request, access: BookingAccess) -> JSON:
            """Appointments of a customer."""
            found = _customer(request, access, public_id)
            listed = queries.customer_appointments(slotbook_of(request), access.catalog, found)
            return JSON(
                out.envelope(
                    "appointmentList",
                    [out.appointment_json(a, access.catalog, locale_of(request)) for a in listed],
                )
            )


def _customer(request: Request, access: Access, public_id: str) -> Customer:
    try:
        return queries.get_customer(slotbook_of(request), access.catalog, "public_id", public_id)
    except NotFound:
        raise NotFound(
            "customer", public_id, "No customer found matching the specified publicId"
        ) from None
