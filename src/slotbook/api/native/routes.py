"""The native API: the organisation's appointments and their day (``staff`` scope), and
administration: keys, erasure, the audit log (``admin`` scope).

The catalog (catalog_routes), the waitlist, series and figures have their own modules.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta, tzinfo
from typing import Any

from fastapi import FastAPI, Request
from fastapi.routing import APIRoute
from starlette.responses import Response

from slotbook.api.kit.docs import IDEMPOTENCY_KEY, new_surface, request_body
from slotbook.api.kit.errors import BadInput, install_error_handlers
from slotbook.api.kit.http import JSON, parse_model, slotbook_of
from slotbook.api.kit.parsers import check_instant, parse_date, parse_id, parse_int
from slotbook.api.native.answers import PROBLEMS, PROBLEMS_OF_WRITES
from slotbook.api.native.booking_routes import BODIES as BOOKING_BODIES
from slotbook.api.native.booking_routes import booking_routes
from slotbook.api.native.catalog_routes import BODIES as CATALOG_BODIES
from slotbook.api.native.catalog_routes import catalog_routes
from slotbook.api.native.deps import (
    AdminAccess,
    AdminWriteAccess,
    BodyDep,
    StaffAccess,
    StaffWriteAccess,
)
from slotbook.api.native.errors import PROBLEM, TABLE, render_problem
from slotbook.api.native.insight_routes import insight_routes
from slotbook.api.native.mapping import appointment_out, audit_out, key_out, person_details
from slotbook.api.native.schemas import (
    AppointmentOut,
    AppointmentPage,
    AuditPage,
    BlockIn,
    BlockList,
    BlockOut,
    BookIn,
    CancelIn,
    ClosureIn,
    ClosureOut,
    CreatedKeyOut,
    ErasedOut,
    EraseIn,
    KeyIn,
    KeyList,
    MoveIn,
)
from slotbook.api.native.series_routes import SeriesIn, series_routes
from slotbook.api.native.waitlist_routes import WaitIn, waitlist_routes
from slotbook.domain.errors import NotFound
from slotbook.domain.model import Appointment, Status
from slotbook.services import access as keys
from slotbook.services import arrivals, audit, changes, closures, privacy, queries
from slotbook.services.actor import Scope
from slotbook.services.availability import SlotQuery
from slotbook.services.booking import AppointmentRef, BookingDetails, place
from slotbook.services.context import Slotbook
from slotbook.services.ports import AppointmentFilter, Block


def _problems_as_problem_json(document: dict[str, Any]) -> None:
    """Error answers travel as ``application/problem+json`` (RFC 9457), not plain JSON."""
    for item in document.get("paths", {}).values():
        for operation in item.values():
            for status, answer in operation.get("responses", {}).items():
                content = answer.get("content", {})
                if status.startswith(("4", "5")) and "application/json" in content:
                    answer["content"] = {PROBLEM: content["application/json"]}


def _operation_id(route: APIRoute) -> str:
    return route.name


def create_surface(slotbook: Slotbook) -> FastAPI:
    """The native API app (mounted at ``/api/v1``)."""
    app = new_surface(
        "Slotbook API",
        slotbook,
        description="Slotbook's own API. Send `Authorization: Bearer <key>`; the key's scope "
        "decides what it may do (see docs/access.md).",
        schemes={"bearer": {"type": "http", "scheme": "bearer"}},
        bodies=(
            EraseIn,
            KeyIn,
            CancelIn,
            ClosureIn,
            BlockIn,
            BookIn,
            MoveIn,
            SeriesIn,
            WaitIn,
            *CATALOG_BODIES,
            *BOOKING_BODIES,
        ),
        finish=_problems_as_problem_json,
    )
    # Operation ids are the route names (book_appointment, check_in_appointment ...), so a
    # client generated from the document reads well.
    app.router.generate_unique_id_function = _operation_id
    install_error_handlers(
        app, render_problem, TABLE, bad_input_code="invalid_request", not_found_code="not_found"
    )
    catalog_routes(app)
    booking_routes(app)
    _staff_routes(app)
    _closure_routes(app)
    waitlist_routes(app)
    insight_routes(app)
    series_routes(app)
    _admin_routes(app)
    return app


_STATUSES = ("held", "reserved", "confirmed", "cancelled", "released")
MAX_PAGE = 200


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode().rstrip("=")


def _offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, value = text.split(":", 1)
        if kind == "o" and value.isdigit() and int(value) <= 10**7:
            return int(value)
    except (ValueError, UnicodeDecodeError):
        pass
    raise BadInput("cursor is not one this API gave out", field="cursor")


def _appointment_ref(appointment_id: str) -> AppointmentRef:
    return ("uuid", parse_id(appointment_id, "guid", "appointment_id"))


def _staff_routes(app: FastAPI) -> None:
    @app.get("/appointments", response_model=AppointmentPage, responses=PROBLEMS)
    def list_appointments(
        request: Request,
        access: StaffAccess,
        branch: str | None = None,
        resource: str | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
        status: str | None = None,
        email: str | None = None,
        cursor: str | None = None,
        limit: str | None = None,
    ) -> JSON:
        """Appointments by start: of a branch or resource, between two dates (inclusive, in
        the branch's time zone, else UTC), with some statuses (comma-separated), of a customer
        (e-mail)."""
        catalog = access.catalog
        zone: tzinfo = UTC
        if branch is not None:
            zone = catalog.branch_by_alias(branch).zone
        if resource is not None:
            catalog.resource_by_alias(resource)
        statuses = None
        if status is not None:
            statuses = tuple(s.strip() for s in status.split(",") if s.strip())
            if not statuses or any(s not in _STATUSES for s in statuses):
                raise BadInput(f"status must be some of {', '.join(_STATUSES)}", field="status")
        first = parse_date(date_from, "date_from") if date_from else None
        last = parse_date(date_to, "date_to") if date_to else None
        count = parse_int(limit, "limit", 1, MAX_PAGE, default=50) or 50
        offset = _offset(cursor)
        criteria = AppointmentFilter(
            branch_key=catalog.branch_by_alias(branch).key if branch else None,
            resource_key=catalog.resource_by_alias(resource).key if resource else None,
            customer_email=email,
            starts_from=datetime.combine(first, time(0), tzinfo=zone) if first else None,
            starts_before=(
                datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone) if last else None
            ),
            statuses=statuses,
        )
        found, total = queries.find_appointments(
            slotbook_of(request), catalog, criteria, offset=offset, limit=count
        )
        following = _cursor(offset + count) if offset + count < total else None
        data = [appointment_out(catalog, a).model_dump(mode="json") for a in found]
        return JSON({"data": data, "next": following})

    @app.post(
        "/appointments",
        status_code=201,
        response_model=AppointmentOut,
        responses=PROBLEMS_OF_WRITES,
        openapi_extra={"requestBody": request_body(BookIn), "parameters": [IDEMPOTENCY_KEY]},
    )
    def book_appointment(request: Request, access: StaffWriteAccess, body: BodyDep) -> JSON:
        """Book for a customer as staff: any start (off the grid), any length, a resource of
        choice; the database still refuses a time that is taken (409 ``slot_taken``)."""
        wanted = parse_model(BookIn, body)
        catalog = access.catalog
        branch = catalog.branch_by_alias(wanted.branch)
        services = tuple(catalog.service_by_alias(s) for s in wanted.services)
        resource = catalog.resource_by_alias(wanted.resource).key if wanted.resource else None
        person = wanted.customer
        done = place(
            slotbook_of(request),
            catalog,
            query=SlotQuery(
                branch=branch,
                services=services,
                people=wanted.people,
                custom_length=wanted.length_minutes,
                resource_keys=(resource,) if resource else None,
            ),
            start=check_instant(wanted.start, "start").astimezone(UTC),
            status=Status.CONFIRMED,
            details=BookingDetails(
                customers=[person_details(person)],
                notes=wanted.notes,
                source="staff",
            ),
            actor=access.actor,
            on_grid=False,
        )
        return JSON(appointment_out(catalog, done).model_dump(mode="json"), status_code=201)

    @app.post(
        "/appointments/{appointment_id}/move",
        response_model=AppointmentOut,
        responses=PROBLEMS_OF_WRITES,
        openapi_extra={"requestBody": request_body(MoveIn), "parameters": [IDEMPOTENCY_KEY]},
    )
    def move_appointment(
        appointment_id: str, request: Request, access: StaffWriteAccess, body: BodyDep
    ) -> JSON:
        """Move an appointment to a new start (and end, and resource of its branch); the
        customer is told (a mail with the updated calendar entry) and webhooks hear of it."""
        wanted = parse_model(MoveIn, body)
        catalog = access.catalog
        done = changes.reschedule(
            slotbook_of(request),
            catalog,
            ref=_appointment_ref(appointment_id),
            start=check_instant(wanted.start, "start").astimezone(UTC),
            end=check_instant(wanted.end, "end").astimezone(UTC) if wanted.end else None,
            resource_key=catalog.resource_by_alias(wanted.resource).key
            if wanted.resource
            else None,
            allowed_from=(Status.RESERVED, Status.CONFIRMED),
            actor=access.actor,
        )
        return JSON(appointment_out(catalog, done).model_dump(mode="json"))

    @app.get("/appointments/{appointment_id}", response_model=AppointmentOut, responses=PROBLEMS)
    def read_appointment(appointment_id: str, request: Request, access: StaffAccess) -> JSON:
        """One appointment."""
        found = queries.get_appointment(
            slotbook_of(request), access.catalog, _appointment_ref(appointment_id)
        )
        return JSON(appointment_out(access.catalog, found).model_dump(mode="json"))

    @app.post(
        "/appointments/{appointment_id}/cancel",
        response_model=AppointmentOut,
        responses=PROBLEMS_OF_WRITES,
        openapi_extra={
            "requestBody": request_body(CancelIn, required=False),
            "parameters": [IDEMPOTENCY_KEY],
        },
    )
    def cancel_appointment(
        appointment_id: str, request: Request, access: StaffWriteAccess, body: BodyDep
    ) -> JSON:
        """Cancel with a reason; ``notify: false`` does not mail the customer (webhooks are
        still told). A no-show or a served appointment cannot be cancelled."""
        wanted = parse_model(CancelIn, body if body is not None else {})
        done = changes.cancel(
            slotbook_of(request),
            access.catalog,
            ref=_appointment_ref(appointment_id),
            allowed_from=(Status.RESERVED, Status.CONFIRMED),
            actor=access.actor,
            reason=wanted.reason or None,
            notify=wanted.notify,
        )
        return JSON(appointment_out(access.catalog, done).model_dump(mode="json"))

    for path, use_case, summary in (
        (
            "check-in",
            arrivals.check_in,
            "The customer has arrived (only on the appointment's day).",
        ),
        ("no-show", arrivals.no_show, "The customer did not come (once the start has passed)."),
        ("complete", arrivals.complete, "The customer who checked in has been served."),
    ):
        _arrival_route(app, path, use_case, summary)


def _block_out(block: Block) -> dict[str, Any]:
    return BlockOut(
        id=block.id,
        branch=block.branch_key,
        resource=block.resource_key,
        start=block.start,
        end=block.end,
        reason=block.reason,
    ).model_dump(mode="json")


def _closure_routes(app: FastAPI) -> None:
    @app.post(
        "/closures",
        status_code=201,
        response_model=ClosureOut,
        responses=PROBLEMS_OF_WRITES,
        openapi_extra={"requestBody": request_body(ClosureIn), "parameters": [IDEMPOTENCY_KEY]},
    )
    def close_branch(request: Request, access: StaffWriteAccess, body: BodyDep) -> JSON:
        """Close a branch or resource for a day or a time range: what is booked inside is
        cancelled (and the customers told, unless ``notify`` is false), and nothing can be
        booked there until the closure is lifted."""
        wanted = parse_model(ClosureIn, body)
        catalog = access.catalog
        branch = catalog.branch_by_alias(wanted.branch)
        resource = catalog.resource_by_alias(wanted.resource).key if wanted.resource else None
        if wanted.date is not None:
            start = datetime.combine(wanted.date, time(0), tzinfo=branch.zone)
            end = datetime.combine(wanted.date + timedelta(days=1), time(0), tzinfo=branch.zone)
        else:
            assert wanted.start is not None
            assert wanted.end is not None
            start, end = wanted.start, wanted.end
        done = closures.close(
            slotbook_of(request),
            catalog,
            branch_key=branch.key,
            resource_key=resource,
            start=check_instant(start, "start").astimezone(UTC),
            end=check_instant(end, "end").astimezone(UTC),
            reason=wanted.reason,
            notify=wanted.notify,
            actor=access.actor,
        )
        shown = {
            "blocks": [_block_out(b) for b in done.blocks],
            "cancelled": [
                appointment_out(catalog, a).model_dump(mode="json") for a in done.cancelled
            ],
        }
        return JSON(shown, status_code=201)

    @app.post(
        "/blocks",
        status_code=201,
        response_model=BlockOut,
        responses=PROBLEMS_OF_WRITES,
        openapi_extra={"requestBody": request_body(BlockIn), "parameters": [IDEMPOTENCY_KEY]},
    )
    def block_resource(request: Request, access: StaffWriteAccess, body: BodyDep) -> JSON:
        """Make a resource unavailable for a while; 409 when something is booked then."""
        wanted = parse_model(BlockIn, body)
        resource = access.catalog.resource_by_alias(wanted.resource)
        done = closures.close(
            slotbook_of(request),
            access.catalog,
            branch_key=resource.branch_key,
            resource_key=resource.key,
            start=check_instant(wanted.start, "start").astimezone(UTC),
            end=check_instant(wanted.end, "end").astimezone(UTC),
            reason=wanted.reason,
            cancel_inside=False,
            actor=access.actor,
        )
        return JSON(_block_out(done.blocks[0]), status_code=201)

    @app.get("/blocks", response_model=BlockList, responses=PROBLEMS)
    def list_blocks(
        request: Request,
        access: StaffAccess,
        date_from: str | None = None,
        date_to: str | None = None,
    ) -> JSON:
        """Blocks and closures in force between two dates (UTC, inclusive; default: from
        today on)."""
        now = slotbook_of(request).now()
        first = parse_date(date_from, "date_from") if date_from else now.date()
        last = parse_date(date_to, "date_to") if date_to else first + timedelta(days=3660)
        found = closures.blocks(
            slotbook_of(request),
            access.catalog,
            datetime.combine(first, time(0), tzinfo=UTC),
            datetime.combine(last + timedelta(days=1), time(0), tzinfo=UTC),
        )
        return JSON({"data": [_block_out(b) for b in found]})

    @app.delete(
        "/blocks/{block_id}",
        status_code=204,
        responses=PROBLEMS_OF_WRITES,
        openapi_extra={"parameters": [IDEMPOTENCY_KEY]},
    )
    def lift_block(block_id: str, request: Request, access: StaffWriteAccess) -> Response:
        """Lift a block or one resource's closure: its time is bookable again at once."""
        wanted = parse_id(block_id, "guid", "block_id")
        if not closures.lift(slotbook_of(request), access.catalog, wanted, actor=access.actor):
            raise NotFound("block", wanted, "No such block in force")
        return Response(status_code=204)


def _arrival_route(
    app: FastAPI, path: str, use_case: Callable[..., Appointment], summary: str
) -> None:
    def arrive(appointment_id: str, request: Request, access: StaffWriteAccess) -> JSON:
        done = use_case(
            slotbook_of(request),
            access.catalog,
            ref=_appointment_ref(appointment_id),
            actor=access.actor,
        )
        return JSON(appointment_out(access.catalog, done).model_dump(mode="json"))

    arrive.__doc__ = summary
    app.post(
        f"/appointments/{{appointment_id}}/{path}",
        response_model=AppointmentOut,
        responses=PROBLEMS_OF_WRITES,
        openapi_extra={"parameters": [IDEMPOTENCY_KEY]},
        name=f"{path.replace('-', '_')}_appointment",
    )(arrive)


def _admin_routes(app: FastAPI) -> None:
    @app.post(
        "/customers/erase",
        response_model=ErasedOut,
        responses=PROBLEMS_OF_WRITES,
        openapi_extra={"requestBody": request_body(EraseIn), "parameters": [IDEMPOTENCY_KEY]},
    )
    def erase_customer(request: Request, access: AdminWriteAccess, body: BodyDep) -> JSON:
        """Anonymise a customer everywhere (by e-mail, external id or id); times stay."""
        wanted = parse_model(EraseIn, body)
        done = privacy.erase_customer(
            slotbook_of(request),
            access.catalog,
            email=wanted.email,
            external_id=wanted.external_id,
            customer_id=wanted.id,
            actor=access.actor,
        )
        return JSON({"customers": done.customers, "appointments": done.appointments})

    @app.get("/audit", response_model=AuditPage, responses=PROBLEMS)
    def audit_log(
        request: Request,
        access: AdminAccess,
        since: str | None = None,
        limit: str | None = None,
    ) -> JSON:
        """The tenant's audit log from ``since`` (YYYY-MM-DD, UTC) on, oldest first."""
        first = parse_date(since, "since") if since else None
        count = parse_int(limit, "limit", 1, audit.MAX_ENTRIES, default=1000) or 1000
        entries = audit.read_log(
            slotbook_of(request),
            access.catalog,
            since=datetime.combine(first, time(0), tzinfo=UTC) if first else None,
            limit=count,
        )
        return JSON({"data": [audit_out(e).model_dump(mode="json") for e in entries]})

    @app.get("/keys", response_model=KeyList, responses=PROBLEMS)
    def list_keys(request: Request, access: AdminAccess) -> JSON:
        """The tenant's API keys (never their values)."""
        found = keys.list_keys(slotbook_of(request), tenant_key=access.catalog.key)
        return JSON({"data": [key_out(k).model_dump(mode="json") for k in found]})

    @app.post(
        "/keys",
        status_code=201,
        response_model=CreatedKeyOut,
        responses=PROBLEMS_OF_WRITES,
        openapi_extra={"requestBody": request_body(KeyIn), "parameters": [IDEMPOTENCY_KEY]},
    )
    def create_key(request: Request, access: AdminWriteAccess, body: BodyDep) -> JSON:
        """Create a key with a scope; its value is in this answer only."""
        wanted = parse_model(KeyIn, body)
        created = keys.create_key(
            slotbook_of(request),
            tenant_key=access.catalog.key,
            scope=Scope(wanted.scope),
            label=wanted.label,
            actor=access.actor,
        )
        shown = key_out(created.info).model_dump(mode="json") | {"key": created.key}
        return JSON(shown, status_code=201)

    @app.delete(
        "/keys/{key_id}",
        status_code=204,
        responses=PROBLEMS_OF_WRITES,
        openapi_extra={"parameters": [IDEMPOTENCY_KEY]},
    )
    def revoke_key(key_id: str, request: Request, access: AdminWriteAccess) -> Response:
        """Revoke a key of the tenant at once."""
        number = parse_int(key_id, "key_id", 1, 2**31 - 1)
        if number is None:  # a blank id (``/keys/%20``)
            raise BadInput("key_id must be a whole number from 1 to 2147483647", field="key_id")
        keys.revoke_key(
            slotbook_of(request),
            key_id=number,
            tenant_key=access.catalog.key,
            actor=access.actor,
        )
        return Response(status_code=204)
