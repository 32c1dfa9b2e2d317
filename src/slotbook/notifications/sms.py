"""The SMS channel: text reminders through a tenant's HTTP gateway (``{url, token, template}``).

The text is rendered from a Jinja template in a sandbox, since templates come from the
catalog; the gateway gets one JSON POST per message, with the message id as idempotency key.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

import httpx2
import orjson
from babel.dates import format_date, format_time
from jinja2 import StrictUndefined, Template, TemplateError, TemplateSyntaxError
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment

from slotbook.notifications.errors import DeliveryError
from slotbook.notifications.payload import EventPayload
from slotbook.notifications.webhooks import post_once

USER_AGENT = "Slotbook-SMS/1"
# Three concatenated SMS; longer texts are cut.
MAX_LENGTH = 480
DEFAULT_TEXT_EN = (
    "Reminder: {{ services }} on {{ date }} at {{ time }}, {{ branch }}."
    " Ref {{ reference }}."
    "{% if manage_url %} Change or cancel: {{ manage_url }}{% endif %}"
)
DEFAULT_TEXT_NL = (
    "Herinnering: {{ services }} op {{ date }} om {{ time }}, {{ branch }}."
    " Kenmerk {{ reference }}."
    "{% if manage_url %} Wijzigen of annuleren: {{ manage_url }}{% endif %}"
)
DEFAULT_TEXTS = {"en": DEFAULT_TEXT_EN, "nl": DEFAULT_TEXT_NL}
VARIABLES = ("services", "date", "time", "branch", "reference", "manage_url", "first_name")

# StrictUndefined makes a misspelt variable, and an attribute the sandbox hides (it would
# otherwise render as nothing), an error that check_sms_template reports.
_ENVIRONMENT = SandboxedEnvironment(
    autoescape=False,
    undefined=StrictUndefined,
    finalize=lambda value: "" if value is None else value,
)
_SAMPLES: tuple[Mapping[str, str | None], ...] = (
    {
        "services": "Passport, ID card",
        "date": "Dec 1, 2026",
        "time": "9:00 AM",
        "branch": "City Hall",
        "reference": "482913",
        "manage_url": "https://book.example.org/manage/6f1c2a",
        "first_name": "Alex",
    },
    # Optional values missing, as they may be in a real message.
    {
        "services": "Passport",
        "date": "1 dec 2026",
        "time": "09:00",
        "branch": "Stadhuis",
        "reference": "482913",
        "manage_url": None,
        "first_name": None,
    },
)


class SmsTemplateError(ValueError):
    """A template that does not compile or render; the text holds no personal data."""


def check_sms_template(template: str) -> None:
    """Raise ValueError (SmsTemplateError) unless ``template`` compiles and renders."""
    compiled = _compile(template)
    for values in _SAMPLES:
        if not _render(compiled, values).strip():
            raise SmsTemplateError("the SMS template renders an empty text")


def sms_text(template: str | None, payload: EventPayload, *, manage_url: str | None) -> str:
    """The reminder's text: ``template`` (else the language's default) rendered, ≤ 480 chars.

    Raises DeliveryError (permanent) when the template fails for this message.
    """
    appointment = payload["data"]["appointment"]
    language = appointment["language"] if appointment["language"] in DEFAULT_TEXTS else "en"
    zone = ZoneInfo(appointment["branch"]["time_zone"])
    start = datetime.fromisoformat(appointment["start"]).astimezone(zone)
    customers = appointment["customers"]
    values = {
        "services": ", ".join(service["name"] for service in appointment["services"]),
        "date": _plain(format_date(start.date(), format="medium", locale=language)),
        "time": _plain(format_time(start, format="short", tzinfo=zone, locale=language)),
        "branch": appointment["branch"]["name"],
        "reference": appointment["reference"],
        "manage_url": manage_url,
        "first_name": customers[0]["first_name"] if customers else None,
    }
    try:
        text = _render(_compile(template or DEFAULT_TEXTS[language]), values).strip()
    except SmsTemplateError as error:
        raise DeliveryError(str(error), permanent=True) from None
    return text if len(text) <= MAX_LENGTH else text[: MAX_LENGTH - 3] + "..."


def send_sms(
    client: httpx2.Client,
    *,
    url: str,
    token: str | None,
    to: str,
    text: str,
    message_id: str,
) -> None:
    """POST one text to the gateway; raise DeliveryError unless it answers 2xx."""
    headers = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "idempotency-key": message_id,
    }
    if token:
        headers["authorization"] = f"Bearer {token}"
    body = orjson.dumps({"to": to, "text": text, "reference": message_id})
    post_once(client, url, body, headers, peer="gateway")


@functools.lru_cache(maxsize=64)
def _compile(template: str) -> Template:
    try:
        return _ENVIRONMENT.from_string(template)
    except TemplateSyntaxError as error:
        raise SmsTemplateError(f"SMS template, line {error.lineno}: {error.message}") from None


def _render(template: Template, values: Mapping[str, str | None]) -> str:
    # Streamed so that a template looping without end stops once the text is too long.
    text = ""
    try:
        for chunk in template.generate(values):
            text += chunk
            if len(text) > MAX_LENGTH:
                break
    except SecurityError as error:
        raise SmsTemplateError(f"SMS template not allowed: {error}") from None
    except UndefinedError as error:
        raise SmsTemplateError(
            f"SMS template: {error}; the variables are {', '.join(VARIABLES)}"
        ) from None
    except TemplateError as error:
        raise SmsTemplateError(f"SMS template: {error}") from None
    except Exception as error:
        # Only the type: a Python error's text may quote the customer's data.
        raise SmsTemplateError(f"SMS template failed ({type(error).__name__})") from None
    return text


def _plain(text: str) -> str:
    # CLDR puts (narrow) no-break spaces in dates and times; outside GSM-7 they would make
    # the whole SMS UCS-2, which fits 70 instead of 160 characters per part.
    return text.replace("\u202f", " ").replace("\xa0", " ")
