"""Request helpers of the OnSched surface: errors, auth, id lookups, paging, lengths."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Annotated, Any, TypeVar

from fastapi import Depends, FastAPI, Path, Request
from pydantic import BaseModel

from slotbook.api.kit.access import Needs, TenantOf
from slotbook.api.kit.errors import BadInput, install_error_handlers
from slotbook.api.kit.http import JSON, json_body, parse_model
from slotbook.api.kit.parsers import parse_id, parse_int
from slotbook.api.onsched import mapping as out
from slotbook.api.onsched.errors import TABLE, message_of, render_error
from slotbook.api.onsched.schemas import DIGIT_ID, GUID, body_object
from slotbook.domain.errors import NotFound
from slotbook.domain.model import Branch, Catalog, Customer, Resource, Service
from slotbook.services import queries
from slotbook.services.access import Access
from slotbook.services.actor import Scope
from slotbook.services.availability import SlotQuery
from slotbook.services.context import Slotbook

M = TypeVar("M", bound=BaseModel)

DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET = 20, 100, 1_000_000_000


def install_errors(app: FastAPI) -> None:
    """Every error of a surface app in this surface's format."""
    install_error_handlers(
        app,
        render_error,
        TABLE,
        bad_input_code="invalid_request",
        not_found_code="not_found",
        message_of=message_of,
    )


# --- request helpers ------------------------------------------------------------------------


def _tenant_header(request: Request) -> str | None:
    tenant = request.headers.get("x-tenant-id", "").strip() or None
    if tenant is not None and (len(tenant) > 100 or not tenant.isprintable()):
        raise BadInput("X-TENANT-ID is not a tenant id")
    return tenant


# The tenant of the bearer token or key (or ``X-TENANT-ID``), else the first tenant.
_TENANT = TenantOf(_tenant_header)
BookingAccess = Annotated[Access, Depends(Needs(_TENANT, Scope.BOOKING))]
BookingWriteAccess = Annotated[Access, Depends(Needs(_TENANT, Scope.BOOKING, write=True))]
StaffAccess = Annotated[Access, Depends(Needs(_TENANT, Scope.STAFF))]
StaffWriteAccess = Annotated[Access, Depends(Needs(_TENANT, Scope.STAFF, write=True))]
AdminWriteAccess = Annotated[Access, Depends(Needs(_TENANT, Scope.ADMIN, write=True))]


async def no_body(request: Request) -> None:
    """For endpoints that take no body: empty or any JSON is ignored, broken JSON is 400."""
    await json_body(request)


BodyDep = Annotated[Any, Depends(json_body)]
NoBodyDep = Annotated[None, Depends(no_body)]


def _path(description: str, schema: dict[str, Any]) -> Any:
    """A path parameter as documented; its format is checked by the route (400 naming it)."""
    return Path(description=description, json_schema_extra=schema)


LocationId = Annotated[str, _path("A location GUID", GUID)]
ServiceId = Annotated[str, _path("A service id", DIGIT_ID)]
ResourceId = Annotated[str, _path("A resource id", DIGIT_ID)]
CustomerId = Annotated[str, _path("A customer id", DIGIT_ID)]
AppointmentId = Annotated[str, _path("An appointment id", DIGIT_ID)]
GroupId = Annotated[str, _path("A group id", DIGIT_ID)]
AllocationId = Annotated[str, _path("An allocation id", DIGIT_ID)]
DateParam = Annotated[str, _path("A date, YYYY-MM-DD", {"format": "date"})]


def params_of(request: Request) -> dict[str, str]:
    """Query parameters (the last value of a repeated one)."""
    return dict(request.query_params)


def parse_body(model: type[M], data: Any) -> M:
    """A JSON object body validated against a model; BadInput naming the fields otherwise."""
    try:
        return parse_model(model, body_object(data))
    except BadInput as exc:
        raise BadInput(exc.message.replace("Value error, ", "")) from None


def page_of(params: dict[str, str]) -> tuple[int, int]:
    """``offset`` (default 0) and ``limit`` (default 20, at most 100)."""
    offset = parse_int(params.get("offset"), "offset", 0, MAX_OFFSET, default=0) or 0
    limit = parse_int(params.get("limit"), "limit", 1, MAX_LIMIT, default=DEFAULT_LIMIT)
    return offset, limit or DEFAULT_LIMIT


def listing(
    request: Request, items: list[dict[str, Any]], total: int, offset: int
) -> dict[str, Any]:
    """The list envelope, with the request's path as ``url``."""
    return out.envelope(request.url.path, items, total=total, offset=offset)


def page(request: Request, items: list[dict[str, Any]]) -> JSON:
    """One page of an in-memory list, in the list envelope."""
    offset, limit = page_of(params_of(request))
    return JSON(listing(request, items[offset : offset + limit], len(items), offset))


def visible(access: Access, service: Service) -> bool:
    """Services that cannot be booked online are shown to internal keys only."""
    return service.online_bookable or access.internal


def location(catalog: Catalog, value: str, field: str = "locationId") -> Branch:
    """An active location by its GUID."""
    parse_id(value, "guid", field)
    key = catalog.find_key("branch", value)
    found = None if key is None else catalog.branch(key, include_retired=True)
    if found is None or not found.active or found.ids.uuid.lower() != value.lower():
        raise NotFound("location", value, f"No location with id {value} ({field})")
    return found


def service(access: Access, value: str, field: str = "serviceId") -> Service:
    """An active, visible service by its digit id."""
    parse_id(value, "digits", field)
    catalog = access.catalog
    key = catalog.find_key("service", value)
    found = None if key is None else catalog.service(key, include_retired=True)
    if found is None or not found.active or found.ids.digits != value or not visible(access, found):
        raise NotFound("service", value, f"No service with id {value} ({field})")
    return found


def resource(catalog: Catalog, value: str, field: str = "resourceId") -> Resource:
    """An active resource (of an active location) by its digit id."""
    parse_id(value, "digits", field)
    key = catalog.find_key("resource", value)
    found = None if key is None else catalog.resource(key, include_retired=True)
    if (
        found is None
        or not found.active
        or found.ids.digits != value
        or not catalog.branch(found.branch_key, include_retired=True).active
    ):
        raise NotFound("resource", value, f"No resource with id {value} ({field})")
    return found


def customer(app: Slotbook, catalog: Catalog, value: str, field: str = "customerId") -> Customer:
    """A customer of the tenant by its digit id."""
    parse_id(value, "digits", field)
    try:
        return queries.get_customer(app, catalog, "digits", value)
    except NotFound:
        raise NotFound("customer", value, f"No customer with id {value} ({field})") from None


def text_param(params: dict[str, str], name: str) -> str | None:
    """A free-text filter: at most 255 printable characters; blank means no filter."""
    value = params.get(name, "").strip()
    if len(value) > 255 or not value.isprintable():
        raise BadInput(f"{name} must be at most 255 printable characters")
    return value or None


# --- what a request asks for -----------------------------------------------------------------


def hosts_of(
    catalog: Catalog, single: str | None, several: str | list[str] | None
) -> list[Resource]:
    """Resources named by ``resourceId`` or ``resourceIds`` (comma list or array)."""
    if single:
        return [resource(catalog, single)]
    if several is None:
        return []
    ids = several.split(",") if isinstance(several, str) else several
    ids = [i.strip() for i in ids if i.strip()]
    if len(ids) > 100:
        raise BadInput("resourceIds lists more than 100 resources")
    return [resource(catalog, i, "resourceIds") for i in ids]


def branch_for(
    catalog: Catalog, svc: Service, location_id: str | None, hosts: list[Resource]
) -> Branch:
    """The given location; else the chosen resource's; else the first offering the service."""
    if location_id:
        branch = location(catalog, location_id)
    elif hosts:
        branch = catalog.branch(hosts[0].branch_key)
    else:
        offered = catalog.branches_for(svc.key)
        if not offered:
            raise NotFound("location", None, f"Service {svc.ids.digits} is offered nowhere")
        branch = offered[0]
    if branch.key not in svc.branch_keys:
        raise BadInput(
            f"serviceId: service {svc.ids.digits} is not offered at location {branch.ids.uuid}"
        )
    able = {r.key for r in catalog.resources_for(branch.key, (svc,))}
    for host in hosts:
        if host.branch_key != branch.key:
            raise BadInput(
                f"resourceId: resource {host.ids.digits} is not at location {branch.ids.uuid}"
            )
        if host.key not in able:
            raise BadInput(
                f"resourceId: resource {host.ids.digits} does not provide service {svc.ids.digits}"
            )
    return branch


def duration_of(
    branch: Branch, svc: Service, people: int, start: datetime, end: datetime
) -> int | None:
    """The service duration a start/end pair asks for (None: the default length)."""
    minutes = (end - start).total_seconds() / 60
    if minutes <= 0:
        raise BadInput("endDateTime must be after startDateTime")
    base = SlotQuery(branch=branch, services=(svc,), people=people)
    if base.length == minutes:
        return None
    lengths = {d: replace(base, duration=d).length for d in svc.allowed_durations}
    for chosen, length in lengths.items():
        if length == minutes:
            return chosen
    offered = ", ".join(str(m) for m in sorted(set(lengths.values())))
    raise BadInput(
        f"endDateTime: the appointment would last {int(minutes)} minutes; "
        f"this service takes {offered} minutes"
    )
