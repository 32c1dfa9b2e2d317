"""The steps both route sets share: look ids up, list slots, reserve, confirm, find appointments.

Everything here translates: Qmatic ids and fields in, use-case calls, domain objects out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from slotbook.api.kit.errors import BadInput
from slotbook.api.kit.parsers import check_instant, parse_date, parse_int
from slotbook.api.kit.questions import answers_by_question
from slotbook.api.qmatic.deps import Caller
from slotbook.api.qmatic.mapping import selection_of, timeslot_json
from slotbook.api.qmatic.schemas import (
    MAX_PEOPLE,
    MAX_SERVICES,
    AnswerIn,
    ConfirmIn,
    CustomerFields,
    ReservationBase,
    SearchIn,
    check_personal_id,
    parse_guid,
)
from slotbook.domain.errors import NotFound
from slotbook.domain.model import (
    FIRM_STATUSES,
    Appointment,
    Branch,
    Catalog,
    CustomerDetails,
    ResourceSelection,
    Service,
    Status,
)
from slotbook.services.availability import SlotQuery, find_openings
from slotbook.services.booking import BookingDetails, confirm, place
from slotbook.services.context import Slotbook
from slotbook.services.queries import appointments_by_external_id, get_appointment

SOURCE = "qmatic"
HOLD_SECONDS = 900  # the manual: an unconfirmed reservation frees its slot after 15 minutes
DEFAULT_DAYS = 7
MAX_DAYS = 62


# --- ids -------------------------------------------------------------------------------------


def find_service(catalog: Catalog, guid: str) -> Service:
    """The active service with this GUID."""
    key = catalog.find_key("service", guid)
    service = catalog.service(key) if key is not None else None
    if service is None or service.ids.uuid.lower() != guid:
        raise NotFound("service", guid, f"No service with id {guid}")
    return service


def find_branch(catalog: Catalog, guid: str) -> Branch:
    """The active branch with this GUID."""
    key = catalog.find_key("branch", guid)
    branch = catalog.branch(key) if key is not None else None
    if branch is None or branch.ids.uuid.lower() != guid:
        raise NotFound("branch", guid, f"No branch with id {guid}")
    return branch


def services_at(
    catalog: Catalog, branch: Branch, guids: Sequence[str], field: str
) -> tuple[Service, ...]:
    """The services (one, or a catalog combination in catalog order) offered at a branch."""
    if len(set(guids)) != len(guids):
        raise BadInput(f"{field}: a service is listed twice")
    services = tuple(find_service(catalog, g) for g in guids)
    for service in services:
        if branch.key not in service.branch_keys:
            raise NotFound("service", service.ids.uuid, "The service is not offered at this branch")
    if len(services) == 1:
        return services
    keys = sorted(s.key for s in services)
    for combo in catalog.combinations:
        if sorted(combo) == keys:
            # One order for timeslots, reservations and appointments, whatever the client sent.
            return tuple(catalog.service(k) for k in combo)
    raise BadInput(f"{field}: these services cannot be booked together")


def resource_keys(
    catalog: Catalog,
    branch: Branch,
    services: tuple[Service, ...],
    guid: str | None,
    *,
    reserving: bool,
) -> tuple[str, ...] | None:
    """The chosen resource as a restriction, checked against the services' selection rule."""
    rule = selection_of(services)
    if guid is None:
        if reserving and rule is ResourceSelection.REQUIRED:
            raise BadInput("requestedResourceId is required: this service needs a chosen resource")
        return None
    if rule is ResourceSelection.NONE:
        raise BadInput("requestedResourceId: this service does not offer a choice of resource")
    key = catalog.find_key("resource", guid)
    if key is None:
        raise NotFound("resource", guid, f"No resource with id {guid}")
    if key not in {r.key for r in catalog.resources_for(branch.key, services)}:
        raise BadInput("requestedResourceId: this resource does not offer the service here")
    return (key,)


def check_people(services: Sequence[Service], people: int) -> None:
    """At most the services' ``maxNumberOfReservations`` people in one appointment."""
    limit = min(s.reservation_limit for s in services)
    if people > limit:
        raise BadInput(f"numberOfReservations must be at most {limit} for this service")


# --- timeslots -------------------------------------------------------------------------------


def service_ids_param(values: Sequence[str]) -> list[str]:
    """``serviceIds=A,B`` (or the parameter repeated) as GUIDs."""
    raw = [p.strip() for value in values for p in value.split(",")]
    raw = [p for p in raw if p]
    if not raw:
        raise BadInput("serviceIds is required")
    if len(raw) > MAX_SERVICES:
        raise BadInput(f"serviceIds: at most {MAX_SERVICES} services")
    return [parse_guid(p, "serviceIds") for p in raw]


@dataclass(frozen=True, slots=True)
class SlotParams:
    """The query of a time slot listing, as sent (each None when left out)."""

    branch_id: str | None = None
    people: str | None = None
    resource_id: str | None = None
    start_date: str | None = None
    end_date: str | None = None


def timeslots(
    app: Slotbook, caller: Caller, params: SlotParams, guids: Sequence[str], field: str
) -> list[dict[str, str]]:
    """Free slots for the services at ``branchId`` on branch-local dates startDate..endDate."""
    catalog = caller.catalog
    if not params.branch_id:
        raise BadInput("branchId is required")
    branch = find_branch(catalog, parse_guid(params.branch_id, "branchId"))
    services = services_at(catalog, branch, guids, field)
    people = parse_int(params.people, "numberOfReservations", 1, MAX_PEOPLE, default=1) or 1
    check_people(services, people)
    resource_id = (params.resource_id or "").strip() or None
    restriction = resource_keys(
        catalog,
        branch,
        services,
        None if resource_id is None else parse_guid(resource_id, "requestedResourceId"),
        reserving=False,
    )
    first, last = _date_range(app, branch, params)
    query = SlotQuery(branch=branch, services=services, people=people, resource_keys=restriction)
    found = find_openings(app, catalog, query, first_day=first, last_day=last)
    return [timeslot_json(o, branch.zone) for o in found]


def _date_range(app: Slotbook, branch: Branch, params: SlotParams) -> tuple[date, date]:
    start, end = params.start_date, params.end_date
    today = app.now().astimezone(branch.zone).date()
    first = parse_date(start, "startDate") if start else today
    last = parse_date(end, "endDate") if end else first + timedelta(days=DEFAULT_DAYS - 1)
    if last < first:
        raise BadInput("endDate must not be before startDate")
    if (last - first).days + 1 > MAX_DAYS:
        raise BadInput(f"startDate..endDate may span at most {MAX_DAYS} days")
    return first, last


# --- reserve and confirm ---------------------------------------------------------------------


def reserve(
    app: Slotbook, caller: Caller, body: ReservationBase, guids: Sequence[str], field: str
) -> Appointment:
    """Hold the slot for the reservation time; 409 when it is not (or no longer) free."""
    start = check_instant(body.timeSlot.startTime, "timeSlot.startTime")
    end = body.timeSlot.endTime
    if end is not None:
        end = check_instant(end, "timeSlot.endTime")
    catalog = caller.catalog
    branch = find_branch(catalog, body.branchId)
    services = services_at(catalog, branch, guids, field)
    check_people(services, body.people)
    restriction = resource_keys(catalog, branch, services, body.requestedResourceId, reserving=True)
    query = SlotQuery(
        branch=branch, services=services, people=body.people, resource_keys=restriction
    )
    if end is not None and end != start + timedelta(minutes=query.length):
        raise BadInput(f"timeSlot.endTime does not match the slot: it lasts {query.length} minutes")
    return place(
        app,
        catalog,
        query=query,
        start=start,
        status=Status.HELD,
        details=BookingDetails(notes=body.notes, source=SOURCE),
        hold_ttl=catalog.settings.hold_ttl(HOLD_SECONDS),
        actor=caller.actor,
    )


def load_reservation(app: Slotbook, catalog: Catalog, guid: str) -> Appointment:
    """A reservation (or appointment) of the tenant by GUID; 404 names the reservation."""
    try:
        return get_appointment(app, catalog, ("uuid", guid))
    except NotFound:
        raise NotFound("reservation", guid, f"No reservation with id {guid}") from None


def confirm_reservation(app: Slotbook, caller: Caller, guid: str, body: ConfirmIn) -> Appointment:
    """Confirm a live reservation with the customer's details and answers."""
    catalog = caller.catalog
    held = load_reservation(app, catalog, guid)
    services = [catalog.service(k, include_retired=True) for k in held.service_keys]
    fields, prefix = body.fields()
    # The manual's own required fields; the catalog's (date of birth, required questions)
    # are the core's rule on every surface.
    for name in ("personalIdentifier", "firstName", "lastName", "email"):
        if getattr(fields, name) is None:
            raise BadInput(f"{prefix}{name} is required")
    check_birth_date(app, fields, prefix)
    answers = answers_of(services, body.informationQuestions or [])
    return confirm(
        app,
        catalog,
        ref=("uuid", guid),
        details=BookingDetails(customers=[fields.details()], answers=answers, source=SOURCE),
        actor=caller.actor,
        count_customers=False,  # one customer stands for numberOfReservations people
    )


def check_birth_date(app: Slotbook, fields: CustomerFields, prefix: str) -> None:
    """A date of birth lies in the past."""
    if fields.dateOfBirth is not None and fields.dateOfBirth > app.now().date():
        raise BadInput(f"{prefix}dateOfBirth lies in the future")


def answers_of(services: Sequence[Service], given: Sequence[AnswerIn]) -> dict[str, str]:
    """Answers by question id; unknown questions and duplicates: 400."""
    return answers_by_question(
        services,
        [(item.id, item.answer) for item in given],
        lambda index: f"informationQuestions[{index}].id",
    )


# --- appointments ----------------------------------------------------------------------------


def load_visible(app: Slotbook, catalog: Catalog, guid: str) -> Appointment:
    """A booked appointment; reservations not yet confirmed, cancelled ones: 404."""
    try:
        found = get_appointment(app, catalog, ("uuid", guid))
    except NotFound:
        found = None
    if found is None or found.status not in FIRM_STATUSES:
        raise NotFound("appointment", guid, f"No appointment with id {guid}")
    return found


def search_identifier(body: SearchIn, from_query: str | None) -> str:
    """The personal identifier searched for, from the body or the query."""
    identifier = body.identifier()
    if identifier is None:
        if not from_query:
            raise BadInput("customer.personalIdentifier is required")
        identifier = check_personal_id(from_query)
    return identifier


def search(
    app: Slotbook, catalog: Catalog, identifier: str, *, combined: bool
) -> list[Appointment]:
    """A customer's booked appointments by personal identifier (single-service ones unless
    ``combined``)."""
    found = appointments_by_external_id(app, catalog, identifier)
    return [
        a for a in found if a.status in FIRM_STATUSES and (combined or len(a.service_keys) == 1)
    ]


def customer_update(current: Appointment, fields: CustomerFields) -> CustomerDetails:
    """The new customer details; a new personal identifier keeps the other fields."""
    given = fields.details()
    person = current.customers[0] if current.customers else None
    if person is None or given.external_id in (None, person.external_id):
        return given
    return CustomerDetails(
        external_id=given.external_id,
        first_name=given.first_name or person.first_name,
        last_name=given.last_name or person.last_name,
        email=given.email or person.email,
        phone=given.phone or person.phone,
        date_of_birth=given.date_of_birth or person.date_of_birth,
    )
