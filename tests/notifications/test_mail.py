"""The customer's e-mail: subject, text and HTML parts, headers and the .ics invitation."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import cast

import pytest
from icalendar import Calendar
from jinja2.exceptions import SecurityError

from slotbook.notifications.mail import ics_of_event
from slotbook.notifications.payload import (
    BOOKED,
    CANCELLED,
    CHECKED_IN,
    REMINDER,
    RESCHEDULED,
)
from tests.notifications.payloads import APPOINTMENT_ID, MANAGE, event, mail


def part(message: EmailMessage, content_type: str) -> EmailMessage:
    found = [p for p in message.walk() if p.get_content_type() == content_type]
    assert len(found) == 1, content_type
    return cast(EmailMessage, found[0])


def text_of(message: EmailMessage, content_type: str = "text/plain") -> str:
    return str(part(message, content_type).get_content())


def calendar_of(message: EmailMessage) -> Calendar:
    ics = part(message, "text/calendar")
    assert ics.get_filename() == "appointment.ics"
    return Calendar.from_ical(ics.get_payload(decode=True))


def test_english_booking_says_when_and_where() -> None:
    message = mail(event(BOOKED))
    assert message["Subject"] == (
        "Your appointment on Tuesday, December 1, 2026 at 10:00\u202fAM is booked"
    )
    body = text_of(message)
    assert body.startswith("Dear Ann de Vries,\n")
    for expected in (
        "Passport + ID card",
        "Tuesday, December 1, 2026",
        "10:00\u202fAM – 10:30\u202fAM",
        "Town hall, Lageweg 35, 2222 AG Katwijk",
        "482913",
        "- Your old passport\n- A passport photo",
        MANAGE,
        "Gemeente Katwijk",
    ):
        assert expected in body
    html = text_of(message, "text/html")
    assert f'<a href="{MANAGE}"' in html
    assert "Town hall<br>Lageweg 35<br>2222 AG Katwijk" in html
    assert '<html lang="en">' in html


def test_dutch_mail_uses_dutch_words_and_dates() -> None:
    message = mail(event(BOOKED, language="nl"))
    assert message["Subject"] == "Uw afspraak op dinsdag 1 december 2026 om 10:00 is gemaakt"
    body = text_of(message)
    assert body.startswith("Beste Ann de Vries,\n")
    assert "Datum: dinsdag 1 december 2026" in body
    assert "Tijd: 10:00 – 10:30" in body
    assert "Wat neemt u mee" in body
    assert "Met vriendelijke groet," in body
    assert "Afspraak wijzigen of afzeggen" in text_of(message, "text/html")
    description = str(calendar_of(message).events[0]["description"])
    assert "Afspraaknummer: 482913" in description


@pytest.mark.parametrize(
    ("kind", "subject"),
    [
        (RESCHEDULED, "Uw afspraak op dinsdag 1 december 2026 om 10:00 is verzet"),
        (CANCELLED, "Uw afspraak op dinsdag 1 december 2026 om 10:00 is afgezegd"),
        (REMINDER, "Herinnering: uw afspraak op dinsdag 1 december 2026 om 10:00"),
    ],
)
def test_every_kind_has_its_own_subject(kind: str, subject: str) -> None:
    assert mail(event(kind, language="nl"))["Subject"] == subject


def test_other_events_have_no_mail() -> None:
    with pytest.raises(ValueError, match="checked_in"):
        mail(event(CHECKED_IN))


def test_headers() -> None:
    message = mail(event(BOOKED))
    assert message["From"] == "Gemeente Katwijk <afspraken@katwijk.example>"
    assert message["To"] == "ann@example.org"
    assert message["Reply-To"] == "balie@katwijk.example"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Date"].datetime.tzinfo is not None
    assert message.get_content_type() == "multipart/mixed"
    alternative = part(message, "multipart/alternative")
    assert [p.get_content_type() for p in alternative.iter_parts()] == ["text/plain", "text/html"]
    assert "Reply-To" not in mail(event(BOOKED), reply_to=None)


def test_message_id_is_kept_exactly_through_the_wire() -> None:
    message_id = "<7a1f0c5e-2b1d-4c39-9d0e-5f6a7b8c9d0e@slotbook>"
    sent = message_from_bytes(mail(event(BOOKED)).as_bytes(), policy=policy.default)
    assert sent["Message-ID"] == message_id


def test_a_tenant_name_with_quotes_and_commas_stays_one_display_name() -> None:
    message = mail(event(BOOKED), tenant_name='Town "Hall", Katwijk')
    parsed = message_from_bytes(message.as_bytes(), policy=policy.default)
    (address,) = parsed["From"].addresses
    assert (address.display_name, address.addr_spec) == (
        'Town "Hall", Katwijk',
        "afspraken@katwijk.example",
    )


def test_the_invitation_is_a_request_for_the_same_calendar_entry() -> None:
    message = mail(event(BOOKED))
    assert part(message, "text/calendar").get_param("method") == "REQUEST"
    cal = calendar_of(message)
    assert str(cal["method"]) == "REQUEST"
    (entry,) = cal.events
    assert str(entry["uid"]) == f"{APPOINTMENT_ID}@slotbook"
    assert entry["sequence"] == 3
    assert entry["dtstart"].dt == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    assert entry["dtend"].dt == datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    assert entry["dtstart"].params["TZID"] == "Europe/Amsterdam"
    assert entry["dtstamp"].dt == datetime(2026, 11, 20, 8, 15, tzinfo=UTC)
    assert [str(tz["tzid"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/Amsterdam"]
    assert str(entry["summary"]) == "Passport, ID card"
    assert str(entry["location"]) == "Town hall, Lageweg 35, 2222 AG Katwijk"
    assert str(entry["organizer"]) == "mailto:afspraken@katwijk.example"
    assert entry["organizer"].params["CN"] == "Gemeente Katwijk"
    assert str(entry["attendee"]) == "mailto:ann@example.org"
    description = str(entry["description"])
    assert "Reference: 482913" in description
    assert "Bring: A passport photo" in description
    assert MANAGE in description


def test_a_cancellation_cancels_the_calendar_entry_and_gives_the_reason() -> None:
    message = mail(event(CANCELLED, reason="The office is closed <today>"))
    assert part(message, "text/calendar").get_param("method") == "CANCEL"
    cal = calendar_of(message)
    assert str(cal["method"]) == "CANCEL"
    (entry,) = cal.events
    assert str(entry["status"]) == "CANCELLED"
    assert str(entry["uid"]) == f"{APPOINTMENT_ID}@slotbook"
    assert "Reason: The office is closed <today>" in text_of(message)
    assert "Reason: The office is closed &lt;today&gt;" in text_of(message, "text/html")
    # Nothing left to change: no manage link anywhere, and nothing to bring.
    for content_type in ("text/plain", "text/html"):
        assert MANAGE not in text_of(message, content_type)
        assert "passport photo" not in text_of(message, content_type)
    assert "url" not in entry
    assert MANAGE not in str(entry["description"])


def test_a_reschedule_tells_the_old_time() -> None:
    previous = {"start": "2026-11-30T13:00:00Z", "end": "2026-11-30T13:30:00Z"}
    message = mail(event(RESCHEDULED, language="nl", previous=previous))
    for content_type in ("text/plain", "text/html"):
        assert "De oude tijd was maandag 30 november 2026 om 14:00." in text_of(
            message, content_type
        )
    assert MANAGE in text_of(message)
    assert str(calendar_of(message)["method"]) == "REQUEST"


def test_a_reminder_says_so() -> None:
    message = mail(event(REMINDER, minutes_before=1440))
    assert message["Subject"].startswith("Reminder: your appointment on Tuesday")
    assert "This is a reminder of your appointment." in text_of(message)
    assert MANAGE in text_of(message)


def test_without_a_manage_url_there_is_no_link() -> None:
    message = mail(event(BOOKED), manage_url=None)
    assert "Change or cancel" not in text_of(message)
    assert "<a " not in text_of(message, "text/html")


def test_html_escapes_what_customers_typed() -> None:
    payload = event(BOOKED)
    payload["data"]["appointment"]["customers"][0]["first_name"] = "<b>Ann</b>"
    message = mail(payload)
    html = text_of(message, "text/html")
    assert "&lt;b&gt;Ann&lt;/b&gt;" in html
    assert "<b>Ann</b>" not in html
    # Plain text is not HTML: escaping it would show the entities.
    assert "Dear <b>Ann</b> de Vries," in text_of(message)


def test_the_greeting_is_for_the_addressee_or_general() -> None:
    payload = event(BOOKED)
    customers = payload["data"]["appointment"]["customers"]
    customers.append(
        {"first_name": "Bob", "last_name": None, "email": "BOB@example.org", "phone": None}
    )
    assert text_of(mail(payload, to="bob@example.org")).startswith("Dear Bob,\n")
    customers.clear()
    assert text_of(mail(payload)).startswith("Dear customer,\n")


def test_a_tenant_template_replaces_only_its_own_part(tmp_path: Path) -> None:
    (tmp_path / "mail.txt").write_text(
        "Hoi {{ name }}! {{ services|join(', ') }} om {{ time }}. {{ _('Kind regards,') }}\n"
    )
    message = mail(event(BOOKED, language="nl"), templates=tmp_path)
    assert (
        text_of(message)
        == "Hoi Ann de Vries! Passport, ID card om 10:00. Met vriendelijke groet,\n"
    )
    assert "Wat neemt u mee" in text_of(message, "text/html")
    assert "Wat neemt u mee" in text_of(mail(event(BOOKED, language="nl"), templates=None))


def test_a_missing_template_folder_falls_back_to_the_packaged_templates(tmp_path: Path) -> None:
    message = mail(event(BOOKED), templates=tmp_path / "absent")
    assert text_of(message).startswith("Dear Ann de Vries,")


def test_tenant_templates_run_in_a_sandbox(tmp_path: Path) -> None:
    (tmp_path / "mail.txt").write_text("{{ _.__class__.__init__.__globals__ }}\n")
    with pytest.raises(SecurityError):
        mail(event(BOOKED), templates=tmp_path)


def test_ics_of_event_can_be_used_alone() -> None:
    payload = event(BOOKED)
    ics = ics_of_event(
        payload,
        organizer="afspraken@katwijk.example",
        organizer_name="Gemeente Katwijk",
        attendee=None,
        manage_url=None,
    )
    assert ics.startswith(b"BEGIN:VCALENDAR\r\n")
    (entry,) = Calendar.from_ical(ics).events
    assert "attendee" not in entry
    assert "url" not in entry
    # The payload is read, never changed.
    assert payload == event(BOOKED)
