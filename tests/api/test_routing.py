"""Paths that reach no endpoint still answer in the format of the surface they name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.testclient import TestClient

from tests.factories import issue_catalog


def test_unrouted_paths_answer_in_each_surfaces_format(
    make_client: Callable[[dict[str, Any]], TestClient],
) -> None:
    client = make_client(issue_catalog())
    orchestra = client.get("/calendar-backend/public/api/v1/x%0Ay")
    assert (orchestra.status_code, orchestra.json(), orchestra.headers["ERROR_CODE"]) == (
        404,
        {"msg": "No such endpoint"},
        "404",
    )
    assert client.get("/external/v1/a%0Ab").json() == {
        "code": "not_found",
        "message": "No such endpoint",
    }
    assert client.get("/consumer/v1/%0A").json()["error"] == "not_found"
    assert client.get("/v1/foo%0Abar").json() == {
        "error": "not_found",
        "message": "No such endpoint",
    }
    assert client.get("/elsewhere").status_code == 404


def test_index_and_health(make_client: Callable[[dict[str, Any]], TestClient]) -> None:
    client = make_client(issue_catalog())
    assert client.get("/health").json() == {"status": "ok"}
    assert client.get("/").json()["surfaces"]["orchestra"] == "/calendar-backend/public/api"
