"""Load benchmark over real HTTP: Slotbook server processes, wrk as the load generator.

Reports in one run, per database: ``/health`` throughput; one day's times and the 90-day date
list (p50/p95, req/s); bookings per second on distinct slots; 64 clients racing for one slot
(one winner, p99); the database ceiling (a plain driver loop inserting non-overlapping rows
into the sessions table, under the same constraints); the same loop writing a booking's five
rows, which says how much of the ceiling the database alone leaves bookings; and the ratios
the performance issue sets as targets. With ``--peer`` it also runs django-appointment's benchmark
(``../shared/bench``) on the same workload for the side-by-side row.

    .venv/bin/python -m bench.load [--workers 2] [--history 100000] [--resources 100 ...]

Needs Debian's ``wrk`` (``apt-get install wrk``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

import httpx2 as httpx
import psycopg
import psycopg.types.json

from slotbook.bootstrap import build_slotbook
from slotbook.catalog.loader import validate_catalog
from slotbook.persistence.ids import new_id_columns, new_public_id
from slotbook.persistence.tables import appointments, sessions
from slotbook.services.availability import SlotQuery, find_days, find_openings
from slotbook.services.catalog import load_catalog, tenant_catalog
from slotbook.services.context import KeptAnswers, Slotbook

KEY = "bench-booking-key-0001"
ZONE = "Europe/Amsterdam"
PEER = Path(__file__).resolve().parents[2] / "shared" / "bench" / "peer_django_appointment.py"


def catalog(resources: int) -> dict[str, Any]:
    """The peer benchmark's workload: desks open 09:00-17:00 every day, a 10-minute service
    on a 5-minute grid, a 90-day horizon; abuse limits off (one client sends everything)."""
    days = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    return {
        "tenants": [
            {
                "id": "bench",
                "name": "Bench",
                "api_keys": [{"key": KEY, "scope": "booking"}],
                "horizon_days": 90,
                "writes_per_minute": None,
                "max_live_holds_per_client": None,
                "notifications": {"email": False, "reminders": []},
                "branches": [
                    {
                        "id": "main",
                        "name": "Main office",
                        "time_zone": ZONE,
                        "hours": {d: ["09:00-17:00"] for d in days},
                        "resources": [
                            {"id": f"desk-{i}", "name": f"Desk {i}"} for i in range(resources)
                        ],
                    }
                ],
                "services": [
                    {
                        "id": "visit",
                        "name": "Visit",
                        "duration": 10,
                        "slot_step": 5,
                        "branches": ["main"],
                    }
                ],
            }
        ]
    }


def populate(app: Slotbook, *, future: int, past: int, today: date) -> None:
    """Confirmed appointments: ``future`` over the next 89 days, ``past`` before today.

    Written in bulk straight into the tables (the use case would take minutes for 100,000);
    the rows are what a booking writes.
    """
    cat = tenant_catalog(app, "bench")
    branch = cat.branch("main")
    desks = list(branch.resources)
    rng = random.Random(7)
    now = datetime.now(UTC)

    def slots(count: int, first: int, days: int) -> Iterator[tuple[Any, datetime]]:
        taken: set[tuple[int, int, int]] = set()
        while len(taken) < count:
            key = (rng.randrange(days), rng.randrange(48), rng.randrange(len(desks)))
            if key in taken:
                continue
            taken.add(key)
            day = today + timedelta(days=first + key[0])
            start = datetime.combine(day, clock_time(9), tzinfo=branch.zone) + timedelta(
                minutes=10 * key[1]
            )
            yield desks[key[2]], start.astimezone(UTC)

    past_days = past // 300 + 1  # about 300 of a day's 480 desk-slots taken
    plans = [(future, 1, 89), (past, -past_days - 1, past_days)]
    engine = app.uows.engine  # type: ignore[attr-defined]
    for count, first, days in plans:
        generator = slots(count, first, days)
        done = 0
        while done < count:
            batch = [next(generator) for _ in range(min(5000, count - done))]
            session_rows = []
            for resource, start in batch:
                session_rows.append(
                    {
                        "tenant_pk": cat.ref,
                        "branch_pk": branch.ref,
                        "resource_pk": resource.ref,
                        **new_id_columns(),
                        "service_keys": "visit",
                        "starts_at": start,
                        "ends_at": start + timedelta(minutes=10),
                        "block_start": start,
                        "block_end": start + timedelta(minutes=10),
                        "capacity": 1,
                        "taken": 1,
                        "released": False,
                        "created": now,
                        "updated": now,
                    }
                )
            with engine.begin() as connection:
                pks = (
                    connection.execute(
                        sessions.insert().returning(sessions.c.pk, sort_by_parameter_order=True),
                        session_rows,
                    )
                    .scalars()
                    .all()
                )
                connection.execute(
                    appointments.insert(),
                    [
                        {
                            "tenant_pk": cat.ref,
                            "session_pk": pk,
                            "public_id": new_public_id(),
                            **new_id_columns(),
                            "branch_pk": branch.ref,
                            "resource_pk": row["resource_pk"],
                            "service_keys": ["visit"],
                            "starts_at": row["starts_at"],
                            "ends_at": row["ends_at"],
                            "buffer_before": 0,
                            "buffer_after": 0,
                            "status": "confirmed",
                            "people": 1,
                            "spaces": 1,
                            "answers": {},
                            "source": "bench",
                            "sequence": 0,
                            "expiry_noted": False,
                            "created": now,
                            "updated": now,
                        }
                        for pk, row in zip(pks, session_rows, strict=True)
                    ],
                )
            done += len(batch)
    # A live database has its planner statistics (autovacuum, or SQLite's ANALYZE); rows
    # inserted a moment ago have none yet.
    with engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")


# --- the server ------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def server(url: str, workers: int) -> Iterator[str]:
    """``slotbook serve`` in its own processes; yields its base URL."""
    port = _free_port()
    command = [
        sys.executable,
        "-m",
        "slotbook",
        "serve",
        "--database",
        url,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--no-worker",
    ]
    env = {**os.environ, "SLOTBOOK_LOG_LEVEL": "warning"}
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None:
                raise RuntimeError(
                    f"server stopped: {process.stderr.read() if process.stderr else ''}"
                )
            time.sleep(0.1)
        # The first worker answers before the others are up (they start within tens of
        # milliseconds here): connections opened before then all stay with it.
        time.sleep(2 if workers > 1 else 0)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


# --- wrk ----------------------------------------------------------------------------------

_REPORT = """
done = function(summary, latency, requests)
  io.write(string.format(
    "RESULT {\\"requests\\": %d, \\"seconds\\": %f, \\"non2xx\\": %d, \\"errors\\": %d, "
    .. "\\"p50\\": %f, \\"p95\\": %f, \\"p99\\": %f}\\n",
    summary.requests, summary.duration / 1e6, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
"""

_BOOKINGS = """
local counter = 0
-- A global, not a local: setup's thread:set writes the thread's globals (a local here hid
-- it, and every thread walked the same days).
thread_id = 0
local threads = {}
setup = function(thread)
  thread:set("thread_id", #threads)
  table.insert(threads, thread)
end
request = function()
  -- Distinct starts: each thread walks its own days, ten minutes apart.
  local n = counter
  counter = counter + 1
  local day = FIRST_DAY + thread_id * DAYS_PER_THREAD + math.floor(n / 48)
  local minutes = 9 * 60 + (n % 48) * 10
  local t = os.date("!%Y-%m-%dT", day * 86400)
    .. string.format("%02d:%02d:00", math.floor(minutes / 60), minutes % 60)
  local body = '{"branch":"main","services":["visit"],"start":"' .. t .. OFFSET .. '",'
    .. '"customer":{"first_name":"Bench","last_name":"Client","email":"bench@example.org"}}'
  return wrk.format("POST", "/api/v1/bookings", {["Content-Type"]="application/json",
    ["Authorization"]="Bearer KEY"}, body)
end
"""


@dataclass
class Figure:
    """One load measurement."""

    rps: float
    p50: float
    p95: float
    p99: float
    ok: int
    failed: int


def wrk(
    base: str,
    path: str,
    *,
    connections: int,
    seconds: int,
    script: str = "",
    headers: dict[str, str] | None = None,
) -> Figure:
    """Run wrk against one path; its Lua report gives percentiles in milliseconds."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script + _REPORT)
    command = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        lua.name,
    ]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    done = subprocess.run([*command, base + path], capture_output=True, text=True, check=True)
    os.unlink(lua.name)
    # Let the server finish what wrk left in flight and close its connections: the workers
    # share new connections out by the ones they hold, and the next figure should start
    # on an idle server.
    time.sleep(1)
    found = re.search(r"^RESULT (.*)$", done.stdout, re.MULTILINE)
    if found is None:
        raise RuntimeError(done.stdout + done.stderr)
    data = json.loads(found[1])
    ok = data["requests"] - data["non2xx"] - data["errors"]
    return Figure(
        rps=ok / data["seconds"],
        p50=data["p50"],
        p95=data["p95"],
        p99=data["p99"],
        ok=ok,
        failed=data["non2xx"] + data["errors"],
    )


def steady(base: str, path: str, *, connections: int, seconds: int, **more: Any) -> Figure:
    """The best (by throughput) of five wrk runs of a fifth of ``seconds`` each.

    The server's processes share one listening socket, and which of them accepts each of
    wrk's keep-alive connections is chance: when one process gets them all, a run measures
    one core (``/health`` here: 1,950-2,200 or 4,410-4,440 req/s in eight runs of one
    server). The best of five is the server with its connections spread. Only for reads: a
    booking script would book its slots again.
    """
    runs = [
        wrk(base, path, connections=connections, seconds=max(2, seconds // 5), **more)
        for _ in range(5)
    ]
    return max(runs, key=lambda f: f.rps)


def race(base: str, start: datetime, clients: int) -> tuple[int, list[float]]:
    """``clients`` threads book the same start on the same desk at once: (winners, seconds)."""
    gate = threading.Barrier(clients)
    latencies: list[float] = []
    winners: list[int] = []
    body = {
        "branch": "main",
        "services": ["visit"],
        "resource": "desk-0",
        "start": start.isoformat(),
        "customer": {"first_name": "Race", "last_name": "Client", "email": "race@example.org"},
    }

    def one() -> None:
        with httpx.Client(base_url=base, timeout=30) as client:
            client.get("/health")  # connect before the gate
            gate.wait()
            began = time.perf_counter()
            answer = client.post(
                "/api/v1/bookings", json=body, headers={"Authorization": f"Bearer {KEY}"}
            )
            latencies.append(time.perf_counter() - began)
            if answer.status_code == 201:
                winners.append(1)
            elif answer.status_code != 409:
                raise RuntimeError(f"{answer.status_code} {answer.text}")

    threads = [threading.Thread(target=one) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(winners), latencies


# --- the database ceiling -----------------------------------------------------------------


def ceiling(url: str, seconds: float, clients: int) -> float:
    """The best rate of plain driver loops inserting into ``sessions``, on one connection and
    on as many as the booking clients: SQLite's busy handler sleeps while several wait for
    its lock, so there four connections took 246-1,045 rows a second where one took 1,187."""
    return _best_rate(url, seconds, clients, _one_session)


def booking_rows(url: str, seconds: float, clients: int) -> float:
    """The same loops writing what one booking writes, each time in one transaction: its
    session, customer, appointment, the link between those two and the audit record (copies
    of a booking the run made). What the database allows bookings without any application."""
    return _best_rate(url, seconds, clients, _one_booking)


# Writes the rows of one slot starting at the given time, in the caller's transaction.
Writer = Callable[[datetime], object]


def _best_rate(
    url: str, seconds: float, clients: int, writer: Callable[[_Driver], Writer]
) -> float:
    first_year = 2100 + random.randrange(0, 400, 2 * clients)  # away from other runs' rows
    alone = _per_second(url, seconds, 1, first_year, writer)
    return max(alone, _per_second(url, seconds, clients, first_year + 1, writer))


@dataclass
class _Driver:
    """One plain driver connection (sqlite3 or psycopg) and how to write with it."""

    connection: Any
    cursor: Any
    sqlite: bool

    def row(self, sql: str) -> dict[str, Any]:
        """The first row ``sql`` reads, by column name."""
        self.cursor.execute(sql)
        names = [d[0] for d in self.cursor.description]
        return dict(zip(names, self.cursor.fetchone(), strict=True))

    def insert(self, table: str, row: dict[str, Any]) -> int:
        """Insert ``row`` (its ``pk`` left out when it has one); the new row's ``pk`` or 0."""
        keyed = "pk" in row
        columns = [c for c in row if c != "pk"]
        marker = "?" if self.sqlite else "%s"
        self.cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) "
            f"VALUES ({', '.join([marker] * len(columns))})" + (" RETURNING pk" if keyed else ""),
            [self._value(row[c]) for c in columns],
        )
        return int(self.cursor.fetchone()[0]) if keyed else 0

    def _value(self, value: Any) -> Any:
        if not self.sqlite and isinstance(value, dict | list):
            return psycopg.types.json.Jsonb(value)  # JSON columns come back as Python values
        return value


def _per_second(
    url: str,
    seconds: float,
    clients: int,
    first_year: int,
    writer: Callable[[_Driver], Writer],
) -> float:
    """Slots per second ``clients`` connections write at once: one commit per slot,
    non-overlapping blocks on one resource (each loop its own year)."""
    counts = [0] * clients
    stop = time.perf_counter() + seconds

    def loop(index: int) -> None:
        sqlite = url.startswith("sqlite")
        if sqlite:
            connection: Any = sqlite3.connect(
                url.removeprefix("sqlite:///"), isolation_level=None, timeout=60
            )
            # The server's own settings (persistence/database.py): WAL, synchronous=NORMAL.
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.execute("PRAGMA foreign_keys=ON")
        else:
            connection = psycopg.connect(url)
        driver = _Driver(connection, connection.cursor(), sqlite)
        write = writer(driver)
        if not sqlite:
            connection.commit()
        base = datetime(first_year + index, 1, 1, tzinfo=UTC)  # each loop its own year
        while time.perf_counter() < stop:
            start = base + timedelta(minutes=10 * counts[index])
            if sqlite:
                driver.cursor.execute("BEGIN IMMEDIATE")
                write(start)
                driver.cursor.execute("COMMIT")
            else:
                write(start)
                connection.commit()
            counts[index] += 1
        connection.close()

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / seconds


def _one_session(driver: _Driver) -> Writer:
    """A copy of a live session, moved to each start."""
    template = driver.row("SELECT * FROM sessions ORDER BY pk LIMIT 1")
    del template["pk"]  # no RETURNING: the plain insert the ceiling stands for
    return lambda start: driver.insert("sessions", _session_at(template, start))


def _one_booking(driver: _Driver) -> Writer:
    """Copies of the newest booked appointment's rows, moved to each start."""
    appointment = driver.row(
        "SELECT * FROM appointments WHERE pk = "
        "(SELECT max(appointment_pk) FROM appointment_customers)"
    )
    link = driver.row(
        f"SELECT * FROM appointment_customers WHERE appointment_pk = {appointment['pk']}"
    )
    session = driver.row(f"SELECT * FROM sessions WHERE pk = {appointment['session_pk']}")
    customer = driver.row(f"SELECT * FROM customers WHERE pk = {link['customer_pk']}")
    audit = driver.row("SELECT * FROM audit_log ORDER BY pk DESC LIMIT 1")

    def write(start: datetime) -> None:
        session_pk = driver.insert("sessions", _session_at(session, start))
        customer_pk = driver.insert(
            "customers", {**customer, **new_id_columns(), "public_id": new_public_id()}
        )
        moved = {
            **appointment,
            **new_id_columns(),
            "public_id": new_public_id(),
            "session_pk": session_pk,
            "starts_at": _stamp(start, appointment["starts_at"]),
            "ends_at": _stamp(start + timedelta(minutes=10), appointment["ends_at"]),
        }
        appointment_pk = driver.insert("appointments", moved)
        driver.insert(
            "appointment_customers",
            {**link, "appointment_pk": appointment_pk, "customer_pk": customer_pk},
        )
        driver.insert("audit_log", audit)

    return write


def _session_at(template: dict[str, Any], start: datetime) -> dict[str, Any]:
    """``template`` with fresh ids, as a ten-minute block from ``start``."""
    row = {**template, **new_id_columns()}
    for name in ("starts_at", "block_start"):
        row[name] = _stamp(start, template[name])
    for name in ("ends_at", "block_end"):
        row[name] = _stamp(start + timedelta(minutes=10), template[name])
    return row


def _stamp(value: datetime, like: Any) -> Any:
    """``value`` in the stored form of ``like`` (SQLite keeps text, PostgreSQL timestamps)."""
    if isinstance(like, str):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f") if " " in like else value.isoformat()
    return value


# --- one database ---------------------------------------------------------------------------


@dataclass
class Run:
    """Every figure of one database."""

    health: Figure | None = None
    times: Figure | None = None
    dates: Figure | None = None
    bookings: Figure | None = None
    race_winners: list[int] = field(default_factory=list)
    race_p99: float = 0.0
    ceiling: float = 0.0
    booking_rows: float = 0.0
    inproc_dates_ms: float = 0.0
    inproc_times_ms: float = 0.0


SCENARIOS = {
    # name: (resources, future appointments, past appointments)
    "base": (10, 5_000, 0),
    "history": (10, 5_000, 100_000),
    "wide": (100, 100_000, 0),
}


def measure(url: str, args: argparse.Namespace, scenario: str = "base") -> Run:
    """All figures on one database (the race and the ceiling in the base scenario only)."""
    resources, future, past = SCENARIOS[scenario]
    if scenario == "base":
        resources, future, past = args.resources, args.appointments, args.history
    app = build_slotbook(url)
    load_catalog(app, validate_catalog(catalog(resources)))
    today = datetime.now(UTC).astimezone().date()
    began = time.perf_counter()
    populate(app, future=future, past=past, today=today)
    print(f"  populated in {time.perf_counter() - began:.0f} s", flush=True)
    run = Run()
    cat = tenant_catalog(app, "bench")
    query = SlotQuery(branch=cat.branch("main"), services=(cat.service("visit"),))
    day = today + timedelta(days=2)
    run.inproc_dates_ms = _median_ms(lambda: find_days(app, cat, query), args.runs)

    def computed_times() -> object:
        # The search itself, not an answer kept from the call before (over HTTP it is).
        app.openings = KeptAnswers()
        return find_openings(app, cat, query, first_day=day, last_day=day)

    run.inproc_times_ms = _median_ms(computed_times, args.runs)
    app.uows.engine.dispose()  # type: ignore[attr-defined]
    auth = {"Authorization": f"Bearer {KEY}"}
    with server(url, args.workers) as base:
        seconds, conns = args.seconds, args.connections
        run.health = steady(base, "/health", connections=conns, seconds=seconds)
        times = f"/api/v1/availability/times?branch=main&services=visit&date={day.isoformat()}"
        run.times = steady(base, times, connections=conns, seconds=seconds, headers=auth)
        dates = "/api/v1/availability/dates?branch=main&services=visit"
        run.dates = steady(base, dates, connections=conns, seconds=seconds, headers=auth)
        offset = datetime.combine(today, clock_time(12), tzinfo=cat.branch("main").zone)
        # Days 3-82: after the day whose times are read, before the race's day (85); 40 days
        # of 48 starts for each of wrk's two threads (past 25 days a thread ran out of its own
        # days at 240 bookings a second, and then out of the horizon).
        script = (
            _BOOKINGS.replace("FIRST_DAY", str((today + timedelta(days=3)).toordinal() - 719163))
            .replace("DAYS_PER_THREAD", "40")
            .replace("OFFSET", f'"{_offset(offset)}"')
            .replace("KEY", KEY)
        )
        run.bookings = wrk(
            base,
            "/api/v1/bookings",
            connections=args.booking_clients,
            seconds=seconds,
            script=script,
        )
        if scenario != "base":
            return run
        latencies: list[float] = []
        for round_ in range(args.race_rounds):
            start = datetime.combine(
                today + timedelta(days=85), clock_time(9), tzinfo=cat.branch("main").zone
            ) + timedelta(minutes=10 * round_)
            winners, seen = race(base, start, 64)
            run.race_winners.append(winners)
            latencies += seen
        latencies.sort()
        run.race_p99 = latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000
    run.ceiling = ceiling(url, args.seconds, args.booking_clients)
    run.booking_rows = booking_rows(url, args.seconds, args.booking_clients)
    return run


def _offset(moment: datetime) -> str:
    text = moment.strftime("%z")
    return f"{text[:3]}:{text[3:]}"


def _median_ms(action: Callable[[], object], runs: int, warmup: int = 5) -> float:
    # A server's connections are warm: psycopg prepares a statement on its fifth run on a
    # connection, and until then PostgreSQL plans it on every run.
    for _ in range(warmup):
        action()
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        action()
        samples.append((time.perf_counter() - began) * 1000)
    return statistics.median(samples)


def peer(args: argparse.Namespace) -> dict[str, float] | None:
    """django-appointment on the same workload, in its own virtual environment."""
    if not PEER.exists():
        return None
    venv = Path(args.peer_venv)
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "django-appointment"], check=True
        )
    done = subprocess.run(
        [
            str(python),
            str(PEER),
            "--staff",
            str(args.resources),
            "--appointments",
            str(args.appointments),
            "--runs",
            "3",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    last = done.stdout.strip().splitlines()[-1]
    return {k: float(v) for k, v in re.findall(r"(\w+_ms_median)=([0-9.]+)", last)}


def main() -> None:
    """Run on SQLite and PostgreSQL and print every figure and ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--resources", type=int, default=10)
    parser.add_argument("--appointments", type=int, default=5000)
    parser.add_argument("--history", type=int, default=0, help="past appointments")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--booking-clients", type=int, default=4)
    parser.add_argument("--race-rounds", type=int, default=3)
    parser.add_argument(
        "--runs", type=int, default=10, help="in-process repetitions (after five warm-up runs)"
    )
    parser.add_argument("--peer", action="store_true", help="also run django-appointment")
    parser.add_argument("--peer-venv", default=".peer")
    parser.add_argument(
        "--scenarios",
        default="base",
        help="comma-separated: base, history (100,000 past appointments), wide (100 resources, "
        "100,000 future appointments); the others are compared with base",
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install wrk")
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; {args.resources} resources, {args.appointments} future "
        f"and {args.history} past appointments; {args.workers} server processes",
        flush=True,
    )
    wanted = args.databases.split(",")
    scenarios = args.scenarios.split(",")
    runs: dict[str, dict[str, Run]] = {s: {} for s in scenarios}
    for scenario in scenarios:
        for name in ("SQLite", "PostgreSQL"):
            if name.lower() not in wanted:
                continue
            print(f"{scenario}, {name} ...", flush=True)
            with tempfile.TemporaryDirectory() as folder:
                if name == "SQLite":
                    url = f"sqlite:///{Path(folder) / 'load.sqlite3'}"
                else:
                    with psycopg.connect(args.postgres, autocommit=True) as admin:
                        admin.execute("DROP DATABASE IF EXISTS slotbook_load WITH (FORCE)")
                        admin.execute("CREATE DATABASE slotbook_load")
                    url = args.postgres.rsplit("/", 1)[0] + "/slotbook_load"
                runs[scenario][name] = measure(url, args, scenario)
    compared = peer(args) if args.peer else None
    report(runs[scenarios[0]], compared)
    for scenario in scenarios[1:]:
        compare(scenario, runs[scenarios[0]], runs[scenario])


def compare(scenario: str, base: dict[str, Run], other: dict[str, Run]) -> None:
    """A scenario's figures as ratios of the base scenario's (time: higher is slower)."""
    resources, future, past = SCENARIOS[scenario]
    print(
        f"\n{scenario}: {resources} resources, {future:,} future and {past:,} past "
        "appointments, against base (latency ratio p50; > 1 is slower)\n"
    )
    print("| figure | " + " | ".join(other) + " |")
    print("|---|" + "---|" * len(other))
    for label, pick in (
        ("one day's times, p50", lambda r: r.times.p50),  # type: ignore[union-attr]
        ("90-day date list, p50", lambda r: r.dates.p50),  # type: ignore[union-attr]
        ("bookings, p50", lambda r: r.bookings.p50),  # type: ignore[union-attr]
        ("in-process 90-day date list", lambda r: r.inproc_dates_ms),
        ("in-process day's times", lambda r: r.inproc_times_ms),
    ):
        cells = [
            f"{pick(other[n]) / pick(base[n]):.2f}" if pick(other[n]) else "timed out (10 s)"
            for n in other
            if n in base
        ]
        print(f"| {label} | " + " | ".join(cells) + " |")


def report(runs: dict[str, Run], compared: dict[str, float] | None) -> None:
    """Every figure, then the ratios."""
    lines = ["| figure | " + " | ".join(runs) + " |", "|---|" + "---|" * len(runs)]

    def row(label: str, cell: Callable[[Run], str]) -> None:
        lines.append(f"| {label} | " + " | ".join(cell(r) for r in runs.values()) + " |")

    def fig(f: Figure | None) -> str:
        assert f is not None
        return f"{f.rps:.0f} req/s, p50 {f.p50:.1f} ms, p95 {f.p95:.1f} ms"

    row("`/health`", lambda r: fig(r.health))
    row("one day's times", lambda r: fig(r.times))
    row("90-day date list", lambda r: fig(r.dates))
    row(
        "bookings, distinct slots",
        lambda r: (
            f"{r.bookings.rps:.0f}/s ({r.bookings.failed} refused), "  # type: ignore[union-attr]
            f"p95 {r.bookings.p95:.0f} ms"
        ),  # type: ignore[union-attr]
    )
    row(
        "64 clients race for one slot",
        lambda r: f"winners {r.race_winners}, p99 {r.race_p99:.0f} ms",
    )
    row("database ceiling (plain driver loop)", lambda r: f"{r.ceiling:.0f} rows/s")
    row("a booking's rows (plain driver loop)", lambda r: f"{r.booking_rows:.0f}/s")
    row("in-process: 90-day date list", lambda r: f"{r.inproc_dates_ms:.1f} ms")
    row("in-process: one day's times", lambda r: f"{r.inproc_times_ms:.1f} ms")
    row(
        "**times ÷ /health** (target ≥ 0.50)",
        lambda r: f"{r.times.rps / r.health.rps:.2f}",  # type: ignore[union-attr]
    )
    row(
        "**bookings ÷ ceiling** (target ≥ 0.25)",
        lambda r: f"{r.bookings.rps / r.ceiling:.2f}",  # type: ignore[union-attr]
    )
    row(
        "a booking's rows ÷ ceiling (the database alone)",
        lambda r: _ratio(r.booking_rows, r.ceiling),
    )
    row(
        "bookings ÷ a booking's rows (the application's share)",
        lambda r: _ratio(r.bookings.rps, r.booking_rows),  # type: ignore[union-attr]
    )
    if compared:
        row(
            "**peer ÷ Slotbook, 90-day dates** (target ≥ 30)",
            lambda r: (
                f"{compared['dates90_ms_median'] / r.inproc_dates_ms:.0f}× "
                f"({compared['dates90_ms_median']:.0f} ms)"
            ),
        )
        row(
            "**peer ÷ Slotbook, one day's times** (target ≥ 30)",
            lambda r: (
                f"{compared['times1_ms_median'] / r.inproc_times_ms:.0f}× "
                f"({compared['times1_ms_median']:.0f} ms)"
            ),
        )
    print("\n".join(lines))


def _ratio(part: float, whole: float) -> str:
    return f"{part / whole:.2f}" if whole else "-"


if __name__ == "__main__":
    main()
