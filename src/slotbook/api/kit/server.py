"""uvicorn's HTTP protocol with TCP_NODELAY on every connection.

With ``--workers N`` uvicorn binds the listening socket itself, without naming the TCP
protocol, and asyncio then leaves Nagle's algorithm on for every accepted connection: a
response written in two parts (head, then body) waits for the client's delayed ACK, about
40 ms on Linux, on every request. One process (asyncio's own socket) was never affected.
"""

from __future__ import annotations

import asyncio
import socket

from uvicorn.protocols.http.h11_impl import H11Protocol

# What ``slotbook serve`` gives uvicorn as its ``http`` protocol (an import path, so that
# every worker process imports it).
NODELAY_PROTOCOL = "slotbook.api.kit.server:NoDelayH11Protocol"


class NoDelayH11Protocol(H11Protocol):
    """uvicorn's h11 protocol that sends each write at once."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Turn Nagle's algorithm off, then serve the connection as uvicorn does."""
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)
