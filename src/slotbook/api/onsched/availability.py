"""``GET availability/{serviceId}/{startDate}/{endDate}``: free start times with their hosts;
``.../days``: which dates have any; ``.../unavailable``: when the resources are taken."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from fastapi import FastAPI, Request

from slotbook.api.kit.errors import BadInput
from slotbook.api.kit.http import JSON, slotbook_of
from slotbook.api.kit.parsers import parse_date, parse_int
from slotbook.api.onsched import mapping as out
from slotbook.api.onsched.deps import (
    BookingAccess,
    DateParam,
    ServiceId,
    branch_for,
    hosts_of,
    params_of,
    service,
)
from slotbook.api.onsched.openapi import AVAILABILITY, DAYS, UNAVAILABLE, operation
from slotbook.api.onsched.schemas import MAX_GROUP_SIZE, MAX_OFFSET_MINUTES
from slotbook.api.onsched.views import (
    AvailabilityDayViewModel,
    AvailabilityViewModel,
    UnavailableTimeListViewModel,
)
from slotbook.domain.errors import Forbidden
from slotbook.domain.model import LIVE_STATUSES, Branch, Resource, Service
from slotbook.services import queries
from slotbook.services.access import Access
from slotbook.services.availability import SlotQuery, find_openings
from slotbook.services.booking import check_bookable
from slotbook.services.ports import AppointmentFilter

MAX_DAYS = 62
MAX_MINUTES = 24 * 60


def add_availability_route(app: FastAPI) -> None:
    """``GET availability/{serviceId}/{startDate}/{endDate}``."""

    @app.get(
        "/availability/{service_id}/{start_date}/{end_date}",
        **operation(AvailabilityViewModel, tag="Availability", query=AVAILABILITY),
    )
    def availability(
        service_id: ServiceId,
        start_date: DateParam,
        end_date: DateParam,
        request: Request,
        access: BookingAccess,
    ) -> JSON:
        """Free start times of a service over at most 62 days, with the host per slot."""
        params, catalog = params_of(request), access.catalog
        svc = service(access, service_id)
        first, last = parse_date(start_date, "startDate"), parse_date(end_date, "endDate")
        if last < first:
            raise BadInput("endDate must not be before startDate")
        if (last - first).days + 1 > MAX_DAYS:
            raise BadInput(f"The date range may span at most {MAX_DAYS} days")
        tz_offset = _number(params, "tzOffset", -MAX_OFFSET_MINUTES, MAX_OFFSET_MINUTES)
        duration = _number(params, "duration", 1, MAX_MINUTES)
        interval = _number(params, "interval", 1, MAX_MINUTES)
        if interval is not None and interval % svc.step and not access.internal:
            # A booking key books on the service's own grid only, so it is offered no other.
            raise Forbidden(
                f"interval: {interval} minutes is off this service's grid of {svc.step} "
                "minutes; a finer grid needs a staff key"
            )
        people = _number(params, "groupSize", 1, MAX_GROUP_SIZE) or 1
        hosts = hosts_of(catalog, params.get("resourceId"), params.get("resourceIds"))
        branch = branch_for(catalog, svc, params.get("locationId"), hosts)
        query = SlotQuery(
            branch=branch,
            services=(svc,),
            people=people,
            duration=duration,
            resource_keys=tuple(h.key for h in hosts) if hosts else None,
            step=interval,
        )
        check_bookable(catalog, query, internal=access.internal)
        zone: tzinfo = branch.zone if tz_offset is None else out.offset_zone(tz_offset)
        # Dates are in the requested offset: look one local day further on each side.
        pad = timedelta(days=0 if tz_offset is None else 1)
        found = find_openings(
            slotbook_of(request), catalog, query, first_day=first - pad, last_day=last + pad
        )
        wanted = [o for o in found if first <= datetime.fromtimestamp(o.start, zone).date() <= last]
        times = [out.available_time_json(o, catalog, svc.capacity, zone) for o in wanted]
        return JSON(
            {
                "object": "availableTimes",
                "url": request.url.path,
                "locationId": branch.ids.uuid,
                "serviceId": svc.ids.digits,
                "serviceName": svc.name.get(catalog.settings.default_locale),
                "serviceDuration": svc.default_duration,
                "resourceId": hosts[0].ids.digits if len(hosts) == 1 else None,
                "startDate": first.isoformat(),
                "endDate": last.isoformat(),
                "tzRequested": tz_offset,
                "firstAvailableDate": times[0]["date"] if times else None,
                "availableTimes": times,
            }
        )


def _number(params: dict[str, str], name: str, low: int, high: int) -> int | None:
    return parse_int(params.get(name), name, low, high)


@dataclass(frozen=True, slots=True)
class _Range:
    """What a ``days`` or ``unavailable`` request asks about."""

    svc: Service
    branch: Branch
    hosts: list[Resource]
    first: date
    last: date
    tz_offset: int | None
    zone: tzinfo


def _range(
    access: Access, request: Request, service_id: str, start_date: str, end_date: str
) -> _Range:
    params, catalog = params_of(request), access.catalog
    svc = service(access, service_id)
    first, last = parse_date(start_date, "startDate"), parse_date(end_date, "endDate")
    if last < first:
        raise BadInput("endDate must not be before startDate")
    if (last - first).days + 1 > MAX_DAYS:
        raise BadInput(f"The date range may span at most {MAX_DAYS} days")
    tz_offset = _number(params, "tzOffset", -MAX_OFFSET_MINUTES, MAX_OFFSET_MINUTES)
    hosts = hosts_of(catalog, params.get("resourceId"), None)
    branch = branch_for(catalog, svc, params.get("locationId"), hosts)
    zone: tzinfo = branch.zone if tz_offset is None else out.offset_zone(tz_offset)
    return _Range(svc, branch, hosts, first, last, tz_offset, zone)


def add_day_routes(app: FastAPI) -> None:
    """``.../days`` (which dates have free starts) and ``.../unavailable`` (taken times)."""

    @app.get(
        "/availability/{service_id}/{start_date}/{end_date}/days",
        **operation(AvailabilityDayViewModel, tag="Availability", query=DAYS),
    )
    def days(
        service_id: ServiceId,
        start_date: DateParam,
        end_date: DateParam,
        request: Request,
        access: BookingAccess,
    ) -> JSON:
        """Each date of the range: open with free starts, fully booked, or closed."""
        asked, catalog = _range(access, request, service_id, start_date, end_date), access.catalog
        query = SlotQuery(
            branch=asked.branch,
            services=(asked.svc,),
            resource_keys=tuple(h.key for h in asked.hosts) if asked.hosts else None,
        )
        check_bookable(catalog, query, internal=access.internal)
        pad = timedelta(days=0 if asked.tz_offset is None else 1)
        found = find_openings(
            slotbook_of(request),
            catalog,
            query,
            first_day=asked.first - pad,
            last_day=asked.last + pad,
        )
        free = {datetime.fromtimestamp(o.start, asked.zone).date() for o in found}
        able = asked.hosts or catalog.resources_for(asked.branch.key, (asked.svc,))
        listed = []
        day = asked.first
        while day <= asked.last:
            closed = not any(r.schedule.ranges_on(day) for r in able)
            available = day in free
            listed.append(
                {
                    "object": "availableDay",
                    "date": day.isoformat(),
                    "available": available,
                    "closed": closed and not available,
                    "reason": None if available else "Closed" if closed else "Fully booked",
                    "reasonCode": 0 if available else 1 if closed else 2,
                }
            )
            day += timedelta(days=1)
        host = asked.hosts[0] if len(asked.hosts) == 1 else None
        locale = catalog.settings.default_locale
        return JSON(
            {
                "object": "availableDays",
                "url": request.url.path,
                "serviceId": asked.svc.ids.digits,
                "serviceName": asked.svc.name.get(locale),
                "serviceDescription": asked.svc.description.get(locale),
                "resourceId": host.ids.digits if host else None,
                "resourceName": host.name if host else None,
                "tzRequested": asked.tz_offset,
                "availableDays": listed,
            }
        )

    @app.get(
        "/availability/{service_id}/{start_date}/{end_date}/unavailable",
        **operation(UnavailableTimeListViewModel, tag="Availability", query=UNAVAILABLE),
    )
    def unavailable(
        service_id: ServiceId,
        start_date: DateParam,
        end_date: DateParam,
        request: Request,
        access: BookingAccess,
    ) -> JSON:
        """Times in the range when the service's resources are taken (no customer details)."""
        asked, catalog = _range(access, request, service_id, start_date, end_date), access.catalog
        _number(params_of(request), "duration", 1, MAX_MINUTES)
        sb = slotbook_of(request)
        able = {r.key for r in asked.hosts or catalog.resources_for(asked.branch.key, (asked.svc,))}
        pad = timedelta(days=1)
        start = datetime.combine(asked.first - pad, time(0), tzinfo=asked.branch.zone)
        end = datetime.combine(asked.last + pad * 2, time(0), tzinfo=asked.branch.zone)
        found, _total = queries.find_appointments(
            sb,
            catalog,
            AppointmentFilter(
                branch_key=asked.branch.key,
                starts_from=start,
                starts_before=end,
                statuses=tuple(s.value for s in LIVE_STATUSES),
            ),
        )
        now = sb.now()
        taken = []
        for appointment in found:
            local = appointment.start.astimezone(asked.zone)
            if (
                appointment.resource_key not in able
                or not appointment.is_live(now)
                or not asked.first <= local.date() <= asked.last
            ):
                continue
            host = catalog.resource(appointment.resource_key, include_retired=True)
            ends = appointment.end.astimezone(asked.zone)
            offset = local.utcoffset()
            taken.append(
                {
                    "date": local.date().isoformat(),
                    "fromTime": out.hhmm(local),
                    "toTime": out.hhmm(ends),
                    "startDateTime": local.isoformat(timespec="seconds"),
                    "endDateTime": ends.isoformat(timespec="seconds"),
                    "reason": "Booked",
                    "reasonCode": "BK",
                    "entityType": "resource",
                    "resourceId": host.ids.digits,
                    "resourceName": host.name,
                    "locationId": asked.branch.ids.uuid,
                    "serviceId": asked.svc.ids.digits,
                    "tzOffset": int(offset.total_seconds() // 60) if offset else 0,
                }
            )
        return JSON(
            {"object": "unavailableTimes", "url": request.url.path, "unavailableTimes": taken}
        )
