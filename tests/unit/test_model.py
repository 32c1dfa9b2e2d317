"""Length rules, localised names, and catalog relations."""

from __future__ import annotations

import pytest

from slotbook.domain.errors import InvalidRequest
from slotbook.domain.model import (
    DurationOption,
    Localized,
    appointment_length,
    session_capacity,
    spaces_needed,
)
from tests.unit.models import make_service


def test_extra_customers_add_their_duration_per_service() -> None:
    passport = make_service("passport", duration=10, additional_customer_duration=5)
    assert appointment_length((passport,), 1) == 10
    assert appointment_length((passport,), 2) == 15
    consult = make_service("consult", duration=30, additional_customer_duration=15)
    assert appointment_length((consult,), 5) == 90


def test_several_services_add_up_and_custom_length_replaces_the_sum() -> None:
    one = make_service("a", duration=10, additional_customer_duration=5)
    two = make_service("b", duration=10, additional_customer_duration=5)
    assert appointment_length((one, two), 4) == 50
    assert appointment_length((one, two), 4, custom_length=65) == 65
    with pytest.raises(InvalidRequest):
        appointment_length((one,), 1, custom_length=0)
    with pytest.raises(InvalidRequest):
        appointment_length((one,), 1, custom_length=481)


def test_group_sessions_keep_their_length_and_count_spaces() -> None:
    workshop = make_service("w", duration=60, additional_customer_duration=5, capacity=5)
    assert appointment_length((workshop,), 4) == 60
    assert spaces_needed((workshop,), 4) == 4
    assert session_capacity((workshop,)) == 5
    desk = make_service("d")
    assert spaces_needed((desk,), 3) == 1
    assert session_capacity((desk, workshop)) == 1


def test_alternative_durations_are_the_only_lengths_a_client_may_pick() -> None:
    consult = make_service(
        "c",
        duration=15,
        durations=(DurationOption(15, default=True), DurationOption(30, price=50.0)),
    )
    assert consult.allowed_durations == (15, 30)
    assert appointment_length((consult,), 1, chosen_duration=30) == 30
    with pytest.raises(InvalidRequest, match="allowed: 15, 30"):
        appointment_length((consult,), 1, chosen_duration=45)


def test_localised_text_falls_back_to_the_default_then_anything() -> None:
    name = Localized.of({"en_US": "Passport", "nl_NL": "Paspoort"})
    assert name.get("nl_NL", "en_US") == "Paspoort"
    assert name.get("de_DE", "en_US") == "Passport"
    assert name.get("de_DE", "fr_FR") == "Passport"
    assert Localized.of("Plain").get("nl_NL", "en_US") == "Plain"
    assert Localized.of(None).get("nl_NL") is None
