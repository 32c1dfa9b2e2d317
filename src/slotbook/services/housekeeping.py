"""Periodic tidying the server does by itself: retention, old idempotency records, counters."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from slotbook.services.access import RATE_WINDOW_SECONDS
from slotbook.services.context import Slotbook
from slotbook.services.privacy import Anonymised, apply_retention

log = logging.getLogger("slotbook.housekeeping")
DEFAULT_INTERVAL_SECONDS = 3600
DELIVERY_LOG_KEPT = timedelta(days=30)  # finished messages stay this long for `slotbook deliveries`


def run_retention(app: Slotbook) -> dict[str, Anonymised]:
    """Apply every tenant's retention period now; what changed, per tenant."""
    with app.uows() as uow:
        keys = uow.catalogs.tenant_keys()
        catalogs = [app.catalogs.get(uow, key) for key in keys]
    return {c.key: apply_retention(app, c) for c in catalogs if c is not None}


def prune(app: Slotbook) -> None:
    """Forget expired idempotency records, old write counters and old delivery records."""
    now = app.now()
    with app.uows(write=True) as uow:
        uow.idempotency.prune(now)
        uow.outbox.prune(now - DELIVERY_LOG_KEPT)
        uow.limits.prune(int(now.timestamp()) // RATE_WINDOW_SECONDS - 1)
        uow.commit()


def tidy(app: Slotbook) -> None:
    """One round of housekeeping; a failure is logged and retried next round."""
    try:
        run_retention(app)
        prune(app)
    except Exception:  # the next round tries again; the server keeps serving
        log.exception("housekeeping failed")


class Housekeeper:
    """A daemon thread that tidies every ``interval`` seconds (first round at start)."""

    def __init__(self, app: Slotbook, interval: float = DEFAULT_INTERVAL_SECONDS) -> None:
        self._app = app
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="slotbook-housekeeping", daemon=True)

    def start(self) -> None:
        """Start tidying in the background."""
        self._thread.start()

    def stop(self) -> None:
        """Stop after the current round."""
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.is_set():
            tidy(self._app)
            self._stop.wait(self._interval)
