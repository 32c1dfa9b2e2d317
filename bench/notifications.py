"""Benchmark: what the notifications outbox costs a booking.

Two tenants in one database, alike but for their notifications: ``quiet`` sends nothing,
``told`` mails the customer, plans a reminder and has a webhook (three outbox rows per
booking, written in the booking's transaction). Sequential bookings through the full use
case, 100 per round, the tenants taking turns for three rounds, so both see the same machine.

    .venv/bin/python -m bench.notifications [--postgres postgresql://postgres@127.0.0.1/postgres]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg

from slotbook.bootstrap import build_slotbook
from slotbook.catalog.loader import parse_catalog
from slotbook.domain.model import CustomerDetails, Status
from slotbook.services.availability import SlotQuery
from slotbook.services.booking import BookingDetails, place
from slotbook.services.catalog import load_catalog, tenant_catalog

SECRET = "whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
ROUND = 100


class Clock:
    """A fixed clock: every booking is in the future, whatever the day the bench runs."""

    def now(self) -> datetime:
        """2030-01-01, midnight UTC."""
        return datetime(2030, 1, 1, tzinfo=UTC)


def tenant(key: str, *, told: bool) -> dict[str, Any]:
    """A branch with four desks open all day; a 10-minute service."""
    hours = {d: ["00:00-23:59"] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    data: dict[str, Any] = {
        "id": key,
        "name": key,
        "horizon_days": 365,
        "branches": [
            {
                "id": "north",
                "name": "North",
                "time_zone": "UTC",
                "hours": hours,
                "resources": [{"id": f"desk-{i}", "name": f"Desk {i}"} for i in range(4)],
            }
        ],
        "services": [{"id": "s", "name": "S", "duration": 10, "branches": ["north"]}],
        "notifications": {"email": told, "reminders": [1440] if told else []},
    }
    if told:
        data["webhooks"] = [{"url": "https://hooks.example/slotbook", "secret": SECRET}]
    return data


def measure(url: str, rounds: int = 3) -> dict[str, list[float]]:
    """Bookings per second of each tenant, per round."""
    app = build_slotbook(url, clock=Clock())
    catalog = {"tenants": [tenant("quiet", told=False), tenant("told", told=True)]}
    load_catalog(app, parse_catalog(json.dumps(catalog)))
    first = datetime(2030, 1, 3, tzinfo=UTC)
    results: dict[str, list[float]] = {"quiet": [], "told": []}
    n = 0
    for _ in range(rounds):
        for key, speeds in results.items():
            cat = tenant_catalog(app, key)
            query = SlotQuery(branch=cat.branch("north"), services=(cat.service("s"),))
            started = time.perf_counter()
            for _ in range(ROUND):
                n += 1
                person = CustomerDetails(first_name="A", last_name=str(n), email=f"a{n}@ex.org")
                place(
                    app,
                    cat,
                    query=query,
                    start=first + timedelta(days=n // 100, minutes=10 * (n % 100)),
                    status=Status.CONFIRMED,
                    details=BookingDetails(customers=[person]),
                )
            speeds.append(ROUND / (time.perf_counter() - started))
    app.uows.engine.dispose()  # type: ignore[attr-defined]
    return results


def main() -> None:
    """Run on SQLite (and PostgreSQL when reachable); print bookings per second."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        urls = {"SQLite": f"sqlite:///{Path(folder) / 'bench.sqlite3'}"}
        try:
            with psycopg.connect(args.postgres, autocommit=True, connect_timeout=3) as admin:
                admin.execute("DROP DATABASE IF EXISTS slotbook_bench WITH (FORCE)")
                admin.execute("CREATE DATABASE slotbook_bench")
            urls["PostgreSQL"] = args.postgres.rsplit("/", 1)[0] + "/slotbook_bench"
        except psycopg.Error as exc:
            print(f"PostgreSQL skipped: {exc}")
        for name, url in urls.items():
            found = measure(url)
            quiet, told = (statistics.median(found[k]) for k in ("quiet", "told"))
            print(
                f"{name}: bookings/s without notifications {[round(v) for v in found['quiet']]}, "
                f"with mail + reminder + webhook {[round(v) for v in found['told']]}; "
                f"median ratio {told / quiet:.2f}"
            )


if __name__ == "__main__":
    main()
