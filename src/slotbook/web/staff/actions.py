"""The staff day view's actions: a form in, one use case called, a word for the day out.

Each action reads its form, checks what a person could have got wrong (``Refused``, with the
fields to correct), and calls one use case; the use case's own refusals (``WrongState``,
``SlotTaken`` ...) are left to the page, which shows them with ``REFUSALS``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, time
from typing import Any

from starlette.datastructures import FormData

from slotbook.domain.errors import (
    DomainError,
    InvalidRequest,
    NotFound,
    NotHeld,
    SlotTaken,
    WrongState,
)
from slotbook.domain.model import Appointment, Branch, Catalog, CustomerDetails, Resource, Status
from slotbook.services import arrivals, changes, closures
from slotbook.services.access import Access
from slotbook.services.availability import SlotQuery
from slotbook.services.booking import BookingDetails, place
from slotbook.services.context import Slotbook
from slotbook.web.i18n import Texts


def marked(message: str) -> str:
    """A message id for the catalogs (found by their scan); translated where it is shown."""
    return message


REFUSALS: dict[type[DomainError], tuple[int, str]] = {
    WrongState: (409, marked("This is not possible for this appointment now.")),
    SlotTaken: (409, marked("This time is not free (any more).")),
    NotHeld: (409, marked("This time is not free (any more).")),
    InvalidRequest: (400, marked("Please check what you entered.")),
    NotFound: (404, marked("This appointment does not exist (any more).")),
}


class Refused(Exception):
    """An action the day cannot carry out: the day again, with the reasons (field -> text)."""

    def __init__(
        self,
        status: int,
        message: str,
        problems: Mapping[str, str] | None = None,
        detail: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.problems = status, message, dict(problems or {})
        self.detail = detail  # the use case's own words (English), under the translated one


def services_on(catalog: Catalog, branch: Branch, resource: Resource) -> list[Any]:
    """Services a walk-in can get at this resource."""
    return [
        s
        for s in catalog.services_at(branch.key)
        if any(r.key == resource.key for r in catalog.resources_for(branch.key, (s,)))
    ]


def form_text(form: FormData, name: str, limit: int = 200) -> str:
    """A form field as text, trimmed and cut to ``limit``."""
    return str(form.get(name) or "").strip()[:limit]


def at_time(day: date, branch: Branch, value: str, field: str, texts: Texts) -> datetime:
    """A local time of the day (``HH:MM``) as an instant."""
    try:
        clock = time.fromisoformat(value)
    except ValueError:
        raise Refused(
            400,
            texts("Please check what you entered."),
            {field: texts("Enter a time like 14:30")},
        ) from None
    return datetime.combine(day, clock, branch.zone).astimezone(UTC)


def required(form: FormData, fields: Mapping[str, str], texts: Texts) -> dict[str, str]:
    """The form's values; Refused listing the empty ones (field -> message)."""
    values = {name: form_text(form, name) for name in fields}
    missing = {name: texts(message) for name, message in fields.items() if not values[name]}
    if missing:
        raise Refused(400, texts("Please check what you entered."), missing)
    return values


# --- the actions ----------------------------------------------------------------------------

Action = Callable[[Slotbook, Access, Branch, date, FormData, Texts], str]
"""An action: the use case's arguments from a form; what the day says after it (``DONE``)."""


def _arrival(change: Callable[..., Appointment], done: str) -> Action:
    def act(
        slotbook: Slotbook, access: Access, branch: Branch, day: date, form: FormData, texts: Texts
    ) -> str:
        change(
            slotbook,
            access.catalog,
            ref=("uuid", form_text(form, "appointment", 64)),
            actor=access.actor,
        )
        return done

    return act


def _cancel(
    slotbook: Slotbook, access: Access, branch: Branch, day: date, form: FormData, texts: Texts
) -> str:
    appointment = form_text(form, "appointment", 64)
    reason = required(form, {f"reason-{appointment}": marked("Enter a reason")}, texts)
    changes.cancel(
        slotbook,
        access.catalog,
        ref=("uuid", appointment),
        reason=reason[f"reason-{appointment}"],
        actor=access.actor,
        allowed_from=(Status.RESERVED, Status.CONFIRMED),
    )
    return "cancelled"


def _resource(branch: Branch, form: FormData) -> Resource:
    key = form_text(form, "resource")
    found = next((r for r in branch.resources if r.key == key and r.active), None)
    if found is None:
        raise NotFound("resource", key, "Unknown resource")
    return found


def _block(
    slotbook: Slotbook, access: Access, branch: Branch, day: date, form: FormData, texts: Texts
) -> str:
    resource = _resource(branch, form)
    prefix = f"block-{resource.key}"
    values = required(
        form,
        {
            f"{prefix}-from": marked("Enter a time like 14:30"),
            f"{prefix}-until": marked("Enter a time like 14:30"),
            f"{prefix}-reason": marked("Enter a reason"),
        },
        texts,
    )
    start = at_time(day, branch, values[f"{prefix}-from"], f"{prefix}-from", texts)
    end = at_time(day, branch, values[f"{prefix}-until"], f"{prefix}-until", texts)
    if not start < end:
        raise Refused(
            400,
            texts("Please check what you entered."),
            {f"{prefix}-until": texts("The end must be after the start")},
        )
    closures.close(
        slotbook,
        access.catalog,
        branch_key=branch.key,
        resource_key=resource.key,
        start=start,
        end=end,
        reason=values[f"{prefix}-reason"],
        cancel_inside=False,
        actor=access.actor,
    )
    return "blocked"


def _walk_in(
    slotbook: Slotbook, access: Access, branch: Branch, day: date, form: FormData, texts: Texts
) -> str:
    resource = _resource(branch, form)
    prefix = f"walkin-{resource.key}"
    values = required(
        form,
        {
            f"{prefix}-service": marked("Choose a service"),
            f"{prefix}-time": marked("Enter a time like 14:30"),
            f"{prefix}-first": marked("Enter the first name"),
            f"{prefix}-last": marked("Enter the last name"),
        },
        texts,
    )
    offered = {s.key: s for s in services_on(access.catalog, branch, resource)}
    service = offered.get(values[f"{prefix}-service"])
    if service is None:
        raise Refused(
            400,
            texts("Please check what you entered."),
            {f"{prefix}-service": texts("Choose a service")},
        )
    start = at_time(day, branch, values[f"{prefix}-time"], f"{prefix}-time", texts)
    # Some services ask for a date of birth or answers: the form has optional fields for them.
    born_text = form_text(form, f"{prefix}-born", 10)
    try:
        born = date.fromisoformat(born_text) if born_text else None
    except ValueError:
        raise Refused(
            400,
            texts("Please check what you entered."),
            {f"{prefix}-born": texts("Enter your date of birth, like 1985-04-23")},
        ) from None
    answers = {
        q.key: answer
        for q in service.information_questions
        if (answer := form_text(form, f"{prefix}-q-{q.key}", 2048))
    }
    place(
        slotbook,
        access.catalog,
        query=SlotQuery(branch=branch, services=(service,), resource_keys=(resource.key,)),
        start=start,
        status=Status.CONFIRMED,
        details=BookingDetails(
            customers=[
                CustomerDetails(
                    first_name=values[f"{prefix}-first"],
                    last_name=values[f"{prefix}-last"],
                    date_of_birth=born,
                )
            ],
            answers=answers,
            source="staff",
            language=texts.language,
        ),
        actor=access.actor,
        on_grid=False,
    )
    return "booked"


ACTIONS: dict[str, Action] = {
    "check-in": _arrival(arrivals.check_in, "checked-in"),
    "no-show": _arrival(arrivals.no_show, "no-show"),
    "complete": _arrival(arrivals.complete, "completed"),
    "cancel": _cancel,
    "block": _block,
    "walk-in": _walk_in,
}
# What the day says after an action (``?done=``), announced in a status box.
DONE = {
    "checked-in": marked("Checked in."),
    "no-show": marked("Marked as no-show."),
    "completed": marked("Marked as completed."),
    "cancelled": marked("The appointment is cancelled."),
    "blocked": marked("The time is blocked."),
    "booked": marked("The walk-in is booked."),
}
