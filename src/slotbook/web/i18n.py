"""The page's languages: message catalogs (gettext ``.po``), dates and catalog texts.

Catalogs are read from the ``.po`` files shipped in the package (no build step); English is
the source language, so its catalog may stay empty.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_time
from babel.messages.pofile import read_po

from slotbook.domain.model import Localized

LANGUAGES = ("nl", "en")
NAMES = {"nl": "Nederlands", "en": "English"}
_LOCALE_DIR = Path(__file__).parent / "locale"


@functools.cache
def _messages(language: str) -> dict[str, str]:
    path = _LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    return {str(m.id): str(m.string) for m in catalog if m.id and m.string and not m.fuzzy}


def choose_language(asked: str | None, accept_language: str | None, default: str) -> str:
    """``?lang=`` first, then the browser's ``Accept-Language``, then the tenant's language."""
    if asked in LANGUAGES:
        return asked
    for part in (accept_language or "").split(",")[:20]:
        tag = part.split(";")[0].strip().lower().replace("_", "-")
        if tag.split("-")[0] in LANGUAGES:
            return tag.split("-")[0]
    fallback = default.split("_", maxsplit=1)[0].lower()
    return fallback if fallback in LANGUAGES else "en"


@dataclass(frozen=True, slots=True)
class Texts:
    """Everything a page says, in one language."""

    language: str

    def __call__(self, message: str, **values: object) -> str:
        """A translated message, with ``{name}`` placeholders filled in."""
        text = _messages(self.language).get(message, message)
        return text.format(**values) if values else text

    def of(self, localized: Localized, fallback: str = "") -> str:
        """A catalog text (a name, a description) in this language, else any."""
        for locale, text in localized.texts:
            if locale.split("_")[0].lower() == self.language:
                return text
        return localized.get(None) or fallback

    def day(self, value: date, form: str = "full") -> str:
        """A date as people write it in this language."""
        return format_date(value, format=form, locale=Locale.parse(self.language))

    def clock(self, value: datetime, zone: tzinfo) -> str:
        """A time of day in a branch's zone."""
        return format_time(value, format="short", tzinfo=zone, locale=Locale.parse(self.language))

    def moment(self, value: datetime, zone: tzinfo) -> str:
        """A date and a time of day in a branch's zone, e.g. "dinsdag 1 december 2026 12:00"."""
        return f"{self.day(value.astimezone(zone).date())} {self.clock(value, zone)}"

    def month(self, value: date) -> str:
        """A month and year, e.g. "maart 2030"."""
        return format_date(value, format="LLLL y", locale=Locale.parse(self.language))

    def weekdays(self) -> list[str]:
        """Short weekday names, Monday first."""
        names = Locale.parse(self.language).days["format"]["abbreviated"]
        return [str(names[i]) for i in range(7)]
