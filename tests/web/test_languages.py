"""Every sentence of the booking page and of the e-mails exists in Dutch."""

from __future__ import annotations

import re
from pathlib import Path

from slotbook.web.i18n import Texts

WEB = Path(__file__).parents[2] / "src" / "slotbook" / "web"
STAFF = WEB / "staff"
NOTIFICATIONS = WEB.parent / "notifications"


def _message_ids() -> set[str]:
    found: set[str] = set()
    for template in [*(WEB / "templates").glob("*.html"), *(STAFF / "templates").glob("*.html")]:
        found |= set(re.findall(r"""_\(\s*["']((?:[^"'\\]|\\.)*)["']""", template.read_text()))
    modules = [WEB / "routes.py", WEB / "calendar_file.py", *sorted(STAFF.glob("*.py"))]
    code = "\n".join(module.read_text() for module in modules)
    # The staff view marks the messages of its tables with marked("...").
    found |= set(re.findall(r'marked\(\s*"((?:[^"\\]|\\.)*)"', code))
    found |= set(re.findall(r'texts\(\s*"((?:[^"\\]|\\.)*)"', code))
    for constant in re.findall(r'^[A-Z_]+ = \(?\s*((?:"[^"]*"\s*)+)\)?$', code, re.M):
        found.add("".join(re.findall(r'"([^"]*)"', constant)))
    # E-mail: its templates and its texts("...") calls; its constants are event names, not texts.
    for template in (NOTIFICATIONS / "templates").glob("*.*"):
        found |= set(re.findall(r"""_\(\s*["']((?:[^"'\\]|\\.)*)["']""", template.read_text()))
    for module in NOTIFICATIONS.glob("*.py"):
        found |= set(re.findall(r'texts\(\s*"((?:[^"\\]|\\.)*)"', module.read_text()))
    return found


def test_every_message_of_the_page_has_a_dutch_translation() -> None:
    ids = _message_ids()
    assert len(ids) > 80
    dutch = Texts("nl")
    missing = sorted(i for i in ids if dutch(i) == i)
    assert missing == []


def test_the_staff_view_texts_are_checked_too() -> None:
    ids = _message_ids()
    assert {"Sign in to the day view", "Checked in.", "Block this time"} <= ids


def test_the_e_mail_texts_are_checked_too() -> None:
    ids = _message_ids()
    assert {"Kind regards,", "Your appointment on {date} at {time} is booked"} <= ids


def test_placeholders_survive_translation() -> None:
    dutch = Texts("nl")
    for message in _message_ids():
        assert set(re.findall(r"\{\w+\}", dutch(message))) == set(re.findall(r"\{\w+\}", message))
