"""E-mail to the customer about an appointment: subject, plain text, HTML and an .ics invitation.

Everything is rendered from the outbox's ``EventPayload`` (never from live data), in the
appointment's language, with times in the branch's zone. Operators may replace a packaged
template per tenant; those templates run sandboxed because they are not our code.
"""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCalAddress, vText
from jinja2 import ChoiceLoader, FileSystemLoader, select_autoescape
from jinja2.sandbox import SandboxedEnvironment

from slotbook.notifications.payload import (
    BOOKED,
    CANCELLED,
    REMINDER,
    RESCHEDULED,
    WAITLIST_OFFER,
    AppointmentInfo,
    EventPayload,
    Person,
)
from slotbook.web.i18n import Texts

# The event types an e-mail exists for, and the name templates know them by.
KINDS = {
    BOOKED: "booked",
    RESCHEDULED: "rescheduled",
    CANCELLED: "cancelled",
    REMINDER: "reminder",
    WAITLIST_OFFER: "offered",
}
_PACKAGED = Path(__file__).parent / "templates"


def compose_mail(
    event: EventPayload,
    *,
    to: str,
    sender: str,
    reply_to: str | None,
    message_id: str,
    manage_url: str | None,
    tenant_name: str,
    templates: Path | None = None,
) -> EmailMessage:
    """The customer's e-mail about ``event``: text and HTML parts plus ``appointment.ics``."""
    kind = KINDS.get(event["type"])
    if kind is None:
        raise ValueError(f"no e-mail for event type {event['type']!r}")
    appointment = event["data"]["appointment"]
    texts = Texts(appointment["language"])
    zone = ZoneInfo(appointment["branch"]["time_zone"])
    start = _instant(appointment["start"])
    day, clock = texts.day(start.astimezone(zone).date()), texts.clock(start, zone)
    # A cancelled appointment cannot be managed any more; its link would only lead to an error.
    link = None if event["type"] == CANCELLED else manage_url

    message = EmailMessage()
    message["From"] = Address(display_name=tenant_name, addr_spec=sender)
    message["To"] = to
    if reply_to:
        message["Reply-To"] = reply_to
    message["Subject"] = _subject(event["type"], texts, day, clock)
    message["Date"] = format_datetime(datetime.now(UTC), usegmt=True)
    message["Message-ID"] = message_id
    # RFC 3834: tells auto-responders (out-of-office) not to answer.
    message["Auto-Submitted"] = "auto-generated"

    values = _template_values(event, kind, texts, zone, to=to, manage_url=link)
    values["tenant_name"] = tenant_name
    environment = _environment(templates if templates is not None and templates.is_dir() else None)
    # Quoted-printable keeps the parts readable in a mail's source (base64 would hide them).
    text, html = (environment.get_template(f"mail.{t}").render(values) for t in ("txt", "html"))
    message.set_content(text, cte="quoted-printable")
    message.add_alternative(html, subtype="html", cte="quoted-printable")
    ics = ics_of_event(
        event, organizer=sender, organizer_name=tenant_name, attendee=to, manage_url=link
    )
    method = "CANCEL" if event["type"] == CANCELLED else "REQUEST"
    # Base64 keeps the calendar's CRLF line ends intact through every mail hop.
    message.add_attachment(
        ics,
        maintype="text",
        subtype="calendar",
        filename="appointment.ics",
        params={"method": method, "charset": "utf-8"},
    )
    return message


def ics_of_event(
    event: EventPayload,
    *,
    organizer: str,
    organizer_name: str,
    attendee: str | None,
    manage_url: str | None,
) -> bytes:
    """The event as an iCalendar invitation: METHOD REQUEST, or CANCEL for a cancellation."""
    appointment = event["data"]["appointment"]
    texts = Texts(appointment["language"])
    zone = ZoneInfo(appointment["branch"]["time_zone"])
    start, end = _instant(appointment["start"]), _instant(appointment["end"])
    cancelled = event["type"] == CANCELLED

    cal = Calendar()
    cal.add("prodid", "-//Slotbook//Notifications//EN")
    cal.add("version", "2.0")
    cal.add("method", "CANCEL" if cancelled else "REQUEST")
    vevent = Event()
    # Same UID and a growing SEQUENCE make calendars update the one entry instead of adding one.
    vevent.add("uid", f"{appointment['id']}@slotbook")
    vevent.add("sequence", appointment["sequence"])
    vevent.add("dtstamp", _instant(event["timestamp"]))
    vevent.add("dtstart", start.astimezone(zone))
    vevent.add("dtend", end.astimezone(zone))
    vevent.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    vevent.add("summary", ", ".join(s["name"] for s in appointment["services"]))
    branch = appointment["branch"]
    vevent.add("location", vText(", ".join([branch["name"], *branch["address_lines"]])))
    who = vCalAddress(f"mailto:{organizer}")
    who.params["cn"] = vText(organizer_name)
    vevent.add("organizer", who)
    if attendee:
        guest = vCalAddress(f"mailto:{attendee}")
        guest.params["role"] = vText("REQ-PARTICIPANT")
        guest.params["partstat"] = vText("ACCEPTED")
        vevent.add("attendee", guest)
    lines = [texts("Reference: {reference}", reference=appointment["reference"])]
    lines += [texts("Bring: {what}", what=what) for what in appointment["what_to_bring"]]
    if manage_url:
        lines.append(texts("Change or cancel: {url}", url=manage_url))
        vevent.add("url", manage_url)
    vevent.add("description", "\n".join(lines))
    cal.add_component(vevent)
    # VTIMEZONE for the appointment's year only: the full 1970-2038 table is kilobytes of noise.
    first = start.astimezone(zone).date() - timedelta(days=1)
    cal.add_missing_timezones(first_date=first, last_date=date(first.year + 1, 12, 31))
    return bytes(cal.to_ical())


def _subject(event_type: str, texts: Texts, day: str, clock: str) -> str:
    if event_type == BOOKED:
        return texts("Your appointment on {date} at {time} is booked", date=day, time=clock)
    if event_type == RESCHEDULED:
        return texts("Your appointment on {date} at {time} has moved", date=day, time=clock)
    if event_type == CANCELLED:
        return texts("Your appointment on {date} at {time} is cancelled", date=day, time=clock)
    if event_type == WAITLIST_OFFER:
        return texts("A time is free for you: {date} at {time}", date=day, time=clock)
    return texts("Reminder: your appointment on {date} at {time}", date=day, time=clock)


def _title(event_type: str, texts: Texts) -> str:
    if event_type == BOOKED:
        return texts("Your appointment is booked")
    if event_type == RESCHEDULED:
        return texts("Your appointment has moved")
    if event_type == CANCELLED:
        return texts("Your appointment is cancelled")
    if event_type == WAITLIST_OFFER:
        return texts("A time is free for you")
    return texts("Reminder of your appointment")


def _template_values(
    event: EventPayload,
    kind: str,
    texts: Texts,
    zone: ZoneInfo,
    *,
    to: str,
    manage_url: str | None,
) -> dict[str, object]:
    """What the templates get: plain strings and lists, already in the customer's language."""
    appointment = event["data"]["appointment"]
    start, end = _instant(appointment["start"]), _instant(appointment["end"])
    previous = event["data"].get("previous")
    old = None
    if previous:
        old_start = _instant(previous["start"])
        old = {
            "date": texts.day(old_start.astimezone(zone).date()),
            "time": texts.clock(old_start, zone),
        }
    return {
        "_": texts,
        "kind": kind,
        "language": texts.language,
        "title": _title(event["type"], texts),
        "name": _name_of(appointment, to),
        "services": [s["name"] for s in appointment["services"]],
        "people": appointment["people"],
        "date": texts.day(start.astimezone(zone).date()),
        "time": texts.clock(start, zone),
        "until": texts.clock(end, zone),
        "branch": {
            "name": appointment["branch"]["name"],
            "address_lines": list(appointment["branch"]["address_lines"]),
        },
        # Nothing to bring to an appointment that no longer takes place.
        "what_to_bring": [] if kind == "cancelled" else list(appointment["what_to_bring"]),
        "reference": appointment["reference"],
        "reason": event["data"].get("reason") if event["type"] == CANCELLED else None,
        "previous": old,
        "manage_url": manage_url,
        "held_until": _held_until(event, texts, zone),
    }


def _held_until(event: EventPayload, texts: Texts, zone: ZoneInfo) -> str | None:
    """When a waitlist offer runs out, as a local date and time."""
    until = event["data"].get("offered_until")
    if not until:
        return None
    return texts.moment(_instant(until), zone)


def _name_of(appointment: AppointmentInfo, to: str) -> str | None:
    """The addressee's name: the customer with this e-mail address, else the first one."""
    customers = appointment["customers"]
    matching = [c for c in customers if (c["email"] or "").lower() == to.lower()]
    chosen = (matching or customers)[:1]
    return _full_name(chosen[0]) if chosen else None


def _full_name(person: Person) -> str | None:
    return " ".join(p for p in (person["first_name"], person["last_name"]) if p) or None


def _instant(text: str) -> datetime:
    """An ISO 8601 instant of the payload, as an aware UTC datetime."""
    value = datetime.fromisoformat(text)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@functools.lru_cache(maxsize=64)
def _environment(overrides: Path | None) -> SandboxedEnvironment:
    """Templates of one tenant: its own files first, then the packaged ones."""
    packaged = FileSystemLoader(_PACKAGED)
    loader = ChoiceLoader([FileSystemLoader(overrides), packaged]) if overrides else packaged
    return SandboxedEnvironment(
        loader=loader,
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
