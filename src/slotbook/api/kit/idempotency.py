"""``Idempotency-Key`` on every write: a retried request gets the first answer, not a second effect.

The same key with the same request within 24 hours returns the stored answer (with
``Idempotent-Replayed: true``); with another request it is 422. Concurrent requests with one
key wait for the first and get its answer. Records live in the database, so every server
process shares them.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import time
from collections.abc import Callable

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from slotbook.api.kit.errors import WRITE_METHODS, ErrorRenderer
from slotbook.api.kit.http import MAX_BODY_BYTES
from slotbook.services import idempotency
from slotbook.services.context import Slotbook

_KEY = re.compile(r"[\x21-\x7e]{1,255}")
# Answers that say the request never really ran: a retry must be able to run it.
_NOT_KEPT = {401, 403, 408, 429}
WAIT_SECONDS = 60.0

SurfaceOf = Callable[[str], tuple[str, ErrorRenderer, str] | None]
"""Path -> (mount prefix, error renderer, code of malformed input) of its surface, or None."""


class Idempotency:
    """ASGI middleware applying ``Idempotency-Key`` to the writes of every surface."""

    def __init__(self, app: ASGIApp, slotbook: Slotbook, surface_of: SurfaceOf) -> None:
        self.app = app
        self.slotbook = slotbook
        self.surface_of = surface_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in WRITE_METHODS:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        key = headers.get("idempotency-key")
        surface = self.surface_of(scope["path"])
        if key is None or surface is None:
            await self.app(scope, receive, send)
            return
        prefix, render, bad_input = surface
        if not _KEY.fullmatch(key):
            await render(
                400, bad_input, "Idempotency-Key must be 1 to 255 visible ASCII characters"
            )(scope, receive, send)
            return
        body = await _read_body(receive)
        if body is None:
            await render(413, "too_large", "Request body is too large")(scope, receive, send)
            return
        caller = _digest(prefix, headers.get("x-tenant-id", ""), _credential(headers))
        fingerprint = _digest(
            scope["method"], scope["path"], scope.get("query_string", b"").decode("latin-1"), body
        )
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            found = await run_in_threadpool(
                idempotency.claim, self.slotbook, caller, key, fingerprint
            )
            if found is None:
                await self._first(scope, receive, send, body, caller, key)
                return
            if found.fingerprint != fingerprint:
                message = "This Idempotency-Key was already used for another request"
                await render(422, "idempotency_key_reused", message)(scope, receive, send)
                return
            if found.status is not None:
                replay = Response(found.body, status_code=found.status)
                replay.raw_headers = [
                    (k.encode("latin-1"), v.encode("latin-1")) for k, v in found.headers
                ] + [(b"idempotent-replayed", b"true")]
                await replay(scope, receive, send)
                return
            if time.monotonic() > deadline:
                message = "A request with this Idempotency-Key is still running; retry later"
                await render(409, "idempotency_key_in_use", message)(scope, receive, send)
                return
            await asyncio.sleep(0.05)

    async def _first(
        self, scope: Scope, receive: Receive, send: Send, body: bytes, caller: str, key: str
    ) -> None:
        """Run the request, keep its answer (or drop the claim), then send the answer."""
        delivered = False

        async def replay_body() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        messages: list[Message] = []

        async def capture(message: Message) -> None:
            messages.append(message)

        try:
            await self.app(scope, replay_body, capture)
        except BaseException:
            await run_in_threadpool(idempotency.release, self.slotbook, caller, key)
            raise
        start = next((m for m in messages if m["type"] == "http.response.start"), None)
        status = int(start["status"]) if start is not None else 500
        if status < 500 and status not in _NOT_KEPT and start is not None:
            kept = [
                (k.decode("latin-1"), v.decode("latin-1"))
                for k, v in start.get("headers", [])
                if k.lower() != b"content-length"
            ]
            content = b"".join(
                m.get("body", b"") for m in messages if m["type"] == "http.response.body"
            )
            await run_in_threadpool(
                idempotency.keep, self.slotbook, caller, key, status, kept, content
            )
        else:
            await run_in_threadpool(idempotency.release, self.slotbook, caller, key)
        for message in messages:
            await send(message)


async def _read_body(receive: Receive) -> bytes | None:
    """The whole request body; None when it is larger than any surface accepts."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _credential(headers: Headers) -> str:
    key = headers.get("x-api-key")
    if key:
        return key.strip()
    return headers.get("authorization", "").strip()


def _digest(*parts: str | bytes) -> str:
    sha = hashlib.sha256()
    for part in parts:
        sha.update(part if isinstance(part, bytes) else part.encode("utf-8"))
        sha.update(b"\x00")
    return sha.hexdigest()
