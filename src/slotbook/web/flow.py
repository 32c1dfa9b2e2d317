"""What each step of the booking page shows, from the use cases (one round of calls per page)."""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from slotbook.domain.errors import InvalidRequest, NotFound
from slotbook.domain.model import Branch, Catalog, ScreeningQuestion, Service
from slotbook.services.availability import SlotQuery, booking_window, find_days, find_openings
from slotbook.services.booking import check_bookable
from slotbook.services.context import Slotbook

MAX_SERVICES = 5


@dataclass(frozen=True, slots=True)
class Choice:
    """What the citizen chose so far: services, office and number of people."""

    services: tuple[Service, ...]
    branch: Branch
    people: int = 1

    def params(self) -> dict[str, str | list[str]]:
        """The choice as query parameters, for the next step's links and forms."""
        return {
            "service": [s.key for s in self.services],
            "branch": self.branch.key,
            "people": str(self.people),
        }

    @property
    def query(self) -> SlotQuery:
        """The availability question this choice asks."""
        return SlotQuery(branch=self.branch, services=self.services, people=self.people)

    @property
    def is_group(self) -> bool:
        """True for a group service: people share a session with spaces."""
        return len(self.services) == 1 and self.services[0].is_group


def combinable(catalog: Catalog, service: Service) -> list[Service]:
    """Services the catalog lets one book together with ``service``."""
    found: list[Service] = []
    for combo in catalog.active_combinations():
        if service in combo:
            found += [s for s in combo if s != service and s not in found and s.online_bookable]
    return found


def people_limit(services: tuple[Service, ...]) -> int:
    """How many people one appointment of these services may be for."""
    return min(s.reservation_limit for s in services)


def read_choice(
    catalog: Catalog, keys: list[str], branch_key: str | None, people: str | None
) -> Choice:
    """The citizen's choice from a link or form; NotFound/InvalidRequest if it is not on offer."""
    if not keys or len(keys) > MAX_SERVICES:
        raise NotFound("service", None, "Choose a service")
    services = tuple(catalog.service(k) for k in dict.fromkeys(keys))
    if any(not s.online_bookable for s in services):
        raise NotFound("service", None, "This service cannot be booked online")
    if len(services) > 1 and not catalog.is_combination(tuple(s.key for s in services)):
        raise InvalidRequest("These services cannot be booked together", "service")
    offered = offices(catalog, services)
    if branch_key is None and len(offered) == 1:
        branch_key = offered[0].key
    if branch_key is None or branch_key not in {b.key for b in offered}:
        raise NotFound("branch", branch_key, "Choose an office")
    count = 1
    if people:
        if not people.isdigit() or not 1 <= int(people) <= people_limit(services):
            raise InvalidRequest("Choose the number of people from the list", "people")
        count = int(people)
    choice = Choice(services, catalog.branch(branch_key), count)
    check_bookable(catalog, choice.query, internal=False)
    return choice


def offices(catalog: Catalog, services: tuple[Service, ...]) -> list[Branch]:
    """Offices where one resource performs all these services."""
    return [
        b for b in catalog.branches_for(services[0].key) if catalog.resources_for(b.key, services)
    ]


def screening_refusal(
    services: tuple[Service, ...], answers: Mapping[str, str]
) -> ScreeningQuestion | None:
    """The first screening question whose answer refuses the booking (unanswered counts)."""
    for service in services:
        for question in service.screening_questions:
            said = answers.get(question.key)
            if said not in ("yes", "no") or (said == "yes") != question.yes_required:
                return question
    return None


@dataclass(frozen=True, slots=True)
class Month:
    """A calendar month with its bookable days."""

    first: date
    weeks: list[list[date | None]]
    bookable: frozenset[date]
    previous: date | None
    following: date | None


def month_of(app: Slotbook, catalog: Catalog, choice: Choice, wanted: date | None) -> Month:
    """The month to show (the first with a free time by default): one availability query."""
    now = app.now()
    window = booking_window(catalog, choice.branch, now)
    start = wanted or window.first_day
    first = max(start.replace(day=1), window.first_day.replace(day=1))
    last_day = date(first.year, first.month, calendar.monthrange(first.year, first.month)[1])
    days = find_days(app, catalog, choice.query, first_day=first, last_day=last_day)
    if wanted is None and not days and last_day < window.last_day:
        # Nothing left this month: show the first month that has a free time.
        later = find_days(app, catalog, choice.query, first_day=last_day + timedelta(days=1))
        if later:
            return month_of(app, catalog, choice, later[0])
    weeks = [
        [d if d.month == first.month else None for d in week]
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    ]
    previous = (first - timedelta(days=1)).replace(day=1)
    following = last_day + timedelta(days=1)
    return Month(
        first=first,
        weeks=weeks,
        bookable=frozenset(days),
        previous=previous if previous >= window.first_day.replace(day=1) else None,
        following=following if following <= window.last_day else None,
    )


@dataclass(frozen=True, slots=True)
class Time:
    """A free start on a day, with the spaces left in a group session."""

    start: datetime
    spaces: int | None


def times_of(app: Slotbook, catalog: Catalog, choice: Choice, day: date) -> list[Time]:
    """Free starts on a day, in order; for a group service, how many spaces each has left."""
    found = find_openings(app, catalog, choice.query, first_day=day, last_day=day)
    capacity = choice.services[0].capacity
    times: list[Time] = []
    for opening in found:
        spaces = None
        if choice.is_group:
            joinable = [s.free for s in opening.sessions]
            spaces = max([*joinable, *([capacity] if opening.resources else [])], default=0)
        times.append(Time(datetime.fromtimestamp(opening.start, UTC), spaces))
    return times
