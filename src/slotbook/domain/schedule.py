"""Weekly opening hours plus closures, turned into concrete instants per local date.

Hours are wall-clock times in an IANA zone. They are converted for each concrete date, so a
DST day has 23 or 25 hours and a local time that does not exist on that day is never produced.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from slotbook.domain.intervals import Interval

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# Listed by available_timezones() on some hosts, yet no IANA zone: the host's own setting
# (a link to /etc/localtime) and tzdata's placeholder for an unconfigured machine.
_NOT_ZONES = frozenset({"localtime", "Factory"})


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones()) - _NOT_ZONES


def zone_named(name: str) -> ZoneInfo:
    """The IANA zone of exactly this name; ValueError for any other name or file."""
    if name not in _zone_names():
        raise ValueError(f'unknown time zone "{name}"')
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(f'unknown time zone "{name}"') from None


@dataclass(frozen=True, slots=True)
class LocalRange:
    """An opening range in local wall-clock minutes since midnight; ``end`` may be 1440."""

    start: int
    end: int

    @classmethod
    def parse(cls, text: str) -> LocalRange:
        """Parse ``"HH:MM-HH:MM"``; raise ValueError with a readable reason."""
        parts = text.split("-")
        if len(parts) != 2:
            raise ValueError(f'"{text}" is not of the form HH:MM-HH:MM')
        # Spaces around the dash are tolerated: stored catalogs may have them.
        start = parse_clock(parts[0].strip(), allow_midnight_end=False)
        end = parse_clock(parts[1].strip(), allow_midnight_end=True)
        if end <= start:
            raise ValueError(f'"{text}" ends before it starts')
        return cls(start, end)

    def __str__(self) -> str:
        return f"{format_clock(self.start)}-{format_clock(self.end)}"


def parse_clock(text: str, *, allow_midnight_end: bool) -> int:
    """Minutes since midnight of a 24-hour ``HH:MM``; ``24:00`` only as an end."""
    # isascii: str.isdigit() also accepts other scripts' digits, which int() would then read.
    if (
        len(text) != 5
        or not text.isascii()
        or text[2] != ":"
        or not (text[:2].isdigit() and text[3:].isdigit())
    ):
        raise ValueError(f'"{text}" is not a time of the form HH:MM')
    hours, minutes = int(text[:2]), int(text[3:])
    if allow_midnight_end and hours == 24 and minutes == 0:
        return 24 * 60
    if hours > 23 or minutes > 59:
        raise ValueError(f'"{text}" is not a valid time of day')
    return hours * 60 + minutes


def format_clock(minutes: int) -> str:
    """``HH:MM`` for minutes since midnight."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True, slots=True)
class Schedule:
    """Weekly hours (index 0 = Monday) and whole-day closures."""

    weekly: tuple[tuple[LocalRange, ...], ...] = field(default=((),) * 7)
    closed: frozenset[date] = frozenset()

    def ranges_on(self, day: date) -> tuple[LocalRange, ...]:
        """Local opening ranges on a date (empty when closed)."""
        if day in self.closed:
            return ()
        return self.weekly[day.weekday()]


def local_instant(day: date, minutes: int, zone: ZoneInfo) -> int:
    """Epoch seconds of a local wall-clock time on a date (the first, if it happens twice).

    A time inside a DST gap becomes the moment the gap ends, the first existing time after
    it: opening hours "00:00-02:30" on a spring-forward night close at 03:00 (not 03:30),
    and "02:30-05:00" opens at 03:00.
    """
    if minutes >= 24 * 60:
        day = day + timedelta(days=minutes // (24 * 60))
        minutes %= 24 * 60
    wall = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=zone)
    before_gap = int(wall.timestamp())  # fold=0: the offset before a change
    after_gap = int(wall.replace(fold=1).timestamp())
    if after_gap >= before_gap:  # an ordinary time, or a repeated one (fold=0 is the first)
        return before_gap
    # In a gap the two readings straddle the change: find it (offsets change on whole seconds).
    later_offset = datetime.fromtimestamp(before_gap, zone).utcoffset()
    lo, hi = after_gap, before_gap
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if datetime.fromtimestamp(mid, zone).utcoffset() == later_offset:
            hi = mid
        else:
            lo = mid
    return hi


def opening_intervals(schedule: Schedule, day: date, zone: ZoneInfo) -> list[Interval]:
    """Open intervals of a local date as epoch-second ranges, DST-safe."""
    result: list[Interval] = []
    for rng in schedule.ranges_on(day):
        start = local_instant(day, rng.start, zone)
        end = local_instant(day, rng.end, zone)
        if end > start:
            result.append((start, end))
    return result


def to_local(instant: int, zone: ZoneInfo) -> datetime:
    """Aware local datetime of epoch seconds."""
    return datetime.fromtimestamp(instant, tz=UTC).astimezone(zone)


def local_date_of(instant: int, zone: ZoneInfo) -> date:
    """Local calendar date of epoch seconds."""
    return to_local(instant, zone).date()


def wall_time_exists(day: date, minutes: int, zone: ZoneInfo) -> bool:
    """False for a local time that a DST gap skips on that date (or no calendar can hold)."""
    try:
        local = to_local(local_instant(day, minutes, zone), zone)
    except (OverflowError, ValueError):  # beyond year 9999 once converted
        return False
    return local.date() == day and local.hour * 60 + local.minute == minutes


def local_to_instant(day: date, minutes: int, zone: ZoneInfo) -> int | None:
    """Epoch seconds of an existing local time (first occurrence); None inside a DST gap."""
    found = local_occurrences(day, minutes, zone)
    return found[0] if found else None


def local_occurrences(day: date, minutes: int, zone: ZoneInfo) -> tuple[int, ...]:
    """Epoch seconds of a local time on a date, in order: none inside a DST gap, two in the
    hour a fall-back repeats, else one."""
    if not wall_time_exists(day, minutes, zone):
        return ()
    first = local_instant(day, minutes, zone)
    wall = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=zone)
    second = int(wall.replace(fold=1).timestamp())
    return (first,) if second == first else (first, second)
