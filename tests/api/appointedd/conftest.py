"""Fixtures of the Appointedd surface tests.

In-process tests mount only this surface, at ``/v1`` as ``slotbook.api.app`` does, so they
do not depend on the other surfaces; the live-server tests run the whole server.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient

from slotbook.api.app import SURFACES
from slotbook.api.appointedd.routes import create_surface
from slotbook.api.kit.http import JSON
from slotbook.api.kit.paths import PathNormalizer
from slotbook.services.context import Slotbook
from tests.api.appointedd.helpers import KEY_ACME, studio_catalog

MakeClient = Callable[[dict[str, Any]], TestClient]


@pytest.fixture
def surface_client(
    make_slotbook: Callable[[dict[str, Any]], Slotbook],
) -> Iterator[MakeClient]:
    """An HTTP client for this surface, mounted as in the server, with a catalog loaded."""
    clients: list[TestClient] = []

    def make(catalog: dict[str, Any]) -> TestClient:
        slotbook = make_slotbook(catalog)
        app = FastAPI(default_response_class=JSON)
        app.state.slotbook = slotbook
        app.mount(SURFACES["appointedd"], create_surface(slotbook))
        app.add_middleware(PathNormalizer)
        client = TestClient(app)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def studio_client(surface_client: MakeClient) -> MakeClient:
    """A client for a variant of the studio catalog, sending the studio's API key."""

    def make(catalog: dict[str, Any]) -> TestClient:
        client = surface_client(catalog)
        client.headers["X-API-KEY"] = KEY_ACME
        return client

    return make


@pytest.fixture
def api(studio_client: MakeClient) -> TestClient:
    """The studio tenant's client, with its API key."""
    return studio_client(studio_catalog())
