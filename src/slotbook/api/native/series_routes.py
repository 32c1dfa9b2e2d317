"""The native API's series: staff book one customer on a weekly or monthly rule."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

import orjson
from fastapi import FastAPI, Request
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints
from starlette.responses import Response

from slotbook.api.kit.docs import IDEMPOTENCY_KEY, error_answers, request_body
from slotbook.api.kit.errors import BadInput
from slotbook.api.kit.http import JSON, parse_model, slotbook_of
from slotbook.api.kit.parsers import check_instant
from slotbook.api.native.answers import WHEN
from slotbook.api.native.deps import BodyDep, StaffWriteAccess
from slotbook.api.native.errors import render_problem
from slotbook.api.native.mapping import appointment_out, person_details
from slotbook.api.native.schemas import AppointmentOut, CatalogId, PersonIn, Problem
from slotbook.domain.model import MAX_CUSTOM_LENGTH
from slotbook.services import series
from slotbook.services.availability import SlotQuery
from slotbook.services.booking import BookingDetails


class SeriesIn(BaseModel):
    """A series booked by staff: the first start and an RRULE, for one customer."""

    model_config = ConfigDict(extra="forbid")

    branch: CatalogId
    services: list[CatalogId] = Field(min_length=1, max_length=5)
    resource: CatalogId | None = None
    start: AwareDatetime = Field(description="The first occurrence")
    rule: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] = (
        Field(
            description="RFC 5545 RRULE, weekly or monthly, with COUNT or UNTIL "
            f"(at most {series.MAX_OCCURRENCES} occurrences), e.g. FREQ=WEEKLY;COUNT=6; "
            "it runs on the branch's wall-clock time"
        )
    )
    customer: PersonIn
    all_or_nothing: bool = Field(False, description="Book none unless every occurrence fits")
    length_minutes: Annotated[int, Field(ge=1, le=MAX_CUSTOM_LENGTH)] | None = None


class RefusedOut(BaseModel):
    """An occurrence that was not booked, and why."""

    start: datetime
    reason: str


class SeriesOut(BaseModel):
    """What a series booked, and the occurrences it could not."""

    booked: list[AppointmentOut]
    refused: list[RefusedOut]


class SeriesProblem(Problem):
    """Nothing was booked (``series_refused``): the occurrences that did not fit."""

    refused: list[RefusedOut]


_PROBLEMS = error_answers(Problem, WHEN, (400, 401, 403, 404, 413, 422, 429, 503)) | {
    409: {
        "model": SeriesProblem,
        "description": "Nothing was booked: every occurrence was refused, or one was with "
        "`all_or_nothing` (`series_refused`); or a request with this Idempotency-Key is "
        "still running",
    }
}


def _refused(refusals: list[series.Refusal]) -> list[dict[str, Any]]:
    return [RefusedOut(start=r.start, reason=r.reason).model_dump(mode="json") for r in refusals]


def _refused_problem(refusals: list[series.Refusal]) -> Response:
    """409 ``series_refused``: a problem document that also lists the refused dates."""
    answer = render_problem(
        409, "series_refused", f"Nothing was booked: {len(refusals)} occurrence(s) did not fit"
    )
    body = orjson.loads(answer.body) | {"refused": _refused(refusals)}
    return Response(orjson.dumps(body), status_code=409, media_type=answer.media_type)


def series_routes(app: FastAPI) -> None:
    """``POST /series`` (staff scope): book a customer on a recurring rule."""

    @app.post(
        "/series",
        status_code=201,
        response_model=SeriesOut,
        responses=_PROBLEMS,
        openapi_extra={"requestBody": request_body(SeriesIn), "parameters": [IDEMPOTENCY_KEY]},
    )
    def book_series(request: Request, access: StaffWriteAccess, body: BodyDep) -> Response:
        """Book one customer on a weekly or monthly RRULE from ``start`` on: each occurrence
        is checked like a single staff booking; the answer lists the booked ones and the
        refused dates with the reason. With ``all_or_nothing`` a single refusal books none
        (409 ``series_refused`` with the list)."""
        wanted = parse_model(SeriesIn, body)
        catalog = access.catalog
        branch = catalog.branch_by_alias(wanted.branch)
        services = tuple(catalog.service_by_alias(s) for s in wanted.services)
        resource = catalog.resource_by_alias(wanted.resource) if wanted.resource else None
        if resource is not None and resource.branch_key != branch.key:
            raise BadInput("The resource is not at this branch", field="resource")
        person = wanted.customer
        done = series.book_series(
            slotbook_of(request),
            catalog,
            query=SlotQuery(
                branch=branch,
                services=services,
                custom_length=wanted.length_minutes,
                resource_keys=(resource.key,) if resource else None,
            ),
            first_start=check_instant(wanted.start, "start").astimezone(UTC),
            rule=wanted.rule,
            details=BookingDetails(
                customers=[person_details(person)],
                source="staff",
            ),
            all_or_nothing=wanted.all_or_nothing,
            actor=access.actor,
        )
        if not done.booked:
            return _refused_problem(done.refused)
        shown = {
            "booked": [appointment_out(catalog, a).model_dump(mode="json") for a in done.booked],
            "refused": _refused(done.refused),
        }
        return JSON(shown, status_code=201)
