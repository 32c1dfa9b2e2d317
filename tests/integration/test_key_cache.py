"""Known keys are trusted from memory, but a revoked key is refused by every process: at once
by the one that revoked it, within moments by the others (SQLite: at their next request;
PostgreSQL: once its change notification has arrived, a few milliseconds)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from slotbook.bootstrap import build_slotbook
from slotbook.domain.errors import AuthenticationRequired
from slotbook.services.access import create_key, identify, revoke_key
from slotbook.services.actor import Scope
from slotbook.services.context import Slotbook
from tests.conftest import FakeClock
from tests.factories import one_office


def test_a_key_revoked_in_one_process_is_refused_by_another_that_knew_it(
    make_slotbook: Callable[[dict[str, Any]], Slotbook], db_url: str, clock: FakeClock
) -> None:
    first = make_slotbook(one_office(keys={"citizen-key-0001": "booking"}))
    second = build_slotbook(db_url, clock=clock, run_migrations=False)
    try:
        made = create_key(first, tenant_key="acme", scope=Scope.STAFF, label="desk")

        def who(app: Slotbook) -> Scope:
            return identify(
                app, tenant_key=None, credential=made.key, tenant_from_credential=True
            ).scope

        assert who(second) is Scope.STAFF
        assert who(second) is Scope.STAFF  # now from memory
        revoke_key(first, key_id=made.info.id)
        with pytest.raises(AuthenticationRequired):
            who(first)
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline:
            try:
                who(second)
            except AuthenticationRequired:
                break
            assert "postgresql" in db_url, "SQLite processes share the change counter"
            time.sleep(0.01)
        with pytest.raises(AuthenticationRequired):
            who(second)
    finally:
        second.uows.close()  # type: ignore[attr-defined]
