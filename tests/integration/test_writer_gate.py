"""SQLite's writers queue on a lock of their own (their process's, then a file shared by the
processes), so the next is let in the moment the last commits instead of after a sleep of
SQLite's busy handler."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
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


def test_writers_of_two_processes_queue_on_the_file_beside_the_database(tmp_path: Path) -> None:
    # Two gates on one file stand for two processes: each holds its own descriptor.
    database = tmp_path / "slotbook.sqlite3"
    first = writer_gate_for(f"sqlite:///{database}")
    second = writer_gate_for(f"sqlite:///{database}")
    assert first is not None and second is not None
    entered = threading.Event()

    def other_process_writes() -> None:
        second.acquire()
        entered.set()
        second.release()

    first.acquire()
    first.acquire()  # a nested write of the same thread passes
    rival = threading.Thread(target=other_process_writes)
    rival.start()
    first.release()
    assert not entered.wait(0.3)  # the outer write still holds the file
    first.release()
    assert entered.wait(5)
    rival.join()
    assert (tmp_path / "slotbook.sqlite3-writers").exists()


def test_a_folder_without_room_for_the_lock_file_still_lets_writers_in(tmp_path: Path) -> None:
    gate = writer_gate_for(f"sqlite:///{tmp_path / 'missing' / 'slotbook.sqlite3'}")
    assert gate is not None
    gate.acquire()  # the file cannot be made: SQLite's busy handler orders the queue
    gate.release()
