"""A client generated from the native API's OpenAPI document (openapi-python-client) works:
it books, checks in and closes a day."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.factories import one_office

STAFF = "desk-key-000000004"
PACKAGE = "slotbook_native_client"


def catalog() -> dict[str, Any]:
    return one_office(keys={STAFF: "staff"})


@pytest.fixture
def generated(tmp_path: Path, make_client: Callable[[dict[str, Any]], TestClient]) -> Iterator[Any]:
    """A client of the generated package, talking to the app."""
    server = make_client(catalog())
    document = tmp_path / "native.json"
    document.write_bytes(server.get("/api/v1/openapi.json").content)
    tool = Path(sys.executable).parent / "openapi-python-client"
    env = {**os.environ, "PATH": f"{tool.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    output = ["--output-path", str(tmp_path / PACKAGE)]
    subprocess.run(
        [str(tool), "generate", "--path", str(document), "--meta", "none", *output],
        check=True,
        capture_output=True,
        env=env,
        timeout=120,
    )
    sys.path.insert(0, str(tmp_path))
    try:
        client = importlib.import_module(PACKAGE).AuthenticatedClient(
            base_url="http://testserver/api/v1", token=STAFF
        )
        # The generated client speaks httpx; the app is reached in-process (the test's clock).
        client.set_httpx_client(
            TestClient(
                server.app,
                base_url="http://testserver/api/v1",
                headers={"Authorization": f"Bearer {STAFF}"},
            )
        )
        yield client
    finally:
        sys.path.remove(str(tmp_path))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def test_a_generated_client_books_checks_in_and_closes_a_day(generated: Any) -> None:
    client = generated
    api = importlib.import_module(f"{PACKAGE}.api.default")
    models = importlib.import_module(f"{PACKAGE}.models")
    book, check_in, close = (
        importlib.import_module(f"{api.__name__}.{name}")
        for name in ("book_appointment", "check_in_appointment", "close_branch")
    )
    person = models.PersonIn(first_name="Ann", last_name="Lee", email="ann@example.org")
    today = book.sync(
        client=client,
        body=models.BookIn(
            branch="north",
            services=["passport"],
            start=datetime(2030, 3, 4, 9, 0, tzinfo=UTC),  # 10:00 today in Amsterdam
            customer=person,
        ),
    )
    assert isinstance(today, models.AppointmentOut), today
    tomorrow = book.sync(
        client=client,
        body=models.BookIn(
            branch="north",
            services=["passport"],
            start=datetime(2030, 3, 5, 9, 0, tzinfo=UTC),
            customer=person,
        ),
    )
    arrived = check_in.sync(appointment_id=today.id, client=client)
    assert isinstance(arrived, models.AppointmentOut), arrived
    assert str(arrived.arrival) == "checked_in"
    closed = close.sync(
        client=client,
        body=models.ClosureIn(branch="north", date=date(2030, 3, 5), reason="Staff training"),
    )
    assert isinstance(closed, models.ClosureOut), closed
    assert [a.id for a in closed.cancelled] == [tomorrow.id]
    refused = book.sync_detailed(
        client=client,
        body=models.BookIn(
            branch="north",
            services=["passport"],
            start=datetime(2030, 3, 5, 10, 0, tzinfo=UTC),
            customer=person,
        ),
    )
    assert refused.status_code == 409
    assert isinstance(refused.parsed, models.Problem) and refused.parsed.code == "slot_taken"
