"""OnSched consumer API (``/consumer/v1``): the two apps, catalog and customer endpoints.

Availability is in ``availability.py``, appointments in ``appointments.py``, the token
exchange in ``token.py``, request helpers (errors, auth, lookups, paging) in ``deps.py``,
what the OpenAPI document says of each operation in ``docs.py``.
"""

from __future__ import annotations

from fastapi import FastAPI, Request

from slotbook.api.kit.docs import new_surface, request_body
from slotbook.api.kit.errors import BadInput
from slotbook.api.kit.http import JSON, slotbook_of
from slotbook.api.onsched import mapping as out
from slotbook.api.onsched.appointments import add_appointment_routes
from slotbook.api.onsched.availability import add_availability_route
from slotbook.api.onsched.deps import (
    BodyDep,
    BookingAccess,
    BookingWriteAccess,
    CustomerId,
    LocationId,
    ResourceId,
    ServiceId,
    StaffAccess,
    customer,
    install_errors,
    listing,
    location,
    page,
    page_of,
    params_of,
    parse_body,
    resource,
    service,
    text_param,
    visible,
)
from slotbook.api.onsched.openapi import (
    EMAIL,
    LASTNAME,
    LOCATION_ID,
    PAGING,
    operation,
)
from slotbook.api.onsched.schemas import BODIES, CustomerInputModel
from slotbook.api.onsched.token import create_token_app
from slotbook.api.onsched.views import (
    CustomerListViewModel,
    CustomerViewModel,
    LocationListViewModel,
    LocationViewModel,
    ResourceListViewModel,
    ResourceViewModel,
    ServiceListViewModel,
    ServiceViewModel,
)
from slotbook.services import queries
from slotbook.services.context import Slotbook

# --- the surfaces ---------------------------------------------------------------------------


def create_surface(slotbook: Slotbook) -> FastAPI:
    """The OnSched consumer API app (mounted at ``/consumer/v1``)."""
    app = new_surface(
        "OnSched consumer API",
        slotbook,
        description="The booking part of the OnSched consumer API. Send "
        "`Authorization: Bearer <token>` with a tenant API key or a token from "
        "`POST /connect/token` (see docs/api/onsched.md).",
        bodies=BODIES,
    )
    install_errors(app)
    _catalog_routes(app)
    add_availability_route(app)
    add_appointment_routes(app)
    _customer_routes(app)
    return app


def create_token_surface(slotbook: Slotbook) -> FastAPI:
    """The ``/connect/token`` app: API key -> bearer token (OAuth client credentials)."""
    return create_token_app(slotbook)


def _catalog_routes(app: FastAPI) -> None:
    @app.get(
        "/locations",
        **operation(LocationListViewModel, tag="Locations", query=PAGING),
    )
    def locations(request: Request, access: BookingAccess) -> JSON:
        """Every location (branch)."""
        return page(request, [out.location_json(b) for b in access.catalog.active_branches()])

    @app.get("/locations/{location_id}", **operation(LocationViewModel, tag="Locations"))
    def one_location(location_id: LocationId, access: BookingAccess) -> JSON:
        """One location by GUID."""
        return JSON(out.location_json(location(access.catalog, location_id, "id")))

    @app.get(
        "/services",
        **operation(ServiceListViewModel, tag="Services", query=(LOCATION_ID, *PAGING)),
    )
    def services(request: Request, access: BookingAccess) -> JSON:
        """Services, optionally only those offered at ``locationId``."""
        catalog, wanted = access.catalog, params_of(request).get("locationId")
        found = (
            catalog.services_at(location(catalog, wanted).key)
            if wanted
            else catalog.active_services()
        )
        return page(request, [out.service_json(s, catalog) for s in found if visible(access, s)])

    @app.get("/services/{service_id}", **operation(ServiceViewModel, tag="Services"))
    def one_service(service_id: ServiceId, access: BookingAccess) -> JSON:
        """One service by id."""
        return JSON(out.service_json(service(access, service_id, "id"), access.catalog))

    @app.get(
        "/resources",
        **operation(ResourceListViewModel, tag="Resources", query=(LOCATION_ID, *PAGING)),
    )
    def resources(request: Request, access: BookingAccess) -> JSON:
        """Resources, optionally only those of ``locationId``."""
        catalog, wanted = access.catalog, params_of(request).get("locationId")
        branches = [location(catalog, wanted)] if wanted else catalog.active_branches()
        found = [r for b in branches for r in b.resources if r.active]
        return page(request, [out.resource_json(r, catalog) for r in found])

    @app.get("/resources/{resource_id}", **operation(ResourceViewModel, tag="Resources"))
    def one_resource(resource_id: ResourceId, access: BookingAccess) -> JSON:
        """One resource by id."""
        catalog = access.catalog
        return JSON(out.resource_json(resource(catalog, resource_id, "id"), catalog))


def _customer_routes(app: FastAPI) -> None:
    @app.post(
        "/customers",
        **operation(
            CustomerViewModel,
            tag="Customers",
            write=True,
            body=request_body(CustomerInputModel),
        ),
    )
    def create_customer(request: Request, access: BookingWriteAccess, body: BodyDep) -> JSON:
        """Create a customer; ``email`` and ``lastname`` are required."""
        payload = parse_body(CustomerInputModel, body)
        missing = [n for n in ("email", "lastname") if getattr(payload, n) is None]
        if missing:
            raise BadInput(
                f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} required"
            )
        created = queries.create_customer(
            slotbook_of(request), access.catalog, payload.details(), actor=access.actor
        )
        return JSON(out.customer_json(created))

    @app.get("/customers/{customer_id}", **operation(CustomerViewModel, tag="Customers"))
    def one_customer(customer_id: CustomerId, request: Request, access: BookingAccess) -> JSON:
        """One customer by id."""
        return JSON(
            out.customer_json(customer(slotbook_of(request), access.catalog, customer_id, "id"))
        )

    @app.get(
        "/customers",
        **operation(CustomerListViewModel, tag="Customers", query=(EMAIL, LASTNAME, *PAGING)),
    )
    def customers(request: Request, access: StaffAccess) -> JSON:
        """Customers, filtered by ``email`` and/or ``lastname`` (case-insensitive)."""
        params = params_of(request)
        offset, limit = page_of(params)
        email, last_name = text_param(params, "email"), text_param(params, "lastname")
        found, total = queries.search_customers(
            slotbook_of(request),
            access.catalog,
            email=email,
            last_name=last_name,
            offset=offset,
            limit=limit,
        )
        return JSON(listing(request, [out.customer_json(c) for c in found], total, offset))
