"""Service and resource groups, allocations, and which resources perform which services.

An allocation is a service's opening hours on one resource: one weekly time range and the
weekdays it applies to, read from the resource's (else its location's) hours.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request

from slotbook.api.kit.http import JSON
from slotbook.api.kit.parsers import parse_id
from slotbook.api.onsched import mapping as out
from slotbook.api.onsched.deps import (
    AllocationId,
    BookingAccess,
    GroupId,
    ResourceId,
    ServiceId,
    location,
    page,
    params_of,
    resource,
    service,
    visible,
)
from slotbook.api.onsched.openapi import (
    ALLOCATION_FILTERS,
    GROUP_FILTERS,
    PAGING,
    operation,
    param,
)
from slotbook.api.onsched.views import (
    GroupViewModel,
    ResourceGroupListViewModel,
    ResourceListViewModel,
    ResourceServiceListViewModel,
    ServiceAllocationListViewModel,
    ServiceAllocationViewModel,
    ServiceGroupListViewModel,
)
from slotbook.domain.errors import NotFound
from slotbook.domain.model import Branch, Catalog, Resource, ResourceGroup, Service, ServiceGroup
from slotbook.domain.schedule import LocalRange
from slotbook.services.access import Access


def _clock(minutes: int) -> int:
    """Minutes since midnight as HHmm (1440 is 2400)."""
    return minutes // 60 * 100 + minutes % 60


def allocations(catalog: Catalog, svc: Service) -> list[dict[str, Any]]:
    """The service's weekly opening ranges per resource, at every location offering it."""
    found: list[dict[str, Any]] = []
    for branch in catalog.branches_for(svc.key):
        for res in catalog.resources_for(branch.key, (svc,)):
            found.extend(_allocations_of(catalog, svc, branch, res))
    return found


def _allocations_of(
    catalog: Catalog, svc: Service, branch: Branch, res: Resource
) -> list[dict[str, Any]]:
    days: dict[LocalRange, list[int]] = {}
    for weekday, ranges in enumerate(res.schedule.weekly):
        for rng in ranges:
            days.setdefault(rng, []).append((weekday + 1) % 7)  # the vendor's 0 is Sunday
    result = []
    for rng, weekdays in sorted(days.items(), key=lambda item: (item[0].start, item[0].end)):
        # Stable ids, derived from what the allocation is made of.
        derived = uuid.uuid5(uuid.UUID(svc.ids.uuid), f"{res.key}/{rng.start}-{rng.end}")
        result.append(
            {
                "object": "serviceAllocation",
                "id": str(derived.int % 10**12),
                "serviceId": svc.ids.digits,
                "serviceName": svc.name.get(catalog.settings.default_locale),
                "serviceDuration": svc.default_duration,
                "resourceId": res.ids.digits,
                "resourceName": res.name,
                "locationId": branch.ids.uuid,
                "startTime": _clock(rng.start),
                "endTime": _clock(rng.end),
                "repeats": True,
                "repeat": {
                    "frequency": "W",
                    "interval": 1,
                    "weekdays": "".join(str(d) for d in sorted(weekdays)),
                },
                "timezoneName": branch.time_zone,
                "bookingLimit": svc.capacity,
            }
        )
    return result


def _group(groups: Sequence[ServiceGroup | ResourceGroup], value: str, kind: str) -> Any:
    parse_id(value, "digits", "id")
    for group in groups:
        if group.ids.digits == value:
            return group
    raise NotFound(kind, value, f"No {kind} with id {value}")


def services_of_group(access: Access, group_id: str) -> list[Service]:
    """The visible services of a service group (``serviceGroupId``)."""
    group = _group(access.catalog.service_groups, group_id, "service group")
    keys = set(group.service_keys)
    return [s for s in access.catalog.active_services() if s.key in keys and visible(access, s)]


def resource_keys_of_group(catalog: Catalog, group_id: str) -> set[str]:
    """The resources of a resource group (``resourceGroupId``)."""
    return set(_group(catalog.resource_groups, group_id, "resource group").resource_keys)


def _at(catalog: Catalog, request: Request) -> Branch | None:
    wanted = params_of(request).get("locationId")
    return location(catalog, wanted) if wanted else None


def add_group_routes(app: FastAPI) -> None:
    """Groups, allocations and service/resource relations (fixed paths before ``{id}``)."""

    @app.get(
        "/services/allocations/{allocation_id}",
        **operation(ServiceAllocationViewModel, tag="Services"),
    )
    def one_allocation(allocation_id: AllocationId, access: BookingAccess) -> JSON:
        """One allocation by id."""
        parse_id(allocation_id, "digits", "id")
        for svc in access.catalog.active_services():
            if not visible(access, svc):
                continue
            for found in allocations(access.catalog, svc):
                if found["id"] == allocation_id:
                    return JSON(found)
        raise NotFound("allocation", allocation_id, f"No allocation with id {allocation_id}")

    @app.get(
        "/services/{service_id}/allocations",
        **operation(ServiceAllocationListViewModel, tag="Services", query=ALLOCATION_FILTERS),
    )
    def service_allocations(service_id: ServiceId, request: Request, access: BookingAccess) -> JSON:
        """The service's opening hours per resource (``locationId``, ``resourceId`` narrow)."""
        catalog, params = access.catalog, params_of(request)
        svc = service(access, service_id, "id")
        branch = _at(catalog, request)
        host = resource(catalog, params["resourceId"]) if params.get("resourceId") else None
        found = [
            a
            for a in allocations(catalog, svc)
            if (branch is None or a["locationId"] == branch.ids.uuid)
            and (host is None or a["resourceId"] == host.ids.digits)
        ]
        return page(request, found)

    @app.get(
        "/services/{service_id}/resources",
        **operation(ResourceListViewModel, tag="Services", query=GROUP_FILTERS),
    )
    def service_resources(service_id: ServiceId, request: Request, access: BookingAccess) -> JSON:
        """The resources that perform a service (at ``locationId``)."""
        catalog = access.catalog
        svc = service(access, service_id, "id")
        branch = _at(catalog, request)
        branches = [branch] if branch else catalog.branches_for(svc.key)
        found = [r for b in branches for r in catalog.resources_for(b.key, (svc,))]
        return page(request, [out.resource_json(r, catalog) for r in found])

    @app.get(
        "/resources/{resource_id}/services",
        **operation(ResourceServiceListViewModel, tag="Resources", query=PAGING),
    )
    def resource_services(resource_id: ResourceId, request: Request, access: BookingAccess) -> JSON:
        """The (visible) services a resource performs."""
        catalog = access.catalog
        res = resource(catalog, resource_id, "id")
        found = [
            s
            for s in catalog.services_at(res.branch_key)
            if visible(access, s) and res in catalog.resources_for(res.branch_key, (s,))
        ]
        return page(request, [out.resource_service_json(res, s, catalog) for s in found])

    @app.get(
        "/servicegroups",
        **operation(ServiceGroupListViewModel, tag="Service groups", query=GROUP_FILTERS),
    )
    def service_groups(request: Request, access: BookingAccess) -> JSON:
        """Service groups (those with a service at ``locationId``)."""
        catalog = access.catalog
        branch = _at(catalog, request)
        offered = {s.key for s in catalog.services_at(branch.key)} if branch else None
        groups = sorted(catalog.service_groups, key=lambda g: g.index)
        found = [g for g in groups if offered is None or offered & set(g.service_keys)]
        return page(request, [out.group_json("serviceGroup", g, catalog) for g in found])

    @app.get("/servicegroups/{group_id}", **operation(GroupViewModel, tag="Service groups"))
    def one_service_group(group_id: GroupId, access: BookingAccess) -> JSON:
        """One service group by id."""
        group = _group(access.catalog.service_groups, group_id, "service group")
        return JSON(out.group_json("serviceGroup", group, access.catalog))

    deleted = param("query", "deleted", {"type": "boolean"}, "true: none are listed")

    @app.get(
        "/resourcegroups",
        **operation(
            ResourceGroupListViewModel, tag="Resource groups", query=(*GROUP_FILTERS, deleted)
        ),
    )
    def resource_groups(request: Request, access: BookingAccess) -> JSON:
        """Resource groups (those with a resource at ``locationId``)."""
        catalog = access.catalog
        branch = _at(catalog, request)
        if params_of(request).get("deleted", "").strip().lower() == "true":
            return page(request, [])
        here = {r.key for r in branch.resources} if branch else None
        groups = sorted(catalog.resource_groups, key=lambda g: g.index)
        found = [g for g in groups if here is None or here & set(g.resource_keys)]
        return page(request, [out.group_json("resourceGroup", g, catalog) for g in found])

    @app.get("/resourcegroups/{group_id}", **operation(GroupViewModel, tag="Resource groups"))
    def one_resource_group(group_id: GroupId, access: BookingAccess) -> JSON:
        """One resource group by id."""
        group = _group(access.catalog.resource_groups, group_id, "resource group")
        return JSON(out.group_json("resourceGroup", group, access.catalog))
