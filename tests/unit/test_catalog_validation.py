"""Catalog files: the documented shape loads exactly; every error names its place."""

from __future__ import annotations

from typing import Any

import pytest

from slotbook.catalog.loader import parse_catalog, validate_catalog
from slotbook.demo import DEMO_CATALOG
from slotbook.domain.errors import CatalogError
from tests.factories import issue_catalog


def problems(catalog: dict[str, Any]) -> list[str]:
    with pytest.raises(CatalogError) as caught:
        validate_catalog(catalog)
    return caught.value.problems


def test_the_issue_example_loads_as_written() -> None:
    tenant = validate_catalog(issue_catalog()).tenants[0]
    assert tenant.reservation_ttl_seconds == 600
    branch = tenant.branches[0]
    assert branch.hours["mon"] == ["09:00-12:00", "13:00-17:00"]
    assert branch.hours["sat"] == []
    assert branch.address.zip == "2222 AG"
    passport = tenant.services[0]
    assert (passport.public_id, passport.duration, passport.additional_customer_duration) == (
        "Paspoort",
        10,
        5,
    )
    assert tenant.services[2].capacity == 5
    assert tenant.combinations == [["passport", "idcard"]]


def test_the_demo_catalog_is_valid() -> None:
    assert parse_catalog(DEMO_CATALOG.read_bytes()).tenants[0].id == "acme"


def test_in_the_demo_only_the_workshop_uses_its_room() -> None:
    # A desk service on the workshop room would block the class for a ten-minute visit.
    acme = parse_catalog(DEMO_CATALOG.read_bytes()).tenants[0]
    every = [r.id for b in acme.branches for r in b.resources]
    in_room = [s.id for s in acme.services if "room-1" in (s.resources or every)]
    assert in_room == ["workshop"]


def test_every_problem_is_reported_in_one_round() -> None:
    catalog = issue_catalog()
    tenant = catalog["tenants"][0]
    tenant["branches"][0]["time_zone"] = "Europe/Atlantis"
    tenant["services"][0]["duration"] = "10"
    tenant["services"][2]["branches"] = ["south"]
    found = problems(catalog)
    assert "tenants[0].services[0].duration: Input should be a valid integer" in found
    assert 'tenants[0].branches[0].time_zone: unknown time zone "Europe/Atlantis"' in found
    assert 'tenants[0].services[2].branches[0]: unknown branch "south"' in found


def test_unknown_keys_are_errors_so_typos_are_caught() -> None:
    catalog = issue_catalog()
    catalog["tenants"][0]["services"][0]["durration"] = 5
    assert problems(catalog) == ["tenants[0].services[0].durration: unknown key"]


def test_unknown_references_name_the_place() -> None:
    catalog = issue_catalog()
    catalog["tenants"][0]["services"][1]["branches"] = ["north", "south"]
    catalog["tenants"][0]["combinations"] = [["passport", "visa"]]
    found = problems(catalog)
    assert 'tenants[0].services[1].branches[1]: unknown branch "south"' in found
    assert 'tenants[0].combinations[0][1]: unknown service "visa"' in found


def test_bad_time_zone_overlapping_ranges_and_bad_times_are_refused() -> None:
    catalog = issue_catalog()
    branch = catalog["tenants"][0]["branches"][0]
    branch["time_zone"] = "Europe/Atlantis"
    branch["hours"] = {
        "mon": ["09:00-12:00", "11:00-13:00"],
        "tue": ["9:00-17:00"],
        "wed": ["17:00-09:00"],
    }
    found = problems(catalog)
    assert 'tenants[0].branches[0].time_zone: unknown time zone "Europe/Atlantis"' in found
    assert "tenants[0].branches[0].hours.mon: opening ranges overlap" in found
    assert any(p.startswith("tenants[0].branches[0].hours.tue[0]:") for p in found)
    assert any(
        p.startswith("tenants[0].branches[0].hours.wed[0]:") and "ends before" in p for p in found
    )


@pytest.mark.parametrize(
    "name", ["posixrules", "localtime", "Factory", "right/UTC", "posix/Europe/London"]
)
def test_names_that_are_no_iana_time_zone_are_refused(name: str) -> None:
    catalog = issue_catalog()
    catalog["tenants"][0]["branches"][0]["time_zone"] = name
    assert problems(catalog) == [f'tenants[0].branches[0].time_zone: unknown time zone "{name}"']


@pytest.mark.parametrize("name", ["UTC", "Europe/Amsterdam", "America/Argentina/Buenos_Aires"])
def test_iana_time_zones_load(name: str) -> None:
    catalog = issue_catalog()
    catalog["tenants"][0]["branches"][0]["time_zone"] = name
    assert validate_catalog(catalog).tenants[0].branches[0].time_zone == name


def test_bad_weekday_and_bad_date_are_refused() -> None:
    catalog = issue_catalog()
    catalog["tenants"][0]["branches"][0]["hours"]["monday"] = ["09:00-10:00"]
    catalog["tenants"][0]["branches"][0]["closed"] = ["2026-13-01"]
    found = problems(catalog)
    assert any(p.startswith("tenants[0].branches[0].hours.monday") for p in found)
    assert any(p.startswith("tenants[0].branches[0].closed[0]") for p in found)


def test_duplicate_ids_and_a_resource_of_another_branch_are_refused() -> None:
    catalog = issue_catalog()
    tenant = catalog["tenants"][0]
    tenant["services"].append(
        {"id": "passport", "name": "Again", "duration": 5, "branches": ["north"]}
    )
    tenant["branches"].append(
        {
            "id": "south",
            "name": "South",
            "time_zone": "UTC",
            "resources": [{"id": "s-desk", "name": "S"}],
        }
    )
    tenant["services"][1]["resources"] = ["s-desk"]
    found = problems(catalog)
    assert 'tenants[0].services: id "passport" is used 2 times' in found
    assert any("tenants[0].services[1].resources[0]" in p and "south" in p for p in found)


def test_yaml_catalogs_are_read_too() -> None:
    text = """
tenants:
  - id: t
    name: T
    branches:
      - id: b
        name: B
        time_zone: Europe/London
        hours: {mon: ["09:00-17:00"]}
        closed: [2030-12-25]
        resources: [{id: r, name: Desk}]
    services:
      - {id: s, name: S, duration: 20, branches: [b]}
"""
    catalog = parse_catalog(text, yaml_syntax=True)
    assert str(catalog.tenants[0].branches[0].closed[0]) == "2030-12-25"


def test_broken_json_is_reported() -> None:
    with pytest.raises(CatalogError, match="not valid JSON"):
        parse_catalog(b"{")


@pytest.mark.parametrize(
    ("place", "value"),
    [
        (("services", 0, "duration"), True),
        (("services", 0, "duration"), "10"),
        (("services", 0, "duration"), 10.0),
        (("services", 0, "online_bookable"), 0),
        (("services", 0, "price"), "12.50"),
        (("services", 0, "name"), {}),
        (("branches", 0, "closed"), [0]),
        (("branches", 0, "closed"), ["2026-12-25T00:00:00"]),
        (("branches", 0, "closed"), ["2026-02-30"]),
        (("branches", 0, "latitude"), "52.1"),
    ],
)
def test_a_value_of_the_wrong_type_is_refused_not_converted(
    place: tuple[str | int, ...], value: Any
) -> None:
    catalog = issue_catalog()
    parent: Any = catalog["tenants"][0]
    for step in place[:-1]:
        parent = parent[step]
    parent[place[-1]] = value
    where = "tenants[0]." + ".".join(
        f"{step}" if isinstance(step, str) else f"[{step}]" for step in place
    ).replace(".[", "[")
    assert any(problem.startswith(where) for problem in problems(catalog)), problems(catalog)


def test_a_public_id_that_names_another_service_is_refused() -> None:
    catalog = issue_catalog()
    catalog["tenants"][0]["services"][1]["public_id"] = "PASSPORT"  # the first one's id
    assert problems(catalog) == [
        'tenants[0].services: "passport" names more than one of them ("idcard", "passport"); '
        "ids and public_ids must differ, ignoring case"
    ]


@pytest.mark.parametrize(
    ("raw", "yaml_syntax"),
    [
        (b'{"tenants": [], "tenants": []}', False),
        (b"tenants: []\ntenants: []\n", True),
    ],
)
def test_a_key_written_twice_is_refused(raw: bytes, yaml_syntax: bool) -> None:
    with pytest.raises(CatalogError, match='key "tenants" appears twice'):
        parse_catalog(raw, yaml_syntax=yaml_syntax)


def test_a_service_at_a_branch_where_no_resource_performs_it_is_refused() -> None:
    catalog = issue_catalog()
    catalog["tenants"][0]["branches"].append({"id": "south", "name": "S", "time_zone": "UTC"})
    catalog["tenants"][0]["services"][1]["branches"].append("south")  # south has no resources
    assert problems(catalog) == [
        'tenants[0].services[1].branches[1]: no resource of branch "south" performs it'
    ]


def test_a_group_service_cannot_also_grow_with_each_customer() -> None:
    catalog = issue_catalog()
    catalog["tenants"][0]["services"][2]["additional_customer_duration"] = 15  # the workshop
    assert problems(catalog) == [
        "tenants[0].services[2].additional_customer_duration: a group service (capacity > 1) "
        "keeps its length for any number of people; leave it out"
    ]


def test_yaml_merge_keys_may_override_what_they_merge() -> None:
    text = """
tenants:
  - id: t
    name: T
    branches:
      - {id: b, name: B, time_zone: UTC, hours: {mon: ["09:00-17:00"]}, resources: [{id: r, name: R}]}
    services:
      - &standard {id: a, name: A, duration: 30, branches: [b]}
      - <<: *standard
        id: c
        name: C
"""
    services = parse_catalog(text, yaml_syntax=True).tenants[0].services
    assert [(s.id, s.name, s.duration) for s in services] == [("a", "A", 30), ("c", "C", 30)]


def test_mail_settings_must_be_addresses_and_minutes() -> None:
    found = "\n".join(
        problems(issue_catalog(notifications={"from": "not an address", "reminders": [0]}))
    )
    assert "notifications.from" in found and "notifications.reminders[0]" in found


def test_a_webhook_secret_and_an_sms_template_are_checked_when_the_catalog_loads() -> None:
    found = problems(
        issue_catalog(
            notifications={
                "sms": {"url": "https://sms.example", "template": "{{ ''.__class__ }}"},
            },
            webhooks=[{"url": "https://crm.example/hooks", "secret": "whsec_tooshort"}],
        )
    )
    assert [p.split(":")[0] for p in found] == [
        "tenants[0].webhooks[0].secret",
        "tenants[0].notifications.sms.template",
    ]


def test_resource_groups_contact_fields_and_a_localised_category_load() -> None:
    catalog = issue_catalog()
    tenant = catalog["tenants"][0]
    desk = tenant["branches"][0]["resources"][0]
    desk.update(email="desk@example.org", phone="071 000", address={"city": "Katwijk"})
    tenant["services"][0]["category"] = {"en_US": "Documents", "nl_NL": "Documenten"}
    tenant["resource_groups"] = [{"id": "front", "name": "Front", "resources": [desk["id"]]}]
    loaded = validate_catalog(catalog).tenants[0]
    assert loaded.resource_groups[0].resources == [desk["id"]]
    resource = loaded.branches[0].resources[0]
    assert (resource.email, resource.address and resource.address.city) == (
        "desk@example.org",
        "Katwijk",
    )


def test_a_resource_group_naming_an_unknown_resource_or_none_is_refused() -> None:
    catalog = issue_catalog()
    catalog["tenants"][0]["resource_groups"] = [
        {"id": "front", "name": "Front", "resources": ["nobody"]},
    ]
    assert problems(catalog) == [
        'tenants[0].resource_groups[0].resources[0]: unknown resource "nobody"'
    ]
    catalog["tenants"][0]["resource_groups"] = [{"id": "front", "name": "Front", "resources": []}]
    assert any("resource_groups[0].resources" in p for p in problems(catalog))
