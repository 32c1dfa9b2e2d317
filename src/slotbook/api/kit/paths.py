"""Paths as clients send them: trailing slashes and matrix parameters."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from urllib.parse import quote, unquote

from fastapi import Request
from starlette.types import ASGIApp, Receive, Scope, Send

_MATRIX_PREFIXES = ("/calendar-backend/", "/appointment/")


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
