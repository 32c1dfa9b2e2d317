"""The native API's waitlist: ask to be offered a freed time; staff see who waits."""

from __future__ import annotations

from datetime import date as Day
from typing import Annotated, Literal

from fastapi import FastAPI, Request
from pydantic import BaseModel, ConfigDict, Field

from slotbook.api.kit.docs import IDEMPOTENCY_KEY, request_body
from slotbook.api.kit.errors import BadInput
from slotbook.api.kit.http import JSON, parse_model, slotbook_of
from slotbook.api.native.answers import PROBLEMS, PROBLEMS_OF_WRITES
from slotbook.api.native.deps import BodyDep, BookingWriteAccess, StaffAccess
from slotbook.api.native.schemas import CatalogId, PersonIn
from slotbook.domain.waitlist import WaitlistEntry, WaitStatus
from slotbook.services import waitlist


class WaitIn(BaseModel):
    """Be offered a time for services at a branch on a day between two dates."""

    model_config = ConfigDict(extra="forbid")

    branch: CatalogId
    services: list[CatalogId] = Field(min_length=1, max_length=5)
    people: Annotated[int, Field(ge=1, le=100)] = 1
    first_day: Day
    last_day: Day
    customer: PersonIn
    language: Literal["en", "nl"] | None = None


class WaitOut(BaseModel):
    """A place on the waitlist."""

    id: str
    status: Literal["waiting", "offered", "booked", "lapsed", "withdrawn"]
    branch: str
    services: list[str]
    people: int
    first_day: Day
    last_day: Day
    offered_until: str | None = None


class WaitList(BaseModel):
    """Who waits (and who has an offer), oldest first."""

    data: list[WaitOut]


def _out(entry: WaitlistEntry) -> WaitOut:
    return WaitOut(
        id=entry.uuid,
        status=entry.status.value,
        branch=entry.branch_key,
        services=list(entry.service_keys),
        people=entry.people,
        first_day=entry.first_day,
        last_day=entry.last_day,
        offered_until=entry.offered_until.isoformat() if entry.offered_until else None,
    )


def waitlist_routes(app: FastAPI) -> None:
    """Add the waitlist routes to the native API."""

    @app.post(
        "/waitlist",
        status_code=201,
        response_model=WaitOut,
        responses=PROBLEMS_OF_WRITES,
        openapi_extra={"requestBody": request_body(WaitIn), "parameters": [IDEMPOTENCY_KEY]},
    )
    def join_waitlist(request: Request, access: BookingWriteAccess, body: BodyDep) -> JSON:
        """Ask to be offered a time: when one frees up (or is free) on a day in the range, it
        is held for the person and they get a mail with a link to confirm it."""
        wanted = parse_model(WaitIn, body)
        catalog = access.catalog
        person = wanted.customer
        if person.email is None:
            raise BadInput("customer.email is needed to send the offer", field="customer.email")
        entry = waitlist.join(
            slotbook_of(request),
            catalog,
            waitlist.Wish(
                branch_key=catalog.branch_by_alias(wanted.branch).key,
                service_keys=tuple(catalog.service_by_alias(s).key for s in wanted.services),
                first_day=wanted.first_day,
                last_day=wanted.last_day,
                first_name=person.first_name,
                last_name=person.last_name,
                email=person.email,
                phone=person.phone,
                people=wanted.people,
                language=wanted.language,
            ),
            actor=access.actor,
        )
        return JSON(_out(entry).model_dump(mode="json"), status_code=201)

    @app.get(
        "/waitlist",
        response_model=WaitList,
        responses=PROBLEMS,
    )
    def list_waitlist(request: Request, access: StaffAccess) -> JSON:
        """Who waits and who has an offer, oldest first."""
        app_ = slotbook_of(request)
        found = [
            *waitlist.entries(app_, access.catalog, WaitStatus.OFFERED),
            *waitlist.entries(app_, access.catalog, WaitStatus.WAITING),
        ]
        found.sort(key=lambda e: e.id or 0)
        return JSON({"data": [_out(e).model_dump(mode="json") for e in found]})
