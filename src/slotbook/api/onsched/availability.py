"""``GET availability/{serviceId}/{startDate}/{endDate}``: free start times with their hosts."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

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
from slotbook.api.onsched.openapi import AVAILABILITY, operation
from slotbook.api.onsched.schemas import MAX_GROUP_SIZE, MAX_OFFSET_MINUTES
from slotbook.api.onsched.views import AvailabilityViewModel
from slotbook.domain.errors import Forbidden
from slotbook.services.availability import SlotQuery, find_openings
from slotbook.services.booking import check_bookable

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
