"""Retried writes: the first answer under an Idempotency-Key is kept for 24 hours."""

from __future__ import annotations

from datetime import timedelta

from slotbook.services.context import Slotbook
from slotbook.services.ports import StoredResponse

LIFETIME = timedelta(hours=24)
# A first request that has not answered after this long died with its process: its claim
# is dropped so that a retry can run.
ABANDONED_AFTER = timedelta(minutes=5)


def claim(app: Slotbook, caller: str, key: str, fingerprint: str) -> StoredResponse | None:
    """None when this request is the first with the key (it runs); else the first's record."""
    now = app.now()
    with app.uows(write=True) as uow:
        found = uow.idempotency.get(caller, key, now)
        if found is None and uow.idempotency.start(caller, key, fingerprint, now, now + LIFETIME):
            uow.commit()
            return None
        if found is None:  # a concurrent first request won the claim: read its record
            found = uow.idempotency.get(caller, key, now)
        if found is not None and found.status is None and now - found.created > ABANDONED_AFTER:
            uow.idempotency.forget(caller, key)
            uow.commit()
        return found


def keep(
    app: Slotbook, caller: str, key: str, status: int, headers: list[tuple[str, str]], body: bytes
) -> None:
    """Store the first request's answer."""
    with app.uows(write=True) as uow:
        uow.idempotency.finish(caller, key, status, headers, body)
        uow.commit()


def release(app: Slotbook, caller: str, key: str) -> None:
    """Drop a claim whose request ended without an answer worth keeping (a retry may run)."""
    with app.uows(write=True) as uow:
        uow.idempotency.forget(caller, key)
        uow.commit()
