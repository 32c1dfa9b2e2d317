"""uvicorn's HTTP protocol with TCP_NODELAY on every connection, and an event loop whose
workers share the connections out evenly.

With ``--workers N`` uvicorn binds the listening socket itself, without naming the TCP
protocol, and asyncio then leaves Nagle's algorithm on for every accepted connection: a
response written in two parts (head, then body) waits for the client's delayed ACK, about
40 ms on Linux, on every request. One process (asyncio's own socket) was never affected.

The workers all accept on that one socket, and the first one awake takes every connection
waiting: clients that open their keep-alive connections at once (wrk, a proxy's pool)
mostly landed on one worker (wrk's 4 connections split 4/0 or 3/1 in 4 runs of 4 with both
workers up; 16 of 16 on one worker in 2 runs of 3), which then did most of the work on one
core while the other idled. So each worker counts its
open connections in a file the workers share, and one that has more than another lets the
next connection wait for that other one (a moment at most: see ``FairListener``).
"""

from __future__ import annotations

import asyncio
import fcntl
import mmap
import os
import socket
import struct
import time
from pathlib import Path
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

# What ``slotbook serve`` gives uvicorn as its ``http`` protocol and its event loop (import
# paths, so that every worker process imports them).
NODELAY_PROTOCOL = "slotbook.api.kit.server:NoDelayH11Protocol"
FAIR_LOOP = "slotbook.api.kit.server:FairLoop"
# The file the workers count their connections in (set by ``slotbook serve``).
SHARES_ENV = "SLOTBOOK_CONNECTION_SHARES"

_SLOT = struct.Struct("qq")  # a worker's process id, its open connections
SLOTS = 64  # at most this many workers share connections out; more accept as they come


class ConnectionShares:
    """This worker's slot in the shared file of open connections per worker."""

    def __init__(self, path: Path) -> None:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        if os.fstat(fd).st_size < SLOTS * _SLOT.size:
            os.ftruncate(fd, SLOTS * _SLOT.size)
        self._map = mmap.mmap(fd, SLOTS * _SLOT.size)
        self._index = -1
        fcntl.flock(fd, fcntl.LOCK_EX)  # claiming a slot: one worker at a time
        try:
            for index in range(SLOTS):
                pid, _ = _SLOT.unpack_from(self._map, index * _SLOT.size)
                if pid == 0 or not _alive(pid):  # free, or left by a worker that died
                    _SLOT.pack_into(self._map, index * _SLOT.size, os.getpid(), 0)
                    self._index = index
                    break
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def add(self, change: int) -> None:
        """Count a connection opened (+1) or closed (-1) by this worker (its own slot: only
        this process writes it, from its event loop)."""
        if self._index >= 0:
            offset = self._index * _SLOT.size
            pid, count = _SLOT.unpack_from(self._map, offset)
            _SLOT.pack_into(self._map, offset, pid, count + change)

    def behind_others(self) -> bool:
        """Whether another live worker has fewer open connections than this one."""
        if self._index < 0:
            return False
        _, mine = _SLOT.unpack_from(self._map, self._index * _SLOT.size)
        for index in range(SLOTS):
            pid, count = _SLOT.unpack_from(self._map, index * _SLOT.size)
            if index != self._index and pid != 0 and count < mine and _alive(pid):
                return True
        return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# This process's share, once its loop serves a handed-over socket (one per process).
_this_process: list[ConnectionShares] = []


class FairListener(socket.socket):
    """A listening socket that declines a connection (as if none were waiting) while
    another worker has fewer open ones, so that worker, woken for it too, takes it.

    A worker that cannot take it at once (its loop busy, or gone) is waited for 50 ms at
    most; then this one accepts after all.
    """

    def __init__(self, listening: socket.socket, shares: ConnectionShares) -> None:
        super().__init__(listening.family, listening.type, listening.proto, listening.detach())
        self._shares = shares
        self._declining_since = self._declined_last = 0.0

    def accept(self) -> tuple[socket.socket, Any]:
        """The next waiting connection, unless another worker should take it."""
        if self._shares.behind_others():
            now = time.monotonic()
            if now - self._declined_last > 0.05:  # not asked again at once: a new wait
                self._declining_since = now
            self._declined_last = now
            if now - self._declining_since < 0.05:
                raise BlockingIOError  # asyncio: nothing waiting; it asks again next round
        accepted = super().accept()
        # Counted now, not when its protocol starts: asyncio accepts every waiting
        # connection first and starts their protocols afterwards.
        self._shares.add(1)
        return accepted


class FairLoop(asyncio.SelectorEventLoop):
    """asyncio's loop; a listening socket handed over by ``slotbook serve`` becomes a
    ``FairListener`` when the workers share connections out."""

    async def create_server(self, *args: Any, **kwargs: Any) -> asyncio.Server:
        """Serve as asyncio does, sharing connections out with the other workers."""
        sock = kwargs.get("sock")
        path = os.environ.get(SHARES_ENV)
        if sock is not None and path and sock.type == socket.SOCK_STREAM:
            if not _this_process:
                _this_process.append(ConnectionShares(Path(path)))
            kwargs["sock"] = FairListener(sock, _this_process[0])
        return await super().create_server(*args, **kwargs)


class NoDelayH11Protocol(H11Protocol):
    """uvicorn's h11 protocol that sends each write at once (and counts its connection out
    of the worker's share when it closes)."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Turn Nagle's algorithm off, then serve the connection as uvicorn does."""
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._counted = _this_process[0] if _this_process else None  # counted at accept
        super().connection_made(transport)

    def connection_lost(self, exc: Exception | None) -> None:
        """Count the connection out of the worker's share, then close it as uvicorn does."""
        counted, self._counted = getattr(self, "_counted", None), None
        if counted is not None:
            counted.add(-1)
        super().connection_lost(exc)
