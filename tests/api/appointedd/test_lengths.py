"""A group booking has one length: another duration neither joins it nor overlaps it."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from tests.api.appointedd.conftest import MakeClient
from tests.api.appointedd.helpers import (
    at,
    book,
    hold,
    ids_by_name,
    person,
    search,
    studio_catalog,
)


def _client(studio_client: MakeClient) -> TestClient:
    """The studio, its 5-space yoga class also offered as 90 minutes (60 is the default)."""
    catalog: dict[str, Any] = studio_catalog()
    yoga = catalog["tenants"][0]["services"][0]
    assert yoga["id"] == "yoga"
    yoga["durations"] = [{"minutes": 60, "default": True}, {"minutes": 90}]
    return studio_client(catalog)


def _starts(found: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {str(item["start"]): item for item in found}


def test_another_duration_neither_joins_nor_overlaps_a_group_booking(
    studio_client: MakeClient,
) -> None:
    api = _client(studio_client)
    ids = ids_by_name(api)
    yoga, room = ids["Yoga class"], ids["Room 1"]
    before = _starts(search(api, yoga, at("09:00"), at("17:00"), duration=90))
    assert before[at("10:00")]["resource_ids"] == [room]  # 90 minutes fit while the room is free
    slot = hold(api, yoga, at("10:00")).json()["data"]
    assert slot["end"] == at("11:00")
    booking = book(api, slot["id"], person("Ada", "Lovelace")).json()["data"]

    # (a) The search for 90 minutes lists neither the 60-minute booking nor a new one at 10:00.
    longer = _starts(search(api, yoga, at("09:00"), at("17:00"), duration=90))
    assert at("10:00") not in longer
    same = _starts(search(api, yoga, at("10:00"), at("10:01")))
    assert [g["id"] for g in same[at("10:00")]["group_bookings"]] == [booking["id"]]

    # (b) A 90-minute slot at 10:00 is refused and stores nothing.
    refused = hold(api, yoga, at("10:00"), duration=90)
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"] == "no_availability"
    listing = api.get("/v1/bookings?timezone=Europe/Amsterdam").json()
    assert listing["total"] == 1
    [unchanged] = listing["data"]
    assert unchanged["id"] == booking["id"]
    assert [c["spaces"] for c in unchanged["customers"]] == [1]
    again = _starts(search(api, yoga, at("10:00"), at("10:01")))
    assert again[at("10:00")]["group_bookings"][0]["spaces"] == 4

    # (c) A slot without a duration (the default 60) joins the booking.
    joined = hold(api, yoga, at("10:00"))
    assert joined.status_code == 201, joined.text
    assert joined.json()["data"]["booking_id"] == booking["id"]
    assert joined.json()["data"]["end"] == at("11:00")


def test_a_90_minute_group_booking_is_not_joined_at_the_default_length(
    studio_client: MakeClient,
) -> None:
    api = _client(studio_client)
    ids = ids_by_name(api)
    yoga = ids["Yoga class"]
    slot = hold(api, yoga, at("13:00"), duration=90).json()["data"]
    assert slot["end"] == at("14:30")
    booking = book(api, slot["id"], person("Ada", "Lovelace")).json()["data"]
    assert at("13:00") not in _starts(search(api, yoga, at("09:00"), at("17:00")))
    refused = hold(api, yoga, at("13:00"))
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"] == "no_availability"
    joined = hold(api, yoga, at("13:00"), duration=90).json()["data"]
    assert joined["booking_id"] == booking["id"]
