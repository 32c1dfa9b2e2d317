"""The native API's look-ups for staff: customers, and figures per branch, service and day."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from fastapi import FastAPI, Request
from pydantic import BaseModel

from slotbook.api.kit.errors import BadInput
from slotbook.api.kit.http import JSON, slotbook_of
from slotbook.api.kit.parsers import parse_date, parse_id, parse_int
from slotbook.api.native.answers import PROBLEMS
from slotbook.api.native.deps import StaffAccess
from slotbook.api.native.mapping import appointment_out
from slotbook.api.native.schemas import AppointmentOut
from slotbook.domain.model import Customer
from slotbook.domain.statistics import figures
from slotbook.services import queries
from slotbook.services.ports import AppointmentFilter

MAX_DAYS = 366
MAX_APPOINTMENTS = 50_000


class CustomerOut(BaseModel):
    """A customer record."""

    id: str
    external_id: str | None
    first_name: str | None
    last_name: str | None
    email: str | None
    phone: str | None


class CustomerPage(BaseModel):
    """Customers found, oldest record first; ``next`` is the following page's offset."""

    data: list[CustomerOut]
    total: int
    next: int | None


class CustomerDetailOut(CustomerOut):
    """A customer with their appointments (all of them, cancelled ones included)."""

    appointments: list[AppointmentOut]


class ServiceDayOut(BaseModel):
    """One service (or combination) at one branch on one day."""

    branch: str
    services: str
    day: str
    bookings: int
    cancellations: int
    no_shows: int
    no_show_rate: float | None
    lead_time_hours: float | None


class BranchDayOut(BaseModel):
    """How much of a branch's open resource time was booked on a day."""

    branch: str
    day: str
    booked_minutes: int
    open_minutes: int
    utilisation: float | None


class StatisticsOut(BaseModel):
    """Figures for a date range."""

    services: list[ServiceDayOut]
    branches: list[BranchDayOut]


def _customer_out(customer: Customer) -> CustomerOut:
    return CustomerOut(
        id=customer.ids.uuid,
        external_id=customer.external_id,
        first_name=customer.first_name,
        last_name=customer.last_name,
        email=customer.email,
        phone=customer.phone,
    )


def insight_routes(app: FastAPI) -> None:
    """Add customer look-ups and statistics (staff scope)."""

    @app.get("/customers", response_model=CustomerPage, responses=PROBLEMS)
    def search_customers(
        request: Request,
        access: StaffAccess,
        email: str | None = None,
        last_name: str | None = None,
        offset: str | None = None,
        limit: str | None = None,
    ) -> JSON:
        """Customers by e-mail and/or last name (exact, ignoring case)."""
        if not email and not last_name:
            raise BadInput("give email or last_name to search by", field="email")
        start = parse_int(offset, "offset", 0, 10**7, default=0) or 0
        count = parse_int(limit, "limit", 1, 200, default=50) or 50
        found, total = queries.search_customers(
            slotbook_of(request),
            access.catalog,
            email=email or None,
            last_name=last_name or None,
            offset=start,
            limit=count,
        )
        following = start + count if start + count < total else None
        data = [_customer_out(c).model_dump(mode="json") for c in found]
        return JSON({"data": data, "total": total, "next": following})

    @app.get("/customers/{customer_id}", response_model=CustomerDetailOut, responses=PROBLEMS)
    def read_customer(customer_id: str, request: Request, access: StaffAccess) -> JSON:
        """A customer (by UUID) with their appointments."""
        app_, catalog = slotbook_of(request), access.catalog
        customer = queries.get_customer(
            app_, catalog, "uuid", parse_id(customer_id, "guid", "customer_id")
        )
        theirs = queries.customer_appointments(app_, catalog, customer, live_only=False)
        shown = _customer_out(customer).model_dump(mode="json") | {
            "appointments": [appointment_out(catalog, a).model_dump(mode="json") for a in theirs]
        }
        return JSON(shown)

    @app.get("/statistics", response_model=StatisticsOut, responses=PROBLEMS)
    def statistics(
        request: Request,
        access: StaffAccess,
        date_from: str | None = None,
        date_to: str | None = None,
        branch: str | None = None,
    ) -> JSON:
        """Per branch, service and day (branch time zone): bookings, cancellations, no-shows
        and their rate, average lead time; per branch and day, the share of open resource
        time that was booked. Default: the last 30 days through today; at most 366 days."""
        app_, catalog = slotbook_of(request), access.catalog
        today = app_.now().date()
        last = parse_date(date_to, "date_to") if date_to else today
        first = parse_date(date_from, "date_from") if date_from else last - timedelta(days=29)
        if first > last or (last - first).days >= MAX_DAYS:
            raise BadInput(f"give a range of 1 to {MAX_DAYS} days", field="date_from")
        key = catalog.branch_by_alias(branch).key if branch else None
        # A day longer on each side: branches' time zones differ from UTC.
        found, _total = queries.find_appointments(
            app_,
            catalog,
            AppointmentFilter(
                branch_key=key,
                starts_from=datetime.combine(first - timedelta(days=1), time(0), tzinfo=UTC),
                starts_before=datetime.combine(last + timedelta(days=2), time(0), tzinfo=UTC),
                statuses=("confirmed", "reserved", "cancelled"),
            ),
            limit=MAX_APPOINTMENTS,
        )
        services, branches = figures(catalog, found, first, last)
        return JSON(
            {
                "services": [
                    ServiceDayOut(
                        branch=s.branch_key,
                        services=s.services,
                        day=s.day.isoformat(),
                        bookings=s.bookings,
                        cancellations=s.cancellations,
                        no_shows=s.no_shows,
                        no_show_rate=s.no_show_rate,
                        lead_time_hours=s.lead_time_hours,
                    ).model_dump(mode="json")
                    for s in services
                ],
                "branches": [
                    BranchDayOut(
                        branch=b.branch_key,
                        day=b.day.isoformat(),
                        booked_minutes=b.booked_minutes,
                        open_minutes=b.open_minutes,
                        utilisation=b.utilisation,
                    ).model_dump(mode="json")
                    for b in branches
                    if key is None or b.branch_key == key
                ],
            }
        )
