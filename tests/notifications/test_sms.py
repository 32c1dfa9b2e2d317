"""The SMS channel: texts from templates, and the gateway request against a real HTTP server."""

from __future__ import annotations

from collections.abc import Iterator

import orjson
import pytest

from slotbook.notifications.errors import DeliveryError
from slotbook.notifications.payload import REMINDER, EventPayload, Person
from slotbook.notifications.sms import (
    DEFAULT_TEXT_EN,
    DEFAULT_TEXT_NL,
    MAX_LENGTH,
    check_sms_template,
    send_sms,
    sms_text,
)
from slotbook.notifications.webhooks import webhook_client
from tests.notifications.payloads import sample_event
from tests.notifications.servers import Receiver, running_receiver

PHONE = "+31612345678"
MANAGE = "https://book.example.org/manage/6f1c2a"


@pytest.fixture
def gateway() -> Iterator[Receiver]:
    with running_receiver() as running:
        yield running


def reminder(language: str, start: str = "2026-12-01T08:00:00Z") -> EventPayload:
    sanne: Person = {"first_name": "Sanne", "last_name": "de Vries", "email": None, "phone": PHONE}
    return sample_event(
        REMINDER,
        language=language,
        start=start,
        branch="Town Hall",
        customer=sanne,
        minutes_before=1440,
    )


def send(gateway: Receiver, token: str | None, text: str = "Hello") -> None:
    with webhook_client() as client:
        send_sms(client, url=gateway.url, token=token, to=PHONE, text=text, message_id="msg_7")


def test_gateway_gets_json_with_token_and_idempotency_key(gateway: Receiver) -> None:
    send(gateway, "tok-123", "Reminder: Passport")
    [request] = gateway.requests
    assert orjson.loads(request.body) == {
        "to": PHONE,
        "text": "Reminder: Passport",
        "reference": "msg_7",
    }
    assert request.headers["authorization"] == "Bearer tok-123"
    assert request.headers["idempotency-key"] == "msg_7"
    assert request.headers["content-type"] == "application/json"


def test_no_token_sends_no_authorization(gateway: Receiver) -> None:
    send(gateway, None)
    [request] = gateway.requests
    assert "authorization" not in request.headers


@pytest.mark.parametrize(("status", "permanent"), [(500, False), (429, False), (401, True)])
def test_gateway_errors_are_classified_without_personal_data(
    gateway: Receiver, status: int, permanent: bool
) -> None:
    gateway.status = status
    with pytest.raises(DeliveryError) as raised:
        send(gateway, "tok-123", "Secret text")
    assert raised.value.permanent is permanent
    assert raised.value.reason == f"gateway answered {status}"
    assert PHONE not in raised.value.reason and "Secret" not in raised.value.reason


def test_hanging_gateway_times_out(gateway: Receiver) -> None:
    gateway.hang = True
    with pytest.raises(DeliveryError) as raised, webhook_client(1) as client:
        send_sms(client, url=gateway.url, token=None, to=PHONE, text="Hi", message_id="m")
    assert not raised.value.permanent
    assert raised.value.reason == "timed out after 1 s"


def test_english_default_text_uses_branch_local_date_and_time() -> None:
    text = sms_text(None, reminder("en"), manage_url=MANAGE)
    assert text == (
        "Reminder: Passport, ID card on Dec 1, 2026 at 9:00 AM, Town Hall. Ref 482913. "
        f"Change or cancel: {MANAGE}"
    )


def test_dutch_default_text_uses_branch_local_date_and_time() -> None:
    # 07:30 UTC in July is 09:30 summer time in Amsterdam.
    text = sms_text(None, reminder("nl", "2026-07-01T07:30:00Z"), manage_url=MANAGE)
    assert text == (
        "Herinnering: Passport, ID card op 1 jul 2026 om 09:30, Town Hall. Kenmerk 482913. "
        f"Wijzigen of annuleren: {MANAGE}"
    )


def test_default_text_without_manage_url_leaves_it_out() -> None:
    text = sms_text(None, reminder("en"), manage_url=None)
    assert text.endswith("Ref 482913.")
    assert "cancel" not in text


def test_unknown_language_falls_back_to_english() -> None:
    assert sms_text(None, reminder("de"), manage_url=None).startswith("Reminder:")


def test_custom_template_is_rendered() -> None:
    template = (
        "Hi {{ first_name }}, see you {{ date }} {{ time }} for {{ services }} ({{ reference }})"
    )
    assert sms_text(template, reminder("en"), manage_url=None) == (
        "Hi Sanne, see you Dec 1, 2026 9:00 AM for Passport, ID card (482913)"
    )


def test_long_text_is_cut() -> None:
    text = sms_text(
        "{% for i in range(1000) %}{{ branch }} {% endfor %}", reminder("en"), manage_url=None
    )
    assert len(text) == MAX_LENGTH
    assert text.endswith("...")


def test_default_templates_pass_the_check() -> None:
    check_sms_template(DEFAULT_TEXT_EN)
    check_sms_template(DEFAULT_TEXT_NL)
    check_sms_template("{{ first_name or 'Hello' }}: {{ services }} {{ date }} {{ time }}")


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{{ ''.__class__.__mro__ }}", "not allowed"),
        ("{{ ''.__class__ }}", "not allowed"),
        ("{{ services.__init__.__globals__ }}", "not allowed"),
        ("{{ services", "line 1"),
        ("{{ nmae }}", "'nmae' is undefined; the variables are services, date"),
        ("{{ first_name.upper() }}", "SMS template"),  # None when the name is unknown
        ("{{ 1 / 0 }}", r"SMS template failed \(ZeroDivisionError\)"),
        ("{% if false %}x{% endif %}  ", "empty text"),
    ],
)
def test_check_refuses_bad_templates(template: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        check_sms_template(template)


def test_sandbox_escape_at_send_time_is_a_permanent_delivery_error() -> None:
    with pytest.raises(DeliveryError, match="not allowed") as raised:
        sms_text("{{ ''.__class__.__mro__ }}", reminder("en"), manage_url=None)
    assert raised.value.permanent
