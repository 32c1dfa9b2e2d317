"""``POST /connect/token``: OAuth 2 client credentials (tenant id + API key) -> bearer token."""

from __future__ import annotations

import base64
from typing import Annotated, Any
from urllib.parse import parse_qsl, unquote_plus

import orjson
from fastapi import Depends, FastAPI, Request
from starlette.responses import Response

from slotbook.api.kit.docs import new_surface
from slotbook.api.kit.errors import BadInput, ErrorTable, install_error_handlers
from slotbook.api.kit.http import JSON
from slotbook.api.onsched.openapi import errors
from slotbook.api.onsched.views import OAuthError, TokenViewModel
from slotbook.domain.errors import AuthenticationRequired, NotFound
from slotbook.services.access import issue_token
from slotbook.services.context import Slotbook

MAX_FORM_BYTES = 10_000
MAX_FIELDS = 20
_FIELDS = ("grant_type", "client_id", "client_secret", "scope")


def render_oauth_error(status: int, code: str, message: str) -> Response:
    """RFC 6749 error body (``error``, ``error_description``), plus the surface's ``message``."""
    headers = {"Cache-Control": "no-store"}
    if status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="connect"'
    return JSON(
        {"error": code, "error_description": message, "message": message},
        status_code=status,
        headers=headers,
    )


# Bad credentials are ``invalid_client``; anything else is a malformed request.
OAUTH_TABLE = ErrorTable(
    {AuthenticationRequired: (401, "invalid_client"), NotFound: (401, "invalid_client")},
    default=(400, "invalid_request"),
)


async def token_form(request: Request) -> dict[str, str]:
    """The token request's fields: a urlencoded form (or JSON object), plus HTTP Basic."""
    raw = await request.body()
    if len(raw) > MAX_FORM_BYTES:
        raise BadInput("The token request is too large", status=413, code="invalid_request")
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    fields: dict[str, str] = {}
    if kind == "application/json":
        fields = _json_fields(raw)
    elif kind in ("", "application/x-www-form-urlencoded"):
        try:
            pairs = parse_qsl(
                raw.decode("utf-8"),
                keep_blank_values=True,
                max_num_fields=MAX_FIELDS,
                errors="strict",
            )
        except (UnicodeDecodeError, ValueError):
            raise BadInput("The token request is not a valid urlencoded form") from None
        fields = {name: value for name, value in pairs if name in _FIELDS}
    else:
        raise BadInput("Send the token request as application/x-www-form-urlencoded")
    fields.update(_basic_credentials(request))
    return fields


def _json_fields(raw: bytes) -> dict[str, str]:
    try:
        data: Any = orjson.loads(raw) if raw.strip() else {}
    except orjson.JSONDecodeError:
        raise BadInput("The token request is not valid JSON") from None
    if not isinstance(data, dict):
        raise BadInput("The token request must be a JSON object")
    fields = {}
    for name in _FIELDS:
        value = data.get(name)
        if value is not None and not isinstance(value, str):
            raise BadInput(f"{name} must be a string")
        if value is not None:
            fields[name] = value
    return fields


def _basic_credentials(request: Request) -> dict[str, str]:
    """``Authorization: Basic`` client credentials (RFC 6749 §2.3.1), when sent."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return {}
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except ValueError:  # binascii.Error, UnicodeDecodeError, or non-ASCII input
        raise BadInput("The Basic authorization header is malformed") from None
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        raise BadInput("The Basic authorization header is malformed")
    return {"client_id": unquote_plus(client_id), "client_secret": unquote_plus(secret)}


FormDep = Annotated[dict[str, str], Depends(token_form)]

# --- the document ---------------------------------------------------------------------------

_FORM: dict[str, Any] = {
    "type": "object",
    "properties": {
        "grant_type": {"type": "string", "enum": ["client_credentials"]},
        "client_id": {"type": "string", "maxLength": 100, "description": "The tenant id"},
        "client_secret": {
            "type": "string",
            "maxLength": 500,
            "description": "One of the tenant's API keys",
        },
        "scope": {"type": "string", "description": "Ignored"},
    },
    "required": ["grant_type"],
    "description": "client_id and client_secret here, or as HTTP Basic credentials",
}
_NO_STORE = {"Cache-Control": {"required": True, "schema": {"type": "string"}}}
_TOKEN_ERRORS = {
    400: "invalid_request (missing or malformed fields) or unsupported_grant_type",
    401: "invalid_client: unknown tenant or key",
    409: "idempotency_key_in_use",
    413: "invalid_request: the form is too large",
    422: "idempotency_key_reused",
    503: "busy: the server is busy; try again",
}
_TOKEN_HEADERS: dict[int, dict[str, Any]] = {
    400: _NO_STORE,
    401: {**_NO_STORE, "WWW-Authenticate": {"required": True, "schema": {"type": "string"}}},
    413: _NO_STORE,
}
_OPERATION: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {"schema": _FORM},
            "application/json": {"schema": _FORM},
        },
    },
    "parameters": [
        {
            "name": "Idempotency-Key",
            "in": "header",
            "required": False,
            "schema": {"type": "string", "pattern": "^[!-~]{1,255}$"},
        }
    ],
    "security": [{}, {"clientSecretBasic": []}],
}


def _field(form: dict[str, str], name: str, limit: int) -> str:
    value = form.get(name, "").strip()
    if not value:
        raise BadInput(f"{name} is required")
    if len(value) > limit or not value.isprintable():
        raise BadInput(f"{name} is not valid")
    return value


def create_token_app(slotbook: Slotbook) -> FastAPI:
    """The ``/connect`` app."""
    # The client may send its credentials as HTTP Basic (RFC 6749 section 2.3.1).
    app = new_surface(
        "OnSched token exchange",
        slotbook,
        schemes={"clientSecretBasic": {"type": "http", "scheme": "basic"}},
    )
    install_error_handlers(
        app,
        render_oauth_error,
        OAUTH_TABLE,
        bad_input_code="invalid_request",
        not_found_code="not_found",
    )

    @app.post(
        "/token",
        response_model=TokenViewModel,
        responses={
            200: {"headers": _NO_STORE},
            **errors(tuple(_TOKEN_ERRORS), OAuthError, _TOKEN_ERRORS, _TOKEN_HEADERS),
        },
        openapi_extra=_OPERATION,
    )
    def token(form: FormDep) -> JSON:
        """Exchange a tenant's API key for a bearer token."""
        grant = form.get("grant_type", "").strip()
        if grant != "client_credentials":
            if not grant:
                raise BadInput("grant_type is required")
            raise BadInput(
                "Only grant_type=client_credentials is supported", code="unsupported_grant_type"
            )
        tenant = _field(form, "client_id", 100)
        secret = _field(form, "client_secret", 500)
        issued = issue_token(slotbook, tenant_key=tenant, key=secret)
        return JSON(
            {
                "access_token": issued.token,
                "token_type": "Bearer",
                "expires_in": int(issued.lifetime.total_seconds()),
            },
            headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
        )

    return app
