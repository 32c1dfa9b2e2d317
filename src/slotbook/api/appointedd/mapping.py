"""Appointedd formats <-> domain: ids, times, lists, and the response shapes."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection, Sequence
from datetime import datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from slotbook.api.kit.errors import BadInput
from slotbook.api.kit.parsers import check_instant, parse_id, parse_int
from slotbook.domain.availability import Occupancy
from slotbook.domain.errors import NotFound
from slotbook.domain.model import (
    FIRM_STATUSES,
    Appointment,
    Catalog,
    Customer,
    Localized,
    Resource,
    ResourceGroup,
    Service,
    Status,
)
from slotbook.domain.schedule import zone_named
from slotbook.services.availability import instant
from slotbook.services.queries import SessionView

from .schemas import (
    BookingCustomerOut,
    BookingOut,
    CategoryOut,
    CustomerOut,
    DurationOut,
    GroupBookingOut,
    PartOut,
    ResourceGroupOut,
    ResourceOut,
    ServiceOut,
    SlotOut,
)

T = TypeVar("T")

DEFAULT_LIMIT = 10
MAX_LIMIT = 100


# --- ids, zones, times --------------------------------------------------------------------


def zone_of(name: str | None, field: str = "timezone") -> ZoneInfo:
    """The request's IANA zone (UTC when not given)."""
    if not name:
        return ZoneInfo("UTC")
    try:
        return zone_named(name)
    except ValueError:
        raise BadInput(f'{field}: unknown time zone "{name[:64]}"', field=field) from None


def parse_time(text: str, zone: ZoneInfo, field: str, *, exact: bool = False) -> datetime:
    """An ISO 8601 instant; without an offset it is read in the request's zone.

    ``exact`` refuses a local time that a DST change skips (rather than moving it an hour):
    a start must be the time the client asked for, a search bound need not.
    """
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise BadInput(
            f"{field}: not an ISO 8601 date-time (e.g. 2022-05-26T11:30:00.000+01:00)",
            field=field,
        ) from None
    wall = value if value.tzinfo is None else None
    value = check_instant(value if wall is None else value.replace(tzinfo=zone), field)
    if exact and wall is not None and value.astimezone(zone).replace(tzinfo=None) != wall:
        raise BadInput(
            f"{field}: {text[:32]} does not exist in {zone.key} (a DST change skips it)",
            field=field,
        )
    return value


def show(moment: datetime, zone: ZoneInfo) -> str:
    """``2022-05-26T11:30:00.000+01:00`` in the request's zone."""
    return moment.astimezone(zone).isoformat(timespec="milliseconds")


def show_opt(moment: datetime | None, zone: ZoneInfo) -> str | None:
    """``show`` for an optional instant."""
    return None if moment is None else show(moment, zone)


def parts(start: datetime, end: datetime, zone: ZoneInfo) -> list[PartOut]:
    """The single part of a continuous appointment."""
    return [{"start": show(start, zone), "end": show(end, zone)}]


# --- lists --------------------------------------------------------------------------------


def limit_of(raw: str | None) -> int:
    """``limit`` query parameter: 1–100, default 10."""
    return parse_int(raw, "limit", 1, MAX_LIMIT, default=DEFAULT_LIMIT) or DEFAULT_LIMIT


def page(
    items: Sequence[T], ident: Callable[[T], str], start: str | None, limit: int
) -> tuple[list[T], str | None, str | None]:
    """One page from ``start`` (an id, as a previous ``next`` gave): (items, prev, next)."""
    index = 0
    if start is not None:
        wanted = parse_id(start, "hex24", "start")
        positions = [ident(item) for item in items]
        if wanted not in positions:
            raise BadInput("start: no item with this id in the list", field="start")
        index = positions.index(wanted)
    chunk = list(items[index : index + limit])
    after = index + limit
    following = ident(items[after]) if after < len(items) else None
    previous = ident(items[max(index - limit, 0)]) if index > 0 else None
    return chunk, previous, following


# --- catalog --------------------------------------------------------------------------------


def offered_services(catalog: Catalog, internal: bool) -> list[Service]:
    """Services a key may see: the online-bookable ones, or every one with an internal key."""
    return [s for s in catalog.active_services() if internal or s.online_bookable]


def service_by_id(
    catalog: Catalog, value: str, field: str = "service_id", *, internal: bool
) -> Service:
    """An active service, by its 24-hex id, that this key may see."""
    key = catalog.find_key("service", value)
    if key is not None:
        service = catalog.service(key)
        if service.ids.hex24 == value and (internal or service.online_bookable):
            return service
    raise NotFound("service", value, f"{field}: no service with id {value}")


def resource_by_id(catalog: Catalog, value: str, field: str = "resource_id") -> Resource:
    """An active resource by its 24-hex id."""
    key = catalog.find_key("resource", value)
    if key is not None:
        resource = catalog.resource(key)
        if resource.ids.hex24 == value:
            return resource
    raise NotFound("resource", value, f"{field}: no resource with id {value}")


def performers(catalog: Catalog, service: Service) -> list[Resource]:
    """Active resources able to perform a service, over every branch offering it."""
    found: list[Resource] = []
    for branch in catalog.branches_for(service.key):
        found.extend(catalog.resources_for(branch.key, (service,)))
    return found


def price_of(service: Service, minutes: int) -> float:
    """Price of a booking of this length: the matching duration's price, else the service's."""
    for option in service.durations:
        if option.minutes == minutes and option.price is not None:
            return _number(option.price)
    return _number(service.price or 0)


def _number(value: float) -> float:
    # Whole amounts come out as integers (0, not 0.0), as Appointedd sends them.
    return int(value) if float(value).is_integer() else value


def category_id(catalog: Catalog, category: Localized) -> str | None:
    """A stable 24-hex id for a category (categories are names in the catalog, not objects)."""
    value = category.as_value()
    if not value:
        return None
    # A plain name keeps the id it always had; a localised one hashes all its names.
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    digest = hashlib.sha256(f"{catalog.key}\x00{text}".encode()).hexdigest()
    return digest[:24]


def service_out(catalog: Catalog, service: Service) -> ServiceOut:
    """A service as Appointedd shows it."""
    locale = catalog.settings.default_locale
    defaults = service.default_duration
    durations: list[DurationOut] = []
    for minutes in service.allowed_durations:
        price = price_of(service, minutes)
        durations.append(
            {"default": minutes == defaults, "minutes": minutes, "price": price, "old_price": price}
        )
    return {
        "id": service.ids.hex24,
        "category_id": category_id(catalog, service.category),
        "name": service.name.get(locale) or service.key,
        "description": service.description.get(locale),
        "booking": {
            "occupancy": service.capacity,
            "type": "ONLINE_BOOKING",
            "buffers": {"before": service.buffer_before, "after": service.buffer_after},
            "durations": durations,
            "tiers": [],
            "allow_group": service.is_group,
        },
    }


def resource_out(catalog: Catalog, resource: Resource, *, internal: bool) -> ResourceOut:
    """A resource with the (visible) services it performs."""
    services = [
        s.ids.hex24
        for s in offered_services(catalog, internal)
        if any(r.key == resource.key for r in catalog.resources_for(resource.branch_key, (s,)))
    ]
    address = resource.address
    return {
        "id": resource.ids.hex24,
        "profile": {
            "name": resource.name,
            "description": resource.description.get(catalog.settings.default_locale),
            "email": resource.email,
            "phone": resource.phone,
            "address": {
                "line1": address.line1,
                "line2": address.line2,
                "city": address.city,
                "state": address.state,
                "postcode": address.zip,
                "country": address.country,
            },
        },
        "services": services,
        "resource_group_ids": [
            g.ids.hex24 for g in catalog.resource_groups if resource.key in g.resource_keys
        ],
    }


def categories(catalog: Catalog, internal: bool) -> list[CategoryOut]:
    """The distinct categories of the services a key may see, in listing order."""
    found: dict[str, CategoryOut] = {}
    locale = catalog.settings.default_locale
    for service in offered_services(catalog, internal):
        ident = category_id(catalog, service.category)
        if ident is not None and ident not in found:
            found[ident] = {"id": ident, "name": service.category.get(locale) or ""}
    return list(found.values())


def resource_group_out(catalog: Catalog, group: ResourceGroup) -> ResourceGroupOut:
    """A resource group with its (active) resources."""
    locale = catalog.settings.default_locale
    members = [catalog.resource(k, include_retired=True) for k in group.resource_keys]
    return {
        "id": group.ids.hex24,
        "name": group.name.get(locale) or group.key,
        "description": group.description.get(locale),
        "resource_ids": [r.ids.hex24 for r in members if r.active],
    }


def customer_record_out(customer: Customer, zone: ZoneInfo) -> CustomerOut:
    """A customer as ``GET customers`` lists it."""
    return {
        "id": customer.ids.hex24,
        "profile": {
            "firstname": customer.first_name,
            "lastname": customer.last_name,
            "email": customer.email,
            "mobile": customer.phone,
        },
        "created": show_opt(customer.created, zone),
        "updated": show_opt(customer.updated, zone),
    }


# --- availability ---------------------------------------------------------------------------


def group_booking_out(
    catalog: Catalog, service: Service, occupancy: Occupancy, session_hex: str, zone: ZoneInfo
) -> GroupBookingOut:
    """An existing group session with room, as the interval search lists it."""
    resource = catalog.resource(occupancy.resource_key, include_retired=True)
    start, end = instant(occupancy.start), instant(occupancy.end)
    return {
        "id": session_hex,
        "resource_id": resource.ids.hex24,
        "service_id": service.ids.hex24,
        "start": show(start, zone),
        "start_buffer": show(instant(occupancy.block_start), zone),
        "end": show(end, zone),
        "end_buffer": show(instant(occupancy.block_end), zone),
        "parts": parts(start, end, zone),
        "spaces": occupancy.free,
        "price": price_of(service, (occupancy.end - occupancy.start) // 60),
        "resources": [{"id": resource.ids.hex24}],
    }


def joined_booking(view: SessionView, slot: Appointment, now: datetime) -> str | None:
    """The booking a slot joined: its session, when others were in it (live) before the slot."""
    for other in view.appointments:
        if other.id == slot.id:
            return None
        if other.is_live(now):
            return view.session.ids.hex24
    return None


def slot_out(
    catalog: Catalog, slot: Appointment, view: SessionView, now: datetime, zone: ZoneInfo
) -> SlotOut:
    """An availability slot (a hold) as Appointedd shows it."""
    resource = catalog.resource(slot.resource_key, include_retired=True)
    service = catalog.service(slot.service_keys[0], include_retired=True)
    capacity = view.session.capacity
    return {
        "id": slot.ids.hex24,
        "resource_id": resource.ids.hex24,
        "service_id": service.ids.hex24,
        "resources": [{"id": resource.ids.hex24}],
        "booking_id": joined_booking(view, slot, now),
        "start": show(slot.start, zone),
        "start_buffer": show(slot.start - timedelta(minutes=slot.buffer_before), zone),
        "end": show(slot.end, zone),
        "end_buffer": show(slot.end + timedelta(minutes=slot.buffer_after), zone),
        "parts": parts(slot.start, slot.end, zone),
        "expiry": show_opt(slot.expires_at, zone),
        "max_spaces": capacity,
        "reserved_spaces": slot.spaces,
        "allow_additional_spaces": capacity > 1,
        "created": show_opt(slot.created, zone),
        "updated": show_opt(slot.updated, zone),
    }


# --- bookings -------------------------------------------------------------------------------


def is_participant(appointment: Appointment) -> bool:
    """True for a booked (not merely held) appointment that still takes its spaces."""
    return appointment.status in FIRM_STATUSES


def is_booking(appointments: Sequence[Appointment], now: datetime) -> bool:
    """A session is a booking once someone booked into it, or while a hold keeps it open."""
    return any(
        a.status in (*FIRM_STATUSES, Status.CANCELLED) or a.is_live(now) for a in appointments
    )


def booking_status(view: SessionView, now: datetime) -> str:
    """``confirmed`` while anyone is in the session, else ``cancelled``."""
    return "confirmed" if any(a.is_live(now) for a in view.appointments) else "cancelled"


def customer_out(catalog: Catalog, appointment: Appointment, zone: ZoneInfo) -> BookingCustomerOut:
    """One participant: the appointment's first customer and its spaces."""
    first = appointment.customers[0] if appointment.customers else None
    created = appointment.created
    return {
        "id": first.ids.hex24 if first is not None else None,
        "customer_id": first.ids.hex24 if first is not None else None,
        "customer_booking_id": appointment.ids.hex24,
        "booking_source": "api",
        "status": "No Status",
        "locale": catalog.settings.default_locale.split("_")[0],
        "spaces": appointment.spaces,
        "total_spaces": appointment.spaces,
        "timezone": zone.key,
        # Appointedd sends a participant's creation time as epoch seconds.
        "created": int(created.timestamp()) if created is not None else None,
    }


def booking_out(
    catalog: Catalog,
    view: SessionView,
    now: datetime,
    zone: ZoneInfo,
    *,
    only: Collection[str] | None = None,
) -> BookingOut:
    """A session as an Appointedd booking, with its live participants (``only`` these ids)."""
    session = view.session
    resource = catalog.resource(session.resource_key, include_retired=True)
    service = catalog.service(session.service_keys[0], include_retired=True)
    before = int((session.start - session.block_start).total_seconds() // 60)
    after = int((session.block_end - session.end).total_seconds() // 60)
    minutes = int((session.end - session.start).total_seconds() // 60)
    return {
        "id": session.ids.hex24,
        "service_id": service.ids.hex24,
        "service": service.ids.hex24,
        "resource_id": resource.ids.hex24,
        "resource": resource.ids.hex24,
        "customers": [
            customer_out(catalog, a, zone)
            for a in view.appointments
            if is_participant(a) and (only is None or a.ids.hex24 in only)
        ],
        "start": show(session.start, zone),
        "end": show(session.end, zone),
        "start_buffer": show(session.block_start, zone),
        "end_buffer": show(session.block_end, zone),
        "buffers": {"before": str(before), "after": str(after)},
        "parts": parts(session.start, session.end, zone),
        "status": booking_status(view, now),
        "price": price_of(service, minutes),
        "total_spaces": session.capacity,
        "resources": [{"_id": resource.ids.hex24}],
        "created": show(session.created, zone),
        "updated": show(session.updated, zone),
        "created_source": "api",
    }
