"""Half-open interval arithmetic."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from slotbook.domain.intervals import any_overlap, merge, overlaps, subtract

intervals = st.lists(
    st.tuples(st.integers(0, 200), st.integers(1, 50)).map(lambda t: (t[0], t[0] + t[1])),
    max_size=8,
)


def test_touching_intervals_do_not_overlap() -> None:
    assert not overlaps((0, 10), (10, 20))
    assert overlaps((0, 11), (10, 20))


def test_merge_joins_touching_and_overlapping() -> None:
    assert merge([(5, 8), (0, 5), (7, 9), (20, 21)]) == [(0, 9), (20, 21)]


def test_subtract_cuts_holes() -> None:
    assert subtract([(0, 100)], [(10, 20), (15, 30), (90, 120)]) == [(0, 10), (30, 90)]


@given(intervals, intervals)
def test_subtract_leaves_exactly_the_uncovered_points(
    base: list[tuple[int, int]], removed: list[tuple[int, int]]
) -> None:
    result = subtract(base, removed)
    covered = {p for s, e in base for p in range(s, e)}
    cut = {p for s, e in removed for p in range(s, e)}
    assert {p for s, e in result for p in range(s, e)} == covered - cut
    assert not any_overlap(result)
