"""Who calls the Appointedd surface and what its requests carry: access, ids, lists, zones."""

from __future__ import annotations

from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import Depends, Path, Request

from slotbook.api.appointedd.mapping import zone_of
from slotbook.api.appointedd.schemas import HEX24_PATTERN
from slotbook.api.kit.access import Needs, TenantOf
from slotbook.api.kit.errors import BadInput
from slotbook.api.kit.http import JSON, json_body, slotbook_of
from slotbook.api.kit.parsers import parse_id
from slotbook.services.access import Access
from slotbook.services.actor import Scope
from slotbook.services.context import Slotbook


def _no_tenant_header(_request: Request) -> str | None:
    return None


# The tenant of the presented ``X-API-KEY`` (the first tenant when none is sent).
_TENANT = TenantOf(_no_tenant_header)
SlotbookDep = Annotated[Slotbook, Depends(slotbook_of)]
BookingAccess = Annotated[Access, Depends(Needs(_TENANT, Scope.BOOKING))]
BookingWriteAccess = Annotated[Access, Depends(Needs(_TENANT, Scope.BOOKING, write=True))]
StaffAccess = Annotated[Access, Depends(Needs(_TENANT, Scope.STAFF))]
BodyDep = Annotated[Any, Depends(json_body)]


def _id_of(what: str) -> Any:
    """A path parameter holding a 24-hex id (checked by the route, to answer in our format)."""
    return Path(description=f"The {what}'s id", json_schema_extra={"pattern": HEX24_PATTERN})


ServiceId = Annotated[str, _id_of("service")]
ResourceId = Annotated[str, _id_of("resource")]
SlotId = Annotated[str, _id_of("availability slot")]
BookingId = Annotated[str, _id_of("booking")]
ParticipantId = Annotated[str, _id_of("participant (customer_booking_id)")]
CustomerId = Annotated[str, _id_of("customer")]


def text_param(request: Request, name: str) -> str | None:
    """A free-text filter: at most 255 printable characters; blank means no filter."""
    value = request.query_params.get(name, "").strip()
    if len(value) > 255 or not value.isprintable():
        raise BadInput(f"{name} must be at most 255 printable characters", field=name)
    return value or None


def listing(items: list[Any], total: int, prev: str | None, following: str | None) -> JSON:
    return JSON({"data": items, "total": total, "prev": prev, "next": following})


def ids_param(request: Request, name: str) -> list[str] | None:
    """A list query parameter: ``ids=a,b``, ``ids=a&ids=b`` or ``ids[]=a``; None when absent."""
    values = request.query_params.getlist(name) + request.query_params.getlist(name + "[]")
    if not values:
        return None
    found = [part.strip() for value in values for part in value.split(",") if part.strip()]
    if not found:  # present but empty: listing everything would answer another question
        raise BadInput(f"{name}: names no id; leave it out to list everything", field=name)
    if len(found) > 100:
        raise BadInput(f"{name}: at most 100 ids", field=name)
    return list(dict.fromkeys(parse_id(value, "hex24", name) for value in found))


def zone_param(request: Request) -> ZoneInfo:
    return zone_of(request.query_params.get("timezone"))
