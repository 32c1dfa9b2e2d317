"""SQLite's writers of one process queue on a lock of their own, so the next is let in the
moment the last commits instead of after a sleep of SQLite's busy handler."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

from slotbook.persistence.gate import writer_gate_for
from slotbook.services.context import Slotbook
from tests.factories import one_office


def test_a_second_writer_of_the_process_waits_for_the_first_and_readers_do_not(
    make_slotbook: Callable[[dict[str, Any]], Slotbook], db_url: str
) -> None:
    if not db_url.startswith("sqlite"):
        pytest.skip("PostgreSQL's writers wait on row locks")
    app = make_slotbook(one_office())
    entered = threading.Event()

    def second_writer() -> None:
        with app.uows(write=True):
            entered.set()

    with app.uows(write=True):
        rival = threading.Thread(target=second_writer)
        rival.start()
        with app.uows() as reading:  # a reader is not held up
            assert reading.catalogs.revision("acme") is not None
        assert not entered.wait(0.3)
    assert entered.wait(5)
    rival.join()


def test_only_sqlite_gets_a_gate() -> None:
    assert writer_gate_for("sqlite://") is not None
    assert writer_gate_for("postgresql://postgres@127.0.0.1:5432/slotbook") is None
