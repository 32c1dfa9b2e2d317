"""The server's log never carries personal data, whatever the requests contained."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import httpx2
import pytest
from starlette.testclient import TestClient

from slotbook.api.app import create_app
from slotbook.api.kit.logs import configure_logging, formatter
from slotbook.services.context import Slotbook
from tests.conftest import LiveServer
from tests.factories import issue_catalog

ORCHESTRA = "/calendar-backend/public/api/v1"
PERSON = {"firstName": "Wilhelmina", "lastName": "Zonneveld", "email": "w.zonneveld@example.org"}
CITIZEN_NUMBER = "999990019"


@pytest.mark.slow
def test_the_access_log_names_routes_not_paths_or_queries(live_server: LiveServer) -> None:
    url = live_server.start(issue_catalog(horizon_days=3650))
    with httpx2.Client(base_url=url, timeout=30) as client:
        booked = client.post(
            f"{ORCHESTRA}/branches/north/services/idcard/dates/2030-03-04/times/09:00/book",
            json={"customer": {**PERSON, "externalId": CITIZEN_NUMBER, "phone": "0612345678"}},
        )
        assert booked.status_code == 200, booked.text
        assert (
            client.get(
                f"{ORCHESTRA}/customers/externalId/{CITIZEN_NUMBER}/appointments"
            ).status_code
            == 200
        )
        client.get("/consumer/v1/customers", params={"email": PERSON["email"]})  # refused: 401
        client.get(f"{ORCHESTRA}/appointments/nothing;email={PERSON['email']}")
        client.post(
            "/external/v1/reservations",
            content=b'{"notes": "Zonneveld',
            headers={"X-TENANT-ID": "acme"},
        )
    live_server.stop()
    log = live_server.log.read_text()
    assert "/customers/externalId/{external_id}/appointments 200" in log
    for secret in (*PERSON.values(), CITIZEN_NUMBER, "0612345678", "Zonneveld"):
        assert secret not in log, secret


LINE_FIELDS = {"request_id", "method", "route", "status", "duration_ms", "surface", "tenant"}


@pytest.mark.slow
def test_a_json_request_line_has_the_documented_fields_and_no_personal_data(
    live_server: LiveServer,
) -> None:
    url = live_server.start(issue_catalog(horizon_days=3650), args=["--log-format", "json"])
    with httpx2.Client(base_url=url, timeout=30) as client:
        booked = client.post(
            f"{ORCHESTRA}/branches/north/services/idcard/dates/2030-03-04/times/09:00/book",
            json={"customer": {**PERSON, "externalId": CITIZEN_NUMBER, "phone": "0612345678"}},
            headers={"X-Request-ID": "desk-7.req-0001"},
        )
        assert booked.status_code == 200, booked.text
        assert booked.headers["x-request-id"] == "desk-7.req-0001"
        # An id that could carry an address is not taken: one is made instead.
        other = client.get("/health", headers={"X-Request-ID": PERSON["email"]})
        assert other.headers["x-request-id"] != PERSON["email"]
    live_server.stop()
    text = live_server.log.read_text()
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    assert all({"time", "level", "logger", "message"} <= line.keys() for line in lines)
    requests = [line for line in lines if line["logger"] == "slotbook.access"]
    (book,) = [line for line in requests if line["request_id"] == "desk-7.req-0001"]
    assert book.keys() >= LINE_FIELDS
    assert book["method"] == "POST"
    assert book["route"] == (
        f"{ORCHESTRA}/branches/{{branch_id}}/services/{{service_id}}/dates/{{day}}/times/{{time}}/book"
    )
    assert (book["status"], book["surface"], book["tenant"]) == (200, "orchestra", "acme")
    assert isinstance(book["duration_ms"], float)
    made = other.headers["x-request-id"]
    assert [line["route"] for line in requests if line["request_id"] == made] == ["/health"]
    for secret in (*PERSON.values(), CITIZEN_NUMBER, "0612345678", "Zonneveld"):
        assert secret not in text, secret


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("4bf92f3577b34da6a3ce929d0e0e4736", True),
        ("lb-01:2026-11-30T12.00.00_7", True),
        ("w.zonneveld@example.org", False),
        ("Wilhelmina Zonneveld", False),
        ("x" * 65, False),
        ("", False),
    ],
)
def test_a_sane_request_id_is_echoed_and_any_other_replaced(
    make_client: Callable[[dict[str, Any]], TestClient], sent: str, kept: bool
) -> None:
    client = make_client(issue_catalog())
    echoed = client.get("/health", headers={"X-Request-ID": sent}).headers["x-request-id"]
    if kept:
        assert echoed == sent
    else:
        assert echoed != sent and len(echoed) == 32 and echoed.isalnum()


def test_each_request_without_an_id_gets_its_own(
    make_client: Callable[[dict[str, Any]], TestClient],
) -> None:
    client = make_client(issue_catalog())
    ids = {client.get("/health").headers["x-request-id"] for _ in range(3)}
    assert len(ids) == 3


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_a_refused_booking_is_logged_with_its_route_and_refusal_but_not_who_asked(
    make_slotbook: Callable[[dict[str, Any]], Slotbook],
    caplog: pytest.LogCaptureFixture,
    log_format: str,
) -> None:
    client = TestClient(create_app(make_slotbook(issue_catalog()), access_log=True))
    times = f"{ORCHESTRA}/branches/north/services/passport/dates/2030-03-04/times"
    body = {"customer": {**PERSON, "phone": "0612345678"}}
    with caplog.at_level(logging.INFO, logger="slotbook.access"):
        assert client.post(f"{times}/09:00/book", json=body).status_code == 200
        assert client.post(f"{times}/09:00/book", json=body).status_code == 400
    client.close()
    taken = caplog.records[-1]
    line = formatter(log_format).format(taken)
    fields = json.loads(line) if log_format == "json" else {}
    if log_format == "json":
        assert fields.keys() >= LINE_FIELDS
        assert (fields["status"], fields["refusal"], fields["tenant"]) == (400, "SlotTaken", "acme")
    else:
        assert "/times/{time}/book 400 " in line
        assert "refusal=SlotTaken" in line and "tenant=acme" in line
    for secret in (*PERSON.values(), "0612345678", "2030-03-04", "09:00"):
        assert secret not in line, secret


def test_the_log_level_setting_silences_the_request_lines() -> None:
    logger = logging.getLogger("slotbook")
    before = (list(logger.handlers), logger.level, logger.propagate)
    try:
        configure_logging("warning", "json")
        assert not logging.getLogger("slotbook.access").isEnabledFor(logging.INFO)
        configure_logging("debug", "text")
        assert logging.getLogger("slotbook.access").isEnabledFor(logging.DEBUG)
        assert len([h for h in logger.handlers if h.get_name() == "slotbook"]) == 1
    finally:
        logger.handlers[:], logger.level, logger.propagate = before
