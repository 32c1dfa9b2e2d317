"""What a request's handling tells the request line and the metrics (no imports of ours, so
the error handlers, the pages and the request line can all use it)."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from fastapi import Request


@dataclass(slots=True)
class Seen:
    """What a request's handling tells the request line: route, tenant, refusal."""

    surface: str = "server"
    route: str | None = None
    state: dict[str, Any] | None = None  # the answering app's request state
    tenant: str | None = None
    refusal: str | None = None  # the core error's class name, e.g. SlotTaken

    def tenant_key(self) -> str | None:
        """The tenant the request acted for, when it is known."""
        if self.tenant is None and self.state is not None:
            access = self.state.get("access")
            catalog = getattr(access, "catalog", None)
            key = getattr(catalog, "key", None)
            if isinstance(key, str):
                self.tenant = key
        return self.tenant


# The request being answered in this context, for what its handling counts (the metrics).
current_request: ContextVar[Seen | None] = ContextVar("slotbook_request", default=None)


def seen(request: Request) -> Seen | None:
    """The request line's notes for this request (None outside the middleware)."""
    found = request.scope.get("state", {}).get("access_log")
    return found if isinstance(found, Seen) else None


def note_refusal(request: Request, error: Exception) -> None:
    """Tell the request line (and the metrics) which core error refused the request."""
    notes = seen(request)
    if notes is not None:
        notes.refusal = type(error).__name__
