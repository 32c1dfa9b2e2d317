"""The rules a citizen's key cannot go beyond, and who acts: pure, no database."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from slotbook.domain.errors import Forbidden, InvalidRequest
from slotbook.domain.model import (
    MAX_CUSTOM_LENGTH,
    Customer,
    DurationOption,
    InformationQuestion,
    Localized,
    check_details,
    check_length,
    longest_allowed,
)
from slotbook.services.actor import Actor, Scope
from tests.unit.models import IDS, make_service


def test_a_citizen_may_ask_up_to_the_services_own_longest_length() -> None:
    consult = make_service(
        duration=15, durations=(DurationOption(15, default=True), DurationOption(30))
    )
    assert longest_allowed((consult,), 1) == 30
    check_length((consult,), 1, 30, staff=False, field="customSlotLength")
    with pytest.raises(Forbidden, match="at most 30 without a staff key"):
        check_length((consult,), 1, 31, staff=False, field="customSlotLength")
    check_length((consult,), 1, 31, staff=True, field="customSlotLength")


def test_extra_people_and_the_catalog_maximum_raise_the_limit() -> None:
    passport = make_service(duration=10, additional_customer_duration=5)
    assert longest_allowed((passport,), 3) == 20
    generous = make_service(duration=10, max_custom_length=45)
    assert longest_allowed((generous,), 1) == 45
    assert longest_allowed((passport, generous), 1) == 55


def test_the_refusal_names_what_the_client_sent() -> None:
    with pytest.raises(Forbidden) as refused:
        check_length((make_service(),), 1, 300, staff=False, field="end")
    assert refused.value.message.startswith("end: the appointment would last 300 minutes")
    with pytest.raises(InvalidRequest) as impossible:
        check_length((make_service(),), 1, MAX_CUSTOM_LENGTH + 1, staff=True, field="end")
    assert impossible.value.field == "end"


def test_a_group_session_keeps_its_length_so_no_length_is_checked() -> None:
    check_length((make_service(capacity=5),), 1, 900, staff=False, field="customSlotLength")


@given(
    duration=st.integers(1, 120),
    extra=st.integers(0, 30),
    people=st.integers(1, 8),
    asked=st.integers(1, MAX_CUSTOM_LENGTH),
)
def test_a_citizen_is_refused_exactly_above_the_limit(
    duration: int, extra: int, people: int, asked: int
) -> None:
    service = make_service(duration=duration, additional_customer_duration=extra)
    limit = duration + extra * (people - 1)
    if asked <= limit:
        check_length((service,), people, asked, staff=False, field="x")
    else:
        with pytest.raises(Forbidden):
            check_length((service,), people, asked, staff=False, field="x")


def _customer(birth: date | None = None) -> Customer:
    return Customer(public_id="c", ids=IDS, date_of_birth=birth)


def test_required_details_hold_whatever_the_surface() -> None:
    question = InformationQuestion("reason", Localized.of("Why?"), Localized(), True, IDS)
    passport = make_service(date_of_birth_required=True, information_questions=(question,))
    with pytest.raises(InvalidRequest) as missing:
        check_details((passport,), [_customer()], {})
    assert missing.value.field == "dateOfBirth"
    assert 'question "reason" must be answered' in missing.value.message
    with pytest.raises(InvalidRequest, match="must be answered"):
        check_details((passport,), [_customer(date(1990, 1, 1))], {"reason": "   "})
    check_details((passport,), [_customer(date(1990, 1, 1))], {"reason": "renewal"})
    check_details((make_service(),), [], {})


def test_scopes_include_the_ones_below_them() -> None:
    assert Scope.ADMIN.covers(Scope.STAFF) and Scope.STAFF.covers(Scope.BOOKING)
    assert not Scope.BOOKING.covers(Scope.STAFF) and not Scope.STAFF.covers(Scope.ADMIN)
    assert Actor(Scope.STAFF).staff and not Actor(Scope.BOOKING).staff


def test_a_client_is_a_key_and_an_address() -> None:
    one = Actor(Scope.BOOKING, key_id=1, address="192.0.2.1")
    assert one.client_ref == Actor(Scope.BOOKING, key_id=1, address="192.0.2.1").client_ref
    assert one.client_ref != Actor(Scope.BOOKING, key_id=2, address="192.0.2.1").client_ref
    assert one.client_ref != Actor(Scope.BOOKING, key_id=1, address="192.0.2.2").client_ref
    assert "192.0.2.1" not in one.client_ref
