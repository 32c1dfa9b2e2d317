"""The webhook channel against a real HTTP receiver on 127.0.0.1."""

from __future__ import annotations

import base64
import os
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import orjson
import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from slotbook.notifications.errors import DeliveryError
from slotbook.notifications.payload import (
    BOOKED,
    CANCELLED,
    REMINDER,
    RESCHEDULED,
    WEBHOOK_EVENTS,
    EventPayload,
)
from slotbook.notifications.webhooks import (
    check_secret,
    post_webhook,
    subscribed,
    webhook_client,
)
from tests.notifications.payloads import sample_event
from tests.notifications.servers import Receiver, running_receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as running:
        yield running


def new_secret() -> str:
    return "whsec_" + base64.b64encode(os.urandom(32)).decode()


def rescheduled() -> EventPayload:
    previous = {"start": "2026-11-28T13:00:00Z", "end": "2026-11-28T13:30:00Z"}
    return sample_event(RESCHEDULED, language="nl", previous=previous)


def deliver(
    receiver: Receiver, secret: str, *, timeout: float = 10.0, at: datetime | None = None
) -> None:
    with webhook_client(timeout) as client:
        post_webhook(
            client,
            url=receiver.url,
            secret=secret,
            message_id="msg_2Wc1kH8q",
            payload=rescheduled(),
            timestamp=at or datetime.now(UTC),
        )


def test_signed_webhook_verifies_at_the_receiver(receiver: Receiver) -> None:
    secret = new_secret()
    deliver(receiver, secret)
    [request] = receiver.requests
    assert request.path == "/hooks"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["user-agent"] == "Slotbook-Webhooks/1"
    assert request.headers["webhook-id"] == "msg_2Wc1kH8q"
    assert request.headers["webhook-signature"].startswith("v1,")
    assert Webhook(secret).verify(request.body, request.headers) == rescheduled()
    assert orjson.loads(request.body) == rescheduled()
    assert request.body == orjson.dumps(rescheduled())  # compact JSON


def test_wrong_secret_does_not_verify(receiver: Receiver) -> None:
    deliver(receiver, new_secret())
    [request] = receiver.requests
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(request.body, request.headers)


def test_timestamp_in_another_zone_is_signed_as_its_instant(receiver: Receiver) -> None:
    # The library replaces a datetime's zone instead of converting it; this checks we convert.
    secret = new_secret()
    now = datetime.now(ZoneInfo("America/New_York"))
    deliver(receiver, secret, at=now)
    [request] = receiver.requests
    assert request.headers["webhook-timestamp"] == str(int(now.timestamp()))
    assert Webhook(secret).verify(request.body, request.headers) == rescheduled()


def test_naive_timestamp_is_refused(receiver: Receiver) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        deliver(receiver, new_secret(), at=datetime(2026, 12, 1, 9, 0))
    assert receiver.requests == []


@pytest.mark.parametrize("status", [200, 201, 202, 204])
def test_any_2xx_is_delivered(receiver: Receiver, status: int) -> None:
    receiver.status = status
    deliver(receiver, new_secret())
    assert len(receiver.requests) == 1


@pytest.mark.parametrize("status", [500, 502, 503, 429, 408])
def test_retryable_statuses_are_not_permanent(receiver: Receiver, status: int) -> None:
    receiver.status = status
    with pytest.raises(DeliveryError) as raised:
        deliver(receiver, new_secret())
    assert not raised.value.permanent
    assert raised.value.reason == f"receiver answered {status}"


@pytest.mark.parametrize("status", [400, 401, 404, 410, 422])
def test_refusals_are_permanent(receiver: Receiver, status: int) -> None:
    receiver.status = status
    with pytest.raises(DeliveryError) as raised:
        deliver(receiver, new_secret())
    assert raised.value.permanent
    assert raised.value.reason == f"receiver answered {status}"


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_redirect_is_not_followed_and_permanent(receiver: Receiver, status: int) -> None:
    receiver.status = status
    receiver.location = receiver.url + "/elsewhere"
    with pytest.raises(DeliveryError) as raised:
        deliver(receiver, new_secret())
    assert raised.value.permanent
    assert "redirect" in raised.value.reason
    assert [r.path for r in receiver.requests] == ["/hooks"]


def test_hanging_receiver_times_out_not_permanent(receiver: Receiver) -> None:
    receiver.hang = True
    with pytest.raises(DeliveryError) as raised:
        deliver(receiver, new_secret(), timeout=1)
    assert not raised.value.permanent
    assert raised.value.reason == "timed out after 1 s"


def test_refused_connection_is_not_permanent() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Nothing listens on the port now.
    with pytest.raises(DeliveryError) as raised, webhook_client(2) as client:
        post_webhook(
            client,
            url=f"http://127.0.0.1:{port}/hooks",
            secret=new_secret(),
            message_id="msg_1",
            payload=rescheduled(),
            timestamp=datetime.now(UTC),
        )
    assert not raised.value.permanent
    assert raised.value.reason == "could not connect to the receiver"


def test_unusable_url_is_permanent() -> None:
    with pytest.raises(DeliveryError) as raised, webhook_client(2) as client:
        post_webhook(
            client,
            url="ftp://127.0.0.1/hooks",
            secret=new_secret(),
            message_id="msg_1",
            payload=rescheduled(),
            timestamp=datetime.now(UTC),
        )
    assert raised.value.permanent
    assert raised.value.reason == "the receiver URL is not usable"


def test_invalid_secret_at_delivery_is_permanent(receiver: Receiver) -> None:
    with pytest.raises(DeliveryError) as raised:
        deliver(receiver, "whsec_!!")
    assert raised.value.permanent
    assert receiver.requests == []


def test_check_secret_accepts_a_generated_secret() -> None:
    check_secret(new_secret())
    check_secret("whsec_" + base64.b64encode(os.urandom(24)).decode())
    check_secret("whsec_" + base64.b64encode(os.urandom(64)).decode())
    # Unpadded base64 is accepted too (as the standardwebhooks library does).
    check_secret("whsec_" + base64.b64encode(os.urandom(32)).decode().rstrip("="))


@pytest.mark.parametrize(
    ("secret", "message"),
    [
        ("abc", 'starts with "whsec_"'),
        ("", 'starts with "whsec_"'),
        ("whsec_!!", "not valid base64"),
        ("whsec_", "0 bytes"),
        ("whsec_" + base64.b64encode(bytes(16)).decode(), "16 bytes; it must be 24–64"),
        ("whsec_" + base64.b64encode(bytes(65)).decode(), "65 bytes"),
    ],
    # Fixed ids: xdist needs every worker to collect the same names.
    ids=["no-prefix", "empty", "not-base64", "no-key", "too-short", "too-long"],
)
def test_check_secret_refuses(secret: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as raised:
        check_secret(secret)
    if len(secret) > 8:
        assert secret[6:] not in str(raised.value)


def test_subscribed_with_star_and_with_a_list() -> None:
    assert all(subscribed(["*"], event) for event in WEBHOOK_EVENTS)
    assert not subscribed(["*"], REMINDER)
    assert not subscribed(["*"], "appointment.unknown")
    assert subscribed([BOOKED, CANCELLED], CANCELLED)
    assert not subscribed([BOOKED, CANCELLED], RESCHEDULED)
    assert not subscribed([REMINDER], REMINDER)
    assert not subscribed([], BOOKED)
