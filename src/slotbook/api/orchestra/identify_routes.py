"""Orchestra's customer identification: ``GET appointment/customers/identify;{field}={value}``.

It lives under the Orchestra root beside ``calendar-backend/`` (mounted at ``/appointment``):
a portal finds a citizen's customer records by e-mail, phone or external id, then lists
their appointments with ``calendar-backend/public/api/v1/customers/{publicId}/appointments``.
"""

from __future__ import annotations

from fastapi import FastAPI, Request

from slotbook.api.kit.docs import new_surface
from slotbook.api.kit.errors import BadInput, install_error_handlers
from slotbook.api.kit.http import JSON, slotbook_of
from slotbook.api.orchestra import mapping as out
from slotbook.api.orchestra.deps import StaffAccess, params_of
from slotbook.api.orchestra.errors import INVALID_PARAMETER, TABLE, render_error
from slotbook.api.orchestra.openapi import documented
from slotbook.api.orchestra.schemas import IdentifiedCustomerOut
from slotbook.services import queries
from slotbook.services.context import Slotbook

# Matrix parameter -> customer field it matches (e-mail and phone ignore case).
FIELDS = ("email", "phone", "externalId")
MAX_MATCHES = 100


def create_identify_surface(slotbook: Slotbook) -> FastAPI:
    """The ``/appointment`` app: customer identification of the Orchestra appointment API."""
    app = new_surface(
        "Orchestra appointment API: customer identification",
        slotbook,
        description="`GET customers/identify;email={email}` (or `;phone=`, `;externalId=`): "
        "the customer records with that identifier (staff scope).",
    )
    install_error_handlers(
        app, render_error, TABLE, bad_input_code=INVALID_PARAMETER, not_found_code="404"
    )

    described = documented()
    described["openapi_extra"]["parameters"][:0] = [
        {
            "name": name,
            "in": "query",
            "required": False,
            "description": f"Sent as the matrix parameter `;{name}=value` after `identify`",
            "schema": {"type": "string", "maxLength": 255},
        }
        for name in FIELDS
    ]

    @app.get("/customers/identify", response_model=list[IdentifiedCustomerOut], **described)
    def identify(request: Request, access: StaffAccess) -> JSON:
        """Customer records matching exactly one of ``email``, ``phone`` or ``externalId``."""
        params = params_of(request)  # matrix parameters, or the same names in the query
        given = {k: v for k, v in params.items() if k in FIELDS and v}
        unknown = sorted(set(params) - set(FIELDS))
        if unknown or len(given) != 1:
            raise BadInput(
                "identify takes exactly one of ;email=, ;phone= or ;externalId="
                + (f" (unknown: {', '.join(unknown)[:80]})" if unknown else "")
            )
        ((field, values),) = given.items()
        value = values[-1].strip()
        if not value or len(value) > 255 or not value.isprintable():
            raise BadInput(f"{field} must be 1 to 255 printable characters")
        found, _total = queries.search_customers(
            slotbook_of(request),
            access.catalog,
            email=value if field == "email" else None,
            last_name=None,
            phone=value if field == "phone" else None,
            external_id=value if field == "externalId" else None,
            offset=0,
            limit=MAX_MATCHES,
        )
        return JSON([out.identified_customer_json(c) for c in found])

    return app
