"""Behind a trusted proxy the client is the one the proxy names, over the scheme it names;
anyone else's X-Forwarded-For and X-Forwarded-Proto are ignored."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from slotbook.api.kit.access import ClientAddress

PROXY = "10.0.0.5"


def _seen(peer: str, headers: dict[str, str], trusted: list[str]) -> tuple[str, str]:
    """The (client address, scheme) the application sees for one request."""
    seen: dict[str, Any] = {}

    async def app(scope: Any, _receive: Any, _send: Any) -> None:
        seen.update(scope)

    scope = {
        "type": "http",
        "scheme": "http",
        "client": (peer, 50000),
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
    }
    asyncio.run(ClientAddress(app, trusted)(scope, None, None))
    return seen["state"]["client_address"], seen["scheme"]


FORWARDED = {"X-Forwarded-For": "203.0.113.9, 198.51.100.7", "X-Forwarded-Proto": "https"}


@pytest.mark.parametrize(
    ("peer", "trusted", "expected"),
    [
        (PROXY, [PROXY], ("198.51.100.7", "https")),  # the nearest address the proxy names
        (PROXY, ["10.0.0.0/8"], ("198.51.100.7", "https")),
        ("198.51.100.7", [PROXY], ("198.51.100.7", "http")),  # a client's own headers
        (PROXY, [], (PROXY, "http")),  # no trusted proxy: headers never read
    ],
)
def test_the_client_and_scheme_come_from_a_trusted_proxy_only(
    peer: str, trusted: list[str], expected: tuple[str, str]
) -> None:
    assert _seen(peer, FORWARDED, trusted) == expected


def test_a_proxy_naming_an_unknown_scheme_leaves_the_connection_s_own() -> None:
    headers = {"X-Forwarded-For": "198.51.100.7", "X-Forwarded-Proto": "gopher"}
    assert _seen(PROXY, headers, [PROXY]) == ("198.51.100.7", "http")
