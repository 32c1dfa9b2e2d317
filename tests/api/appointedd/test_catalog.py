"""Services and resources as an Appointedd client reads them."""

from __future__ import annotations

from starlette.testclient import TestClient

from tests.api.appointedd.helpers import ids_by_name


def _service(client: TestClient, name: str) -> dict[str, object]:
    services = client.get("/v1/services").json()["data"]
    found: dict[str, object] = next(s for s in services if s["name"] == name)
    return found


def test_group_class_shows_its_occupancy_buffers_and_allows_groups(api: TestClient) -> None:
    yoga = _service(api, "Yoga class")
    assert yoga["description"] == "Stretch with us."
    assert isinstance(yoga["category_id"], str)
    assert len(yoga["category_id"]) == 24
    assert yoga["booking"] == {
        "occupancy": 5,
        "type": "ONLINE_BOOKING",
        "buffers": {"before": 15, "after": 15},
        "durations": [{"default": True, "minutes": 60, "price": 20, "old_price": 20}],
        "tiers": [],
        "allow_group": True,
    }


def test_one_to_one_service_lists_every_length_a_client_may_pick(api: TestClient) -> None:
    consult = _service(api, "Consultation")
    assert consult["category_id"] is None
    assert consult["booking"] == {
        "occupancy": 1,
        "type": "ONLINE_BOOKING",
        "buffers": {"before": 0, "after": 0},
        "durations": [
            {"default": True, "minutes": 30, "price": 40, "old_price": 40},
            {"default": False, "minutes": 60, "price": 70.5, "old_price": 70.5},
        ],
        "tiers": [],
        "allow_group": False,
    }


def test_services_page_with_start_set_to_the_previous_next(api: TestClient) -> None:
    first = api.get("/v1/services?limit=1").json()
    assert first["total"] == 2
    assert first["prev"] is None
    assert len(first["data"]) == 1
    second = api.get(f"/v1/services?limit=1&start={first['next']}").json()
    assert second["data"][0]["id"] == first["next"]
    assert second["prev"] == first["data"][0]["id"]
    assert second["next"] is None


def test_one_service_by_id(api: TestClient) -> None:
    ids = ids_by_name(api)
    response = api.get(f"/v1/services/{ids['Yoga class']}")
    assert response.status_code == 200
    assert response.json()["data"]["name"] == "Yoga class"
    shouted = api.get(f"/v1/services/{ids['Yoga class'].upper()}")
    assert shouted.json() == response.json()


def test_unknown_or_malformed_service_id(api: TestClient) -> None:
    missing = api.get("/v1/services/0123456789abcdef01234567")
    assert missing.status_code == 404
    assert missing.json()["error"] == "not_found"
    malformed = api.get("/v1/services/not-an-id")
    assert malformed.status_code == 400
    assert "service_id" in malformed.json()["message"]


def test_resources_list_the_services_they_perform(api: TestClient) -> None:
    ids = ids_by_name(api)
    body = api.get("/v1/resources").json()
    assert body["total"] == 3
    by_name = {r["profile"]["name"]: r for r in body["data"]}
    assert by_name["Room 1"]["services"] == [ids["Yoga class"]]
    assert by_name["Desk 2"]["services"] == [ids["Consultation"]]
    assert by_name["Desk 1"]["resource_group_ids"] == []
    one = api.get(f"/v1/resources/{ids['Desk 1']}").json()["data"]
    assert one == by_name["Desk 1"]
    assert api.get("/v1/resources/0123456789abcdef01234567").status_code == 404


def test_resources_page_through(api: TestClient) -> None:
    first = api.get("/v1/resources?limit=2").json()
    rest = api.get(f"/v1/resources?limit=2&start={first['next']}").json()
    assert [r["profile"]["name"] for r in first["data"] + rest["data"]] == [
        "Room 1",
        "Desk 1",
        "Desk 2",
    ]
    assert rest["next"] is None
    assert rest["prev"] == first["data"][0]["id"]


def test_list_parameters_out_of_range_are_refused(api: TestClient) -> None:
    for query in ("limit=0", "limit=101", "limit=ten", "start=0123456789abcdef01234567"):
        response = api.get(f"/v1/services?{query}")
        assert response.status_code == 400, query
        assert query.split("=")[0] in response.json()["message"]
