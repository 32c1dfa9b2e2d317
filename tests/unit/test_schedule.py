"""Opening hours in local wall-clock time, converted per date: DST days have 23 or 25 hours."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from slotbook.domain.schedule import (
    LocalRange,
    Schedule,
    local_instant,
    local_occurrences,
    local_to_instant,
    opening_intervals,
    to_local,
    wall_time_exists,
)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
ALL_DAY = Schedule(weekly=((LocalRange(0, 1440),),) * 7)


def _hours(day: date, zone: ZoneInfo = AMSTERDAM) -> float:
    ((start, end),) = opening_intervals(ALL_DAY, day, zone)
    return (end - start) / 3600


def test_dst_days_have_23_and_25_hours() -> None:
    assert _hours(date(2030, 3, 30)) == 24
    assert _hours(date(2030, 3, 31)) == 23  # clocks go forward at 02:00
    assert _hours(date(2030, 10, 27)) == 25  # clocks go back at 03:00
    assert _hours(date(2030, 3, 10), ZoneInfo("America/New_York")) == 23


def test_a_range_across_the_spring_gap_is_one_hour_shorter() -> None:
    night = Schedule(weekly=((LocalRange(60, 240),),) * 7)  # 01:00-04:00
    ((start, end),) = opening_intervals(night, date(2030, 3, 31), AMSTERDAM)
    assert end - start == 2 * 3600
    assert to_local(start, AMSTERDAM).strftime("%H:%M") == "01:00"
    assert to_local(end, AMSTERDAM).strftime("%H:%M") == "04:00"


@pytest.mark.parametrize(
    ("hours", "opens", "closes"),
    [
        (LocalRange(0, 150), "00:00", "03:00"),  # 00:00-02:30 closes when the gap ends
        (LocalRange(150, 300), "03:00", "05:00"),  # 02:30-05:00 opens when the gap ends
    ],
)
def test_a_range_edge_inside_the_spring_gap_is_the_moment_the_gap_ends(
    hours: LocalRange, opens: str, closes: str
) -> None:
    night = Schedule(weekly=((hours,),) * 7)
    ((start, end),) = opening_intervals(night, date(2030, 3, 31), AMSTERDAM)
    assert to_local(start, AMSTERDAM).strftime("%H:%M") == opens
    assert to_local(end, AMSTERDAM).strftime("%H:%M") == closes


def test_a_time_inside_the_gap_does_not_exist() -> None:
    assert not wall_time_exists(date(2030, 3, 31), 150, AMSTERDAM)  # 02:30
    assert local_to_instant(date(2030, 3, 31), 150, AMSTERDAM) is None
    assert wall_time_exists(date(2030, 10, 27), 150, AMSTERDAM)  # happens twice; first one used
    first = local_to_instant(date(2030, 10, 27), 150, AMSTERDAM)
    assert first is not None
    assert to_local(first, AMSTERDAM).utcoffset() == timedelta(hours=2)


def test_a_repeated_time_names_two_instants_an_hour_apart() -> None:
    first, second = local_occurrences(date(2030, 10, 27), 150, AMSTERDAM)  # 02:30, twice
    assert second - first == 3600
    assert local_occurrences(date(2030, 3, 31), 150, AMSTERDAM) == ()
    assert len(local_occurrences(date(2030, 10, 27), 210, AMSTERDAM)) == 1  # 03:30: once


def test_closed_dates_and_missing_days_have_no_hours() -> None:
    schedule = Schedule(
        weekly=((LocalRange(540, 1020),), (), (), (), (), (), ()),
        closed=frozenset({date(2030, 3, 11)}),
    )
    assert opening_intervals(schedule, date(2030, 3, 4), AMSTERDAM) != []
    assert opening_intervals(schedule, date(2030, 3, 5), AMSTERDAM) == []
    assert opening_intervals(schedule, date(2030, 3, 11), AMSTERDAM) == []


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("9:00-12:00", "HH:MM"),
        ("12:00-09:00", "ends before"),
        ("09:00-24:01", "valid"),
        ("24:00-24:00", "valid"),
        ("0900-1200", "form"),
        ("\uff10\uff19:00-12:00", "HH:MM"),  # full-width digits are not a time
        ("09:00-1\u00b2:00", "HH:MM"),
    ],
)
def test_bad_ranges_are_explained(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        LocalRange.parse(text)


ZONES = ["Europe/Amsterdam", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "UTC"]


@given(
    zone=st.sampled_from(ZONES),
    day=st.dates(min_value=date(2029, 1, 1), max_value=date(2031, 12, 31)),
    start=st.integers(0, 1439),
    length=st.integers(1, 1440),
)
def test_open_intervals_map_back_to_the_wall_clock_range(
    zone: str, day: date, start: int, length: int
) -> None:
    tz = ZoneInfo(zone)
    end = min(start + length, 1440)
    schedule = Schedule(weekly=((LocalRange(start, end),),) * 7)
    for open_start, open_end in opening_intervals(schedule, day, tz):
        assert open_start < open_end
        # Every minute of the open interval is on that date, within the wall-clock range.
        for instant in range(open_start, open_end, 60 * 7):
            local = to_local(instant, tz)
            minutes = local.hour * 60 + local.minute
            assert local.date() == day
            assert start - 60 <= minutes < end + 60  # a DST shift moves the edge by at most an hour


@given(
    zone=st.sampled_from(ZONES),
    day=st.dates(min_value=date(2029, 1, 1), max_value=date(2031, 12, 31)),
    minutes=st.integers(0, 1439),
)
@example(zone="Europe/Amsterdam", day=date(2030, 10, 27), minutes=150)  # repeated 02:30
@example(zone="Europe/Amsterdam", day=date(2030, 3, 31), minutes=150)  # skipped 02:30
@example(zone="Australia/Lord_Howe", day=date(2030, 4, 7), minutes=105)  # repeated 01:45
def test_the_occurrences_of_a_wall_time_are_exactly_the_instants_showing_it(
    zone: str, day: date, minutes: int
) -> None:
    tz = ZoneInfo(zone)
    # Offsets change by at most an hour, so every instant showing that time is near this one.
    near = local_instant(day, minutes, tz)
    showing = [
        instant
        for instant in range(near - 3 * 3600, near + 3 * 3600 + 1, 60)
        if (
            to_local(instant, tz).date(),
            to_local(instant, tz).hour * 60 + to_local(instant, tz).minute,
        )
        == (day, minutes)
    ]
    assert list(local_occurrences(day, minutes, tz)) == showing
