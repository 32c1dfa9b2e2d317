"""Half-open time ranges ``[start, end)`` as integer seconds: overlap, merge, subtract."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

Interval = tuple[int, int]


def overlaps(a: Interval, b: Interval) -> bool:
    """True when two half-open intervals share at least one instant."""
    return a[0] < b[1] and b[0] < a[1]


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Union of intervals, sorted, with touching or overlapping ones joined."""
    result: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[0] < i[1]):
        if result and start <= result[-1][1]:
            if end > result[-1][1]:
                result[-1] = (result[-1][0], end)
        else:
            result.append((start, end))
    return result


def subtract(base: Sequence[Interval], removed: Sequence[Interval]) -> list[Interval]:
    """Parts of ``base`` not covered by ``removed`` (both may be unsorted)."""
    cuts = merge(removed)
    result: list[Interval] = []
    for start, end in merge(base):
        cursor = start
        for cut_start, cut_end in cuts:
            if cut_end <= cursor:
                continue
            if cut_start >= end:
                break
            if cut_start > cursor:
                result.append((cursor, cut_start))
            cursor = max(cursor, cut_end)
            if cursor >= end:
                break
        if cursor < end:
            result.append((cursor, end))
    return result


def any_overlap(intervals: Iterable[Interval]) -> bool:
    """True when some two of the given intervals overlap."""
    ordered = sorted(intervals)
    return any(ordered[i][1] > ordered[i + 1][0] for i in range(len(ordered) - 1))
