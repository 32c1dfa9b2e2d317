"""Write use cases run again when the database picked them as a deadlock victim."""

from __future__ import annotations

import pytest

from slotbook.services.context import retrying
from slotbook.services.ports import TransientConflict


def test_a_transient_conflict_is_retried_until_it_succeeds() -> None:
    attempts: list[int] = []

    @retrying
    def book() -> str:
        attempts.append(1)
        if len(attempts) < 3:
            raise TransientConflict("deadlock detected")
        return "booked"

    assert book() == "booked"
    assert len(attempts) == 3


def test_the_conflict_surfaces_after_the_last_attempt() -> None:
    attempts: list[int] = []

    @retrying
    def book() -> None:
        attempts.append(1)
        raise TransientConflict("deadlock detected")

    with pytest.raises(TransientConflict):
        book()
    assert len(attempts) == 3


def test_other_errors_are_not_retried() -> None:
    attempts: list[int] = []

    @retrying
    def book() -> None:
        attempts.append(1)
        raise ValueError("no")

    with pytest.raises(ValueError, match="no"):
        book()
    assert len(attempts) == 1
