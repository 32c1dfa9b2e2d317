"""The webhook channel: one signed POST per message, as Standard Webhooks describes.

The body is the message's ``EventPayload`` as compact JSON; the ``webhook-id``,
``webhook-timestamp`` and ``webhook-signature`` headers let the receiver check it with any
Standard Webhooks library. ``docs/webhooks.md`` is the receivers' side of this module.
"""

from __future__ import annotations

import base64
import binascii
import math
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

import httpx2
import orjson
from standardwebhooks import Webhook

from slotbook.notifications.errors import DeliveryError
from slotbook.notifications.payload import WEBHOOK_EVENTS, EventPayload

SECRET_PREFIX = "whsec_"
SECRET_BYTES = (24, 64)
USER_AGENT = "Slotbook-Webhooks/1"
DEFAULT_TIMEOUT = 10.0
# Not retried: the request itself is wrong for this receiver (except 408 and 429, which ask
# to come back later). A 3xx is here too: redirects are not followed, so a receiver URL that
# redirects is misconfigured and retrying cannot help until the catalog is fixed.
_RETRIED_4XX = frozenset({408, 429})


def check_secret(secret: str) -> None:
    """Raise ValueError unless ``secret`` is ``whsec_`` + base64 of 24–64 bytes."""
    # The messages never repeat the secret: they end up in logs and catalog check output.
    if not secret.startswith(SECRET_PREFIX):
        raise ValueError(
            f'a webhook secret starts with "{SECRET_PREFIX}" followed by base64 of '
            f"{SECRET_BYTES[0]}–{SECRET_BYTES[1]} random bytes"
        )
    encoded = secret.removeprefix(SECRET_PREFIX)
    try:
        # Padding is optional in the wild (the standardwebhooks library adds it), so add it.
        key = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
    except binascii.Error:
        raise ValueError(
            f'the part of the webhook secret after "{SECRET_PREFIX}" is not valid base64'
        ) from None
    if not SECRET_BYTES[0] <= len(key) <= SECRET_BYTES[1]:
        raise ValueError(
            f"the webhook secret's key is {len(key)} bytes; it must be "
            f"{SECRET_BYTES[0]}–{SECRET_BYTES[1]} (generate 32 random bytes)"
        )


def subscribed(events: Sequence[str], event_type: str) -> bool:
    """Whether a webhook subscribed to ``events`` (``"*"``: all) gets ``event_type``."""
    # Reminders and any future customer-only type never go to webhooks, even with "*".
    if event_type not in WEBHOOK_EVENTS:
        return False
    return "*" in events or event_type in events


def webhook_client(timeout: float = DEFAULT_TIMEOUT) -> httpx2.Client:
    """An HTTP client for webhooks and SMS gateways: ``timeout`` seconds, no redirects."""
    return httpx2.Client(timeout=timeout, follow_redirects=False)


def post_webhook(
    client: httpx2.Client,
    *,
    url: str,
    secret: str,
    message_id: str,
    payload: EventPayload,
    timestamp: datetime,
) -> None:
    """POST the payload signed with ``secret``; raise DeliveryError unless the answer is 2xx.

    ``message_id`` must be the same on every attempt (receivers de-duplicate on it);
    ``timestamp`` is when this attempt is made, not when the event happened: receivers refuse
    signatures more than 5 minutes off their clock. It must be timezone-aware.
    """
    if timestamp.tzinfo is None:
        raise ValueError("the webhook timestamp must be timezone-aware")
    # Whole seconds, and UTC before signing: the library replaces (not converts) the zone.
    seconds = math.floor(timestamp.timestamp())
    body = orjson.dumps(payload)
    try:
        check_secret(secret)  # the catalog checked it already; this keeps a bad one permanent
    except ValueError:
        raise DeliveryError("the webhook secret is invalid", permanent=True) from None
    signature = Webhook(secret).sign(
        message_id, datetime.fromtimestamp(seconds, UTC), body.decode()
    )
    headers = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": message_id,
        "webhook-timestamp": str(seconds),
        "webhook-signature": signature,
    }
    post_once(client, url, body, headers, peer="receiver")


def post_once(
    client: httpx2.Client,
    url: str,
    body: bytes,
    headers: Mapping[str, str],
    *,
    peer: str,
) -> None:
    """POST ``body`` once, without redirects; raise DeliveryError unless the answer is 2xx.

    Reasons name ``peer`` and the status or failure, never the URL, body or headers (the
    URL may hold a token, the body personal data).
    """
    try:
        # Streamed and closed unread: the answer's body is never needed, however large.
        with client.stream(
            "POST", url, content=body, headers=headers, follow_redirects=False
        ) as response:
            status = response.status_code
    except httpx2.TimeoutException:
        raise DeliveryError(f"timed out after {_timeout_text(client)}") from None
    except httpx2.ConnectError:
        raise DeliveryError(f"could not connect to the {peer}") from None
    except (httpx2.UnsupportedProtocol, httpx2.InvalidURL):
        raise DeliveryError(f"the {peer} URL is not usable", permanent=True) from None
    except httpx2.HTTPError as error:
        raise DeliveryError(f"request to the {peer} failed ({type(error).__name__})") from None
    if 200 <= status < 300:
        return
    if 300 <= status < 400:
        raise DeliveryError(f"{peer} answered {status}, a redirect (not followed)", permanent=True)
    permanent = 400 <= status < 500 and status not in _RETRIED_4XX
    raise DeliveryError(f"{peer} answered {status}", permanent=permanent)


def _timeout_text(client: httpx2.Client) -> str:
    seconds = client.timeout.read or client.timeout.connect
    return f"{seconds:g} s" if seconds is not None else "the client's timeout"
