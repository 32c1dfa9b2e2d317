"""Random paths, parameters and bodies at every endpoint of every surface: never a 5xx."""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable
from typing import Any

from starlette.testclient import TestClient

from tests.factories import issue_catalog

SURFACES = ["/calendar-backend/public/api", "/external/v1", "/consumer/v1", "/v1", "/connect"]
JUNK = [
    "",
    "0",
    "-1",
    "1e999",
    "null",
    "true",
    "x" * 300,
    "2030-03-04",
    "2030-03-04T09:00:00+01:00",
    "09:00",
    "💥",
    "%00",
    "..",
    "'",
    "\\",
    "9" * 40,
    "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    "628f4954645194000e770abd",
    "123456789012345678",
    "Paspoort",
    "acme",
    "9999-12-31",
]
PARAMS = [
    "startDate",
    "endDate",
    "branchId",
    "numberOfReservations",
    "tzOffset",
    "limit",
    "offset",
    "start",
    "ids",
    "duration",
    "interval",
    "completeBooking",
    "personalIdentifier",
    "serviceIds",
    "email",
    "status",
    "numberOfCustomers",
    "customSlotLength",
    "timezone",
    "locationId",
]
KEYS = [
    "customer",
    "customers",
    "services",
    "publicId",
    "firstName",
    "email",
    "timeSlot",
    "startTime",
    "serviceId",
    "branchId",
    "numberOfReservations",
    "data",
    "slot_id",
    "ranges",
    "start",
    "end",
    "service_id",
    "spaces",
    "timezone",
    "required_spaces",
    "locationId",
    "startDateTime",
    "endDateTime",
    "groupSize",
    "name",
    "reservationId",
    "personalIdentifier",
    "profile",
]


def _value(rng: random.Random, depth: int = 0) -> Any:
    roll = rng.random()
    if depth > 2 or roll < 0.4:
        return rng.choice(
            [None, True, 1, -1, 1.5, 10**30, "x", "", "09:00", "2030-03-04T09:00:00+01:00"]
        )
    if roll < 0.7:
        return [_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {rng.choice(KEYS): _value(rng, depth + 1) for _ in range(rng.randint(0, 5))}


def test_no_request_yields_a_server_error(
    make_client: Callable[[dict[str, Any]], TestClient],
) -> None:
    client = make_client(issue_catalog())
    rng = random.Random(20261123)
    failures = []
    for prefix in SURFACES:
        paths = client.get(prefix + "/openapi.json").json()["paths"]
        for template, methods in paths.items():
            for method in methods:
                for _ in range(6):
                    path = re.sub(
                        r"\{[^}]+\}", lambda _m: rng.choice(JUNK).replace("/", "%2F"), template
                    )
                    params = {
                        rng.choice(PARAMS): rng.choice(JUNK) for _ in range(rng.randint(0, 3))
                    }
                    body = json.dumps(_value(rng)).encode()
                    headers = {
                        "X-TENANT-ID": rng.choice(["acme", "", "nope"]),
                        "content-type": "application/json",
                    }
                    response = client.request(
                        method.upper(), prefix + path, params=params, content=body, headers=headers
                    )
                    if response.status_code >= 500:
                        failures.append(
                            (method, prefix + path, params, body[:80], response.status_code)
                        )
    assert failures == []
