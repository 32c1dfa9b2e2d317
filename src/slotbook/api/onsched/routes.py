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
from slotbook.api.onsched.availability import add_availability_route, add_day_routes
from slotbook.api.onsched.deps import (
    AdminWriteAccess,
    BodyDep,
    BookingAccess,
    BookingWriteAccess,
    CustomerId,
    LocationId,
    NoBodyDep,
    ResourceId,
    ServiceId,
    StaffAccess,
    StaffWriteAccess,
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
from slotbook.api.onsched.groups import (
    add_group_routes,
    resource_keys_of_group,
    services_of_group,
)
from slotbook.api.onsched.lookups import add_lookup_routes
from slotbook.api.onsched.openapi import (
    EMAIL,
    LASTNAME,
    LOCATION_ID,
    PAGING,
    RESOURCE_FILTERS,
    SERVICE_FILTERS,
    operation,
    param,
)
from slotbook.api.onsched.schemas import (
    BODIES,
    DIGIT_ID,
    CustomerInputModel,
    CustomerUpdateModel,
)
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
from slotbook.services import privacy, queries
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
    # Fixed paths first: ``customers/countries`` is not customer "countries".
    add_lookup_routes(app)
    add_group_routes(app)
    _catalog_routes(app)
    add_availability_route(app)
    add_day_routes(app)
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
        **operation(ServiceListViewModel, tag="Services", query=SERVICE_FILTERS),
    )
    def services(request: Request, access: BookingAccess) -> JSON:
        """Services, narrowed by ``locationId``, ``serviceGroupId`` and ``name``."""
        catalog, params = access.catalog, params_of(request)
        wanted = params.get("locationId")
        found = (
            catalog.services_at(location(catalog, wanted).key)
            if wanted
            else catalog.active_services()
        )
        if params.get("serviceGroupId"):
            grouped = {s.key for s in services_of_group(access, params["serviceGroupId"])}
            found = [s for s in found if s.key in grouped]
        name = text_param(params, "name")
        locale = catalog.settings.default_locale
        found = [
            s
            for s in found
            if visible(access, s)
            and (name is None or name.casefold() in (s.name.get(locale) or "").casefold())
        ]
        return page(request, [out.service_json(s, catalog) for s in found])

    @app.get("/services/{service_id}", **operation(ServiceViewModel, tag="Services"))
    def one_service(service_id: ServiceId, access: BookingAccess) -> JSON:
        """One service by id."""
        return JSON(out.service_json(service(access, service_id, "id"), access.catalog))

    @app.get(
        "/resources",
        **operation(ResourceListViewModel, tag="Resources", query=RESOURCE_FILTERS),
    )
    def resources(request: Request, access: BookingAccess) -> JSON:
        """Resources, narrowed by ``locationId``, ``resourceGroupId``, ``email``, ``name``."""
        catalog, params = access.catalog, params_of(request)
        wanted = params.get("locationId")
        branches = [location(catalog, wanted)] if wanted else catalog.active_branches()
        found = [r for b in branches for r in b.resources if r.active]
        if params.get("resourceGroupId"):
            grouped = resource_keys_of_group(catalog, params["resourceGroupId"])
            found = [r for r in found if r.key in grouped]
        email, name = text_param(params, "email"), text_param(params, "name")
        found = [
            r
            for r in found
            if (email is None or (r.email or "").casefold() == email.casefold())
            and (name is None or name.casefold() in r.name.casefold())
        ]
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
        """Create a customer; ``email`` and ``lastname`` (or ``name``) are required."""
        details = parse_body(CustomerInputModel, body).details()
        missing = [
            field
            for field, value in (("email", details.email), ("lastname", details.last_name))
            if value is None
        ]
        if missing:
            raise BadInput(
                f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} required"
            )
        created = queries.create_customer(
            slotbook_of(request), access.catalog, details, actor=access.actor
        )
        return JSON(out.customer_json(created))

    @app.get("/customers/{customer_id}", **operation(CustomerViewModel, tag="Customers"))
    def one_customer(customer_id: CustomerId, request: Request, access: BookingAccess) -> JSON:
        """One customer by id."""
        return JSON(
            out.customer_json(customer(slotbook_of(request), access.catalog, customer_id, "id"))
        )

    @app.put(
        "/customers/{customer_id}",
        **operation(
            CustomerViewModel,
            tag="Customers",
            write=True,
            body=request_body(CustomerUpdateModel, required=False),
        ),
    )
    def update_customer(
        customer_id: CustomerId, request: Request, access: StaffWriteAccess, body: BodyDep
    ) -> JSON:
        """Change a customer's name, e-mail, phone or address (staff key)."""
        details = parse_body(CustomerUpdateModel, body).details()
        sb = slotbook_of(request)
        customer(sb, access.catalog, customer_id, "id")
        changed = queries.update_customer(
            sb,
            access.catalog,
            kind="digits",
            value=customer_id,
            details=details,
            actor=access.actor,
        )
        return JSON(out.customer_json(changed))

    @app.delete(
        "/customers/{customer_id}",
        **operation(CustomerViewModel, tag="Customers", write=True),
    )
    def delete_customer(
        customer_id: CustomerId, request: Request, access: AdminWriteAccess, _body: NoBodyDep
    ) -> JSON:
        """Erase a customer's data and that of their appointments (admin key; ids stay)."""
        sb = slotbook_of(request)
        customer(sb, access.catalog, customer_id, "id")
        privacy.erase_customer(sb, access.catalog, customer_id=customer_id, actor=access.actor)
        erased = customer(sb, access.catalog, customer_id, "id")
        return JSON(out.customer_json(erased, deleted=True))

    deleted = param("query", "deleted", {"type": "boolean"}, "true: none are listed")
    group = param("query", "groupId", DIGIT_ID, "Ignored: customers have no groups")

    @app.get(
        "/customers",
        **operation(
            CustomerListViewModel,
            tag="Customers",
            query=(LOCATION_ID, group, EMAIL, LASTNAME, deleted, *PAGING),
        ),
    )
    def customers(request: Request, access: StaffAccess) -> JSON:
        """Customers, filtered by ``email`` and/or ``lastname`` (case-insensitive)."""
        params = params_of(request)
        offset, limit = page_of(params)
        if params.get("locationId"):
            location(access.catalog, params["locationId"])  # customers are the tenant's
        email, last_name = text_param(params, "email"), text_param(params, "lastname")
        if params.get("deleted", "").strip().lower() == "true":
            return JSON(listing(request, [], 0, offset))
        found, total = queries.search_customers(
            slotbook_of(request),
            access.catalog,
            email=email,
            last_name=last_name,
            offset=offset,
            limit=limit,
        )
        return JSON(listing(request, [out.customer_json(c) for c in found], total, offset))
