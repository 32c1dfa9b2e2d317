"""Fixed lookups of the consumer API: booking fields, custom fields, countries and states.

These paths sit where an id would (``customers/countries`` beside ``customers/{id}``), so
they are added before the routes with ids: the first matching route wins.
"""

from __future__ import annotations

from typing import Any

from babel import Locale, UnknownLocaleError
from fastapi import FastAPI, Request

from slotbook.api.kit.errors import BadInput
from slotbook.api.kit.http import JSON
from slotbook.api.onsched.deps import BookingAccess, location, params_of, visible
from slotbook.api.onsched.openapi import COUNTRY, LOCATION_ID, operation, param
from slotbook.api.onsched.views import (
    BookingFieldListViewModel,
    CountryViewModel,
    CustomFieldDefinitionListViewModel,
    StateViewModel,
)
from slotbook.domain.model import Catalog, Service
from slotbook.services.access import Access

BIRTH_DATE_FIELD = "dateOfBirth"
ANSWER_LENGTH = 4000
# babel's territories include groupings that are not countries.
_NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "XA", "XB", "XK", "ZZ"})


def _pairs(text: str) -> dict[str, str]:
    """``"AL=Alabama NY=New_York"`` -> ``{"AL": "Alabama", "NY": "New York"}``."""
    return {
        code: name.replace("_", " ") for code, _, name in (p.partition("=") for p in text.split())
    }


# The states and provinces clients of this API ask for (OnSched serves the US and Canada).
STATES: dict[str, tuple[str, dict[str, str]]] = {
    "US": (
        "United States",
        _pairs(
            "AL=Alabama AK=Alaska AZ=Arizona AR=Arkansas CA=California CO=Colorado "
            "CT=Connecticut DE=Delaware DC=District_of_Columbia FL=Florida GA=Georgia "
            "HI=Hawaii ID=Idaho IL=Illinois IN=Indiana IA=Iowa KS=Kansas KY=Kentucky "
            "LA=Louisiana ME=Maine MD=Maryland MA=Massachusetts MI=Michigan MN=Minnesota "
            "MS=Mississippi MO=Missouri MT=Montana NE=Nebraska NV=Nevada "
            "NH=New_Hampshire NJ=New_Jersey NM=New_Mexico NY=New_York "
            "NC=North_Carolina ND=North_Dakota OH=Ohio OK=Oklahoma OR=Oregon "
            "PA=Pennsylvania RI=Rhode_Island SC=South_Carolina SD=South_Dakota "
            "TN=Tennessee TX=Texas UT=Utah VT=Vermont VA=Virginia WA=Washington "
            "WV=West_Virginia WI=Wisconsin WY=Wyoming"
        ),
    ),
    "CA": (
        "Canada",
        _pairs(
            "AB=Alberta BC=British_Columbia MB=Manitoba NB=New_Brunswick "
            "NL=Newfoundland_and_Labrador NS=Nova_Scotia NT=Northwest_Territories "
            "NU=Nunavut ON=Ontario PE=Prince_Edward_Island QC=Quebec "
            "SK=Saskatchewan YT=Yukon"
        ),
    ),
}


def _services(access: Access, request: Request) -> list[Service]:
    """The visible services, only those of ``locationId`` when given."""
    catalog, wanted = access.catalog, params_of(request).get("locationId")
    found = catalog.services_at(location(catalog, wanted).key) if wanted else None
    return [
        s for s in (catalog.active_services() if found is None else found) if visible(access, s)
    ]


def appointment_fields(catalog: Catalog, services: list[Service]) -> list[dict[str, Any]]:
    """The services' information questions; ``fieldName`` is what a booking sends as ``name``."""
    locale, seen = catalog.settings.default_locale, set[str]()
    fields: list[dict[str, Any]] = []
    for svc in services:
        for question in svc.information_questions:
            if question.key in seen:
                continue
            seen.add(question.key)
            fields.append(
                {
                    "object": "bookingField",
                    "id": question.ids.digits,
                    "fieldName": question.key,
                    "fieldLabel": question.text.get(locale),
                    "fieldType": "text",
                    "fieldLength": ANSWER_LENGTH,
                    "fieldRequired": question.required,
                    "sortKey": len(fields),
                }
            )
    return fields


def customer_fields(services: list[Service]) -> list[dict[str, Any]]:
    """The one customer field a booking accepts: the date of birth."""
    return [
        {
            "object": "bookingField",
            "id": "1",
            "fieldName": BIRTH_DATE_FIELD,
            "fieldLabel": "Date of birth",
            "fieldType": "date",
            "fieldLength": 10,
            "fieldRequired": any(s.date_of_birth_required for s in services),
            "sortKey": 0,
        }
    ]


def countries(catalog: Catalog) -> list[dict[str, Any]]:
    """Every country (ISO 3166 code), named in the tenant's language, by name."""
    try:
        names = Locale.parse(catalog.settings.default_locale).territories
    except (UnknownLocaleError, ValueError):
        names = Locale("en").territories
    found = [
        {"object": "country", "code": code, "name": name}
        for code, name in names.items()
        if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
    ]
    return sorted(found, key=lambda c: c["name"])


def states(country: str | None) -> list[dict[str, Any]]:
    """States of the US and provinces of Canada (``country`` narrows; others have none)."""
    wanted = [country.upper()] if country else list(STATES)
    return [
        {
            "object": "state",
            "code": code,
            "name": name,
            "country": cc,
            "countryName": STATES[cc][0],
        }
        for cc in wanted
        if cc in STATES
        for code, name in STATES[cc][1].items()
    ]


def add_lookup_routes(app: FastAPI) -> None:
    """Booking fields, custom fields, countries and states (before any ``{id}`` route)."""

    @app.get(
        "/appointments/bookingfields",
        **operation(BookingFieldListViewModel, tag="Appointments", query=(LOCATION_ID,)),
    )
    def appointment_booking_fields(request: Request, access: BookingAccess) -> JSON:
        """The questions a booking answers in ``appointmentBookingFields``."""
        fields = appointment_fields(access.catalog, _services(access, request))
        return JSON({"object": "bookingFields", "total": len(fields), "bookingFields": fields})

    @app.get(
        "/customers/bookingfields",
        **operation(BookingFieldListViewModel, tag="Customers", query=(LOCATION_ID,)),
    )
    def customer_booking_fields(request: Request, access: BookingAccess) -> JSON:
        """The customer facts a booking may send in ``customerBookingFields``."""
        fields = customer_fields(_services(access, request))
        return JSON({"object": "bookingFields", "total": len(fields), "bookingFields": fields})

    leads = param("query", "leadQuestions", {"type": "boolean"}, "Ignored: there are none")
    for path, tag, query in (
        ("/appointments/customfields", "Appointments", (LOCATION_ID,)),
        ("/customers/customfields", "Customers", (LOCATION_ID, leads)),
    ):

        @app.get(path, **operation(CustomFieldDefinitionListViewModel, tag=tag, query=query))
        def custom_fields(request: Request, access: BookingAccess) -> JSON:
            """Custom fields: none are defined, so the list is empty."""
            _services(access, request)  # a wrong locationId is still refused
            return JSON({"object": "customFields", "total": 0, "customFields": []})

    @app.get("/customers/countries", **operation(list[CountryViewModel], tag="Customers"))
    def country_list(access: BookingAccess) -> JSON:
        """Countries for a customer's address."""
        return JSON(countries(access.catalog))

    @app.get(
        "/customers/states", **operation(list[StateViewModel], tag="Customers", query=(COUNTRY,))
    )
    def state_list(request: Request, access: BookingAccess) -> JSON:
        """States and provinces for a customer's address (US and Canada)."""
        country = params_of(request).get("country", "").strip() or None
        if country is not None and (len(country) != 2 or not country.isalpha()):
            raise BadInput("country must be a two-letter ISO 3166 code, e.g. US")
        return JSON(states(country))
