"""Availability for the Appointedd surface: interval search and placing a slot.

Appointedd has no branches: a service is searched (and held) at every branch offering it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from slotbook.api.kit.errors import BadInput
from slotbook.domain.availability import Occupancy
from slotbook.domain.errors import SlotTaken
from slotbook.domain.model import (
    Appointment,
    Catalog,
    Resource,
    Service,
    Status,
)
from slotbook.services.access import Access
from slotbook.services.availability import SlotQuery, find_openings, instant
from slotbook.services.booking import BookingDetails, place
from slotbook.services.context import Slotbook
from slotbook.services.queries import sessions_by_id

from .mapping import (
    group_booking_out,
    parse_time,
    performers,
    resource_by_id,
    service_by_id,
    show,
    zone_of,
)
from .schemas import IntervalOut, IntervalSearchIn, SlotDataIn

MAX_SEARCH = timedelta(days=59)
HOLD_SECONDS = 600  # when the catalog sets no reservation time


def check_spaces(service: Service, spaces: int, field: str) -> None:
    """Refuse more spaces than the service has per booking, naming the field."""
    if spaces > service.capacity:
        raise BadInput(
            f"{field}: this service takes at most {service.capacity} space(s) per booking",
            field=field,
        )


def _check_demand(
    service: Service, spaces: int, duration: int | None, *, spaces_field: str, duration_field: str
) -> None:
    """Refuse what the service can never offer, naming the field."""
    check_spaces(service, spaces, spaces_field)
    if duration is not None and duration not in service.allowed_durations:
        allowed = ", ".join(str(m) for m in service.allowed_durations)
        raise BadInput(
            f"{duration_field}: {duration} minutes is not offered for this service "
            f"(allowed: {allowed})",
            field=duration_field,
        )


def _ranges(spec: IntervalSearchIn, zone: ZoneInfo) -> list[tuple[datetime, datetime]]:
    """The search ranges as instants; at most 59 days in total."""
    ranges = []
    for index, item in enumerate(spec.ranges):
        lo = parse_time(item.start, zone, f"ranges.{index}.start")
        hi = parse_time(item.end, zone, f"ranges.{index}.end")
        if hi <= lo:
            raise BadInput(f"ranges.{index}: end must be after start", field=f"ranges.{index}")
        ranges.append((lo, hi))
    if sum((hi - lo for lo, hi in ranges), timedelta()) > MAX_SEARCH:
        raise BadInput("ranges: may span at most 59 days in total", field="ranges")
    return ranges


def _performer(catalog: Catalog, service: Service, value: str, field: str) -> Resource:
    """A resource (by id) that performs the service."""
    resource = resource_by_id(catalog, value, field)
    if resource.key not in {r.key for r in performers(catalog, service)}:
        raise BadInput(f"{field}: resource {value} does not offer this service", field=field)
    return resource


def _session_hex_ids(
    slotbook: Slotbook, catalog: Catalog, sessions: list[Occupancy]
) -> dict[int, str]:
    """Public ids of the sessions the engine found."""
    wanted = [o.session_id for o in sessions if o.session_id is not None]
    return {key: s.ids.hex24 for key, s in sessions_by_id(slotbook, catalog, wanted).items()}


def search_intervals(
    slotbook: Slotbook, access: Access, spec: IntervalSearchIn
) -> list[IntervalOut]:
    """Every start in the ranges where a new booking fits or a group booking has room."""
    catalog = access.catalog
    zone = zone_of(spec.timezone)
    service = service_by_id(catalog, spec.service_id, internal=access.internal)
    ranges = _ranges(spec, zone)
    _check_demand(
        service, spec.spaces, spec.duration, spaces_field="spaces", duration_field="duration"
    )
    resource_keys = None
    if spec.resource_ids:  # an empty list means any resource
        resource_keys = tuple(
            _performer(catalog, service, value, f"resource_ids.{index}").key
            for index, value in enumerate(spec.resource_ids)
        )
    found: dict[int, tuple[list[str], list[Occupancy]]] = {}
    for branch in catalog.branches_for(service.key):
        query = SlotQuery(
            branch=branch,
            services=(service,),
            people=spec.spaces,
            duration=spec.duration,
            resource_keys=resource_keys,
            spaces=spec.spaces,
        )
        for lo, hi in ranges:
            first = lo.astimezone(branch.zone).date()
            last = (hi - timedelta(microseconds=1)).astimezone(branch.zone).date()
            for opening in find_openings(slotbook, catalog, query, first_day=first, last_day=last):
                if not lo.timestamp() <= opening.start < hi.timestamp():
                    continue
                hosts, sessions = found.setdefault(opening.start, ([], []))
                hosts.extend(k for k in opening.resources if k not in hosts)
                known = {s.session_id for s in sessions}
                sessions.extend(s for s in opening.sessions if s.session_id not in known)
    every_session = [s for _, sessions in found.values() for s in sessions]
    hex_ids = _session_hex_ids(slotbook, catalog, every_session)
    result: list[IntervalOut] = []
    for start in sorted(found):
        hosts, sessions = found[start]
        groups = [
            group_booking_out(catalog, service, s, hex_ids[s.session_id], zone)
            for s in sessions
            if s.session_id in hex_ids  # else it was cancelled while we looked
        ]
        if not hosts and not groups:
            continue
        result.append(
            {
                "start": show(instant(start), zone),
                "resource_ids": [catalog.resource(k).ids.hex24 for k in hosts],
                "group_bookings": groups,
                "group_slots": [],
            }
        )
    return result


def place_slot(slotbook: Slotbook, access: Access, spec: SlotDataIn, *, source: str) -> Appointment:
    """Hold spaces at a start: join the fullest group booking there with room, else a new one."""
    catalog = access.catalog
    zone = zone_of(spec.timezone, "data.timezone")
    service = service_by_id(catalog, spec.service_id, "data.service_id", internal=access.internal)
    start = parse_time(spec.start, zone, "data.start", exact=True)
    _check_demand(
        service,
        spec.required_spaces,
        spec.duration,
        spaces_field="data.required_spaces",
        duration_field="data.duration",
    )
    keys: tuple[str, ...] | None
    if spec.resource_id is not None:
        resource = _performer(catalog, service, spec.resource_id, "data.resource_id")
        keys, branches = (resource.key,), [catalog.branch(resource.branch_key)]
    else:
        keys, branches = None, catalog.branches_for(service.key)
    refused = SlotTaken()
    for branch in branches:
        query = SlotQuery(
            branch=branch,
            services=(service,),
            people=spec.required_spaces,
            duration=spec.duration,
            resource_keys=keys,
            spaces=spec.required_spaces,
        )
        try:
            return place(
                slotbook,
                catalog,
                query=query,
                start=start,
                status=Status.HELD,
                details=BookingDetails(source=source),
                hold_ttl=catalog.settings.hold_ttl(HOLD_SECONDS),
                actor=access.actor,
            )
        except SlotTaken as exc:
            refused = exc  # another branch offering the service may still have room
    raise refused
