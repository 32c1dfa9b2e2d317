"""Appointedd API v1 (mounted at ``/v1``): services, interval search, slots, group bookings."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from starlette.responses import Response

from slotbook.api.appointedd.deps import (
    BodyDep,
    BookingAccess,
    BookingId,
    BookingWriteAccess,
    CustomerId,
    ParticipantId,
    ResourceId,
    ServiceId,
    SlotbookDep,
    SlotId,
    StaffAccess,
    ids_param,
    listing,
    text_param,
    zone_param,
)
from slotbook.api.appointedd.errors import TABLE, render_error
from slotbook.api.kit.docs import new_surface
from slotbook.api.kit.errors import install_error_handlers
from slotbook.api.kit.http import JSON, parse_model
from slotbook.api.kit.parsers import parse_id
from slotbook.domain.errors import Forbidden, NotFound, WrongState
from slotbook.domain.model import FIRM_STATUSES, Appointment, Catalog, CustomerDetails, Status
from slotbook.services import booking, changes, queries
from slotbook.services.access import Access
from slotbook.services.booking import Participant
from slotbook.services.context import Slotbook

from .intervals import check_spaces, place_slot, search_intervals
from .mapping import (
    booking_out,
    booking_status,
    categories,
    customer_record_out,
    is_booking,
    is_participant,
    limit_of,
    offered_services,
    page,
    resource_by_id,
    resource_group_out,
    resource_out,
    service_by_id,
    service_out,
    slot_out,
    zone_of,
)
from .openapi import (
    COUNTED,
    EMAIL,
    IDS,
    LASTNAME,
    LIMIT,
    POSTED,
    READ,
    START,
    TIMEZONE,
    answers,
    operation,
)
from .schemas import (
    BookingData,
    BookingIn,
    BookingList,
    CategoryList,
    CustomerData,
    CustomerList,
    IntervalList,
    IntervalSearchIn,
    ResourceData,
    ResourceGroupList,
    ResourceList,
    ServiceData,
    ServiceList,
    SlotData,
    SlotIn,
)

SOURCE = "appointedd"


router = APIRouter()


# --- services and resources -----------------------------------------------------------------


@router.get(
    "/services",
    response_model=ServiceList,
    responses=answers(READ),
    openapi_extra=operation(LIMIT, START),
)
def list_services(request: Request, access: BookingAccess) -> JSON:
    """Services of the tenant, in listing order (index, then catalog order)."""
    catalog = access.catalog
    limit = limit_of(request.query_params.get("limit"))
    services = offered_services(catalog, access.internal)
    chunk, prev, following = page(
        services, lambda s: s.ids.hex24, request.query_params.get("start"), limit
    )
    data = [service_out(catalog, s) for s in chunk]
    return listing(data, len(services), prev, following)


@router.get(
    "/services/categories",
    response_model=CategoryList,
    responses=answers(READ),
    openapi_extra=operation(LIMIT, START),
)
def list_categories(request: Request, access: BookingAccess) -> JSON:
    """Categories of the services a key may see (before ``services/{id}``: not an id)."""
    found = categories(access.catalog, access.internal)
    limit = limit_of(request.query_params.get("limit"))
    chunk, prev, following = page(
        found, lambda c: c["id"], request.query_params.get("start"), limit
    )
    return listing(list(chunk), len(found), prev, following)


@router.get("/services/{service_id}", response_model=ServiceData, responses=answers(READ))
def get_service(service_id: ServiceId, access: BookingAccess) -> JSON:
    """One service."""
    service = service_by_id(
        access.catalog, parse_id(service_id, "hex24", "service_id"), internal=access.internal
    )
    return JSON({"data": service_out(access.catalog, service)})


@router.get(
    "/resources",
    response_model=ResourceList,
    responses=answers(READ),
    openapi_extra=operation(LIMIT, START),
)
def list_resources(request: Request, access: BookingAccess) -> JSON:
    """Resources of the tenant, branch by branch in catalog order."""
    catalog = access.catalog
    limit = limit_of(request.query_params.get("limit"))
    resources = [r for b in catalog.active_branches() for r in b.resources if r.active]
    chunk, prev, following = page(
        resources, lambda r: r.ids.hex24, request.query_params.get("start"), limit
    )
    data = [resource_out(catalog, r, internal=access.internal) for r in chunk]
    return listing(data, len(resources), prev, following)


@router.get(
    "/resources/groups",
    response_model=ResourceGroupList,
    responses=answers(READ),
    openapi_extra=operation(IDS, LIMIT, START),
)
def list_resource_groups(request: Request, access: BookingAccess) -> JSON:
    """Resource groups (``ids`` picks some; before ``resources/{id}``: not an id)."""
    catalog = access.catalog
    wanted = ids_param(request, "ids")
    chosen = {parse_id(i, "hex24", "ids") for i in wanted} if wanted is not None else None
    groups = sorted(catalog.resource_groups, key=lambda g: g.index)
    found = [g for g in groups if chosen is None or g.ids.hex24 in chosen]
    limit = limit_of(request.query_params.get("limit"))
    chunk, prev, following = page(
        found, lambda g: g.ids.hex24, request.query_params.get("start"), limit
    )
    return listing([resource_group_out(catalog, g) for g in chunk], len(found), prev, following)


@router.get("/resources/{resource_id}", response_model=ResourceData, responses=answers(READ))
def get_resource(resource_id: ResourceId, access: BookingAccess) -> JSON:
    """One resource."""
    resource = resource_by_id(access.catalog, parse_id(resource_id, "hex24", "resource_id"))
    return JSON({"data": resource_out(access.catalog, resource, internal=access.internal)})


# --- availability ---------------------------------------------------------------------------


@router.post(
    "/availability/intervals/search",
    response_model=IntervalList,
    responses=answers(POSTED),
    openapi_extra=operation(body=IntervalSearchIn, write=True),
)
def search(slotbook: SlotbookDep, access: BookingAccess, body: BodyDep) -> JSON:
    """Start times where a booking fits or a group booking has room."""
    spec = parse_model(IntervalSearchIn, body)
    return JSON({"data": search_intervals(slotbook, access, spec)})


@router.post(
    "/availability/slots",
    status_code=201,
    response_model=SlotData,
    responses=answers(COUNTED),
    openapi_extra=operation(body=SlotIn, write=True),
)
def create_slot(slotbook: SlotbookDep, access: BookingWriteAccess, body: BodyDep) -> JSON:
    """Hold spaces at a start (joining a group booking with room) until the slot expires."""
    spec = parse_model(SlotIn, body)
    zone = zone_of(spec.data.timezone, "data.timezone")
    held = place_slot(slotbook, access, spec.data, source=SOURCE)
    view = _session(slotbook, access.catalog, held)
    return JSON(
        {"data": slot_out(access.catalog, held, view, slotbook.now(), zone)}, status_code=201
    )


def _slot(slotbook: Slotbook, catalog: Catalog, slot_id: str, field: str) -> Appointment:
    key = parse_id(slot_id, "hex24", field)
    try:
        return queries.get_appointment(slotbook, catalog, ("hex24", key))
    except NotFound:
        raise NotFound("slot", slot_id, "Availability slot not found") from None


def _session(slotbook: Slotbook, catalog: Catalog, appointment: Appointment) -> queries.SessionView:
    assert appointment.session_ids is not None
    return queries.get_session(slotbook, catalog, "hex24", appointment.session_ids.hex24)


@router.get(
    "/availability/slots/{slot_id}",
    response_model=SlotData,
    responses=answers(READ),
    openapi_extra=operation(TIMEZONE),
)
def get_slot(
    slot_id: SlotId, request: Request, slotbook: SlotbookDep, access: BookingAccess
) -> JSON:
    """A slot while it holds its spaces."""
    zone = zone_param(request)
    slot = _slot(slotbook, access.catalog, slot_id, "slot_id")
    now = slotbook.now()
    if slot.status is not Status.HELD:
        used = slot.status is not Status.RELEASED
        message = (
            "This availability slot was already used" if used else "Availability slot not found"
        )
        raise NotFound("slot", slot_id, message)
    if not slot.is_live_hold(now):
        raise NotFound("slot", slot_id, "This availability slot has expired")
    view = _session(slotbook, access.catalog, slot)
    return JSON({"data": slot_out(access.catalog, slot, view, now, zone)})


def _check_releasable(slot: Appointment, slot_id: str) -> None:
    if slot.status in (Status.RELEASED, Status.CANCELLED):
        raise NotFound("slot", slot_id, "Availability slot not found")
    if slot.status is not Status.HELD:
        raise WrongState("This availability slot was used for a booking; cancel the booking")


@router.delete(
    "/availability/slots/{slot_id}",
    status_code=204,
    responses=answers(COUNTED),
    openapi_extra=operation(write=True),
)
def delete_slot(slot_id: SlotId, slotbook: SlotbookDep, access: BookingWriteAccess) -> Response:
    """Release a slot: its spaces are free at once."""
    slot = _slot(slotbook, access.catalog, slot_id, "slot_id")
    _check_releasable(slot, slot_id)
    try:
        changes.release_hold(
            slotbook, access.catalog, ref=("hex24", slot.ids.hex24), actor=access.actor
        )
    except WrongState:
        # Released, cancelled or booked since we read it: answer for what it is now.
        _check_releasable(_slot(slotbook, access.catalog, slot_id, "slot_id"), slot_id)
        raise
    return Response(status_code=204)


# --- bookings -------------------------------------------------------------------------------


def _check_participants(
    catalog: Catalog, slot: Appointment, participants: list[Participant]
) -> None:
    """400 for spaces the slot's service never offers: per customer, then in total."""
    service = catalog.service(slot.service_keys[0], include_retired=True)
    for index, participant in enumerate(participants):
        check_spaces(service, participant.spaces, f"data.customers.{index}.spaces")
    check_spaces(service, sum(p.spaces for p in participants), "data.customers")


@router.post(
    "/bookings",
    status_code=201,
    response_model=BookingData,
    responses=answers(COUNTED),
    openapi_extra=operation(body=BookingIn, write=True),
)
def create_booking(slotbook: SlotbookDep, access: BookingWriteAccess, body: BodyDep) -> JSON:
    """Turn a slot into participants of its booking (one per customer)."""
    spec = parse_model(BookingIn, body)
    zone = zone_of(spec.timezone)
    catalog = access.catalog
    slot = _slot(slotbook, catalog, spec.slot_id, "slot_id")
    customers = spec.data.customers
    participants = []
    for entry in customers:
        profile = entry.customer.profile
        spaces = entry.spaces
        if spaces is None:
            # A lone customer without ``spaces`` takes every space the slot reserved.
            spaces = slot.spaces if len(customers) == 1 else 1
        details = CustomerDetails(
            first_name=profile.firstname,
            last_name=profile.lastname,
            email=profile.email,
            phone=profile.mobile,
        )
        participants.append(Participant(details, spaces))
    _check_participants(catalog, slot, participants)
    booked = booking.book_participants(
        slotbook,
        catalog,
        hold=("hex24", slot.ids.hex24),
        participants=participants,
        actor=access.actor,
        source=SOURCE,
    )
    view = _session(slotbook, catalog, booked[0])
    shown = _shown(access, [a.ids.hex24 for a in booked])
    return JSON(
        {"data": booking_out(catalog, view, slotbook.now(), zone, only=shown)}, status_code=201
    )


def _shown(access: Access, own: list[str]) -> list[str] | None:
    """Participants a caller may see: all for staff; for a booking key only its own.

    A group booking's id is shared by everyone in it, so it is no proof of who one is.
    """
    return None if access.internal else own


@router.get(
    "/bookings",
    response_model=BookingList,
    responses=answers(READ),
    openapi_extra=operation(IDS, START, LIMIT, TIMEZONE),
)
def list_bookings(request: Request, slotbook: SlotbookDep, access: StaffAccess) -> JSON:
    """Bookings by start (``ids`` picks some)."""
    zone = zone_param(request)
    limit = limit_of(request.query_params.get("limit"))
    ids = ids_param(request, "ids")
    start = request.query_params.get("start")
    found = queries.list_sessions(
        slotbook,
        access.catalog,
        hex_ids=ids,
        start=parse_id(start, "hex24", "start") if start is not None else None,
        limit=limit,
    )
    now = slotbook.now()
    data = [booking_out(access.catalog, view, now, zone) for view in found.views]
    return listing(data, found.total, found.previous, found.following)


# --- customers ------------------------------------------------------------------------------

MAX_LISTED_CUSTOMERS = 10_000


@router.get(
    "/customers",
    response_model=CustomerList,
    responses=answers(READ),
    openapi_extra=operation(EMAIL, LASTNAME, START, LIMIT, TIMEZONE),
)
def list_customers(request: Request, slotbook: SlotbookDep, access: StaffAccess) -> JSON:
    """Customers of the tenant, oldest first (``email``, ``lastname`` narrow; staff key)."""
    zone = zone_param(request)
    limit = limit_of(request.query_params.get("limit"))
    found, total = queries.search_customers(
        slotbook,
        access.catalog,
        email=text_param(request, "email"),
        last_name=text_param(request, "lastname"),
        offset=0,
        limit=MAX_LISTED_CUSTOMERS,
    )
    chunk, prev, following = page(
        found, lambda c: c.ids.hex24, request.query_params.get("start"), limit
    )
    return listing([customer_record_out(c, zone) for c in chunk], total, prev, following)


@router.get(
    "/customers/{customer_id}",
    response_model=CustomerData,
    responses=answers(READ),
    openapi_extra=operation(TIMEZONE),
)
def get_customer(
    customer_id: CustomerId, request: Request, slotbook: SlotbookDep, access: BookingAccess
) -> JSON:
    """One customer by its own (random) id."""
    wanted = parse_id(customer_id, "hex24", "customer_id")
    try:
        found = queries.get_customer(slotbook, access.catalog, "hex24", wanted)
    except NotFound:
        raise NotFound("customer", customer_id, "No customer with this id") from None
    return JSON({"data": customer_record_out(found, zone_param(request))})


def _booking(slotbook: Slotbook, catalog: Catalog, booking_id: str) -> queries.SessionView:
    key = parse_id(booking_id, "hex24", "booking_id")
    view = queries.get_session(slotbook, catalog, "hex24", key)
    if not is_booking(view.appointments, slotbook.now()):
        raise NotFound("booking", key, "Booking not found")
    return view


@router.get(
    "/bookings/{booking_id}",
    response_model=BookingData,
    responses=answers(READ),
    openapi_extra=operation(TIMEZONE),
)
def get_booking(
    booking_id: BookingId, request: Request, slotbook: SlotbookDep, access: BookingAccess
) -> JSON:
    """One booking with its participants."""
    zone = zone_param(request)
    view = _booking(slotbook, access.catalog, booking_id)
    shown = _shown(access, [])
    return JSON({"data": booking_out(access.catalog, view, slotbook.now(), zone, only=shown)})


@router.post(
    "/bookings/{booking_id}/cancel",
    response_model=BookingData,
    responses=answers(COUNTED),
    openapi_extra=operation(TIMEZONE, write=True),
)
def cancel_booking(
    booking_id: BookingId, request: Request, slotbook: SlotbookDep, access: BookingWriteAccess
) -> JSON:
    """Cancel a booking and every participant in it; all its spaces are free."""
    zone = zone_param(request)
    catalog = access.catalog
    view = _booking(slotbook, catalog, booking_id)
    now = slotbook.now()
    if booking_status(view, now) == "cancelled":
        raise WrongState("This booking is already cancelled")
    live = [a.ids.hex24 for a in view.appointments if a.is_live(now)]
    if len(live) > 1 and not access.internal:
        raise Forbidden(
            "This booking has several participants: cancelling all of them needs a staff key; "
            "cancel one participant with bookings/{booking_id}/customers/{id}/cancel"
        )
    view = queries.cancel_session(
        slotbook, catalog, "hex24", view.session.ids.hex24, actor=access.actor
    )
    shown = _shown(access, live)
    return JSON({"data": booking_out(catalog, view, slotbook.now(), zone, only=shown)})


@router.post(
    "/bookings/{booking_id}/customers/{customer_booking_id}/cancel",
    response_model=BookingData,
    responses=answers(COUNTED),
    openapi_extra=operation(TIMEZONE, write=True),
)
def cancel_participant(
    booking_id: BookingId,
    customer_booking_id: ParticipantId,
    request: Request,
    slotbook: SlotbookDep,
    access: BookingWriteAccess,
) -> JSON:
    """Cancel one participant; their spaces are free again."""
    zone = zone_param(request)
    catalog = access.catalog
    key = parse_id(booking_id, "hex24", "booking_id")
    ref = parse_id(customer_booking_id, "hex24", "customer_booking_id")
    missing = NotFound("participant", ref, "No participant with this id in this booking")
    try:
        member = queries.get_appointment(slotbook, catalog, ("hex24", ref))
    except NotFound:
        raise missing from None
    in_booking = member.session_ids is not None and member.session_ids.hex24 == key
    if not in_booking or not (is_participant(member) or member.status is Status.CANCELLED):
        raise missing
    if member.status is Status.CANCELLED:
        raise WrongState("This participant is already cancelled")
    changes.cancel(
        slotbook, catalog, ref=("hex24", ref), allowed_from=FIRM_STATUSES, actor=access.actor
    )
    view = queries.get_session(slotbook, catalog, "hex24", key)
    shown = _shown(access, [ref])
    return JSON({"data": booking_out(catalog, view, slotbook.now(), zone, only=shown)})


def create_surface(slotbook: Slotbook) -> FastAPI:
    """The Appointedd surface's ASGI app."""
    app = new_surface(
        "Slotbook: Appointedd API v1", slotbook, bodies=(IntervalSearchIn, SlotIn, BookingIn)
    )
    install_error_handlers(app, render_error, TABLE)
    app.include_router(router)
    return app
