"""What keeps the page safe: signed links, CSRF tokens, strict headers, secure cookies."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Sequence

from itsdangerous import BadSignature, URLSafeSerializer
from starlette.requests import Request
from starlette.responses import Response

from slotbook.services.context import Slotbook

CSRF_COOKIE = "slotbook_csrf"
LANGUAGE_COOKIE = "slotbook_lang"
_SECRET = "booking-page"
# What a signed token is for: a hold being filled in, an appointment's manage link, or a
# waitlist offer to confirm.
HOLD, MANAGE, OFFER = "hold", "manage", "offer"


def _signer(app: Slotbook, purpose: str) -> URLSafeSerializer:
    return URLSafeSerializer(app.secret(_SECRET), salt=f"slotbook.{purpose}")


def sign(app: Slotbook, purpose: str, value: str) -> str:
    """An unguessable, unforgeable token for a value (a hold, an appointment) and a purpose."""
    return str(_signer(app, purpose).dumps(value))


def unsign(app: Slotbook, purpose: str, token: str) -> str | None:
    """The value of a token made by ``sign`` for the same purpose; None when it is not one."""
    try:
        value = _signer(app, purpose).loads(token)
    except BadSignature:
        return None
    return value if isinstance(value, str) else None


def csrf_token(request: Request) -> str:
    """The request's CSRF token: the cookie's, or a new one (set by ``secure``)."""
    found = request.cookies.get(CSRF_COOKIE, "")
    if len(found) == 43:
        return found
    made: str = getattr(request.state, "csrf", "") or secrets.token_urlsafe(32)
    request.state.csrf = made
    return made


def csrf_ok(request: Request, sent: str | None) -> bool:
    """True when a form carries the token of the browser's cookie (double submit)."""
    cookie = request.cookies.get(CSRF_COOKIE, "")
    return bool(cookie) and sent is not None and hmac.compare_digest(cookie, sent)


def secure(
    request: Request,
    response: Response,
    *,
    frame_ancestors: Sequence[str] = (),
    images: Sequence[str] = (),
) -> Response:
    """Strict headers on every page; the CSRF cookie when the page made a new token.

    ``frame_ancestors``: the origins that may show the page in a frame (none by default);
    ``images``: origins of images besides our own (the tenant's logo).
    """
    ancestors = " ".join(frame_ancestors) or "'none'"
    pictures = " ".join(["'self'", *images])
    response.headers["Content-Security-Policy"] = (
        f"default-src 'none'; script-src 'self'; style-src 'self'; img-src {pictures}; "
        "connect-src 'self'; "
        f"form-action 'self'; base-uri 'none'; frame-ancestors {ancestors}"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    if not frame_ancestors:
        response.headers["X-Frame-Options"] = "DENY"
    made = getattr(request.state, "csrf", None)
    if made:
        response.set_cookie(
            CSRF_COOKIE,
            made,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
            path="/book",
        )
    return response
