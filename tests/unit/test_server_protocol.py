"""Every connection of ``slotbook serve --workers N`` sends its answer at once.

uvicorn binds the listening socket of its worker processes without naming the TCP protocol,
and asyncio then leaves Nagle's algorithm on for the connections it accepts: an answer
written in two parts waited for the client's delayed ACK (40 ms) on every request.
"""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

from slotbook.api.kit.server import NODELAY_PROTOCOL, NoDelayH11Protocol


async def _nodelay_of_accepted(protocol: type[H11Protocol]) -> int:
    """TCP_NODELAY of a connection accepted on a socket bound the way uvicorn's workers are."""
    config = uvicorn.Config(app=_app, host="127.0.0.1", port=0, http=protocol)
    config.load()
    listener = config.bind_socket()
    seen: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    class Recording(protocol):  # type: ignore[valid-type,misc]
        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            sock = transport.get_extra_info("socket")
            seen.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))

    server = await asyncio.get_running_loop().create_server(
        lambda: Recording(config=config, server_state=ServerState(), app_state={}), sock=listener
    )
    async with server:
        _, writer = await asyncio.open_connection(*listener.getsockname()[:2])
        value = await asyncio.wait_for(seen, 5)
        writer.close()
        await writer.wait_closed()
    return value


async def _app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    raise AssertionError("no request is sent")


def test_uvicorn_s_own_protocol_leaves_nagle_on_for_its_workers_sockets() -> None:
    assert asyncio.run(_nodelay_of_accepted(H11Protocol)) == 0


def test_slotbook_s_protocol_turns_it_off() -> None:
    assert NODELAY_PROTOCOL.endswith(":" + NoDelayH11Protocol.__name__)
    assert asyncio.run(_nodelay_of_accepted(NoDelayH11Protocol)) != 0
