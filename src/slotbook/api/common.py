"""Pieces every surface uses: JSON in and out, errors in the surface's own format, keys."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from typing import Any, TypeVar
from urllib.parse import quote, unquote

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from slotbook.domain.errors import DomainError
from slotbook.services.context import Slotbook
from slotbook.services.ports import TransientConflict

M = TypeVar("M", bound=BaseModel)

MAX_BODY_BYTES = 1_000_000


class JSON(Response):
    """JSON response rendered by orjson."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        """Serialise with orjson (non-str keys allowed)."""
        return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS)


class BadInput(Exception):
    """Malformed or unacceptable client input; always a 4xx naming the problem."""

    def __init__(
        self, message: str, *, field: str | None = None, status: int = 400, code: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status
        self.code = code


ErrorRenderer = Callable[[int, str, str], Response]
"""(HTTP status, surface error code, message) -> response in the surface's format."""


def install_error_handlers(
    app: FastAPI,
    render: ErrorRenderer,
    classify: Callable[[DomainError], tuple[int, str]],
    *,
    bad_input_code: str = "bad_request",
    not_found_code: str = "not_found",
) -> None:
    """Make every error of ``app`` come out in one surface's format; never a bare 500."""

    async def on_bad_input(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, BadInput)
        return render(exc.status, exc.code or bad_input_code, exc.message)

    async def on_domain(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, DomainError)
        status, code = classify(exc)
        return render(status, code, exc.message)

    async def on_validation(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return render(400, bad_input_code, describe_errors(exc.errors()))

    async def on_http(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code == 404:
            return render(404, not_found_code, "No such endpoint")
        if exc.status_code == 405:
            return render(405, "method_not_allowed", "Method not allowed on this endpoint")
        return render(exc.status_code, bad_input_code, str(exc.detail))

    async def on_unstorable(_request: Request, _exc: Exception) -> Response:
        # Input the database cannot hold (e.g. a NUL character in a path id on PostgreSQL).
        return render(400, bad_input_code, "The request contains characters that are not allowed")

    async def on_busy(_request: Request, _exc: Exception) -> Response:
        return render(503, "busy", "The server is busy with other bookings; please try again")

    async def on_disconnect(_request: Request, _exc: Exception) -> Response:
        # The client hung up before its body arrived: nobody reads this, but handling it
        # here keeps a traceback out of the server log.
        return render(400, bad_input_code, "The request body ended before its Content-Length")

    async def on_unexpected(_request: Request, _exc: Exception) -> Response:
        return render(500, "internal_error", "Internal server error")

    app.add_exception_handler(BadInput, on_bad_input)
    app.add_exception_handler(DomainError, on_domain)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(DataError, on_unstorable)
    app.add_exception_handler(ClientDisconnect, on_disconnect)
    app.add_exception_handler(TransientConflict, on_busy)
    app.add_exception_handler(Exception, on_unexpected)


def describe_errors(errors: Any) -> str:
    """One readable sentence from pydantic/FastAPI errors, naming the fields."""
    parts = []
    for err in list(errors)[:5]:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "header")]
        field = ".".join(loc) or "request"
        message = err.get("msg", "is invalid")
        if err.get("type") == "extra_forbidden":
            message = "unknown field"
        elif err.get("type") == "missing":
            message = "is required"
        parts.append(f"{field}: {message}")
    return "; ".join(parts) or "Invalid request"


async def json_body(request: Request) -> Any:
    """The request body as JSON (None when empty); BadInput when it is not JSON."""
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        raise BadInput("Request body is too large", status=413, code="too_large")
    if not raw.strip():
        return None
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise BadInput(
            f"Request body is not valid JSON ({exc.msg} at position {exc.pos})"
        ) from None
    if _has_nul(data):
        raise BadInput("Request body contains a NUL character, which is not allowed")
    return data


def _has_nul(value: Any) -> bool:
    """True when any string (or key) in decoded JSON holds a NUL character."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def parse_model(model: type[M], data: Any, *, where: str = "") -> M:
    """Validate data against a pydantic model; BadInput naming the fields otherwise."""
    try:
        return model.model_validate(data if data is not None else {})
    except ValidationError as exc:
        message = describe_errors(exc.errors())
        raise BadInput(f"{where}{message}" if where else message) from None


def slotbook_of(request: Request) -> Slotbook:
    """The application a surface app was created for."""
    app: Slotbook = request.app.state.slotbook
    return app


def credential(request: Request) -> str | None:
    """The presented API key or bearer token (``X-API-KEY`` or ``Authorization: Bearer``)."""
    key = request.headers.get("x-api-key")
    if key:
        return key.strip()
    auth = request.headers.get("authorization", "")
    scheme, _, value = auth.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


LOCALES = ("en_US", "en_UK", "fr_FR", "nl_NL", "de_DE", "it_IT", "es_ES")
_BY_LOWER = {locale.lower(): locale for locale in LOCALES}
# Common spellings of the same languages that the manual's list names differently.
_ALIASES = {"en_gb": "en_UK"}


def resolve_locale(header: str | None, default_locale: str) -> str:
    """The manual's locale for an ``Accept-Language`` value; the tenant default otherwise.

    Case and separator do not matter (``nl-NL``, ``NL_nl``); a bare language (``nl``) or a
    regional variant (``nl-BE``) picks that language's locale; a browser-style list is tried
    in order of preference.
    """
    if not header:
        return default_locale
    candidates: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().lower().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        candidates.append((-weight, position, tag.strip().replace("-", "_").lower()))
    for _, _, tag in sorted(candidates):
        found = _BY_LOWER.get(tag) or _ALIASES.get(tag)
        if found is None:
            language = tag.split("_", 1)[0]
            found = next((lc for lc in LOCALES if lc.lower().startswith(language + "_")), None)
        if found is not None:
            return found
    return default_locale


_MATRIX_PREFIXES = ("/calendar-backend/",)


class PathNormalizer:
    """Accept a trailing slash everywhere, and matrix parameters (``;name=value``) on paths.

    Matrix parameters are removed from the path and kept in ``request.state.matrix`` (a
    mapping of name to list of values) for the surfaces that read them. The roots of mounted
    apps (``mounts``) keep their slash: a mount redirects its bare root to it.
    """

    def __init__(self, app: ASGIApp, mounts: Collection[str] = ()) -> None:
        self.app = app
        self.mounts = frozenset(m.rstrip("/") for m in mounts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path: str = scope["path"]
            raw = scope.get("raw_path")
            matrix: dict[str, list[str]] = {}
            if ";" in path and path.startswith(_MATRIX_PREFIXES):
                # Split the path as sent: an encoded ``%3B`` is data, not a separator.
                sent = raw.decode("latin-1") if isinstance(raw, bytes) else quote(path, "/;=")
                segments = []
                for segment in sent.split("/"):
                    name, *params = segment.split(";")
                    segments.append(unquote(name))
                    for param in params:
                        key, _, value = param.partition("=")
                        if key:
                            matrix.setdefault(unquote(key), []).append(unquote(value))
                path = "/".join(segments)
            if len(path) > 1 and path.endswith("/") and path.rstrip("/") not in self.mounts:
                path = path.rstrip("/") or "/"
            if path != scope["path"] or matrix:
                scope = dict(scope)
                scope["path"] = path
                scope["raw_path"] = quote(path).encode("ascii")
                state = dict(scope.get("state") or {})
                state["matrix"] = matrix
                scope["state"] = state
        await self.app(scope, receive, send)


def matrix_params(request: Request) -> Mapping[str, list[str]]:
    """Matrix parameters of the request path (see PathNormalizer)."""
    found = getattr(request.state, "matrix", None)
    return found if isinstance(found, dict) else {}


_ASCII = re.compile(r"[^\x20-\x7e]")


def header_safe(text: str) -> str:
    """A message that can travel in an HTTP header."""
    return _ASCII.sub("?", text)[:500]
