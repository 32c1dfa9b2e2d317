"""Qmatic cloud booking API (``/external/v1``): services, timeslots, reservations, appointments.

The ``serviceCombination/`` endpoints share their steps (``flows.py``) with the single-service
ones; an appointment booked through either is the same appointment.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, FastAPI
from starlette.responses import Response

from slotbook.api.kit.docs import new_surface
from slotbook.api.kit.errors import BadInput
from slotbook.api.kit.http import JSON, parse_model
from slotbook.api.qmatic import flows
from slotbook.api.qmatic import openapi as shapes
from slotbook.api.qmatic.deps import (
    BodyDep,
    Caller,
    CallerDep,
    SlotbookDep,
    WriterDep,
    idempotency_key,
    install_errors,
)
from slotbook.api.qmatic.mapping import (
    appointment_json,
    branch_json,
    group_json,
    offer_json,
    reservation_json,
    resource_selection_json,
    service_entry_json,
    service_ref_json,
)
from slotbook.api.qmatic.openapi import (
    AppointmentId,
    BranchParam,
    EndParam,
    PeopleParam,
    PersonParam,
    ReservationId,
    ResourceParam,
    ServiceId,
    ServiceIdsParam,
    StartParam,
)
from slotbook.api.qmatic.schemas import (
    CombinationReservationIn,
    ConfirmIn,
    CustomerBody,
    RescheduleIn,
    ReservationIn,
    SearchIn,
    parse_guid,
)
from slotbook.domain.errors import NotHeld, WrongState
from slotbook.domain.model import Service, Status
from slotbook.services.changes import cancel, release_hold, reschedule_to_hold, update_customer
from slotbook.services.context import Slotbook

router = APIRouter()
_READ = shapes.errors()
_READ_BODY = shapes.errors(*shapes.WITH_BODY)
_TAKEN = shapes.errors(*shapes.WRITE, 409)  # reserve, cancel, change the customer
_GONE = shapes.errors(*shapes.WRITE, 410)  # confirm or release a reservation
_MOVE = shapes.errors(*shapes.WRITE, 409, 410)  # reschedule into a reservation

# --- catalog ---------------------------------------------------------------------------------


@router.get("/services", response_model=list[shapes.ServiceOffer], responses=_READ)
def list_services(caller: CallerDep) -> JSON:
    """Every service at every branch that offers it, with its questions."""
    catalog, text = caller.catalog, caller.text
    services = catalog.active_services()
    return JSON(
        [
            offer_json(catalog, branch, service, text)
            for service in services
            for branch in catalog.branches_for(service.key)
        ]
    )


@router.get("/services/groups", response_model=shapes.ServiceGroups, responses=_READ)
def list_groups(caller: CallerDep) -> JSON:
    """Services in their groups; services of no group under ``services``."""
    catalog, text = caller.catalog, caller.text
    active = {s.key: s for s in catalog.active_services()}
    grouped = {k for g in catalog.service_groups for k in g.service_keys}

    def ordered(keys: tuple[str, ...] | list[str]) -> list[Service]:
        found = (active[k] for k in keys if k in active)
        return sorted(found, key=lambda s: (s.index, s.position))

    groups = sorted(enumerate(catalog.service_groups), key=lambda p: (p[1].index, p[0]))
    return JSON(
        {
            "services": [
                service_entry_json(s, text)
                for s in ordered([k for k in active if k not in grouped])
            ],
            "serviceGroups": [group_json(g, ordered(g.service_keys), text) for _, g in groups],
        }
    )


@router.get("/services/{serviceId}", response_model=list[shapes.ServiceBranch], responses=_READ)
def service_branches(serviceId: ServiceId, caller: CallerDep) -> JSON:
    """The branches that offer a service, with its resource selection there."""
    service = flows.find_service(caller.catalog, parse_guid(serviceId, "serviceId"))
    return JSON(
        [
            {
                "branch": branch_json(branch),
                "resourceSelection": resource_selection_json(caller.catalog, branch, (service,)),
            }
            for branch in caller.catalog.branches_for(service.key)
        ]
    )


@router.get(
    "/services/{serviceId}/timeslots", response_model=list[shapes.TimeSlot], responses=_READ
)
def service_timeslots(
    serviceId: ServiceId,
    app: SlotbookDep,
    caller: CallerDep,
    branchId: BranchParam,
    numberOfReservations: PeopleParam = None,
    requestedResourceId: ResourceParam = None,
    startDate: StartParam = None,
    endDate: EndParam = None,
) -> JSON:
    """Free time slots of one service at a branch."""
    guid = parse_guid(serviceId, "serviceId")
    params = flows.SlotParams(
        branchId, numberOfReservations, requestedResourceId, startDate, endDate
    )
    return JSON(flows.timeslots(app, caller, params, [guid], "serviceId"))


# --- reservations ----------------------------------------------------------------------------


@router.post(
    "/reservations",
    status_code=201,
    response_model=shapes.Reservation,
    responses=_TAKEN,
    openapi_extra=shapes.body(ReservationIn),
)
def create_reservation(app: SlotbookDep, caller: WriterDep, body: BodyDep) -> JSON:
    """Hold a time slot for one service."""
    data = parse_model(ReservationIn, body)
    held = flows.reserve(app, caller, data, [data.serviceId], "serviceId")
    return JSON(reservation_json(held, caller.catalog, caller.text), status_code=201)


@router.put(
    "/reservations/{reservationId}",
    status_code=201,
    response_model=shapes.Appointment,
    responses=_GONE,
    openapi_extra=shapes.body(ConfirmIn),
)
def confirm_reservation(
    reservationId: ReservationId, app: SlotbookDep, caller: WriterDep, body: BodyDep
) -> JSON:
    """Confirm a reservation with the customer's details."""
    return _confirm(app, caller, reservationId, body)


@router.delete("/reservations/{reservationId}", status_code=204, responses=_GONE)
def release_reservation(
    reservationId: ReservationId, app: SlotbookDep, caller: WriterDep
) -> Response:
    """Give a reservation up before it expires (the slot is free at once)."""
    guid = parse_guid(reservationId, "reservationId")
    held = flows.load_reservation(app, caller.catalog, guid)
    if held.status is Status.HELD and not held.is_live_hold(app.now()):
        raise NotHeld("The reservation has expired", expired=True)
    try:
        release_hold(app, caller.catalog, ref=("uuid", guid), actor=caller.actor)
    except WrongState:
        raise BadInput(
            "This reservation is no longer pending", status=410, code="reservation_not_pending"
        ) from None
    return Response(status_code=204)


def _confirm(app: Slotbook, caller: Caller, reservation_id: str, body: object) -> JSON:
    guid = parse_guid(reservation_id, "reservationId")
    data = parse_model(ConfirmIn, body)
    done = flows.confirm_reservation(app, caller, guid, data)
    return JSON(appointment_json(done, caller.catalog, caller.text), status_code=201)


# --- appointments ----------------------------------------------------------------------------


_SEARCH_BODY = shapes.body(SearchIn, required=False)
_SEARCH_POST_ERRORS = shapes.errors(*shapes.WITH_BODY, 422)  # 422: a reused Idempotency-Key
_FOUND = list[shapes.Appointment]


@router.get(
    "/appointments/search",
    response_model=_FOUND,
    responses=_READ_BODY,
    openapi_extra=_SEARCH_BODY,
)
@router.post(
    "/appointments/search",
    response_model=_FOUND,
    responses=_SEARCH_POST_ERRORS,
    openapi_extra=_SEARCH_BODY,
    dependencies=[Depends(idempotency_key)],
)
def search_appointments(
    app: SlotbookDep, caller: CallerDep, body: BodyDep, personalIdentifier: PersonParam = None
) -> JSON:
    """Single-service appointments of a customer, by personal identifier."""
    return _search(app, caller, body, personalIdentifier, combined=False)


def _search(
    app: Slotbook, caller: Caller, body: object, person: str | None, *, combined: bool
) -> JSON:
    identifier = flows.search_identifier(parse_model(SearchIn, body), person)
    found = flows.search(app, caller.catalog, identifier, combined=combined)
    return JSON([appointment_json(a, caller.catalog, caller.text, identifier) for a in found])


@router.get("/appointments/{appointmentId}", response_model=shapes.Appointment, responses=_READ)
def read_appointment(appointmentId: AppointmentId, app: SlotbookDep, caller: CallerDep) -> JSON:
    """One booked appointment."""
    return _read(app, caller, appointmentId)


def _read(app: Slotbook, caller: Caller, appointment_id: str) -> JSON:
    guid = parse_guid(appointment_id, "appointmentId")
    found = flows.load_visible(app, caller.catalog, guid)
    return JSON(appointment_json(found, caller.catalog, caller.text))


@router.delete("/appointments/{appointmentId}", status_code=204, responses=_TAKEN)
def cancel_appointment(
    appointmentId: AppointmentId, app: SlotbookDep, caller: WriterDep
) -> Response:
    """Cancel an appointment; its slot is free at once."""
    guid = parse_guid(appointmentId, "appointmentId")
    found = flows.load_visible(app, caller.catalog, guid)
    cancel(
        app,
        caller.catalog,
        ref=("uuid", guid),
        allowed_from=(found.status,),
        actor=caller.actor,
    )
    return Response(status_code=204)


@router.put(
    "/appointments/{appointmentId}/customer",
    response_model=shapes.Appointment,
    responses=_TAKEN,
    openapi_extra=shapes.body(CustomerBody),
)
def update_appointment_customer(
    appointmentId: AppointmentId, app: SlotbookDep, caller: WriterDep, body: BodyDep
) -> JSON:
    """Change the customer's details; fields left out keep their value."""
    guid = parse_guid(appointmentId, "appointmentId")
    data = parse_model(CustomerBody, body)
    fields, prefix = data.fields()
    if not fields.given():
        raise BadInput("customer: send at least one field to change")
    flows.check_birth_date(app, fields, prefix)
    found = flows.load_visible(app, caller.catalog, guid)
    details = flows.customer_update(found, fields)
    done = update_customer(
        app, caller.catalog, ref=("uuid", guid), details=details, actor=caller.actor
    )
    return JSON(appointment_json(done, caller.catalog, caller.text))


@router.put(
    "/appointments/{appointmentId}/reschedule",
    response_model=shapes.Appointment,
    responses=_MOVE,
    openapi_extra=shapes.body(RescheduleIn),
)
def reschedule_appointment(
    appointmentId: AppointmentId, app: SlotbookDep, caller: WriterDep, body: BodyDep
) -> JSON:
    """Move an appointment into the slot of a new reservation (the id stays)."""
    return _reschedule(app, caller, appointmentId, body)


def _reschedule(app: Slotbook, caller: Caller, appointment_id: str, body: object) -> JSON:
    guid = parse_guid(appointment_id, "appointmentId")
    data = parse_model(RescheduleIn, body)
    flows.load_visible(app, caller.catalog, guid)
    flows.load_reservation(app, caller.catalog, data.reservationId)
    moved = reschedule_to_hold(
        app,
        caller.catalog,
        ref=("uuid", guid),
        hold=("uuid", data.reservationId),
        actor=caller.actor,
    )
    return JSON(appointment_json(moved, caller.catalog, caller.text))


# --- service combinations --------------------------------------------------------------------


@router.get(
    "/serviceCombination/branch", response_model=list[shapes.CombinationBranch], responses=_READ
)
def combination_branches(caller: CallerDep) -> JSON:
    """Every branch with the service combinations it offers."""
    catalog, text = caller.catalog, caller.text
    combos = catalog.active_combinations()
    result = []
    for branch in catalog.active_branches():
        offered = [c for c in combos if catalog.combination_offered_at(c, branch.key)]
        if offered:
            result.append(
                {
                    "branch": branch_json(branch),
                    "serviceCombinations": [
                        {"services": [service_ref_json(s, text) for s in combo]}
                        for combo in offered
                    ],
                }
            )
    return JSON(result)


@router.get("/serviceCombination/timeslots", response_model=list[shapes.TimeSlot], responses=_READ)
def combination_timeslots(
    app: SlotbookDep,
    caller: CallerDep,
    branchId: BranchParam,
    serviceIds: ServiceIdsParam,
    numberOfReservations: PeopleParam = None,
    startDate: StartParam = None,
    endDate: EndParam = None,
) -> JSON:
    """Free time slots for several services in one appointment."""
    guids = flows.service_ids_param(serviceIds)
    params = flows.SlotParams(branchId, numberOfReservations, None, startDate, endDate)
    return JSON(flows.timeslots(app, caller, params, guids, "serviceIds"))


@router.post(
    "/serviceCombination/reservations",
    status_code=201,
    response_model=shapes.Reservation,
    responses=_TAKEN,
    openapi_extra=shapes.body(CombinationReservationIn),
)
def create_combination_reservation(app: SlotbookDep, caller: WriterDep, body: BodyDep) -> JSON:
    """Hold a time slot for several services."""
    data = parse_model(CombinationReservationIn, body)
    held = flows.reserve(app, caller, data, data.serviceIds, "serviceIds")
    return JSON(reservation_json(held, caller.catalog, caller.text), status_code=201)


@router.put(
    "/serviceCombination/reservations/{reservationId}",
    status_code=201,
    response_model=shapes.Appointment,
    responses=_GONE,
    openapi_extra=shapes.body(ConfirmIn),
)
def confirm_combination_reservation(
    reservationId: ReservationId, app: SlotbookDep, caller: WriterDep, body: BodyDep
) -> JSON:
    """Confirm a reservation for several services."""
    return _confirm(app, caller, reservationId, body)


@router.get(
    "/serviceCombination/appointments/search",
    response_model=_FOUND,
    responses=_READ_BODY,
    openapi_extra=_SEARCH_BODY,
)
@router.post(
    "/serviceCombination/appointments/search",
    response_model=_FOUND,
    responses=_SEARCH_POST_ERRORS,
    openapi_extra=_SEARCH_BODY,
    dependencies=[Depends(idempotency_key)],
)
def search_all_appointments(
    app: SlotbookDep, caller: CallerDep, body: BodyDep, personalIdentifier: PersonParam = None
) -> JSON:
    """Every booked appointment of a customer (one or several services)."""
    return _search(app, caller, body, personalIdentifier, combined=True)


@router.get(
    "/serviceCombination/appointments/{appointmentId}",
    response_model=shapes.Appointment,
    responses=_READ,
)
def read_combination_appointment(
    appointmentId: AppointmentId, app: SlotbookDep, caller: CallerDep
) -> JSON:
    """One booked appointment (one or several services)."""
    return _read(app, caller, appointmentId)


@router.put(
    "/serviceCombination/appointments/{appointmentId}/reschedule",
    response_model=shapes.Appointment,
    responses=_MOVE,
    openapi_extra=shapes.body(RescheduleIn),
)
def reschedule_combination_appointment(
    appointmentId: AppointmentId, app: SlotbookDep, caller: WriterDep, body: BodyDep
) -> JSON:
    """Move an appointment into the slot of a new reservation (the id stays)."""
    return _reschedule(app, caller, appointmentId, body)


def create_surface(slotbook: Slotbook) -> FastAPI:
    """The surface's ASGI app."""
    app = new_surface("Slotbook — Qmatic cloud booking API", slotbook, bodies=shapes.BODIES)
    install_errors(app)
    app.include_router(router)
    return app
