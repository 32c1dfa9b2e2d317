"""Orchestra catalog endpoints: branches, services, service groups (combinations)."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import FastAPI, Request

from slotbook.api.kit.http import JSON
from slotbook.api.orchestra import mapping as out
from slotbook.api.orchestra.deps import (
    BookingAccess,
    listing_query,
    locale_of,
    params_of,
    visible,
)
from slotbook.api.orchestra.openapi import documented
from slotbook.api.orchestra.schemas import (
    AvailableBranchOut,
    BranchEnvelope,
    BranchListOut,
    BranchServiceGroupsOut,
    ServiceGroupOut,
    ServiceListOut,
)
from slotbook.domain.model import Service
from slotbook.services.access import Access


def register(app: FastAPI) -> None:
    for version in ("v1", "v2"):

        @app.get(
            f"/{version}/branches/available",
            response_model=list[AvailableBranchOut],
            **documented("servicePublicId"),
        )
        def available_branches(request: Request, access: BookingAccess) -> JSON:
            """Branches where every given service can be booked (bare array)."""
            wanted = params_of(request).get("servicePublicId", [])
            keys = [access.catalog.find_key("service", s) for s in wanted]
            if not wanted or None in keys:
                return JSON([])
            branches = [
                b
                for b in access.catalog.active_branches()
                if listing_query(access, b.public_id, wanted, {}) is not None
            ]
            return JSON([out.available_branch_json(b) for b in branches])

        @app.get(f"/{version}/branches", response_model=BranchListOut, **documented())
        def branches(access: BookingAccess) -> JSON:
            """Every branch."""
            found = [out.branch_json(b) for b in access.catalog.active_branches()]
            return JSON(out.envelope("branchList", found))

        @app.get(
            f"/{version}/branches/{{branch_id}}", response_model=BranchEnvelope, **documented()
        )
        def branch(branch_id: str, access: BookingAccess) -> JSON:
            """One branch (used by real clients; not in the manual)."""
            found = access.catalog.branch_by_alias(branch_id)
            return JSON(out.envelope("branch", out.branch_json(found)))

        @app.get(
            f"/{version}/branches/{{branch_id}}/services",
            response_model=ServiceListOut,
            **documented(),
        )
        def branch_services(branch_id: str, request: Request, access: BookingAccess) -> JSON:
            """Services bookable at a branch (empty for an unknown branch)."""
            catalog = access.catalog
            key = catalog.find_key("branch", branch_id)
            found = [] if key is None else catalog.services_at(key)
            listed = [
                out.service_json(s, locale_of(request), catalog)
                for s in found
                if visible(access, s)
            ]
            return JSON(out.envelope("serviceList", listed))

        @app.get(f"/{version}/services", response_model=ServiceListOut, **documented())
        def services(request: Request, access: BookingAccess) -> JSON:
            """Every bookable service."""
            catalog = access.catalog
            listed = [
                out.service_json(s, locale_of(request), catalog)
                for s in catalog.active_services()
                if visible(access, s)
            ]
            return JSON(out.envelope("serviceList", listed))

        @app.get(
            f"/{version}/services/groups",
            response_model=list[BranchServiceGroupsOut],
            **documented("servicePublicId"),
        )
        def service_groups(request: Request, access: BookingAccess) -> JSON:
            """Per branch, the combinations (services bookable together) with a service."""
            catalog, locale = access.catalog, locale_of(request)
            combos = _combinations(access, params_of(request).get("servicePublicId"))
            result = []
            for branch in catalog.active_branches():
                groups = [c for c in combos if catalog.combination_offered_at(c, branch.key)]
                if groups:
                    result.append(
                        {
                            "branchPublicId": branch.public_id,
                            "branchName": branch.name,
                            "serviceGroups": [
                                {
                                    "services": [
                                        out.service_short_json(s, locale, catalog) for s in c
                                    ]
                                }
                                for c in groups
                            ],
                        }
                    )
            return JSON(result)

        @app.get(
            f"/{version}/branches/{{branch_id}}/services/groups",
            response_model=list[ServiceGroupOut],
            **documented("servicePublicId"),
        )
        def branch_service_groups(branch_id: str, request: Request, access: BookingAccess) -> JSON:
            """The combinations with a service that a branch offers."""
            catalog, locale = access.catalog, locale_of(request)
            key = catalog.find_key("branch", branch_id)
            if key is None or not catalog.branch(key).active:
                return JSON([])
            combos = _combinations(access, params_of(request).get("servicePublicId"))
            return JSON(
                [
                    {"services": [out.service_short_json(s, locale, catalog) for s in c]}
                    for c in combos
                    if catalog.combination_offered_at(c, key)
                ]
            )

        @app.get(
            f"/{version}/services/{{service_id}}/branches",
            response_model=BranchListOut,
            **documented(),
        )
        def service_branches(service_id: str, access: BookingAccess) -> JSON:
            """Branches offering a service (empty for an unknown service)."""
            catalog = access.catalog
            key = catalog.find_key("service", service_id)
            found = [] if key is None else catalog.branches_for(key)
            return JSON(out.envelope("branchList", [out.branch_json(b) for b in found]))


def _combinations(access: Access, wanted: Sequence[str] | None) -> list[tuple[Service, ...]]:
    catalog = access.catalog
    combos = catalog.active_combinations()
    if wanted is not None:
        keys = {k for s in wanted if (k := catalog.find_key("service", s)) is not None}
        if len(keys) != len(set(wanted)):
            return []
        combos = [c for c in combos if any(s.key in keys for s in c)]
    return [c for c in combos if all(visible(access, s) for s in c)]
