"""Structured logs: one line per request, without personal data.

Paths and query strings can carry names, e-mail addresses or citizen numbers (a customer's
``externalId``, a search by ``email``), so the line names the route as declared
(``/v1/customers/externalId/{external_id}/appointments``), never the path as sent; no
header, body or client address is written either. Every line of a request (also those of
the code it calls) carries its request id: the client's ``X-Request-ID`` when it is a plain
token, else one made here; the response echoes it.

Standard library logging with two small formatters (text or JSON) rather than structlog:
uvicorn and every module of ours already log through it, so one handler formats them all
alike without a bridge or another dependency.
"""

from __future__ import annotations

import logging
import random
import re
import sys
import time
from collections.abc import Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import orjson
from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from slotbook.api.kit.access import route_template
from slotbook.api.kit.notes import Seen, current_request, seen

log = logging.getLogger("slotbook.access")
request_id: ContextVar[str | None] = ContextVar("slotbook_request_id", default=None)
# Letters, digits and . _ : - only: room for UUIDs and trace ids, none for an e-mail address
# or a name with a space, and nothing that could break a log line.
_SANE_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
_HANDLER_NAME = "slotbook"
LEVELS = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warning": logging.WARNING,
    "error": logging.ERROR,
}
# Standard LogRecord attributes (and uvicorn's coloured copy of its message): everything else
# on a record was passed as ``extra``.
_RECORD_FIELDS = frozenset(vars(logging.makeLogRecord({}))) | {
    "message",
    "asctime",
    "color_message",
}


def _instant(created: float) -> str:
    moment = datetime.fromtimestamp(created, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _extra(record: logging.LogRecord) -> dict[str, Any]:
    found = {k: v for k, v in vars(record).items() if k not in _RECORD_FIELDS and k[0] != "_"}
    rid = request_id.get()
    if rid is not None and "request_id" not in found:
        found["request_id"] = rid
    return found


class TextFormatter(logging.Formatter):
    """``time LEVEL logger message key=value…``: one readable line."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of text."""
        line = f"{_instant(record.created)} {record.levelname} {record.name} {record.getMessage()}"
        said = getattr(record, "_in_message", ())
        fields = [f"{k}={v}" for k, v in _extra(record).items() if v is not None and k not in said]
        if fields:
            line += " " + " ".join(fields)
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ``time``, ``level``, ``logger``, ``message`` and the fields."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON."""
        data: dict[str, Any] = {
            "time": _instant(record.created),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            **_extra(record),
        }
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(data, default=str).decode()


def formatter(log_format: str) -> logging.Formatter:
    """The formatter for a ``log_format`` setting (``text`` or ``json``)."""
    return JsonFormatter() if log_format == "json" else TextFormatter()


def configure_logging(level: str = "info", log_format: str = "text") -> None:
    """Send Slotbook's own log lines (access, worker, housekeeping) to stderr, formatted as
    the settings say; calling it again replaces the earlier setup."""
    root = logging.getLogger("slotbook")
    for old in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(old)
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(formatter(log_format))
    root.addHandler(handler)
    root.setLevel(LEVELS.get(level, logging.INFO))
    root.propagate = False


def uvicorn_log_config(level: str, log_format: str) -> dict[str, Any]:
    """uvicorn's own lines (start, stop, errors) in the same format as ours."""
    factory = f"{__name__}.{'JsonFormatter' if log_format == 'json' else 'TextFormatter'}"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"slotbook": {"()": factory}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "slotbook",
                "stream": "ext://sys.stderr",
            }
        },
        "loggers": {
            "uvicorn": {"handlers": ["stderr"], "level": level.upper(), "propagate": False},
            "uvicorn.error": {"level": level.upper()},
            # Replaced by Slotbook's own request line (routes, not paths).
            "uvicorn.access": {"handlers": [], "level": "CRITICAL", "propagate": False},
        },
    }


async def note_route(request: Request) -> None:
    """App-wide dependency: tell the request line which route answered, and for which tenant
    (async: no thread hop for a few dictionary writes)."""
    notes = seen(request)
    if notes is not None:
        notes.route = route_template(request)
        notes.state = request.scope.setdefault("state", {})
        tenant = request.path_params.get("tenant")
        if isinstance(tenant, str):
            notes.tenant = tenant[:64]


@dataclass(frozen=True, slots=True)
class Finished:
    """One answered request, as the request line and the metrics see it."""

    method: str
    surface: str
    route: str
    status: int
    seconds: float
    tenant: str | None
    refusal: str | None


class RequestObserver(Protocol):
    """Something told of every answered request (the metrics)."""

    def observe(self, done: Finished) -> None:
        """Count one answered request."""
        ...


def _new_request_id() -> str:
    """32 hex digits. A correlation id, not a secret: taken from ``random``, which needs no
    system call per request as ``uuid4`` (``os.urandom``) does."""
    return f"{random.getrandbits(128):032x}"


class RequestLog:
    """ASGI middleware: request id in and out, one log line per request, metrics told.

    ``surfaces`` maps a path prefix to the surface's name (``/book`` -> ``page``); other
    paths belong to ``server``.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        surfaces: Mapping[str, str] | None = None,
        write_line: bool = True,
        observers: Sequence[RequestObserver] = (),
    ) -> None:
        self.app = app
        self.write_line = write_line
        self.observers = tuple(observers)
        # Longest prefix first, so /v1 never claims /v1x; exact or followed by a slash.
        self.surfaces = sorted((surfaces or {}).items(), key=lambda item: -len(item[0]))

    def surface_of(self, path: str) -> str:
        """The surface a path belongs to."""
        for prefix, name in self.surfaces:
            if path.startswith(prefix) and (len(path) == len(prefix) or path[len(prefix)] == "/"):
                return name
        return "server"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        began = time.perf_counter()
        given = _header(scope, b"x-request-id")
        rid = given if given is not None and _SANE_ID.fullmatch(given) else _new_request_id()
        notes = Seen(surface=self.surface_of(scope["path"]))
        token = request_id.set(rid)
        current = current_request.set(notes)
        state = dict(scope.get("state") or {})
        state["access_log"] = notes
        scope = dict(scope)
        scope["state"] = state
        status = 500
        echoed = (b"x-request-id", rid.encode("ascii"))

        async def answer(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message = dict(message)
                message["headers"] = [*message.get("headers", ()), echoed]
            await send(message)

        try:
            await self.app(scope, receive, answer)
        finally:
            done = Finished(
                method=scope["method"],
                surface=notes.surface,
                route=notes.route or "(no route)",
                status=status,
                seconds=time.perf_counter() - began,
                tenant=notes.tenant_key(),
                refusal=notes.refusal,
            )
            for observer in self.observers:
                observer.observe(done)
            if self.write_line and log.isEnabledFor(logging.INFO):
                _write(done, rid)
            request_id.reset(token)
            current_request.reset(current)


def _write(done: Finished, rid: str) -> None:
    log.info(
        "%s %s %d %.1fms",
        done.method,
        done.route,
        done.status,
        done.seconds * 1000,
        extra={
            "request_id": rid,
            "method": done.method,
            "route": done.route,
            "status": done.status,
            "duration_ms": round(done.seconds * 1000, 1),
            "surface": done.surface,
            "tenant": done.tenant or "-",
            **({"refusal": done.refusal} if done.refusal else {}),
            "_in_message": _IN_MESSAGE,  # the text format says these once, in the message
        },
    )


_IN_MESSAGE = frozenset({"method", "route", "status", "duration_ms"})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            try:
                return str(value.decode("ascii"))
            except UnicodeDecodeError:
                return None
    return None
