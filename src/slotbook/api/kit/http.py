"""JSON in and out, the same on every surface."""

from __future__ import annotations

import re
from typing import Any, TypeVar

import orjson
from fastapi import Request
from pydantic import BaseModel, ValidationError
from starlette.responses import JSONResponse

from slotbook.api.kit.errors import BadInput, describe_errors
from slotbook.services.context import Slotbook

M = TypeVar("M", bound=BaseModel)

MAX_BODY_BYTES = 1_000_000


class JSON(JSONResponse):
    """JSON response rendered by orjson (a JSONResponse, so documents show its schema)."""

    def render(self, content: Any) -> bytes:
        """Serialise with orjson (non-str keys allowed)."""
        return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS)


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


_ASCII = re.compile(r"[^\x20-\x7e]")


def header_safe(text: str) -> str:
    """A message that can travel in an HTTP header."""
    return _ASCII.sub("?", text)[:500]
