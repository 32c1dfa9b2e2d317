"""``/metrics``: what an operator's Prometheus sees, counted once however many processes serve."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

from slotbook.bootstrap import app_from_env
from tests.conftest import Call, LiveServer, race
from tests.factories import issue_catalog

ORCHESTRA = "/calendar-backend/public/api/v1"
TIMES = f"{ORCHESTRA}/branches/north/services/passport/dates/2030-03-04/times"
BOOK_ROUTE = (
    f"{ORCHESTRA}/branches/{{branch_id}}/services/{{service_id}}/dates/{{day}}/times/{{time}}/book"
)
PERSON = {"firstName": "Wilhelmina", "lastName": "Zonneveld", "email": "w.zonneveld@example.org"}


def samples(text: str) -> list[tuple[str, dict[str, str], float]]:
    """Every sample of a Prometheus text exposition (the parser refuses a malformed one)."""
    return [
        (sample.name, dict(sample.labels), sample.value)
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    ]


def value(found: list[tuple[str, dict[str, str], float]], name: str, **labels: str) -> float:
    """The sum of the samples of ``name`` whose labels include ``labels``."""
    return sum(
        v for n, got, v in found if n == name and all(got.get(k) == w for k, w in labels.items())
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
def test_metrics_count_bookings_holds_and_conflicts_once_across_two_workers(
    live_server: LiveServer,
) -> None:
    url = live_server.start(issue_catalog(horizon_days=3650), workers=2)
    customer = {"json": {"customer": PERSON}}
    # Sent at once, so both processes answer some; two of them want the same time.
    calls: list[Call] = [
        ("POST", f"{TIMES}/{time}/book", customer) for time in ("09:00", "09:00", "09:30", "10:00")
    ]
    calls += [("POST", f"{TIMES}/11:00/reserve", {"json": {}})]
    answers = race(url, calls)
    assert sorted(a.status_code for a in answers) == [200, 200, 200, 200, 400], [
        a.text for a in answers
    ]

    scrapes = []
    with httpx2.Client(base_url=url, timeout=30) as client:
        for _ in range(6):  # whichever process answers, it reports the whole server
            response = client.get("/metrics")
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/plain")
            scrapes.append(samples(response.text))

    for found in scrapes:
        assert value(found, "slotbook_bookings_total", surface="orchestra", tenant="acme") == 3
        assert value(found, "slotbook_holds_total", surface="orchestra", tenant="acme") == 1
        assert value(found, "slotbook_conflicts_total", surface="orchestra", route=BOOK_ROUTE) == 1
        assert value(found, "slotbook_writes_total", operation="book") == 3
        assert value(found, "slotbook_http_requests_total", route=BOOK_ROUTE, status="200") == 3
        assert value(found, "slotbook_http_requests_total", route=BOOK_ROUTE, status="400") == 1
        latency = "slotbook_http_request_duration_seconds_count"
        assert value(found, latency, surface="orchestra", route=BOOK_ROUTE) == 4
        assert value(found, "slotbook_outbox_pending", tenant="acme") >= 0
        assert any(name == "slotbook_outbox_lag_seconds" for name, _, _ in found)
        assert value(found, "slotbook_db_pool_size") > 0
        # Routes as declared: no day, time, id or name ever becomes a label.
        labels = " ".join(v for _, got, _ in found for v in got.values())
        for leaked in ("2030-03-04", "09:00", "Zonneveld", "passport"):
            assert leaked not in labels


@pytest.mark.slow
def test_metrics_can_be_served_on_a_port_of_their_own(
    live_server: LiveServer, tmp_path: Path
) -> None:
    port = free_port()
    temp = tmp_path / "temp"
    temp.mkdir()
    url = live_server.start(
        issue_catalog(), args=["--metrics-port", str(port)], env={"TMPDIR": str(temp)}
    )
    with httpx2.Client(timeout=30) as client:
        assert client.get(f"{url}/health").status_code == 200
        assert client.get(f"{url}/metrics").status_code == 404
        found = samples(client.get(f"http://127.0.0.1:{port}/metrics").text)
    assert value(found, "slotbook_http_requests_total", route="/health") >= 1
    assert [p.name.startswith("slotbook-metrics-") for p in temp.iterdir()] == [True]
    assert live_server.process is not None
    live_server.process.terminate()  # as systemd stops a service
    live_server.process.wait(timeout=30)
    assert list(temp.iterdir()) == [], "the processes' metrics folder is removed on stop"


@pytest.fixture
def server_env(
    db_url: str, monkeypatch: pytest.MonkeyPatch, make_slotbook: Any
) -> Iterator[pytest.MonkeyPatch]:
    """The environment a server process gets from ``slotbook serve``, on the test database;
    Slotbook's logger as it was afterwards (the app sets it up)."""
    make_slotbook(issue_catalog())
    monkeypatch.setenv("SLOTBOOK_DATABASE_URL", db_url)
    monkeypatch.setenv("SLOTBOOK_WORKER", "0")
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    logger = logging.getLogger("slotbook")
    before = (list(logger.handlers), logger.level, logger.propagate)
    yield monkeypatch
    logger.handlers[:], logger.level, logger.propagate = before


@pytest.mark.parametrize(("setting", "served"), [("1", True), ("0", False)])
def test_metrics_can_be_turned_off(
    server_env: pytest.MonkeyPatch, setting: str, served: bool
) -> None:
    server_env.setenv("SLOTBOOK_METRICS", setting)
    app = app_from_env()
    with TestClient(app) as client:
        client.get("/health")
        response = client.get("/metrics")
    app.state.slotbook.uows.engine.dispose()
    assert response.status_code == (200 if served else 404)
    if served:
        assert value(samples(response.text), "slotbook_http_requests_total", route="/health") == 1
        documented = (Path(__file__).parents[2] / "docs" / "operations.md").read_text()
        for family in text_string_to_metric_families(response.text):
            if family.name.endswith("_created"):
                continue  # a counter's start time, single-process mode only
            name = family.name + ("_total" if family.type == "counter" else "")
            assert f"`{name}`" in documented, f"docs/operations.md does not describe {name}"
