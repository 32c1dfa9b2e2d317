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


def test_the_root_of_each_surface_is_a_plain_404_not_a_redirect_loop(
    make_client: Callable[[dict[str, Any]], TestClient],
) -> None:
    client = make_client(issue_catalog())
    for root in ("/external/v1", "/consumer/v1", "/v1", "/calendar-backend/public/api"):
        for path in (root, root + "/"):
            response = client.get(path)
            assert response.status_code == 404, path
