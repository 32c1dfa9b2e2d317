"""Bookings: slots turned into participants of a group booking, read, cancelled."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from starlette.testclient import TestClient

from slotbook.domain.model import CustomerDetails, Status
from slotbook.services.availability import SlotQuery
from slotbook.services.booking import BookingDetails, place
from slotbook.services.catalog import tenant_catalog
from tests.api.appointedd.helpers import at, book, hold, ids_by_name, person, search, slotbook_of


def _free_spaces(api: TestClient, service_id: str, start: str) -> int:
    found = search(api, service_id, start, start.replace(":00.000", ":01.000", 1))
    if not found:
        return 0
    groups = found[0]["group_bookings"]
    if not groups:
        return 5  # the room is free: a whole new class fits
    spaces: int = groups[0]["spaces"]
    return spaces


def _booked(api: TestClient, service_id: str, start: str, *people: dict[str, Any]) -> Any:
    slot = hold(api, service_id, start, spaces=sum(p.get("spaces", 1) for p in people))
    assert slot.status_code == 201, slot.text
    response = book(api, slot.json()["data"]["id"], *people)
    assert response.status_code == 201, response.text
    return response.json()["data"]


def test_the_whole_group_booking_flow(api: TestClient) -> None:
    ids = ids_by_name(api)
    yoga = ids["Yoga class"]
    # Ada finds the class and holds a space on a new group booking.
    [nine, *_] = search(api, yoga, at("00:00"), at("23:59"))
    assert nine["start"] == at("09:00")
    assert nine["resource_ids"] == [ids["Room 1"]]
    first_slot = hold(api, yoga, nine["start"]).json()["data"]
    assert first_slot["booking_id"] is None
    ada = book(api, first_slot["id"], person("Ada", "Lovelace"))
    assert ada.status_code == 201
    booking = ada.json()["data"]
    assert booking["status"] == "confirmed"
    assert booking["total_spaces"] == 5
    assert [c["spaces"] for c in booking["customers"]] == [1]
    assert _free_spaces(api, yoga, at("09:00")) == 4
    # Bo and Cy join the same class: the slot names Ada's booking.
    [again] = search(api, yoga, at("09:00"), at("09:01"))
    assert again["group_bookings"][0]["id"] == booking["id"]
    second_slot = hold(api, yoga, at("09:00"), spaces=3).json()["data"]
    assert second_slot["booking_id"] == booking["id"]
    both = book(api, second_slot["id"], person("Bo", "Brown", spaces=2), person("Cy", "Cole"))
    assert both.status_code == 201
    joined = both.json()["data"]
    assert joined["id"] == booking["id"]
    assert [c["spaces"] for c in joined["customers"]] == [1, 2, 1]
    assert _free_spaces(api, yoga, at("09:00")) == 1
    # Bo cancels: exactly Bo's two spaces are free again.
    bo = joined["customers"][1]
    cancelled = api.post(
        f"/v1/bookings/{booking['id']}/customers/{bo['customer_booking_id']}/cancel"
    )
    assert cancelled.status_code == 200
    after = cancelled.json()["data"]
    assert after["status"] == "confirmed"
    assert [c["spaces"] for c in after["customers"]] == [1, 1]
    assert bo["customer_booking_id"] not in {c["customer_booking_id"] for c in after["customers"]}
    assert _free_spaces(api, yoga, at("09:00")) == 3


def test_booking_shows_its_times_buffers_and_participants(api: TestClient) -> None:
    ids = ids_by_name(api)
    booking = _booked(api, ids["Yoga class"], at("09:00"), person("Ada", "Lovelace"))
    assert booking["service_id"] == ids["Yoga class"]
    assert booking["resource_id"] == ids["Room 1"]
    assert booking["resources"] == [{"_id": ids["Room 1"]}]
    assert booking["start"] == at("09:00")
    assert booking["end"] == at("10:00")
    assert booking["start_buffer"] == at("08:45")
    assert booking["end_buffer"] == at("10:15")
    assert booking["buffers"] == {"before": "15", "after": "15"}
    assert booking["parts"] == [{"start": at("09:00"), "end": at("10:00")}]
    assert booking["price"] == 20
    assert booking["created_source"] == "api"
    [ada] = booking["customers"]
    assert len(ada["customer_id"]) == 24
    assert ada["booking_source"] == "api"
    assert ada["locale"] == "en"
    assert ada["timezone"] == "Europe/Amsterdam"
    assert ada["total_spaces"] == 1
    assert isinstance(ada["created"], int)
    read = api.get(f"/v1/bookings/{booking['id']}?timezone=Europe/Amsterdam").json()["data"]
    assert read == booking


def test_one_customer_takes_every_space_the_slot_reserved(api: TestClient) -> None:
    ids = ids_by_name(api)
    slot = hold(api, ids["Yoga class"], at("09:00"), spaces=3).json()["data"]
    booking = book(api, slot["id"], person("Ada", "Lovelace")).json()["data"]
    assert [c["spaces"] for c in booking["customers"]] == [3]


def test_customers_may_take_more_spaces_than_held_while_there_is_room(api: TestClient) -> None:
    ids = ids_by_name(api)
    slot = hold(api, ids["Yoga class"], at("09:00")).json()["data"]
    more = book(api, slot["id"], person("Ada", "Lovelace", spaces=4))
    assert more.status_code == 201
    assert _free_spaces(api, ids["Yoga class"], at("09:00")) == 1
    other = hold(api, ids["Yoga class"], at("09:00")).json()["data"]
    too_many = book(api, other["id"], person("Bo", "Brown", spaces=2))
    assert too_many.status_code == 409
    assert api.get(f"/v1/availability/slots/{other['id']}").status_code == 200


def test_a_booking_needs_first_and_last_name_and_stores_nothing_otherwise(
    api: TestClient,
) -> None:
    ids = ids_by_name(api)
    slot = hold(api, ids["Yoga class"], at("09:00")).json()["data"]
    nameless = {"customer": {"profile": {"firstname": "Ada"}}}
    response = book(api, slot["id"], nameless)
    assert response.status_code == 400
    assert "lastname" in response.json()["message"]
    blank = book(api, slot["id"], person("Ada", "   "))
    assert blank.status_code == 400
    assert api.get(f"/v1/availability/slots/{slot['id']}").status_code == 200
    # Only the slot holds the class: a group booking nobody has joined yet.
    [pending] = api.get("/v1/bookings").json()["data"]
    assert pending["customers"] == []
    assert _free_spaces(api, ids["Yoga class"], at("09:00")) == 4


def test_an_unknown_slot_is_not_found(api: TestClient) -> None:
    response = book(api, "0123456789abcdef01234567", person("Ada", "Lovelace"))
    assert response.status_code == 404
    assert response.json() == {"error": "not_found", "message": "Availability slot not found"}


def test_cancelling_a_booking_cancels_everyone_and_frees_the_room(api: TestClient) -> None:
    ids = ids_by_name(api)
    booking = _booked(api, ids["Yoga class"], at("09:00"), person("Ada", "L"), person("Bo", "B"))
    response = api.post(f"/v1/bookings/{booking['id']}/cancel")
    assert response.status_code == 200
    cancelled = response.json()["data"]
    assert cancelled["status"] == "cancelled"
    assert cancelled["customers"] == []
    [free] = search(api, ids["Yoga class"], at("09:00"), at("09:01"))
    assert free["resource_ids"] == [ids["Room 1"]]
    assert free["group_bookings"] == []
    assert api.get(f"/v1/bookings/{booking['id']}").json()["data"]["status"] == "cancelled"
    twice = api.post(f"/v1/bookings/{booking['id']}/cancel")
    assert twice.status_code == 409
    assert twice.json()["error"] == "conflict"


def test_cancelling_a_participant_checks_who_and_where(api: TestClient) -> None:
    ids = ids_by_name(api)
    nine = _booked(api, ids["Yoga class"], at("09:00"), person("Ada", "L"), person("Bo", "B"))
    eleven = _booked(api, ids["Yoga class"], at("11:00"), person("Cy", "C"))
    ada = nine["customers"][0]["customer_booking_id"]
    cy = eleven["customers"][0]["customer_booking_id"]
    wrong_booking = api.post(f"/v1/bookings/{nine['id']}/customers/{cy}/cancel")
    assert wrong_booking.status_code == 404
    unknown = api.post(f"/v1/bookings/{nine['id']}/customers/0123456789abcdef01234567/cancel")
    assert unknown.status_code == 404
    assert api.post(f"/v1/bookings/{nine['id']}/customers/{ada}/cancel").status_code == 200
    twice = api.post(f"/v1/bookings/{nine['id']}/customers/{ada}/cancel")
    assert twice.status_code == 409
    malformed = api.post(f"/v1/bookings/{nine['id']}/customers/ada/cancel")
    assert malformed.status_code == 400
    assert "customer_booking_id" in malformed.json()["message"]


def test_bookings_page_by_start(api: TestClient) -> None:
    ids = ids_by_name(api)
    made = [
        _booked(api, ids["Consultation"], at(t), person("P", t))["id"]
        for t in ("10:00", "09:00", "09:30")
    ]
    first = api.get("/v1/bookings?limit=2").json()
    assert first["total"] == 3
    assert [b["id"] for b in first["data"]] == [made[1], made[2]]
    assert first["prev"] is None
    assert first["next"] == made[0]
    rest = api.get(f"/v1/bookings?limit=2&start={first['next']}").json()
    assert [b["id"] for b in rest["data"]] == [made[0]]
    assert rest["prev"] == made[1]
    assert rest["next"] is None


def test_bookings_by_ids(api: TestClient) -> None:
    ids = ids_by_name(api)
    a = _booked(api, ids["Consultation"], at("09:00"), person("A", "A"))["id"]
    b = _booked(api, ids["Consultation"], at("09:30"), person("B", "B"))["id"]
    _booked(api, ids["Consultation"], at("10:00"), person("C", "C"))
    both = api.get(f"/v1/bookings?ids={a},{b}").json()
    assert [x["id"] for x in both["data"]] == [a, b]
    assert both["total"] == 2
    axios_style = api.get(f"/v1/bookings?ids[]={b}").json()
    assert [x["id"] for x in axios_style["data"]] == [b]
    none = api.get("/v1/bookings?ids=0123456789abcdef01234567").json()
    assert none == {"data": [], "total": 0, "prev": None, "next": None}
    assert api.get("/v1/bookings?ids=nope").status_code == 400
    assert api.get("/v1/bookings/0123456789abcdef01234567").status_code == 404


def test_participants_booked_through_another_surface_share_the_session(api: TestClient) -> None:
    ids = ids_by_name(api)
    booking = _booked(api, ids["Yoga class"], at("09:00"), person("Ada", "Lovelace"))
    slotbook = slotbook_of(api)
    catalog = tenant_catalog(slotbook, "acme")
    query = SlotQuery(
        branch=catalog.branch("studio"), services=(catalog.service("yoga"),), people=2
    )
    place(
        slotbook,
        catalog,
        query=query,
        start=datetime(2030, 3, 4, 8, 0, tzinfo=UTC),
        status=Status.CONFIRMED,
        details=BookingDetails(customers=[CustomerDetails(first_name="Grace")], source="other"),
    )
    read = api.get(f"/v1/bookings/{booking['id']}").json()["data"]
    assert [c["spaces"] for c in read["customers"]] == [1, 2]
    assert _free_spaces(api, ids["Yoga class"], at("09:00")) == 2


def test_more_spaces_than_the_service_offers_is_a_bad_request_and_stores_nothing(
    api: TestClient,
) -> None:
    ids = ids_by_name(api)
    yoga = hold(api, ids["Yoga class"], at("09:00")).json()["data"]
    consult = hold(api, ids["Consultation"], at("09:00")).json()["data"]
    cases: list[tuple[str, tuple[dict[str, Any], ...], str]] = [
        (yoga["id"], (person("Ada", "Lovelace", spaces=6),), "data.customers.0.spaces"),
        (yoga["id"], (person("Ada", "L"), person("Bo", "B", spaces=6)), "data.customers.1.spaces"),
        (yoga["id"], (person("Ada", "L", spaces=3), person("Bo", "B", spaces=3)), "data.customers"),
        (consult["id"], (person("Cy", "Cole", spaces=2),), "data.customers.0.spaces"),
    ]
    for slot_id, people, field in cases:
        response = book(api, slot_id, *people)
        assert response.status_code == 400, (field, response.text)
        body = response.json()
        assert body["error"] == "bad_request"
        assert body["message"].startswith(f"{field}: "), body
    for slot in (yoga, consult):
        kept = api.get(f"/v1/availability/slots/{slot['id']}?timezone=Europe/Amsterdam")
        assert kept.json()["data"] == slot
    assert [b["customers"] for b in api.get("/v1/bookings").json()["data"]] == [[], []]
    assert _free_spaces(api, ids["Yoga class"], at("09:00")) == 4


def test_an_ids_parameter_that_names_no_id_is_refused(api: TestClient) -> None:
    ids = ids_by_name(api)
    made = _booked(api, ids["Consultation"], at("09:00"), person("A", "A"))["id"]
    for query in ("ids=", "ids=%20", "ids", "ids=,%20,", "ids[]=", "ids=&ids[]=%20"):
        response = api.get(f"/v1/bookings?{query}")
        assert response.status_code == 400, (query, response.text)
        body = response.json()
        assert body["error"] == "bad_request"
        assert body["message"].startswith("ids: "), body
    # A blank entry next to a real id is only a stray comma.
    listed = api.get(f"/v1/bookings?ids=&ids={made}").json()
    assert [b["id"] for b in listed["data"]] == [made]
