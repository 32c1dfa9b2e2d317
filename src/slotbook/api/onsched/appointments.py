"""Appointments: IN (hold) -> RS / BK -> CN, reschedule, release, read and list."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from fastapi import FastAPI, Request

from slotbook.api.kit.docs import request_body
from slotbook.api.kit.errors import BadInput
from slotbook.api.kit.http import JSON, slotbook_of
from slotbook.api.kit.parsers import parse_date, parse_id
from slotbook.api.onsched import mapping as out
from slotbook.api.onsched.deps import (
    AppointmentId,
    BodyDep,
    BookingAccess,
    BookingWriteAccess,
    NoBodyDep,
    StaffAccess,
    StaffWriteAccess,
    branch_for,
    customer,
    duration_of,
    hosts_of,
    listing,
    location,
    page_of,
    params_of,
    parse_body,
    resource,
    service,
    text_param,
)
from slotbook.api.onsched.openapi import (
    APPOINTMENT_FILTERS,
    COMPLETE_BOOKING,
    UNDO,
    operation,
)
from slotbook.api.onsched.schemas import (
    AppointmentBookModel,
    AppointmentInitialModel,
    AppointmentRescheduleModel,
    parse_instant,
    split_name,
)
from slotbook.api.onsched.views import (
    AppointmentListViewModel,
    AppointmentViewModel,
)
from slotbook.domain.errors import NotFound, NotHeld, WrongState
from slotbook.domain.model import (
    Appointment,
    Catalog,
    Customer,
    CustomerDetails,
    Service,
    Status,
)
from slotbook.services import arrivals, changes, queries
from slotbook.services.access import Access
from slotbook.services.availability import SlotQuery
from slotbook.services.booking import BookingDetails, confirm, place
from slotbook.services.context import Slotbook
from slotbook.services.ports import AppointmentFilter

DEFAULT_HOLD_SECONDS = 600
SOURCE = "onsched"
_COMPLETE = {"IN": Status.HELD, "RS": Status.RESERVED, "BK": Status.CONFIRMED}
_LISTED = (Status.HELD, Status.RESERVED, Status.CONFIRMED, Status.CANCELLED)


# --- helpers ----------------------------------------------------------------------------------


def _appointment(app: Slotbook, catalog: Catalog, value: str) -> Appointment:
    """An appointment by digit id; a deleted (released) hold is gone."""
    parse_id(value, "digits", "id")
    try:
        found = queries.get_appointment(app, catalog, ("digits", value))
    except NotFound:
        found = None
    if found is None or found.status is Status.RELEASED:
        raise NotFound("appointment", value, f"No appointment with id {value}")
    return found


def _require(
    appointment: Appointment, now: datetime, wanted: tuple[Status, ...], action: str
) -> None:
    """Refuse (409) a change the appointment's status does not allow."""
    code = out.STATUS_CODES.get(appointment.status, "CN")
    if appointment.status is Status.HELD and Status.HELD in wanted:
        if appointment.is_expired_hold(now):
            raise NotHeld(
                f"The booking timer of appointment {appointment.ids.digits} ran out; "
                "its slot is no longer held",
                expired=True,
            )
        return
    if appointment.status not in wanted:
        allowed = " or ".join(out.STATUS_CODES[s] for s in wanted)
        hint = ""
        if code == "IN":
            hint = "; an IN appointment is released with DELETE"
        elif action == "deleted":
            hint = f"; cancel it with PUT appointments/{appointment.ids.digits}/cancel"
        raise WrongState(
            f"Appointment {appointment.ids.digits} has status {code}; "
            f"only {allowed} can be {action}{hint}"
        )


def _new_customer(
    payload: AppointmentInitialModel, known: Customer | None, birth: date | None
) -> Customer | CustomerDetails | None:
    """The customer of a new appointment: by ``customerId``, or from name/email/phone.

    A date of birth that the known customer does not have makes a new record with it (the
    known one may be a customer other appointments share).
    """
    if known is not None:
        if birth is None or birth == known.date_of_birth:
            return known
        return replace(_copy(known), date_of_birth=birth)
    if payload.name or payload.email or payload.phone or birth:
        return replace(payload.details(), date_of_birth=birth)
    return None


def _copy(existing: Customer) -> CustomerDetails:
    """A stored customer's details, for a new record (without its external id)."""
    return CustomerDetails(
        first_name=existing.first_name,
        last_name=existing.last_name,
        email=existing.email,
        phone=existing.phone,
        date_of_birth=existing.date_of_birth,
        identification_number=existing.identification_number,
        address=existing.address,
    )


def _lacking(first: str | None, last: str | None, email: str | None) -> list[str]:
    """What a booked (BK) appointment's customer misses: ``name`` and/or ``email``."""
    return [field for field, value in (("name", first or last), ("email", email)) if not value]


def _booking_customers(
    current: Appointment, payload: AppointmentBookModel, birth: date | None
) -> list[CustomerDetails | Customer]:
    """Customer for booking a held or reserved appointment; empty keeps the current one.

    Given fields (and date of birth) replace the current customer's; the result needs a name
    and an e-mail address.
    """
    existing = current.customers[0] if current.customers else None
    if payload.name is not None:
        first, last = split_name(payload.name)
    elif existing is not None:
        first, last = existing.first_name, existing.last_name
    else:
        first, last = None, None
    email = payload.email or (existing.email if existing else None)
    phone = payload.phone or (existing.phone if existing else None)
    born = birth or (existing.date_of_birth if existing else None)
    lacking = _lacking(first, last, email)
    if lacking:
        verb = "is" if len(lacking) == 1 else "are"
        raise BadInput(f"{' and '.join(lacking)} {verb} required to book this appointment")
    if existing is not None and (
        (existing.first_name, existing.last_name, existing.email, existing.phone)
        == (first, last, email, phone)
        and existing.date_of_birth == born
    ):
        return []
    # A new record: the existing one may be a customer other appointments share.
    base = _copy(existing) if existing is not None else CustomerDetails()
    return [
        replace(
            base, first_name=first, last_name=last, email=email, phone=phone, date_of_birth=born
        )
    ]


def _same_group(payload: AppointmentBookModel, current: Appointment) -> None:
    if payload.groupSize is not None and payload.groupSize != current.people:
        raise BadInput(
            f"groupSize cannot change when booking (this appointment is for {current.people}); "
            "create a new appointment instead"
        )


def _reply(app: Slotbook, catalog: Catalog, appointment: Appointment) -> JSON:
    return JSON(out.appointment_json(appointment, catalog, app.now()))


def _services(catalog: Catalog, appointment: Appointment) -> list[Service]:
    return [catalog.service(k, include_retired=True) for k in appointment.service_keys]


def _today(app: Slotbook, zone: tzinfo) -> date:
    return app.now().astimezone(zone).date()


_TAG = "Appointments"
# A change of an existing appointment: its answer, or the error of the status it is in.
_CHANGE = operation(AppointmentViewModel, tag=_TAG, write=True)


# --- appointments ---------------------------------------------------------------------------


def add_appointment_routes(app: FastAPI) -> None:
    """Create, read, list and change appointments."""

    @app.post(
        "/appointments",
        **operation(
            AppointmentViewModel,
            tag=_TAG,
            write=True,
            query=(COMPLETE_BOOKING,),
            body=request_body(AppointmentInitialModel),
        ),
    )
    def create(request: Request, access: BookingWriteAccess, body: BodyDep) -> JSON:
        """Hold (IN), reserve (RS) or book (BK) a free slot."""
        sb, catalog = slotbook_of(request), access.catalog
        wanted = params_of(request).get("completeBooking", "IN").strip().upper() or "IN"
        if wanted not in _COMPLETE:
            raise BadInput("completeBooking must be IN, RS or BK")
        status = _COMPLETE[wanted]
        payload = parse_body(AppointmentInitialModel, body)
        if not payload.serviceId:
            raise BadInput("serviceId is required")
        start = parse_instant(payload.startDateTime, "startDateTime")
        end = parse_instant(payload.endDateTime, "endDateTime")
        svc = service(access, payload.serviceId)
        hosts = hosts_of(catalog, payload.resourceId, payload.resourceIds)
        branch = branch_for(catalog, svc, payload.locationId, hosts)
        people = payload.groupSize or 1
        duration = duration_of(branch, svc, people, start, end)
        answers = out.answers_of([svc], payload.appointmentBookingFields)
        birth = out.birth_date_of(payload.customerBookingFields, _today(sb, branch.zone))
        known = customer(sb, catalog, payload.customerId) if payload.customerId else None
        if status is Status.CONFIRMED and known is not None:
            lacking = _lacking(known.first_name, known.last_name, known.email)
            if lacking:
                raise BadInput(
                    "completeBooking=BK needs a customer with a name and email; "
                    f"customer {known.ids.digits} has no {' and no '.join(lacking)}"
                )
        who = _new_customer(payload, known, birth)
        complete = known is not None or (
            who is not None and who.last_name is not None and who.email is not None
        )
        if status is not Status.HELD and not complete:
            raise BadInput(
                f"completeBooking={wanted} needs a customer: customerId, or name and email"
            )
        query = SlotQuery(
            branch=branch,
            services=(svc,),
            people=people,
            duration=duration,
            resource_keys=tuple(h.key for h in hosts) if hosts else None,
        )
        placed = place(
            sb,
            catalog,
            query=query,
            start=start,
            status=status,
            details=BookingDetails(
                customers=[who] if who is not None else [],
                notes=payload.notes,
                customer_message=payload.customerMessage,
                answers=answers,
                source=SOURCE,
            ),
            hold_ttl=catalog.settings.hold_ttl(DEFAULT_HOLD_SECONDS),
            actor=access.actor,
            # Starts from an ``interval`` query may lie off the service's own grid.
            on_grid=False,
        )
        return _reply(sb, catalog, placed)

    @app.get("/appointments/{appointment_id}", **operation(AppointmentViewModel, tag=_TAG))
    def one(appointment_id: AppointmentId, request: Request, access: BookingAccess) -> JSON:
        """One appointment."""
        sb = slotbook_of(request)
        return _reply(sb, access.catalog, _appointment(sb, access.catalog, appointment_id))

    @app.get(
        "/appointments",
        **operation(AppointmentListViewModel, tag=_TAG, query=APPOINTMENT_FILTERS),
    )
    def many(request: Request, access: StaffAccess) -> JSON:
        """Appointments by start, filtered by location, customer, dates and status."""
        sb, catalog, params = slotbook_of(request), access.catalog, params_of(request)
        offset, limit = page_of(params)
        criteria = _filter(catalog, params)
        found, total = queries.find_appointments(sb, catalog, criteria, offset=offset, limit=limit)
        now = sb.now()
        items = [out.appointment_json(a, catalog, now) for a in found]
        return JSON(listing(request, items, total, offset))

    @app.put(
        "/appointments/{appointment_id}/book",
        **operation(
            AppointmentViewModel,
            tag=_TAG,
            write=True,
            body=request_body(AppointmentBookModel, required=False),
        ),
    )
    def book(
        appointment_id: AppointmentId, request: Request, access: BookingWriteAccess, body: BodyDep
    ) -> JSON:
        """IN -> BK with the customer's details."""
        return _finish_booking(request, access, appointment_id, body, Status.HELD)

    @app.put(
        "/appointments/{appointment_id}/confirm",
        **operation(
            AppointmentViewModel,
            tag=_TAG,
            write=True,
            body=request_body(AppointmentBookModel, required=False),
            query=(UNDO,),
        ),
    )
    def confirm_reserved(
        appointment_id: AppointmentId, request: Request, access: BookingWriteAccess, body: BodyDep
    ) -> JSON:
        """RS -> BK (``undo=true``, taking a booking back to RS, is not offered)."""
        if params_of(request).get("undo", "").strip().lower() not in ("", "false"):
            raise BadInput("undo: a booked appointment cannot go back to RS; cancel it instead")
        return _finish_booking(request, access, appointment_id, body, Status.RESERVED)

    @app.put("/appointments/{appointment_id}/noshow", **_CHANGE)
    def noshow(
        appointment_id: AppointmentId,
        request: Request,
        access: StaffWriteAccess,
        _body: NoBodyDep,
    ) -> JSON:
        """BK -> NS once the start has passed: the customer did not come (staff key)."""
        sb, catalog = slotbook_of(request), access.catalog
        _appointment(sb, catalog, appointment_id)
        done = arrivals.no_show(sb, catalog, ref=("digits", appointment_id), actor=access.actor)
        return _reply(sb, catalog, done)

    @app.put("/appointments/{appointment_id}/reserve", **_CHANGE)
    def reserve(
        appointment_id: AppointmentId,
        request: Request,
        access: BookingWriteAccess,
        _body: NoBodyDep,
    ) -> JSON:
        """IN -> RS: kept without expiry, not yet booked."""
        sb, catalog = slotbook_of(request), access.catalog
        current = _appointment(sb, catalog, appointment_id)
        _require(current, sb.now(), (Status.HELD,), "reserved")
        kept = changes.keep_hold(sb, catalog, ref=("digits", appointment_id), actor=access.actor)
        return _reply(sb, catalog, kept)

    @app.put("/appointments/{appointment_id}/cancel", **_CHANGE)
    def cancel(
        appointment_id: AppointmentId,
        request: Request,
        access: BookingWriteAccess,
        _body: NoBodyDep,
    ) -> JSON:
        """BK or RS -> CN; the slot is free at once."""
        sb, catalog = slotbook_of(request), access.catalog
        allowed = (Status.RESERVED, Status.CONFIRMED)
        _require(_appointment(sb, catalog, appointment_id), sb.now(), allowed, "cancelled")
        done = changes.cancel(
            sb, catalog, ref=("digits", appointment_id), allowed_from=allowed, actor=access.actor
        )
        return _reply(sb, catalog, done)

    @app.put(
        "/appointments/{appointment_id}/reschedule",
        **operation(
            AppointmentViewModel,
            tag=_TAG,
            write=True,
            body=request_body(AppointmentRescheduleModel),
        ),
    )
    def reschedule(
        appointment_id: AppointmentId, request: Request, access: BookingWriteAccess, body: BodyDep
    ) -> JSON:
        """Move a BK appointment within its location (to another resource if given)."""
        sb, catalog = slotbook_of(request), access.catalog
        payload = parse_body(AppointmentRescheduleModel, body)
        start = parse_instant(payload.startDateTime, "startDateTime")
        end = parse_instant(payload.endDateTime, "endDateTime")
        current = _appointment(sb, catalog, appointment_id)
        _require(current, sb.now(), (Status.CONFIRMED,), "rescheduled")
        svc = catalog.service(current.service_keys[0], include_retired=True)
        branch = catalog.branch(current.branch_key, include_retired=True)
        hosts = hosts_of(catalog, payload.resourceId, None)
        if hosts and hosts[0].branch_key != branch.key:
            raise BadInput(
                f"resourceId: resource {hosts[0].ids.digits} is at another location; "
                "an appointment stays at its location"
            )
        branch_for(catalog, svc, branch.ids.uuid, hosts)
        if (end - start).total_seconds() / 60 != current.length_minutes:
            duration_of(branch, svc, current.people, start, end)
        moved = changes.reschedule(
            sb,
            catalog,
            ref=("digits", appointment_id),
            start=start,
            end=end,
            resource_key=hosts[0].key if hosts else None,
            allowed_from=(Status.CONFIRMED,),
            actor=access.actor,
        )
        return _reply(sb, catalog, moved)

    @app.delete(
        "/appointments/{appointment_id}",
        **operation(AppointmentViewModel, tag=_TAG, write=True),
    )
    def delete(
        appointment_id: AppointmentId,
        request: Request,
        access: BookingWriteAccess,
        _body: NoBodyDep,
    ) -> JSON:
        """Release an IN hold (expired or not); booked appointments are cancelled instead."""
        sb, catalog = slotbook_of(request), access.catalog
        current = _appointment(sb, catalog, appointment_id)
        if current.status is not Status.HELD:
            _require(current, sb.now(), (Status.HELD,), "deleted")
        released = changes.release_hold(
            sb, catalog, ref=("digits", appointment_id), actor=access.actor
        )
        return _reply(sb, catalog, released)


def _finish_booking(
    request: Request, access: Access, appointment_id: str, body: object, source: Status
) -> JSON:
    """IN -> BK (book) or RS -> BK (confirm), with customer details from the body."""
    sb, catalog = slotbook_of(request), access.catalog
    payload = parse_body(AppointmentBookModel, body)
    current = _appointment(sb, catalog, appointment_id)
    action = "booked" if source is Status.HELD else "confirmed"
    _require(current, sb.now(), (source,), action)
    _same_group(payload, current)
    answers = out.answers_of(_services(catalog, current), payload.appointmentBookingFields)
    zone = catalog.branch(current.branch_key, include_retired=True).zone
    birth = out.birth_date_of(payload.customerBookingFields, _today(sb, zone))
    done = confirm(
        sb,
        catalog,
        ref=("digits", appointment_id),
        details=BookingDetails(
            customers=_booking_customers(current, payload, birth),
            notes=payload.notes,
            customer_message=payload.customerMessage,
            answers=answers,
            source=SOURCE,
        ),
        actor=access.actor,
        allowed_from=(source,),
        count_customers=False,
    )
    return _reply(sb, catalog, done)


def _filter(catalog: Catalog, params: dict[str, str]) -> AppointmentFilter:
    """List criteria; dates are days in the location's zone (else the first location's)."""
    branch = location(catalog, params["locationId"]) if params.get("locationId") else None
    zone: tzinfo = branch.zone if branch else _default_zone(catalog)
    statuses: tuple[Status, ...] = _LISTED
    if params.get("status", "").strip():
        codes = [c.strip().upper() for c in params["status"].split(",") if c.strip()]
        unknown = [c for c in codes if c not in out.STATUS_OF_CODE]
        if unknown or len(codes) > 10:
            raise BadInput("status must be IN, RS, BK or CN (or a comma-separated list of them)")
        statuses = tuple(out.STATUS_OF_CODE[c] for c in codes)
    first = parse_date(params["startDate"], "startDate") if params.get("startDate") else None
    last = parse_date(params["endDate"], "endDate") if params.get("endDate") else None
    if first and last and last < first:
        raise BadInput("endDate must not be before startDate")
    host = resource(catalog, params["resourceId"]) if params.get("resourceId") else None
    return AppointmentFilter(
        branch_key=branch.key if branch else None,
        resource_key=host.key if host else None,
        customer_email=text_param(params, "email"),
        customer_last_name=text_param(params, "lastname"),
        starts_from=_midnight(first, zone) if first else None,
        starts_before=_midnight(last + timedelta(days=1), zone) if last else None,
        statuses=tuple(s.value for s in statuses),
    )


def _default_zone(catalog: Catalog) -> tzinfo:
    branches = catalog.active_branches()
    return branches[0].zone if branches else UTC


def _midnight(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)
