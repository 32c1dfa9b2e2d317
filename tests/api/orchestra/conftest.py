"""Helpers for the Orchestra surface tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.factories import issue_catalog

BASE = "/calendar-backend/public/api"

# A customer with every Orchestra customer field filled in.
CUSTOMER = {
    "firstName": "Voornaam",
    "lastName": "Achternaam",
    "email": "test@test.com",
    "phone": "06-11223344",
    "addressLine1": "Straatnaam 1",
    "addressCity": "Plaatsnaam",
    "addressState": "Zuid Holland",
    "addressZip": "1111AB",
    "addressCountry": "Nederland",
    "identificationNumber": "1234567890",
    "dateOfBirth": "1900-01-31",
}


class Orchestra:
    """A client that speaks the Orchestra API of one test server."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.branch = self.get("/v1/branches").json()["branchList"][0]["publicId"]

    def get(self, path: str, **kwargs: Any) -> Any:
        """GET under the API root."""
        return self.client.get(BASE + path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Any:
        """POST under the API root."""
        return self.client.post(BASE + path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> Any:
        """PUT under the API root."""
        return self.client.put(BASE + path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Any:
        """DELETE under the API root."""
        return self.client.delete(BASE + path, **kwargs)

    def times(self, service: str, day: str, **params: Any) -> list[str]:
        """Free times of a service on a day."""
        response = self.get(
            f"/v1/branches/{self.branch}/services/{service}/dates/{day}/times", params=params
        )
        assert response.status_code == 200, response.text
        return list(response.json()["times"])

    def book(self, service: str, day: str, time: str, body: Any = None, **kwargs: Any) -> Any:
        """POST v1 book."""
        path = f"/v1/branches/{self.branch}/services/{service}/dates/{day}/times/{time}/book"
        return self.post(path, json=body or {}, **kwargs)

    def reserve(self, service: str, day: str, time: str, matrix: str = "") -> Any:
        """POST v1 reserve (matrix parameters appended as given)."""
        return self.post(
            f"/v1/branches/{self.branch}/services/{service}/dates/{day}/times/{time}/reserve{matrix}"
        )


@pytest.fixture
def orchestra(make_client: Callable[[dict[str, Any]], TestClient]) -> Orchestra:
    """The Orchestra API over the issue's example catalog (now: Mon 2030-03-04 08:00 local)."""
    return Orchestra(make_client(issue_catalog()))


def longer_allowed(catalog: dict[str, Any], minutes: int) -> dict[str, Any]:
    """The catalog with every service allowing appointments of up to ``minutes`` to anyone."""
    for service in catalog["tenants"][0]["services"]:
        if service.get("capacity", 1) == 1:
            service["max_custom_length"] = minutes
    return catalog


@pytest.fixture
def make_orchestra(
    make_client: Callable[[dict[str, Any]], TestClient],
) -> Callable[[dict[str, Any]], Orchestra]:
    """The Orchestra API over a given catalog."""
    return lambda catalog: Orchestra(make_client(catalog))


@pytest.fixture
def sunday_night_orchestra(
    make_orchestra: Callable[[dict[str, Any]], Orchestra],
) -> Callable[[str], Orchestra]:
    """The issue's catalog open on Sunday nights (``hours``), with DST Sundays in the horizon."""

    def make(hours: str) -> Orchestra:
        catalog = longer_allowed(issue_catalog(horizon_days=365), 60)
        catalog["tenants"][0]["branches"][0]["hours"]["sun"] = [hours]
        return make_orchestra(catalog)

    return make
