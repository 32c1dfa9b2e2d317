"""Figures per branch, service and day: bookings, cancellations, no-shows, lead time, use.

Pure: the caller passes the appointments and the catalog; nothing here reads a clock.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from slotbook.domain.model import Appointment, Arrival, Catalog, Status
from slotbook.domain.schedule import opening_intervals


@dataclass(frozen=True, slots=True)
class ServiceDay:
    """How one service (or combination) went at one branch on one day."""

    branch_key: str
    services: str  # service ids joined by "+"
    day: date
    bookings: int  # booked (cancelled later included)
    cancellations: int
    no_shows: int
    lead_time_hours: float | None  # average time between booking and start

    @property
    def no_show_rate(self) -> float | None:
        """No-shows among the appointments that were not cancelled."""
        kept = self.bookings - self.cancellations
        return self.no_shows / kept if kept else None


@dataclass(frozen=True, slots=True)
class BranchDay:
    """How full a branch was on a day: booked minutes against open resource-minutes."""

    branch_key: str
    day: date
    booked_minutes: int
    open_minutes: int

    @property
    def utilisation(self) -> float | None:
        """Booked share of the open time of all its resources."""
        return self.booked_minutes / self.open_minutes if self.open_minutes else None


def figures(
    catalog: Catalog, appointments: Iterable[Appointment], first_day: date, last_day: date
) -> tuple[list[ServiceDay], list[BranchDay]]:
    """Per branch, service and local day; and per branch and day, the use of its resources."""
    groups: dict[tuple[str, str, date], list[Appointment]] = defaultdict(list)
    booked: dict[tuple[str, date], int] = defaultdict(int)
    for appointment in appointments:
        if appointment.status not in (Status.CONFIRMED, Status.RESERVED, Status.CANCELLED):
            continue  # holds that were never booked say nothing about demand
        zone = catalog.branch(appointment.branch_key, include_retired=True).zone
        day = appointment.start.astimezone(zone).date()
        if not first_day <= day <= last_day:
            continue
        key = (appointment.branch_key, "+".join(appointment.service_keys), day)
        groups[key].append(appointment)
        if appointment.status is not Status.CANCELLED:
            booked[(appointment.branch_key, day)] += appointment.length_minutes
    services = []
    for (branch_key, names, day), members in sorted(groups.items()):
        leads = [
            (a.start - a.created).total_seconds() / 3600 for a in members if a.created is not None
        ]
        services.append(
            ServiceDay(
                branch_key=branch_key,
                services=names,
                day=day,
                bookings=len(members),
                cancellations=sum(a.status is Status.CANCELLED for a in members),
                no_shows=sum(a.arrival is Arrival.NO_SHOW for a in members),
                lead_time_hours=round(sum(leads) / len(leads), 1) if leads else None,
            )
        )
    branches = []
    for branch in catalog.active_branches():
        day = first_day
        while day <= last_day:
            open_seconds = sum(
                e - s for s, e in opening_intervals(branch.schedule, day, branch.zone)
            )
            branches.append(
                BranchDay(
                    branch.key,
                    day,
                    booked.get((branch.key, day), 0),
                    open_seconds // 60 * len(branch.resources),
                )
            )
            day += timedelta(days=1)
    return services, branches
