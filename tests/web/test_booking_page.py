"""The booking page, clicked through as plain HTTP: every step works without JavaScript."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from icalendar import Calendar
from starlette.testclient import TestClient

from slotbook.demo import DEMO_CATALOG
from tests.conftest import FakeClock
from tests.web.page import DETAILS, Citizen, csrf, links, starts

ORCHESTRA = "/calendar-backend/public/api/v1"
PASSPORT = "service=passport&branch=north&screen_photo=yes"


def demo() -> dict[str, Any]:
    catalog: dict[str, Any] = json.loads(DEMO_CATALOG.read_text())
    catalog["tenants"][0]["services"][0]["what_to_bring"] = {
        "en_US": "Your old passport and a recent photo",
        "nl_NL": "Uw oude paspoort en een recente pasfoto",
    }
    return catalog


@pytest.fixture
def citizen(make_client: Callable[[dict[str, Any]], TestClient]) -> Citizen:
    return Citizen(make_client(demo()))


def test_a_citizen_books_a_passport_appointment_and_the_apis_see_it(citizen: Citizen) -> None:
    start = citizen.get("")
    assert start.status_code == 200
    assert links(start, r"/options\?service=passport")
    options = citizen.get("options?service=passport")
    assert "Do you have a recent passport photo?" in options.text
    done_path = citizen.book(PASSPORT)
    done = citizen.get(done_path)
    assert done.status_code == 200
    reference = re.search(r"Your reference is ([0-9]+)", done.text)
    assert reference is not None
    assert "Lageweg 35" in done.text and "Your old passport and a recent photo" in done.text
    # The appointment made on the page is the one every API sees.
    found = citizen.client.get(f"{ORCHESTRA}/customers/externalId/nobody/appointments")
    assert found.status_code == 200
    listed = citizen.client.get("/consumer/v1/appointments", headers={"X-TENANT-ID": "acme"})
    assert listed.status_code == 401  # lists need a staff key; the page needed none
    ics = citizen.get(done_path.replace("/done/", "/ics/"))
    event = Calendar.from_ical(ics.content).walk("VEVENT")[0]
    assert "Passport" in str(event["SUMMARY"]) and "Lageweg 35" in str(event["LOCATION"])
    assert reference.group(1) in str(event["DESCRIPTION"])
    assert "/manage/" in str(event["URL"])


def test_the_page_speaks_dutch(citizen: Citizen) -> None:
    page = citizen.get("", params={"lang": "nl"})
    assert '<html lang="nl">' in page.text and "Waarvoor maakt u een afspraak?" in page.text
    assert "Paspoort" in page.text
    # The choice is remembered; the browser's language is the default.
    assert "Waarvoor maakt u" in citizen.get("").text
    fresh = Citizen(TestClient(citizen.client.app))
    assert "What is your appointment for?" in fresh.get("", headers={"Accept-Language": "en"}).text
    assert "Waarvoor" in fresh.get("", headers={"Accept-Language": "nl-NL,nl;q=0.9"}).text


def test_a_screening_answer_that_refuses_stops_the_flow(citizen: Citizen) -> None:
    refused = citizen.get("calendar?service=passport&branch=north&screen_photo=no")
    assert refused.status_code == 403
    assert "Please bring a recent photo first" in refused.text
    unanswered = citizen.get("calendar?service=passport&branch=north")
    assert unanswered.status_code == 403


def test_a_combination_for_two_people_takes_both_services_and_their_length(
    citizen: Citizen,
) -> None:
    options = citizen.get("options?service=passport")
    assert 'value="idcard"' in options.text  # the catalog combines them
    day = citizen.first_day(f"{PASSPORT}&service=idcard&people=2")
    held = citizen.hold(day)
    assert held.status_code == 303
    form = citizen.get(held.headers["location"])
    assert "Passport + ID card" in form.text and "2 people" in form.text
    times = re.search(r"<dd>(\d+):(\d\d)\D* – (\d+):(\d\d)\D*</dd>", form.text)
    assert times is not None, form.text
    begin, end = (int(times[1]) * 60 + int(times[2]), int(times[3]) * 60 + int(times[4]))
    assert end - begin == 30  # (10 + 5) per service for two people


def test_a_group_session_shows_the_places_left(citizen: Citizen) -> None:
    day = citizen.first_day("service=workshop&branch=north&people=2")
    assert "8 places left" in day.text
    first = starts(day)[0]
    assert citizen.hold(day, first).status_code == 303
    again = citizen.first_day("service=workshop&branch=north&people=1")
    assert "6 places left" in again.text


def test_details_are_checked_like_the_apis_check_them(citizen: Citizen) -> None:
    held = citizen.hold(citizen.first_day(PASSPORT))
    form = citizen.get(held.headers["location"])
    refused = citizen.client.post(
        held.headers["location"], data={"csrf": csrf(form), "first_name": "Ann", "email": "x"}
    )
    assert refused.status_code == 400
    for field in ("last_name", "email", "date_of_birth", "q_reason"):
        assert f'href="#{field}"' in refused.text  # the summary links to each field
        assert f'id="{field}-error"' in refused.text
    assert 'aria-invalid="true"' in refused.text
    assert 'value="Ann"' in refused.text  # what was typed stays


def test_a_hold_that_ran_out_cannot_be_confirmed(citizen: Citizen, clock: FakeClock) -> None:
    held = citizen.hold(citizen.first_day(PASSPORT))
    form = citizen.get(held.headers["location"])
    clock.advance(seconds=601)
    late = citizen.client.post(
        held.headers["location"].replace("/details/", "/confirm/"),
        data={"csrf": csrf(form), **DETAILS},
    )
    assert late.status_code == 410
    assert "no longer held" in late.text
    assert citizen.get(held.headers["location"]).status_code == 410


def test_going_back_gives_the_time_up(citizen: Citizen) -> None:
    day = citizen.first_day(PASSPORT)
    first = starts(day)[0]
    held = citizen.hold(day, first)
    form = citizen.get(held.headers["location"])
    back = citizen.client.post(
        held.headers["location"].replace("/details/", "/release/"), data={"csrf": csrf(form)}
    )
    assert back.status_code == 303 and "/day?" in back.headers["location"]
    assert first in starts(citizen.get(back.headers["location"]))


def test_two_browsers_racing_for_the_last_time_one_gets_it(
    citizen: Citizen, make_client: Callable[[dict[str, Any]], TestClient]
) -> None:
    catalog = demo()
    idcard = catalog["tenants"][0]["services"][1]
    idcard["resources"], idcard["branches"] = ["desk-1"], ["north"]  # ID card: one desk
    ann = Citizen(make_client(catalog))
    bob = Citizen(TestClient(ann.client.app))
    day_ann = ann.first_day("service=idcard&branch=north")
    day_bob = bob.first_day("service=idcard&branch=north")
    last = starts(day_ann)[0]
    assert ann.hold(day_ann, last).status_code == 303
    lost = bob.hold(day_bob, last)
    assert lost.status_code == 409
    assert "Someone else just took that time" in lost.text
    assert last not in starts(lost) and starts(lost)  # the day's other times


def test_the_manage_link_shows_and_cancels_the_appointment(citizen: Citizen) -> None:
    done = citizen.book(PASSPORT)
    manage = citizen.get(done.replace("/done/", "/manage/"))
    assert manage.status_code == 200 and "Cancel this appointment" in manage.text
    path = done.replace("/done/", "/manage/") + "/cancel"
    asking = citizen.client.post(path, data={"csrf": csrf(manage)})
    assert "Are you sure" in asking.text
    gone = citizen.client.post(path, data={"csrf": csrf(manage), "sure": "yes"})
    assert "Your appointment is cancelled" in gone.text
    assert citizen.get(done.replace("/done/", "/manage/")).status_code == 410
    forged = done.replace("/done/", "/manage/")[:-3] + "abc"
    assert citizen.get(forged).status_code == 404


def test_the_manage_link_moves_the_appointment_to_another_time(
    make_client: Callable[[dict[str, Any]], TestClient],
) -> None:
    catalog = demo()
    catalog["tenants"][0]["services"][0]["resources"] = ["desk-1", "south-desk-1"]
    citizen = Citizen(make_client(catalog))  # one passport desk at the north office
    booked_at = starts(citizen.first_day(PASSPORT))[0]
    done = citizen.book(PASSPORT)
    manage_path = done.replace("/done/", "/manage/")
    before = citizen.get(manage_path)
    old_time = re.search(r"<dt>Time</dt><dd>([^<]+)</dd>", before.text)
    move = citizen.get(manage_path + "/move")
    assert move.status_code == 303
    calendar = citizen.get(move.headers["location"])
    assert calendar.status_code == 200  # no screening questions again
    day = citizen.get(links(calendar, r"/day\?.*move=")[0])
    assert booked_at not in starts(day)  # its own time is taken (by itself)
    later = starts(day)[5]
    held = citizen.hold(day, later)
    assert held.status_code == 303 and "/move/" in held.headers["location"]
    check = citizen.get(held.headers["location"])
    assert "Move your appointment" in check.text and "New time" in check.text
    moved = citizen.client.post(held.headers["location"], data={"csrf": csrf(check)})
    assert moved.status_code == 303
    after = citizen.get(moved.headers["location"])
    assert "Your appointment is moved" in after.text
    new_time = re.search(r"<dt>Time</dt><dd>([^<]+)</dd>", after.text)
    assert old_time is not None and new_time is not None
    assert old_time.group(1) != new_time.group(1)
    # The old time is free again, the new one taken.
    again = starts(citizen.get(links(calendar, r"/day\?")[0]))
    assert later not in again and booked_at in again


def test_forms_without_the_browsers_csrf_token_are_refused(citizen: Citizen) -> None:
    day = citizen.first_day(PASSPORT)
    other = TestClient(citizen.client.app, follow_redirects=False)
    refused = other.post(
        "/book/acme/hold",
        data={"csrf": csrf(day), "service": "passport", "branch": "north", "start": starts(day)[0]},
    )
    assert refused.status_code == 403
    assert "This form has expired" in refused.text


def test_pages_are_strict_about_where_they_run(citizen: Citizen) -> None:
    page = citizen.get("")
    policy = page.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy
    assert page.headers["X-Frame-Options"] == "DENY"
    cookie = page.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert citizen.get("/book/nobody").status_code == 404
    assert citizen.get("options?service=counter-internal").status_code == 404


def test_the_front_page_lists_the_tenants_pages(citizen: Citizen) -> None:
    front = citizen.client.get("/", headers={"Accept": "text/html"})
    assert front.status_code == 200
    assert links(front, r"^/book/acme/$") and links(front, r"^/book/harbour-clinic/$")
    assert citizen.client.get("/").json()["name"] == "Slotbook"  # API clients get JSON


def test_a_tenant_brands_its_page_and_names_who_may_embed_it(
    make_client: Callable[[dict[str, Any]], TestClient],
) -> None:
    catalog = demo()
    catalog["tenants"][0]["booking_page"] = {
        "name": "Gemeente Acme",
        "logo_url": "https://static.acme.example/logo.svg",
        "primary_colour": "#00556e",
        "frame_ancestors": ["https://www.acme.example"],
    }
    citizen = Citizen(make_client(catalog))
    page = citizen.get("")
    assert (
        "Gemeente Acme" in page.text and 'src="https://static.acme.example/logo.svg"' in page.text
    )
    policy = page.headers["Content-Security-Policy"]
    assert "frame-ancestors https://www.acme.example" in policy
    assert "img-src 'self' https://static.acme.example;" in policy
    assert "X-Frame-Options" not in page.headers
    brand = citizen.get("brand.css")
    assert brand.headers["content-type"].startswith("text/css") and "#00556e" in brand.text


def test_a_colour_without_enough_contrast_is_refused_by_the_catalog() -> None:
    from slotbook.catalog.loader import contrast_ratio, validate_catalog
    from slotbook.domain.errors import CatalogError

    assert round(contrast_ratio("#000000", "#ffffff"), 1) == 21.0
    catalog = demo()
    catalog["tenants"][0]["booking_page"] = {"primary_colour": "#7fb2ff"}
    with pytest.raises(CatalogError) as refused:
        validate_catalog(catalog)
    assert "booking_page.primary_colour: #7fb2ff on white has a contrast of" in str(refused.value)


def test_a_page_weighs_less_than_60_kb(citizen: Citizen) -> None:
    for path in ("", "options?service=passport", "calendar?" + PASSPORT):
        page = citizen.get(path)
        assets = [citizen.get("/book/static/slotbook.css"), citizen.get("/book/static/slotbook.js")]
        weight = len(page.content) + sum(len(a.content) for a in assets)
        assert weight < 60_000, (path, weight)


def test_the_page_has_the_apis_abuse_limits(
    make_client: Callable[[dict[str, Any]], TestClient],
) -> None:
    catalog = demo()
    catalog["tenants"][0].update(max_live_holds_per_client=2, writes_per_minute=100)
    citizen = Citizen(make_client(catalog))
    day = citizen.first_day(PASSPORT)
    assert [citizen.hold(day, t).status_code for t in starts(day)[:3]] == [303, 303, 429]
    refused = citizen.hold(day, starts(day)[3])
    assert "too many times at once" in refused.text and int(refused.headers["Retry-After"]) > 0
