"""The server's worker processes share the connections out: clients that open their
keep-alive connections at once (a load balancer's pool, a load generator) reach every
worker, instead of all landing on the first one awake."""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

from tests.conftest import LiveServer
from tests.factories import one_office


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _served_by(workers: list[int], client_ports: set[int]) -> dict[int, int]:
    """How many of the clients' connections each worker holds (from /proc's socket table)."""
    inodes = {}
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        remote_port = int(fields[2].split(":")[1], 16)
        if remote_port in client_ports:
            inodes[fields[9]] = remote_port
    held = dict.fromkeys(workers, 0)
    for worker in workers:
        for fd in Path(f"/proc/{worker}/fd").iterdir():
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:[") and target[8:-1] in inodes:
                held[worker] += 1
    return held


def _all_started(server: LiveServer, workers: int) -> None:
    deadline = time.monotonic() + 60
    while server.log.read_text().count("Application startup complete") < workers:
        assert time.monotonic() < deadline, server.log.read_text()[-2000:]
        time.sleep(0.1)


def test_connections_opened_at_once_are_shared_out_between_the_workers(
    live_server: LiveServer,
) -> None:
    url = live_server.start(one_office(), workers=2)
    _all_started(live_server, 2)
    assert live_server.process is not None
    workers = _children(live_server.process.pid)
    port = int(url.rsplit(":", 1)[1])
    even = 0
    for _ in range(3):
        clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(4)]
        try:
            for client in clients:
                client.sendall(b"GET /health HTTP/1.1\r\nHost: slotbook\r\n\r\n")
            for client in clients:
                assert client.recv(100).startswith(b"HTTP/1.1 200")
            held = _served_by(workers, {c.getsockname()[1] for c in clients})
            # (the children also include multiprocessing's resource tracker, holding none)
            even += sorted(n for n in held.values() if n) == [2, 2]
        finally:
            for client in clients:
                client.close()
        time.sleep(0.3)  # the workers see the connections closed
    # Two of three rounds: a worker slowed down by a loaded machine may miss one.
    assert even >= 2
