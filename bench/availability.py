"""Benchmark: 60-day date lists, day times and bookings on a busy branch.

A branch with 30 resources and 5,000 live appointments over the 60-day horizon. Measures the
pure engine, the whole use case (one query plus the engine) on SQLite and PostgreSQL, and
sequential bookings. Writes docs/performance.md.

    .venv/bin/python -m bench.availability [--postgres postgresql://postgres@127.0.0.1/postgres]
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg

from slotbook.bootstrap import build_slotbook
from slotbook.catalog.loader import validate_catalog
from slotbook.domain.availability import bookable_days
from slotbook.domain.model import Appointment, ExternalIds, Status
from slotbook.services.availability import (
    SlotQuery,
    booking_window,
    build_demand,
    find_days,
    find_openings,
    load_occupancies,
)
from slotbook.services.booking import place
from slotbook.services.catalog import load_catalog, tenant_catalog
from slotbook.services.context import Slotbook

NOW = datetime(2030, 3, 4, 6, 0, tzinfo=UTC)
RESOURCES = 30
APPOINTMENTS = 5_000


class FixedClock:
    """The benchmark's 'now'."""

    def now(self) -> datetime:
        """Monday 2030-03-04 07:00 Amsterdam."""
        return NOW


def catalog() -> dict[str, Any]:
    """One branch, 30 desks open 08:00-18:00 on weekdays, a 15-minute service."""
    weekdays = {d: ["08:00-12:30", "13:00-18:00"] for d in ("mon", "tue", "wed", "thu", "fri")}
    return {
        "tenants": [
            {
                "id": "bench",
                "name": "Bench",
                "branches": [
                    {
                        "id": "main",
                        "name": "Main office",
                        "time_zone": "Europe/Amsterdam",
                        "hours": weekdays,
                        "resources": [
                            {"id": f"desk-{i}", "name": f"Desk {i}"} for i in range(RESOURCES)
                        ],
                    }
                ],
                "services": [
                    {
                        "id": "visit",
                        "name": "Visit",
                        "duration": 15,
                        "buffer_after": 5,
                        "branches": ["main"],
                    }
                ],
            }
        ]
    }


def populate(app: Slotbook, count: int) -> None:
    """Insert ``count`` non-overlapping confirmed appointments straight through the repository."""
    cat = tenant_catalog(app, "bench")
    branch = cat.branch("main")
    rng = random.Random(7)
    taken: set[tuple[str, int]] = set()
    with app.uows(write=True) as uow:
        while len(taken) < count:
            day = NOW.date() + timedelta(days=rng.randrange(60))
            if day.weekday() >= 5:
                continue
            slot = rng.randrange(
                34
            )  # 20-minute blocks 08:00-19:20, kept inside opening hours below
            minutes = 8 * 60 + slot * 20
            if 12 * 60 + 30 <= minutes < 13 * 60 or minutes + 20 > 18 * 60:
                continue
            resource = cat.resource(f"desk-{rng.randrange(RESOURCES)}")
            if (resource.key, day.toordinal() * 10_000 + minutes) in taken:
                continue
            taken.add((resource.key, day.toordinal() * 10_000 + minutes))
            start = datetime.combine(day, datetime.min.time(), tzinfo=branch.zone) + timedelta(
                minutes=minutes
            )
            end = start + timedelta(minutes=15)
            session = uow.bookings.open_session(
                tenant_ref=cat.ref,
                branch_ref=branch.ref,
                resource_ref=resource.ref,
                service_keys=("visit",),
                start=start,
                end=end,
                block_start=start,
                block_end=end + timedelta(minutes=5),
                capacity=1,
                taken=1,
                now=NOW,
            )
            appointment = Appointment(
                public_id="",
                ids=ExternalIds("", "", ""),
                branch_key="main",
                resource_key=resource.key,
                service_keys=("visit",),
                start=start,
                end=end,
                status=Status.CONFIRMED,
                buffer_after=5,
                session_id=session,
            )
            uow.bookings.add(
                cat.ref, appointment, branch_ref=branch.ref, resource_ref=resource.ref, now=NOW
            )
        uow.commit()


def timed(action: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median and 95th percentile in milliseconds."""
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def measure(url: str, runs: int) -> dict[str, tuple[float, float] | float]:
    """All measurements on one database."""
    app = build_slotbook(url, clock=FixedClock())
    load_catalog(app, validate_catalog(catalog()))
    populate(app, APPOINTMENTS)
    cat = tenant_catalog(app, "bench")
    query = SlotQuery(branch=cat.branch("main"), services=(cat.service("visit"),))
    demand = build_demand(cat, query)
    window = booking_window(cat, query.branch, NOW)
    with app.uows() as uow:
        busy = load_occupancies(uow, cat, demand, window, NOW)
    results: dict[str, tuple[float, float] | float] = {
        "engine: 60-day date list (no I/O)": timed(
            lambda: bookable_days(demand, busy, window), runs
        ),
        "use case: 60-day date list": timed(lambda: find_days(app, cat, query), runs),
        "use case: one day's times": timed(
            lambda: find_openings(
                app, cat, query, first_day=date(2030, 3, 5), last_day=date(2030, 3, 5)
            ),
            runs,
        ),
    }
    starts = [o.start for o in find_openings(app, cat, query)][:200]
    started = time.perf_counter()
    for start in starts:
        place(
            app, cat, query=query, start=datetime.fromtimestamp(start, UTC), status=Status.CONFIRMED
        )
    results["sequential bookings per second"] = len(starts) / (time.perf_counter() - started)
    app.uows.engine.dispose()  # type: ignore[attr-defined]
    return results


def main() -> None:
    """Run on SQLite (and PostgreSQL when reachable) and write docs/performance.md."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--output", default="docs/performance.md")
    args = parser.parse_args()
    databases: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as folder:
        databases["SQLite"] = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        try:
            with psycopg.connect(args.postgres, autocommit=True, connect_timeout=3) as admin:
                admin.execute("DROP DATABASE IF EXISTS slotbook_bench WITH (FORCE)")
                admin.execute("CREATE DATABASE slotbook_bench")
            databases["PostgreSQL"] = args.postgres.rsplit("/", 1)[0] + "/slotbook_bench"
        except psycopg.Error as exc:
            print(f"PostgreSQL skipped: {exc}")
        results = {name: measure(url, args.runs) for name, url in databases.items()}
    write_report(Path(args.output), results, args.runs)


def write_report(
    path: Path, results: dict[str, dict[str, tuple[float, float] | float]], runs: int
) -> None:
    """The measurements as a Markdown page."""
    names = list(results)
    rows = list(next(iter(results.values())))
    lines = [
        "# Performance",
        "",
        "Measured by `bench/availability.py` (re-run it to refresh this page):",
        f"a branch with {RESOURCES} resources and {APPOINTMENTS:,} confirmed appointments over the",
        "60-day horizon; a 15-minute service with a 5-minute buffer. Times are the median and the",
        f"95th percentile of {runs} runs, in milliseconds; bookings go one after another through",
        "the full use case (lock, recheck, insert, commit).",
        "",
        f"Machine: {platform.machine()}, Python {platform.python_version()}, {platform.system()}.",
        "",
        "| measurement | " + " | ".join(names) + " |",
        "|---|" + "---|" * len(names),
    ]
    for row in rows:
        cells = []
        for name in names:
            value = results[name][row]
            cells.append(
                f"{value:.0f}"
                if isinstance(value, float)
                else f"{value[0]:.1f} (p95 {value[1]:.1f})"
            )
        lines.append(f"| {row} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "The date list needs one query for the whole window (all live sessions of the",
        "candidate resources, instants computed as epoch seconds in SQL) and then pure",
        "computation: per resource and day, the free grid starts of each gap between bookings",
        "are computed arithmetically, and a day stops at its first free start.",
        "",
        "## Changes measured with this benchmark",
        "",
        "| change | 60-day date list, SQLite / PostgreSQL (median) |",
        "|---|---|",
        "| first version: instants turned into datetimes per row, row-by-row fetch,"
        " frozen dataclass per session | 77 ms / 84 ms |",
        "| epoch seconds computed in SQL, one fetch, `Occupancy` as a named tuple,"
        " pooled SQLite connections | see the table above |",
        "",
    ]
    path.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
