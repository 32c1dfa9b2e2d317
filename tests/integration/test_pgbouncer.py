"""Slotbook behind PgBouncer in transaction mode: it migrates, books, and one slot still has
exactly one winner when clients race for it.

Debian's ``pgbouncer`` (apt-get install pgbouncer; .ci/run does). Without it the test skips,
unless ``SLOTBOOK_REQUIRE_PGBOUNCER=1`` (CI) turns that into a failure.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx2
import psycopg
import pytest
from sqlalchemy import make_url

from tests.conftest import LiveServer, race
from tests.factories import one_office, passport

STAFF = "desk-key-pgbouncer-0001"
ORCHESTRA = "/calendar-backend/public/api/v2"
RACERS = 10


def _require(program: str) -> str:
    found = shutil.which(program, path=f"{os.environ.get('PATH', '')}:/usr/sbin")
    if found:
        return found
    missing = f"{program} is missing: apt-get install -y {program} (.ci/run does)"
    if os.environ.get("SLOTBOOK_REQUIRE_PGBOUNCER") == "1":
        pytest.fail(missing)
    pytest.skip(missing)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def bouncer_url(db_url: str, tmp_path: Path) -> Iterator[str]:
    """The test database reached through a PgBouncer in transaction mode (a URL for Slotbook)."""
    if not db_url.startswith("postgresql"):
        pytest.skip("PgBouncer stands in front of PostgreSQL")
    program = _require("pgbouncer")
    target = make_url(db_url)
    port = _free_port()
    config = tmp_path / "pgbouncer.ini"
    users = tmp_path / "users.txt"
    users.write_text(f'"{target.username}" ""\n')
    config.write_text(
        f"[databases]\n* = host={target.host} port={target.port or 5432}\n\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {users}\n"
        "pool_mode = transaction\n"
        # Fewer server connections than clients: transactions must share them.
        "default_pool_size = 4\nmax_client_conn = 200\n"
        "ignore_startup_parameters = extra_float_digits\n"
    )
    command = [program, str(config)]
    if os.geteuid() == 0:  # PgBouncer refuses to run as root
        command[1:1] = ["-u", "nobody"]
    log = (tmp_path / "pgbouncer.log").open("wb")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    bounced = target.set(port=port).render_as_string(hide_password=False)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with psycopg.connect(bounced, connect_timeout=2) as probe:
                    probe.execute("SELECT 1")
                break
            except psycopg.OperationalError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield bounced + "?pgbouncer=true"
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


def _catalog() -> dict[str, object]:
    return one_office(
        keys={STAFF: "staff"},
        hours="00:00-24:00",
        public_ids=True,
        services=[passport(public_id="passport")],
    )


def _book(client: httpx2.Client, day: str, time: str) -> httpx2.Response:
    return client.post(
        f"{ORCHESTRA}/branches/north/services/passport/dates/{day}/times/{time}/book",
        json={"customers": [{"firstName": "Ann", "lastName": "Lee", "email": "ann@example.org"}]},
    )


@pytest.mark.slow
def test_through_pgbouncer_in_transaction_mode_bookings_work_and_a_race_has_one_winner(
    bouncer_url: str, tmp_path: Path
) -> None:
    server = LiveServer(bouncer_url, tmp_path)
    try:
        # Starting migrates the schema through PgBouncer, and two processes share it.
        url = server.start(_catalog(), workers=2)
        day = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
        headers = {"X-API-KEY": STAFF}
        with httpx2.Client(base_url=url, headers=headers, timeout=30) as client:
            # The same statements many times over: psycopg would prepare them by now.
            for number in range(15):
                minutes = 9 * 60 + 10 * number
                booked = _book(client, day, f"{minutes // 60:02d}:{minutes % 60:02d}")
                assert booked.status_code == 200, booked.text
        body = {"customers": [{"firstName": "Bo", "lastName": "Ek", "email": "bo@example.org"}]}
        path = f"{ORCHESTRA}/branches/north/services/passport/dates/{day}/times/15:00/book"
        answers = race(url, [("POST", path, {"json": body, "headers": headers})] * RACERS)
        # Orchestra says "slot taken" as 400 with error code 440.
        assert sorted(a.status_code for a in answers) == [200] + [400] * (RACERS - 1)
        assert {a.headers.get("ERROR_CODE") for a in answers if a.status_code == 400} == {"440"}
        with httpx2.Client(base_url=url, headers=headers, timeout=30) as client:
            listed = client.get(
                "/api/v1/appointments", params={"date_from": day, "date_to": day}
            ).json()["data"]
        assert len(listed) == 15 + 1
    finally:
        server.stop()
