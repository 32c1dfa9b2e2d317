"""One access-log line per request, without personal data.

Paths and query strings can carry names, e-mail addresses or citizen numbers (a customer's
``externalId``, a search by ``email``), so the line names the route as declared
(``/v1/customers/externalId/{external_id}/appointments``), never the path as sent.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from slotbook.api.kit.access import route_template

log = logging.getLogger("slotbook.access")


def configure_logging(level: int = logging.INFO) -> None:
    """Send Slotbook's own log lines (access, housekeeping) to stderr, as uvicorn does its own."""
    root = logging.getLogger("slotbook")
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s:     %(name)s %(message)s"))
        root.addHandler(handler)
        root.setLevel(level)
        root.propagate = False


@dataclass
class _Seen:
    route: str | None = None


def note_route(request: Request) -> None:
    """App-wide dependency: tell the access log which route answered."""
    seen = request.scope.get("state", {}).get("access_log")
    if isinstance(seen, _Seen):
        seen.route = route_template(request)


class AccessLog:
    """ASGI middleware writing ``METHOD route status duration`` per request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        seen = _Seen()
        state = dict(scope.get("state") or {})
        state["access_log"] = seen
        scope = dict(scope)
        scope["state"] = state
        status = 500
        began = time.perf_counter()

        async def note_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, note_status)
        finally:
            log.info(
                "%s %s %d %.1fms",
                scope["method"],
                seen.route or "(no route)",
                status,
                (time.perf_counter() - began) * 1000,
            )
