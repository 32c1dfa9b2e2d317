"""Erasure, retention and the audit log, at the use-case level on both databases."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from slotbook.domain.errors import InvalidRequest, SlotTaken
from slotbook.domain.model import CustomerDetails, Status
from slotbook.services import audit
from slotbook.services.actor import Actor, Scope
from slotbook.services.availability import SlotQuery
from slotbook.services.booking import BookingDetails, place
from slotbook.services.catalog import tenant_catalog
from slotbook.services.context import Slotbook
from slotbook.services.privacy import apply_retention, erase_customer
from slotbook.services.queries import customer_appointments, get_appointment, search_customers
from tests.conftest import FakeClock
from tests.factories import issue_catalog

MakeSlotbook = Callable[[dict[str, Any]], Slotbook]
DESK = Actor(Scope.STAFF, key_id=7, address="192.0.2.7", route="/test")
NINE = datetime(2030, 3, 4, 8, 0, tzinfo=UTC)  # 09:00 in Amsterdam


def _book(app: Slotbook, start: datetime, email: str, last_name: str) -> Any:
    catalog = tenant_catalog(app, "acme")
    branch = catalog.branch("north")
    query = SlotQuery(branch=branch, services=(catalog.service("passport"),))
    person = CustomerDetails(last_name=last_name, email=email, phone="+31 6 1234 5678")
    details = BookingDetails(customers=[person], notes=f"{last_name} brings papers", title="T")
    return place(
        app, catalog, query=query, start=start, status=Status.CONFIRMED, details=details, actor=DESK
    )


def test_erasing_a_customer_keeps_the_times_and_removes_the_person(
    make_slotbook: MakeSlotbook,
) -> None:
    app = make_slotbook(issue_catalog())
    ann = _book(app, NINE, "ann@example.com", "Lee")
    bob = _book(app, NINE + timedelta(minutes=30), "bob@example.com", "Ng")
    catalog = tenant_catalog(app, "acme")
    done = erase_customer(app, catalog, email="ANN@EXAMPLE.COM", actor=DESK)
    assert (done.customers, done.appointments) == (1, 1)
    kept = get_appointment(app, catalog, ("public_id", ann.public_id))
    assert (kept.start, kept.end, kept.status) == (ann.start, ann.end, Status.CONFIRMED)
    assert (kept.notes, kept.title) == (None, None)
    person = kept.customers[0]
    assert (person.last_name, person.email, person.phone) == (None, None, None)
    # Bob is untouched, and the erased slot still counts as taken.
    other = get_appointment(app, catalog, ("public_id", bob.public_id))
    assert other.customers[0].email == "bob@example.com" and other.notes == "Ng brings papers"
    with pytest.raises(SlotTaken):
        _book(app, NINE, "carl@example.com", "Carl")
    assert (
        search_customers(app, catalog, email="ann@example.com", last_name=None, offset=0, limit=5)[
            1
        ]
        == 0
    )
    # Nothing left to erase the second time; the audit says who erased what.
    again = erase_customer(app, catalog, email="ann@example.com", actor=DESK)
    assert (again.customers, again.appointments) == (0, 0)
    entries = [e for e in audit.read_log(app, catalog) if e.operation == "erase_customer"]
    assert [(e.key_id, e.scope, e.client_address, e.detail) for e in entries] == [
        (7, "staff", "192.0.2.7", "1 customer(s), 1 appointment(s)"),
        (7, "staff", "192.0.2.7", "0 customer(s), 0 appointment(s)"),
    ]


def test_an_erasure_names_exactly_one_identifier(make_slotbook: MakeSlotbook) -> None:
    app = make_slotbook(issue_catalog())
    catalog = tenant_catalog(app, "acme")
    with pytest.raises(InvalidRequest):
        erase_customer(app, catalog)
    with pytest.raises(InvalidRequest):
        erase_customer(app, catalog, email="a@example.com", external_id="x")


def test_retention_anonymises_what_ended_longer_ago(
    make_slotbook: MakeSlotbook, clock: FakeClock
) -> None:
    app = make_slotbook(issue_catalog(retention_days=30, horizon_days=365))
    old = _book(app, NINE, "ann@example.com", "Lee")
    recent = _book(app, NINE + timedelta(days=35), "bob@example.com", "Ng")
    clock.set(NINE + timedelta(days=40))  # Ann's ended 40 days ago, Bob's 5 days ago
    catalog = tenant_catalog(app, "acme")
    done = apply_retention(app, catalog)
    assert (done.customers, done.appointments) == (1, 1)
    assert get_appointment(app, catalog, ("public_id", old.public_id)).customers[0].email is None
    kept = get_appointment(app, catalog, ("public_id", recent.public_id))
    assert kept.customers[0].email == "bob@example.com" and kept.notes == "Ng brings papers"
    assert customer_appointments(app, catalog, kept.customers[0])  # still linked
    nothing = apply_retention(app, catalog)
    assert (nothing.customers, nothing.appointments) == (0, 0)


def test_without_retention_days_nothing_is_anonymised(
    make_slotbook: MakeSlotbook, clock: FakeClock
) -> None:
    app = make_slotbook(issue_catalog())
    booked = _book(app, NINE, "ann@example.com", "Lee")
    clock.advance(days=3000)
    catalog = tenant_catalog(app, "acme")
    assert apply_retention(app, catalog).appointments == 0
    assert (
        get_appointment(app, catalog, ("public_id", booked.public_id)).notes == "Lee brings papers"
    )


def test_every_change_is_audited_and_the_audit_log_cannot_be_changed(
    make_slotbook: MakeSlotbook,
) -> None:
    app = make_slotbook(issue_catalog())
    booked = _book(app, NINE, "ann@example.com", "Lee")
    catalog = tenant_catalog(app, "acme")
    entries = audit.read_log(app, catalog)
    assert [(e.operation, e.appointment, e.outcome, e.route) for e in entries] == [
        ("book", booked.public_id, "ok", "/test")
    ]
    engine = app.uows.engine  # type: ignore[attr-defined]
    for statement in ("UPDATE audit_log SET outcome = 'forged'", "DELETE FROM audit_log"):
        with pytest.raises(Exception, match="append-only"), engine.begin() as connection:
            connection.execute(text(statement))
    assert len(audit.read_log(app, catalog)) == 1
