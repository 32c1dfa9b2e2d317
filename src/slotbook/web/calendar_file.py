"""An appointment as an iCalendar file (RFC 5545), for "Add to calendar" and e-mails."""

from __future__ import annotations

from icalendar import Calendar, Event, vText

from slotbook.domain.model import Appointment, Catalog
from slotbook.web.i18n import Texts


def ics_of(catalog: Catalog, appointment: Appointment, texts: Texts, *, manage_url: str) -> bytes:
    """One VEVENT with the times in UTC, the branch's address and the manage link."""
    branch = catalog.branch(appointment.branch_key, include_retired=True)
    services = [catalog.service(k, include_retired=True) for k in appointment.service_keys]
    cal = Calendar()
    cal.add("prodid", "-//Slotbook//Booking page//EN")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"{appointment.ids.uuid}@slotbook")
    event.add("dtstamp", appointment.updated or appointment.start)
    event.add("dtstart", appointment.start)
    event.add("dtend", appointment.end)
    event.add("summary", ", ".join(texts.of(s.name, s.key) for s in services))
    address = branch.address
    where = ", ".join(p for p in (branch.name, address.line1, address.zip, address.city) if p)
    event.add("location", vText(where))
    bring = [t for s in services if (t := texts.of(s.what_to_bring))]
    lines = [texts("Reference: {reference}", reference=appointment.ids.digits)]
    lines += [texts("Bring: {what}", what=b) for b in bring]
    lines.append(texts("Change or cancel: {url}", url=manage_url))
    event.add("description", "\n".join(lines))
    event.add("url", manage_url)
    cal.add_component(event)
    return bytes(cal.to_ical())
