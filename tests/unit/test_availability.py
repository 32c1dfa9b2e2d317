"""The availability engine: examples, and hypothesis properties against a brute-force oracle."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from slotbook.domain.availability import (
    Demand,
    Occupancy,
    ResourceCalendar,
    Window,
    bookable_days,
    fit,
    openings,
)
from slotbook.domain.intervals import overlaps
from slotbook.domain.schedule import (
    LocalRange,
    Schedule,
    local_instant,
    opening_intervals,
    to_local,
)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
MONDAY = date(2030, 3, 4)
MIN = 60


def weekly(*ranges: str) -> Schedule:
    """The same ranges every day."""
    return Schedule(weekly=(tuple(LocalRange.parse(r) for r in ranges),) * 7)


def at(day: date, clock: str, zone: ZoneInfo = AMSTERDAM) -> int:
    hours, minutes = clock.split(":")
    return local_instant(day, int(hours) * 60 + int(minutes), zone)


def local_times(found: list[int], zone: ZoneInfo = AMSTERDAM) -> list[str]:
    return [to_local(t, zone).strftime("%H:%M") for t in found]


def busy(resource: str, day: date, start: str, end: str, **fields: object) -> Occupancy:
    s, e = at(day, start), at(day, end)
    return Occupancy(resource, s, e, s, e, **fields)  # type: ignore[arg-type]


DESK = ResourceCalendar("desk", weekly("09:00-12:00", "13:00-17:00"))
WINDOW = Window(AMSTERDAM, MONDAY, MONDAY, earliest=0)


def test_starts_on_the_grid_of_each_opening_range() -> None:
    demand = Demand(("s",), length=10 * MIN, step=15 * MIN, resources=(DESK,))
    found = local_times([o.start for o in openings(demand, [], WINDOW)])
    assert found[:3] == ["09:00", "09:15", "09:30"]
    assert "11:45" in found and "12:00" not in found
    assert found[-1] == "16:45"


def test_a_booking_blocks_every_start_that_would_overlap_it() -> None:
    demand = Demand(("s",), length=30 * MIN, step=15 * MIN, resources=(DESK,))
    found = local_times(
        [o.start for o in openings(demand, [busy("desk", MONDAY, "10:00", "10:30")], WINDOW)]
    )
    assert "09:30" in found
    assert "09:45" not in found and "10:00" not in found and "10:15" not in found
    assert "10:30" in found


def test_buffers_keep_time_free_around_appointments() -> None:
    demand = Demand(
        ("s",),
        length=30 * MIN,
        step=15 * MIN,
        resources=(DESK,),
        buffer_before=15 * MIN,
        buffer_after=15 * MIN,
    )
    found = local_times(
        [o.start for o in openings(demand, [busy("desk", MONDAY, "10:00", "10:30")], WINDOW)]
    )
    assert "09:00" in found and "09:15" in found
    assert "09:30" not in found  # its after-buffer would touch 10:00
    assert "10:30" not in found and "10:45" in found


def test_least_booked_resource_is_picked_first_then_catalog_order() -> None:
    second = ResourceCalendar("desk-2", weekly("09:00-17:00"))
    demand = Demand(("s",), length=30 * MIN, step=30 * MIN, resources=(DESK, second))
    first = openings(demand, [], WINDOW)[0]
    assert first.resources == ("desk", "desk-2")
    loaded = openings(demand, [busy("desk", MONDAY, "15:00", "16:00")], WINDOW)[0]
    assert loaded.resources == ("desk-2", "desk")


def test_group_sessions_with_room_are_offered_and_preferred() -> None:
    room = ResourceCalendar("room", weekly("09:00-17:00"))
    demand = Demand(("w",), length=60 * MIN, step=60 * MIN, resources=(room,), spaces=2, capacity=5)
    session = busy(
        "room", MONDAY, "10:00", "11:00", service_keys=("w",), capacity=5, taken=3, session_id=7
    )
    found = {o.start: o for o in openings(demand, [session], WINDOW)}
    ten = found[at(MONDAY, "10:00")]
    assert ten.sessions == (session,)
    assert ten.resources == ()
    full = busy(
        "room", MONDAY, "10:00", "11:00", service_keys=("w",), capacity=5, taken=4, session_id=7
    )
    assert at(MONDAY, "10:00") not in {o.start for o in openings(demand, [full], WINDOW)}


def test_a_session_is_joined_only_for_its_own_length() -> None:
    room = ResourceCalendar("room", weekly("09:00-17:00"))
    session = busy(
        "room", MONDAY, "10:00", "11:00", service_keys=("w",), capacity=5, taken=1, session_id=7
    )
    longer = Demand(("w",), length=90 * MIN, step=60 * MIN, resources=(room,), capacity=5)
    starts = {o.start for o in openings(longer, [session], WINDOW)}
    assert at(MONDAY, "10:00") not in starts  # neither joined at 60 nor a new session on top
    assert fit(longer, [session], WINDOW, at(MONDAY, "10:00")) is None
    same = Demand(("w",), length=60 * MIN, step=60 * MIN, resources=(room,), capacity=5)
    assert fit(same, [session], WINDOW, at(MONDAY, "10:00")) is not None


def test_days_and_exact_fit_agree_with_openings() -> None:
    demand = Demand(("s",), length=10 * MIN, step=5 * MIN, resources=(DESK,))
    window = Window(AMSTERDAM, MONDAY, MONDAY + timedelta(days=6), earliest=0)
    days = bookable_days(demand, [], window)
    assert days == [MONDAY + timedelta(days=i) for i in range(7)]
    assert fit(demand, [], window, at(MONDAY, "09:05")) is not None
    assert fit(demand, [], window, at(MONDAY, "09:07")) is None
    assert fit(demand, [], window, at(MONDAY, "09:07"), on_grid=False) is not None
    assert fit(demand, [], window, at(MONDAY, "11:55")) is None


def test_nonexistent_local_times_are_not_offered_on_a_dst_day() -> None:
    night = ResourceCalendar("desk", weekly("01:00-04:00"))
    demand = Demand(("s",), length=30 * MIN, step=30 * MIN, resources=(night,))
    day = date(2030, 3, 31)
    found = openings(demand, [], Window(AMSTERDAM, day, day, earliest=0))
    assert local_times([o.start for o in found]) == ["01:00", "01:30", "03:00", "03:30"]


# --- properties -------------------------------------------------------------------------------

ZONES = ["Europe/Amsterdam", "America/New_York", "Australia/Lord_Howe", "UTC"]
DST_DAYS = [
    date(2030, 3, 31),
    date(2030, 10, 27),
    date(2030, 3, 10),
    date(2030, 11, 3),
    date(2030, 4, 7),
    date(2030, 10, 6),
]


@st.composite
def ranges(draw: st.DrawFn) -> tuple[LocalRange, ...]:
    points = sorted(draw(st.sets(st.integers(0, 288), min_size=0, max_size=6)))
    pairs = list(zip(points[::2], points[1::2], strict=False))
    return tuple(LocalRange(a * 5, b * 5) for a, b in pairs if b > a)


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[Demand, list[Occupancy], Window]:
    zone = ZoneInfo(draw(st.sampled_from(ZONES)))
    day = draw(st.one_of(st.sampled_from(DST_DAYS), st.dates(date(2030, 1, 1), date(2030, 12, 31))))
    resources = tuple(
        ResourceCalendar(f"r{i}", Schedule(weekly=tuple(draw(ranges()) for _ in range(7))))
        for i in range(draw(st.integers(1, 3)))
    )
    demand = Demand(
        service_keys=("s",),
        length=draw(st.integers(1, 24)) * 5 * MIN,
        step=draw(st.integers(1, 12)) * 5 * MIN,
        resources=resources,
        buffer_before=draw(st.integers(0, 3)) * 5 * MIN,
        buffer_after=draw(st.integers(0, 3)) * 5 * MIN,
    )
    base = local_instant(day, 0, zone)
    occupancies = []
    for _ in range(draw(st.integers(0, 8))):
        start = base + draw(st.integers(-12 * 60, 60 * 60)) * MIN
        end = start + draw(st.integers(1, 180)) * MIN
        occupancies.append(Occupancy(draw(st.sampled_from(resources)).key, start, end, start, end))
    earliest = base + draw(st.integers(-60, 24 * 60)) * MIN
    window = Window(zone, day, day + timedelta(days=draw(st.integers(0, 2))), earliest)
    return demand, occupancies, window


def oracle(demand: Demand, occupancies: list[Occupancy], window: Window) -> set[tuple[int, str]]:
    """Every (start, resource) by brute force: walk each grid start and test every booking."""
    found = set()
    for resource in demand.resources:
        mine = [(o.block_start, o.block_end) for o in occupancies if o.resource_key == resource.key]
        for day in window.days():
            for o1, o2 in opening_intervals(resource.schedule, day, window.zone):
                for t in range(o1, o2 - demand.length + 1, demand.step):
                    block = (t - demand.buffer_before, t + demand.length + demand.buffer_after)
                    if t >= window.earliest and not any(overlaps(block, b) for b in mine):
                        found.add((t, resource.key))
    return found


@settings(max_examples=300, deadline=None)
@given(scenarios())
def test_openings_are_exactly_the_free_grid_starts(
    scenario: tuple[Demand, list[Occupancy], Window],
) -> None:
    demand, occupancies, window = scenario
    found = openings(demand, occupancies, window)
    offered = {(o.start, r) for o in found for r in o.resources}
    assert offered == oracle(demand, occupancies, window)
    # In particular no offered start overlaps a booking on its resource.
    for start, resource in offered:
        block = (start - demand.buffer_before, start + demand.length + demand.buffer_after)
        assert not any(
            overlaps(block, (o.block_start, o.block_end))
            for o in occupancies
            if o.resource_key == resource
        )


@settings(max_examples=200, deadline=None)
@given(scenarios())
def test_days_and_fit_agree_with_openings(scenario: tuple[Demand, list[Occupancy], Window]) -> None:
    demand, occupancies, window = scenario
    found = openings(demand, occupancies, window)
    days = {to_local(o.start, window.zone).date() for o in found}
    assert bookable_days(demand, occupancies, window) == sorted(days)
    for opening in found[:20]:
        exact = fit(demand, occupancies, window, opening.start)
        assert exact is not None
        # The same hosts in the same pick order, whichever way they were found.
        assert exact.resources == opening.resources
        assert exact.sessions == opening.sessions


@settings(max_examples=200, deadline=None)
@given(scenarios())
def test_every_start_is_an_existing_local_time_on_its_day(
    scenario: tuple[Demand, list[Occupancy], Window],
) -> None:
    demand, occupancies, window = scenario
    for opening in openings(demand, occupancies, window):
        local = to_local(opening.start, window.zone)
        assert window.first_day <= local.date() <= window.last_day
        # Round trip: the wall time names this instant (it exists, it is not in a DST gap).
        back = datetime(
            local.year,
            local.month,
            local.day,
            local.hour,
            local.minute,
            tzinfo=window.zone,
            fold=local.fold,
        )
        assert int(back.astimezone(UTC).timestamp()) == opening.start


@st.composite
def group_scenarios(draw: st.DrawFn) -> tuple[Demand, list[Occupancy], Window]:
    zone = ZoneInfo(draw(st.sampled_from(ZONES)))
    day = draw(st.one_of(st.sampled_from(DST_DAYS), st.dates(date(2030, 1, 1), date(2030, 12, 31))))
    rooms = tuple(ResourceCalendar(f"room{i}", weekly("08:00-18:00")) for i in range(2))
    capacity = draw(st.integers(2, 6))
    demand = Demand(
        service_keys=("class",),
        length=draw(st.sampled_from([30, 60, 90])) * MIN,
        step=30 * MIN,
        resources=rooms,
        spaces=draw(st.integers(1, capacity)),
        capacity=capacity,
    )
    base = local_instant(day, 0, zone)
    sessions = []
    for i in range(draw(st.integers(0, 6))):
        start = base + draw(st.integers(0, 47)) * 30 * MIN
        sessions.append(
            Occupancy(
                draw(st.sampled_from(rooms)).key,
                start,
                start + draw(st.sampled_from([30, 60, 90])) * MIN,
                start,
                start + 90 * MIN,
                service_keys=draw(st.sampled_from([("class",), ("other",)])),
                capacity=capacity,
                taken=draw(st.integers(1, capacity)),
                session_id=i,
            )
        )
    return demand, sessions, Window(zone, day, day, earliest=base)


@settings(max_examples=300, deadline=None)
@given(group_scenarios())
def test_only_sessions_of_the_same_service_and_length_with_room_are_offered(
    scenario: tuple[Demand, list[Occupancy], Window],
) -> None:
    demand, sessions, window = scenario
    offered = [(o.start, s) for o in openings(demand, sessions, window) for s in o.sessions]
    expected = [
        (s.start, s)
        for s in sessions
        if s.service_keys == demand.service_keys
        and to_local(s.start, window.zone).date() == window.first_day
        and s.end - s.start == demand.length
        and s.free >= demand.spaces
    ]
    assert sorted(offered) == sorted(expected)
    for start, session in offered:
        assert session.start == start


@settings(max_examples=200, deadline=None)
@given(st.one_of(scenarios(), group_scenarios()), st.integers(0, 24 * 60))
def test_a_later_minimum_notice_only_drops_the_starts_before_it(
    scenario: tuple[Demand, list[Occupancy], Window], later_by: int
) -> None:
    # Kept answers rely on this: read once, then filtered as the clock moves on.
    demand, occupancies, window = scenario
    later = replace(window, earliest=window.earliest + later_by * MIN)
    assert openings(demand, occupancies, later) == [
        o for o in openings(demand, occupancies, window) if o.start >= later.earliest
    ]
