"""Free start times for a demand (services × people × length) over a branch's resources.

Everything here is integer epoch seconds. For each resource and local date the engine takes
the opening ranges, walks the gaps between the (merged, buffered) live sessions on that
resource, and computes the grid starts that fit in each gap arithmetically — no per-minute
or per-slot scanning, and no I/O: the caller loads every live session once.

Rules:
- An appointment ``[t, t + length)`` lies inside one opening range of its resource, and ``t``
  is on that range's grid (``range start + k × step``, elapsed time, so DST-safe).
- Its buffered block ``[t − before, t + length + after)`` overlaps no live session's buffered
  block on that resource (buffers may reach outside opening hours).
- An existing group session of the same service and length with at least ``spaces`` free is
  offered at its own start, whatever the grid.
- Resource pick for a new session: fewest booked minutes on that local day, then catalog
  order. An existing group session with room is preferred over starting a new one (fullest
  first), so sessions fill up before new ones open.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from slotbook.domain.intervals import Interval, merge
from slotbook.domain.schedule import Schedule, local_instant, opening_intervals, to_local

_FAR = 1 << 62


class Occupancy(NamedTuple):
    """A live session on a resource, as availability sees it (a tuple: thousands are built)."""

    resource_key: str
    start: int
    end: int
    block_start: int
    block_end: int
    service_keys: tuple[str, ...] = ()
    capacity: int = 1
    taken: int = 1
    session_id: int | None = None

    @property
    def free(self) -> int:
        """Spaces still free in this session."""
        return max(self.capacity - self.taken, 0)


@dataclass(frozen=True, slots=True)
class ResourceCalendar:
    """A resource that can host the demand, with its effective opening hours."""

    key: str
    schedule: Schedule


@dataclass(frozen=True, slots=True)
class Demand:
    """What the customer wants: which services, how long, how many spaces."""

    service_keys: tuple[str, ...]
    length: int
    step: int
    resources: tuple[ResourceCalendar, ...]
    buffer_before: int = 0
    buffer_after: int = 0
    spaces: int = 1
    capacity: int = 1

    def __post_init__(self) -> None:
        if self.length <= 0 or self.step <= 0:
            raise ValueError("length and step must be positive")


@dataclass(frozen=True, slots=True)
class Window:
    """Which starts may be offered: local dates in a zone, not before ``earliest``."""

    zone: ZoneInfo
    first_day: date
    last_day: date
    earliest: int
    latest: int | None = None

    def days(self) -> Iterator[date]:
        """Every local date of the window."""
        day = self.first_day
        while day <= self.last_day:
            yield day
            day += timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Opening:
    """A bookable start: resources where a new session fits, and group sessions with room."""

    start: int
    end: int
    resources: tuple[str, ...] = ()
    sessions: tuple[Occupancy, ...] = ()


@dataclass(slots=True)
class _ResourceState:
    calendar: ResourceCalendar
    position: int
    blocks: list[Interval] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    occupancies: list[Occupancy] = field(default_factory=list)
    joinable: list[Occupancy] = field(default_factory=list)


def _prepare(demand: Demand, occupancies: Sequence[Occupancy]) -> list[_ResourceState]:
    states = {r.key: _ResourceState(r, i) for i, r in enumerate(demand.resources)}
    for occ in occupancies:
        state = states.get(occ.resource_key)
        if state is None:
            continue
        state.occupancies.append(occ)
        # A session has one length: a demand for another length cannot share it.
        if (
            occ.capacity > 1
            and occ.service_keys == demand.service_keys
            and occ.end - occ.start == demand.length
            and occ.free >= demand.spaces
        ):
            state.joinable.append(occ)
    for state in states.values():
        state.blocks = merge((o.block_start, o.block_end) for o in state.occupancies)
        state.ends = [end for _, end in state.blocks]
        state.joinable.sort(key=lambda o: o.start)
    return list(states.values())


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def _starts_in_range(
    state: _ResourceState, opening: Interval, demand: Demand, earliest: int, latest: int | None
) -> Iterator[range]:
    """Grid starts inside one opening range that avoid every buffered block."""
    o1, o2 = opening
    length, step = demand.length, demand.step
    before, after = demand.buffer_before, demand.buffer_after
    last_start = o2 - length
    if latest is not None:
        last_start = min(last_start, latest - 1)
    first_allowed = max(o1, earliest)
    if last_start < first_allowed:
        return
    blocks, count = state.blocks, len(state.blocks)
    i = bisect_right(state.ends, first_allowed - before)
    gap_start = -_FAR
    while True:
        gap_end = blocks[i][0] if i < count else _FAR
        lo = max(first_allowed, gap_start + before)
        hi = min(last_start, gap_end - length - after)
        if lo <= hi:
            first = o1 + _ceil_div(lo - o1, step) * step
            if first <= hi:
                yield range(first, hi + 1, step)
        if i >= count:
            return
        gap_start = blocks[i][1]
        i += 1
        if gap_start + before > last_start:
            return


class _Days:
    """Per-call cache of opening intervals and day bounds (resources often share hours)."""

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone
        self._open: dict[tuple[int, date], list[Interval]] = {}
        self._bounds: dict[date, Interval] = {}

    def opening(self, schedule: Schedule, day: date) -> list[Interval]:
        key = (id(schedule), day)
        found = self._open.get(key)
        if found is None:
            found = opening_intervals(schedule, day, self.zone)
            self._open[key] = found
        return found

    def bounds(self, day: date) -> Interval:
        found = self._bounds.get(day)
        if found is None:
            found = (
                local_instant(day, 0, self.zone),
                local_instant(day + timedelta(days=1), 0, self.zone),
            )
            self._bounds[day] = found
        return found


def _joinable_on(state: _ResourceState, lo: int, hi: int, window: Window) -> Iterator[Occupancy]:
    for occ in state.joinable:
        if occ.start < lo or occ.start < window.earliest:
            continue
        if occ.start >= hi or (window.latest is not None and occ.start >= window.latest):
            break
        yield occ


def _new_sessions_possible(demand: Demand) -> bool:
    return demand.spaces <= demand.capacity


def bookable_days(demand: Demand, occupancies: Sequence[Occupancy], window: Window) -> list[date]:
    """Local dates on which at least one start is free for the demand."""
    states = _prepare(demand, occupancies)
    days = _Days(window.zone)
    can_open = _new_sessions_possible(demand)
    result = []
    for day in window.days():
        lo, hi = days.bounds(day)
        if _day_has_opening(states, day, lo, hi, demand, window, days, can_open):
            result.append(day)
    return result


def _day_has_opening(
    states: list[_ResourceState],
    day: date,
    lo: int,
    hi: int,
    demand: Demand,
    window: Window,
    days: _Days,
    can_open: bool,
) -> bool:
    for state in states:
        if next(_joinable_on(state, lo, hi, window), None) is not None:
            return True
        if not can_open:
            continue
        for rng in days.opening(state.calendar.schedule, day):
            for _ in _starts_in_range(state, rng, demand, window.earliest, window.latest):
                return True
    return False


def openings(demand: Demand, occupancies: Sequence[Occupancy], window: Window) -> list[Opening]:
    """Every free start in the window, in time order, with hosts in pick order."""
    states = _prepare(demand, occupancies)
    position = {s.calendar.key: s.position for s in states}
    days = _Days(window.zone)
    can_open = _new_sessions_possible(demand)
    result: list[Opening] = []
    for day in window.days():
        lo, hi = days.bounds(day)
        sessions: dict[int, list[Occupancy]] = {}
        free: list[tuple[_ResourceState, list[range]]] = []
        for state in states:
            for occ in _joinable_on(state, lo, hi, window):
                sessions.setdefault(occ.start, []).append(occ)
            if not can_open:
                continue
            ranges = [
                starts
                for rng in days.opening(state.calendar.schedule, day)
                for starts in _starts_in_range(state, rng, demand, window.earliest, window.latest)
            ]
            if ranges:
                free.append((state, ranges))
        if not free and not sessions:
            continue
        # The pick order is the same for every start of the day: walk the resources in it
        # once, instead of sorting each start's hosts.
        order = _pick_order(lo, hi)
        free.sort(key=lambda found: order(found[0]))
        hosts: dict[int, list[str]] = {}
        for state, ranges in free:
            key = state.calendar.key
            for starts in ranges:
                for start in starts:
                    if start in hosts:
                        hosts[start].append(key)
                    else:
                        hosts[start] = [key]
        for start in sorted(hosts.keys() | sessions.keys()):
            joinable = sessions.get(start)
            result.append(
                Opening(
                    start=start,
                    end=start + demand.length,
                    resources=tuple(hosts.get(start, ())),
                    sessions=_fullest_first(joinable, position) if joinable else (),
                )
            )
    return result


def _pick_order(lo: int, hi: int) -> Callable[[_ResourceState], tuple[int, int]]:
    """Host order for a new session: fewest booked seconds on the day ``[lo, hi)``, then
    catalog order."""
    return lambda state: (_booked_seconds(state, lo, hi), state.position)


def _fullest_first(
    sessions: Sequence[Occupancy], position: dict[str, int]
) -> tuple[Occupancy, ...]:
    """Group sessions with room, fullest first, then by their resource's catalog order."""
    return tuple(sorted(sessions, key=lambda o: (-o.taken, position[o.resource_key])))


def _booked_seconds(state: _ResourceState, lo: int, hi: int) -> int:
    total = 0
    for occ in state.occupancies:  # conditionals, not min()/max(): once per host and day
        start, end = occ.start, occ.end
        overlap = (end if end < hi else hi) - (start if start > lo else lo)
        if overlap > 0:
            total += overlap
    return total


def fit(
    demand: Demand,
    occupancies: Sequence[Occupancy],
    window: Window,
    start: int,
    *,
    on_grid: bool = True,
) -> Opening | None:
    """The hosts for a start at exactly ``start``, or None when nothing can take it.

    ``on_grid`` False accepts any start inside opening hours (a move to an explicit time).
    """
    if start < window.earliest or (window.latest is not None and start >= window.latest):
        return None
    day = to_local(start, window.zone).date()
    if not window.first_day <= day <= window.last_day:
        return None
    states = _prepare(demand, occupancies)
    days = _Days(window.zone)
    block = (start - demand.buffer_before, start + demand.length + demand.buffer_after)
    hosts: list[_ResourceState] = []
    sessions: list[Occupancy] = []
    for state in states:
        sessions.extend(o for o in state.joinable if o.start == start)
        if not _new_sessions_possible(demand):
            continue
        for o1, o2 in days.opening(state.calendar.schedule, day):
            inside = o1 <= start and start + demand.length <= o2
            if inside and (not on_grid or (start - o1) % demand.step == 0):
                if _is_free(state, block):
                    hosts.append(state)
                break
    if not hosts and not sessions:
        return None
    hosts.sort(key=_pick_order(*days.bounds(day)))
    return Opening(
        start=start,
        end=start + demand.length,
        resources=tuple(s.calendar.key for s in hosts),
        sessions=_fullest_first(sessions, {s.calendar.key: s.position for s in states}),
    )


def _is_free(state: _ResourceState, block: Interval) -> bool:
    i = bisect_right(state.ends, block[0])
    return i >= len(state.blocks) or state.blocks[i][0] >= block[1]
