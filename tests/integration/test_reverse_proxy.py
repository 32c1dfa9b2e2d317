"""The shipped nginx site (deploy/nginx/slotbook.conf) in front of two Slotbook processes on
one PostgreSQL: HTTPS, bookings spread over both, and the client Slotbook sees is the one
nginx saw, not what the client wrote into X-Forwarded-For.

Debian's ``nginx`` (apt-get install nginx; .ci/run does). Without it the test skips, unless
``SLOTBOOK_REQUIRE_NGINX=1`` (CI) turns that into a failure.
"""

from __future__ import annotations

import os
import shutil
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx2
import pytest
from sqlalchemy import select

from slotbook.persistence.database import create_db_engine
from slotbook.persistence.tables import audit_log
from tests.conftest import LiveServer
from tests.factories import one_office, passport

SITE = Path(__file__).parents[2] / "deploy" / "nginx" / "slotbook.conf"
STAFF = "desk-key-behind-nginx-01"
ORCHESTRA = "/calendar-backend/public/api/v2"
# The test's client connects from another loopback address than nginx does towards Slotbook,
# so the two can be told apart.
CLIENT = "127.0.0.2"
PROXY = "127.0.0.1"


def _nginx() -> str:
    found = shutil.which("nginx", path=f"{os.environ.get('PATH', '')}:/usr/sbin")
    if found:
        return found
    missing = "nginx is missing: apt-get install -y nginx (.ci/run does)"
    if os.environ.get("SLOTBOOK_REQUIRE_NGINX") == "1":
        pytest.fail(missing)
    pytest.skip(missing)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost"),
            *("-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def _site(upstreams: list[str], http_port: int, https_port: int, cert: Path, key: Path) -> str:
    """The shipped site with this test's ports and certificate paths, nothing else changed."""
    text = SITE.read_text()
    replacements = {
        "server 127.0.0.1:8001 ": f"server {upstreams[0]} ",
        "server 127.0.0.1:8002 ": f"server {upstreams[1]} ",
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
        "/etc/letsencrypt/live/booking.example.org/fullchain.pem": str(cert),
        "/etc/letsencrypt/live/booking.example.org/privkey.pem": str(key),
    }
    for old, new in replacements.items():
        assert text.count(old) == 1, f"the site file no longer has {old!r}"
        text = text.replace(old, new)
    return text


@pytest.fixture
def two_servers(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[list[str]]:
    """Two Slotbook processes on one PostgreSQL that trust the local nginx."""
    if not db_url.startswith("postgresql"):
        pytest.skip("the site's two processes share one PostgreSQL")
    monkeypatch.setenv("SLOTBOOK_TRUSTED_PROXIES", PROXY)
    servers = []
    catalog = one_office(
        keys={STAFF: "staff"},
        hours="00:00-24:00",
        public_ids=True,
        services=[passport(public_id="passport")],
    )
    try:
        for number in (1, 2):
            workdir = tmp_path / f"server{number}"
            workdir.mkdir()
            server = LiveServer(db_url, workdir)
            servers.append(server)
            server.start(catalog)
        yield [s.url.removeprefix("http://") for s in servers]
    finally:
        for server in servers:
            server.stop()


@pytest.fixture
def nginx(two_servers: list[str], tmp_path: Path) -> Iterator[tuple[str, str, Path, Path]]:
    """nginx with the shipped site: (https URL, http URL, CA file, access log)."""
    program = _nginx()
    folder = tmp_path / "nginx"
    folder.mkdir()
    cert, key = _certificate(folder)
    http_port, https_port = _free_port(), _free_port()
    (folder / "slotbook.conf").write_text(_site(two_servers, http_port, https_port, cert, key))
    access = folder / "access.log"
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = " ".join(
        f"{kind}_temp_path {folder / kind};" for kind in ("client_body", "proxy", "fastcgi")
    )
    (folder / "nginx.conf").write_text(
        f"{user}worker_processes 1;\npid {folder / 'nginx.pid'};\n"
        f"error_log {folder / 'error.log'};\nevents {{ worker_connections 128; }}\n"
        "http {\n"
        "  log_format upstream '$remote_addr $status $upstream_addr';\n"
        f"  access_log {access} upstream;\n"
        f"  {temp} uwsgi_temp_path {folder / 'uwsgi'}; scgi_temp_path {folder / 'scgi'};\n"
        f"  include {folder / 'slotbook.conf'};\n"
        "}\n"
    )
    command = [program, "-p", str(folder), "-c", str(folder / "nginx.conf")]
    command += ["-e", str(folder / "error.log"), "-g", "daemon off;"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", https_port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((folder / "error.log").read_text()) from None
                time.sleep(0.1)
        yield f"https://127.0.0.1:{https_port}", f"http://127.0.0.1:{http_port}", cert, access
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.mark.slow
def test_bookings_through_nginx_over_https_reach_both_processes_as_the_real_client(
    nginx: tuple[str, str, Path, Path], two_servers: list[str], db_url: str
) -> None:
    https, http, cert, access = nginx
    plain = httpx2.get(http + "/book/acme", timeout=10)
    assert plain.status_code == 301
    assert plain.headers["location"].startswith("https://")

    tls = ssl.create_default_context(cafile=str(cert))
    transport = httpx2.HTTPTransport(verify=tls, local_address=CLIENT)
    day = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    # A client that claims another address: only nginx's word counts.
    headers = {"X-API-KEY": STAFF, "X-Forwarded-For": "203.0.113.9"}
    with httpx2.Client(base_url=https, transport=transport, headers=headers, timeout=30) as client:
        for hour in range(9, 13):
            booked = client.post(
                f"{ORCHESTRA}/branches/north/services/passport/dates/{day}/times/{hour:02d}:00/book",
                json={"customers": [{"firstName": "Ann", "lastName": "Lee"}]},
            )
            assert booked.status_code == 200, booked.text
            assert booked.headers["strict-transport-security"].startswith("max-age=")
        page = client.get("/book/acme", params={"lang": "nl"})
        assert page.status_code == 200
        # nginx said the client came over HTTPS, so the page's cookie is for HTTPS only.
        assert "secure" in page.headers["set-cookie"].lower()
        assert client.get("/metrics").status_code == 404

    engine = create_db_engine(db_url)
    try:
        with engine.connect() as connection:
            seen = connection.execute(select(audit_log.c.client_address)).scalars().all()
    finally:
        engine.dispose()
    assert len(seen) >= 4
    assert set(seen) == {CLIENT}

    # nginx spread the requests over both processes.
    passed_to = {line.split()[2] for line in access.read_text().splitlines()}
    assert passed_to - {"-"} == set(two_servers)
