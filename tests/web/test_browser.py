"""The booking page in a real browser (Debian's Chromium, driven by Playwright).

Every page a flow reaches is checked with axe-core against WCAG 2.1 A and AA, error pages
included; every appointment made in the browser is read back through the APIs.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx2
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, expect

from slotbook.demo import DEMO_CATALOG
from slotbook.services import queries
from slotbook.services.catalog import tenant_catalog
from tests.conftest import FakeClock
from tests.web.conftest import PHONE, WCAG_21_AA, Screenshots, Site

ORCHESTRA = "/calendar-backend/public/api/v1"
STAFF_KEY = "browser-tests-staff-key-0001"
ANN = {
    "first_name": "Ann",
    "last_name": "Lee",
    "email": "ann@example.org",
    "date_of_birth": "1990-01-02",
    "q_reason": "renewal",
}
_AXE = Axe()


@pytest.fixture
def clock() -> FakeClock:
    """A fake clock at the real time: the countdown the page shows is the real one, and a
    test can still make a hold run out (the page's dates are picked through the page)."""
    return FakeClock(datetime.now(UTC).replace(microsecond=0))


def demo(idcard_on_one_desk: bool = False) -> dict[str, Any]:
    """The demo catalog, with a staff key to read appointments back through the APIs."""
    catalog: dict[str, Any] = copy.deepcopy(json.loads(DEMO_CATALOG.read_text()))
    acme = catalog["tenants"][0]
    acme["api_keys"] = [{"key": STAFF_KEY, "scope": "staff"}]
    acme["services"][0]["what_to_bring"] = {
        "en_US": "Your old passport and a recent photo",
        "nl_NL": "Uw oude paspoort en een recente pasfoto",
    }
    if idcard_on_one_desk:
        acme["services"][1]["resources"], acme["services"][1]["branches"] = ["desk-1"], ["north"]
    return catalog


class Citizen:
    """One person in their own browser (context): cookies, CSRF token and language."""

    def __init__(self, site: Site, page: Page, screenshots: Screenshots) -> None:
        self.site, self.page, self.screenshots = site, page, screenshots
        self.pages_checked: list[str] = []

    def open(self, path: str, shot: str | None = None) -> None:
        """Go to a page of the site (an address typed in, not a click)."""
        self.page.goto(self.site.url + path)
        self.look(shot)

    def look(self, shot: str | None = None) -> None:
        """The page as it is now passes axe's WCAG 2.1 A/AA rules; saved as ``shot``."""
        self.page.wait_for_load_state()
        found = _AXE.run(
            self.page,
            options={"runOnly": {"type": "tag", "values": WCAG_21_AA}, "resultTypes": []},
        ).response["violations"]
        where = self.page.url.removeprefix(self.site.url)
        problems = [
            f"{v['id']} ({v['impact']}): {v['help']} at "
            + "; ".join(" ".join(map(str, n["target"])) for n in v["nodes"])
            for v in found
        ]
        assert problems == [], f"axe on {where} ({self.page.title()}):\n" + "\n".join(problems)
        self.pages_checked.append(where)
        if shot:
            self.screenshots.take(self.page, shot)

    def click(self, role: Any, name: str | re.Pattern[str], shot: str | None = None) -> None:
        """Click a link or button by its accessible name and check the page it leads to."""
        exact = isinstance(name, str)
        self.page.get_by_role(role, name=name, exact=exact).first.click()
        self.look(shot)

    def first_day(self, shot: str | None = None, times: int = 3) -> None:
        """On the month: open the first bookable day that still offers ``times`` times.

        The site runs on the real clock, so late in the afternoon today may offer only its
        last time; a test that needs several would then depend on the hour it runs.
        """
        self.page.locator("td.free a").first.click()
        if self._offers(times):
            self.look(shot)
            return
        self.page.go_back()
        for _ in range(3):  # this month and the next two, within the booking horizon
            days = self.page.locator("td.free a")
            hrefs = [days.nth(i).get_attribute("href") for i in range(days.count())]
            following = self.page.locator("a[rel=next]")
            month = following.get_attribute("href") if following.count() else None
            for href in hrefs:
                self.page.goto(self.site.url + str(href))
                if self._offers(times):
                    self.look(shot)
                    return
            if month is None:
                break
            self.page.goto(self.site.url + month)
        raise AssertionError(f"no day in three months offers {times} times")

    def _offers(self, times: int) -> bool:
        """The day page on screen offers at least ``times`` times."""
        self.page.wait_for_load_state()
        return self.page.locator("ul.times button.time").count() >= times

    def first_time(self, shot: str | None = None, index: int = 0) -> datetime:
        """On a day: choose a time (the first by default); the instant chosen."""
        button = self.page.locator("ul.times button.time").nth(index)
        start = button.locator("xpath=..").locator("input[name=start]").get_attribute("value")
        assert start is not None
        button.click()
        self.look(shot)
        return datetime.fromisoformat(start)

    def fill_details(self, details: dict[str, str] = ANN) -> None:
        """Fill in the details form (only the fields it has)."""
        for name, value in details.items():
            field = self.page.locator(f"#{name}")
            if field.count():
                field.fill(value)

    def reference(self) -> str:
        """The reference the done page shows."""
        found = re.search(r"([0-9]{3,})", self.page.get_by_role("status").inner_text())
        assert found is not None
        return found.group(1)


@pytest.fixture
def citizens(chromium: Browser, screenshots: Screenshots) -> Iterator[Callable[..., Citizen]]:
    """Open a new browser context at phone width for a site: a new citizen."""
    contexts: list[BrowserContext] = []

    def open_browser(site: Site, locale: str = "en-US") -> Citizen:
        context = chromium.new_context(viewport=PHONE, locale=locale)  # type: ignore[arg-type]
        context.set_default_timeout(15_000)
        contexts.append(context)
        return Citizen(site, context.new_page(), screenshots)

    yield open_browser
    for context in contexts:
        context.close()


@pytest.fixture
def site(serve: Callable[[dict[str, Any]], Site]) -> Site:
    """The demo catalog served over HTTP."""
    return serve(demo())


def through_the_apis(
    site: Site, reference: str, email: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The appointment with a page's reference, as OnSched lists it and as Orchestra shows it.

    OnSched lists the customer's appointments (a staff key; its id is the page's reference);
    Orchestra is asked by publicId, which the page never shows, so the test looks it up.
    """
    with httpx2.Client(
        base_url=site.url, headers={"Authorization": f"Bearer {STAFF_KEY}"}, timeout=30
    ) as api:
        listed = api.get("/consumer/v1/appointments", params={"email": email})
        assert listed.status_code == 200, listed.text
        found = [a for a in listed.json()["data"] if a["id"] == reference]
        assert len(found) == 1, listed.text
        catalog = tenant_catalog(site.slotbook, "acme")
        public_id = queries.get_appointment(site.slotbook, catalog, ("digits", reference)).public_id
        seen = api.get(f"{ORCHESTRA}/appointments/{public_id}")
        assert seen.status_code == 200, seen.text
        return found[0], seen.json()["appointment"]


def orchestra_time(instant: datetime) -> str:
    """An instant as Orchestra writes it."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def assert_booked(
    site: Site,
    reference: str,
    *,
    start: datetime,
    minutes: int,
    services: list[str],
    people: int = 1,
    person: dict[str, str] = ANN,
) -> None:
    """The APIs see the appointment made on the page: time, services, people, customer."""
    onsched, orchestra = through_the_apis(site, reference, person["email"])
    assert onsched["status"] == "BK" and onsched["groupSize"] == people
    assert (onsched["firstname"], onsched["lastname"]) == (
        person["first_name"],
        person["last_name"],
    )
    assert orchestra["status"] == 20  # confirmed
    assert orchestra["start"] == orchestra_time(start)
    assert orchestra["end"] == orchestra_time(start + timedelta(minutes=minutes))
    assert [s["name"] for s in orchestra["services"]] == services
    assert orchestra["numberOfCustomers"] == people - 1
    (customer,) = orchestra["customers"]
    assert (customer["firstName"], customer["lastName"], customer["email"]) == (
        person["first_name"],
        person["last_name"],
        person["email"],
    )


def to_the_calendar(citizen: Citizen, service: str = "Passport", shot: str | None = None) -> None:
    """From the start page: a service, the photo question answered yes, to its month."""
    citizen.click("link", re.compile(service))
    if citizen.page.get_by_role("group", name="Do you have a recent passport photo?").count():
        citizen.page.get_by_role("radio", name="Yes", exact=True).check()
    citizen.click("button", "Choose a date", shot=shot)


def book_a_passport(citizen: Citizen) -> tuple[str, datetime]:
    """The shortest way through the page; the reference and the start."""
    citizen.open("/book/acme/")
    to_the_calendar(citizen)
    citizen.first_day()
    start = citizen.first_time()
    citizen.fill_details()
    citizen.click("button", "Check and confirm")
    citizen.click("button", "Confirm appointment")
    return citizen.reference(), start


# --- the flows -------------------------------------------------------------------------------


def test_a_citizen_books_a_passport_from_the_start_page_and_the_apis_see_it(
    site: Site, citizens: Callable[..., Citizen]
) -> None:
    ann = citizens(site)
    page = ann.page
    ann.open("/book/acme/", shot="1-start")
    expect(page.get_by_role("heading", level=1)).to_have_text("Make an appointment")
    ann.click("link", re.compile("Passport"), shot="2-options")
    expect(page.get_by_role("group", name="Do you have a recent passport photo?")).to_be_visible()
    page.get_by_role("radio", name="Yes", exact=True).check()
    ann.click("button", "Choose a date", shot="3-calendar")
    expect(page.locator("td.free a").first).to_be_visible()
    ann.first_day(shot="4-day")
    start = ann.first_time(shot="5-details")
    # The hold's countdown runs.
    countdown = page.locator(".held .countdown")
    expect(countdown).to_be_visible()
    expect(countdown).to_have_text(re.compile(r"\((9|10):[0-5][0-9]\)"))
    # Sent empty: every problem is listed, linked to its field, and focus moves to the list.
    ann.click("button", "Check and confirm", shot="6-details-errors")
    problems = page.locator("#problems")
    expect(problems).to_be_focused()
    for name in ("first_name", "last_name", "email", "date_of_birth", "q_reason"):
        expect(problems.locator(f'a[href="#{name}"]')).to_have_count(1)
        expect(page.locator(f"#{name}")).to_have_attribute("aria-invalid", "true")
    problems.locator('a[href="#email"]').click()
    expect(page.locator("#email")).to_be_focused()
    ann.fill_details()
    ann.click("button", "Check and confirm", shot="7-summary")
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your appointment")
    expect(page.locator("main")).to_contain_text("ann@example.org")
    ann.click("button", "Confirm appointment", shot="8-done")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your appointment is booked")
    main = page.locator("main")
    expect(main).to_contain_text("Lageweg 35")
    expect(main).to_contain_text("Your old passport and a recent photo")
    reference = ann.reference()
    with page.expect_download() as download:
        page.get_by_role("link", name="Add to calendar").click()
    ics = download.value.path().read_text()
    assert "BEGIN:VEVENT" in ics and "Passport" in ics and reference in ics
    ann.click("link", "Change or cancel this appointment", shot="9-manage")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your appointment")
    expect(main).to_contain_text(reference)
    assert_booked(site, reference, start=start, minutes=10, services=["Passport"])


def test_two_people_book_a_passport_and_an_id_card_in_one_visit(
    site: Site, citizens: Callable[..., Citizen]
) -> None:
    ann = citizens(site)
    page = ann.page
    ann.open("/book/acme/options?service=passport")
    page.get_by_role("checkbox", name="ID card").check()
    page.get_by_label("For how many people?").select_option("2")
    page.get_by_role("radio", name="Yes", exact=True).check()
    ann.click("button", "Choose a date")
    expect(page.locator("main")).to_contain_text("Passport + ID card – North Office – 2 people")
    ann.first_day()
    start = ann.first_time()
    expect(page.locator(".appointment").first).to_contain_text("Passport + ID card (2 people)")
    ann.fill_details()
    ann.click("button", "Check and confirm")
    ann.click("button", "Confirm appointment")
    # (10 minutes + 5 for the second person) for each of the two services.
    assert_booked(
        site, ann.reference(), start=start, minutes=30, services=["Passport", "ID card"], people=2
    )


def test_a_group_session_shows_the_spaces_left(
    site: Site, citizens: Callable[..., Citizen]
) -> None:
    ann, bob = citizens(site), citizens(site)
    ann.open("/book/acme/")
    ann.click("link", re.compile("Citizenship workshop"))
    ann.page.get_by_label("For how many people?").select_option("2")
    ann.click("button", "Choose a date")
    ann.first_day()
    first = ann.page.locator("ul.times button.time").first
    expect(first).to_contain_text("8 places left")
    day = ann.page.url
    start = ann.first_time()
    ann.fill_details({k: v for k, v in ANN.items() if k in ("first_name", "last_name", "email")})
    ann.click("button", "Check and confirm")
    ann.click("button", "Confirm appointment")
    assert_booked(
        site, ann.reference(), start=start, minutes=60, services=["Citizenship workshop"], people=2
    )
    # Someone else sees the session with two places fewer.
    bob.open(day.removeprefix(site.url).replace("people=2", "people=1"))
    expect(bob.page.locator("ul.times button.time").first).to_contain_text("6 places left")


def test_a_refused_screening_answer_stops_the_flow_with_the_catalogs_message(
    site: Site, citizens: Callable[..., Citizen]
) -> None:
    ann = citizens(site)
    ann.open("/book/acme/options?service=passport")
    ann.page.get_by_role("radio", name="No", exact=True).check()
    ann.click("button", "Choose a date")
    expect(ann.page.get_by_role("heading", level=1)).to_have_text(
        "You cannot book this appointment yet"
    )
    expect(ann.page.locator("main")).to_contain_text("Please bring a recent photo first")
    ann.click("link", "Start again")
    expect(ann.page.get_by_role("heading", level=1)).to_have_text("Passport")


def test_a_hold_that_ran_out_says_so_and_offers_to_start_again(
    site: Site, citizens: Callable[..., Citizen]
) -> None:
    ann = citizens(site)
    ann.open("/book/acme/")
    to_the_calendar(ann)
    ann.first_day()
    ann.first_time()
    ann.fill_details()
    site.clock.advance(seconds=601)
    ann.click("button", "Check and confirm")
    expect(ann.page.get_by_role("heading", level=1)).to_have_text("Your time is no longer held")
    expect(ann.page.get_by_role("status")).to_contain_text("Please choose a time again")
    ann.click("link", "Start again")
    expect(ann.page.get_by_role("heading", level=1)).to_have_text("Make an appointment")


def _offered(citizen: Citizen) -> list[str]:
    return citizen.page.locator("ul.times button.time").all_inner_texts()


@pytest.mark.parametrize("how", ["back button", "leaving the page"])
def test_going_back_or_leaving_the_details_page_gives_the_time_back(
    serve: Callable[[dict[str, Any]], Site], citizens: Callable[..., Citizen], how: str
) -> None:
    site = serve(demo(idcard_on_one_desk=True))  # one desk: a held time is gone for others
    ann, bob = citizens(site), citizens(site)
    ann.open("/book/acme/options?service=idcard")
    ann.click("button", "Choose a date")
    ann.first_day()
    day = ann.page.url.removeprefix(site.url)
    first = _offered(ann)[0]
    ann.first_time()
    bob.open(day)
    assert first not in _offered(bob)  # held for Ann
    if how == "back button":
        ann.click("button", "Back: choose another time")
        expect(ann.page.get_by_role("heading", level=1)).to_have_text("Choose a time")
        assert first in _offered(ann)
    else:
        # Away without a button of the page: the page gives the time up as it goes.
        ann.page.goto(site.url + "/book/acme/")
    bob.page.reload()
    expect(bob.page.locator("ul.times button.time").first).to_have_text(first)


def test_cancelling_through_the_manage_link(site: Site, citizens: Callable[..., Citizen]) -> None:
    ann = citizens(site)
    reference, _ = book_a_passport(ann)
    ann.click("link", "Change or cancel this appointment")
    manage = ann.page.url
    ann.click("button", "Cancel this appointment")
    expect(ann.page.get_by_role("alert")).to_contain_text("Are you sure")
    ann.click("button", "Yes, cancel my appointment")
    expect(ann.page.get_by_role("heading", level=1)).to_have_text("Your appointment is cancelled")
    ann.open(manage.removeprefix(site.url))
    expect(ann.page.get_by_role("heading", level=1)).to_have_text("This link no longer works")
    onsched, _ = _listed(site, reference)
    assert onsched["status"] == "CN"


def _listed(site: Site, reference: str) -> tuple[dict[str, Any], int]:
    with httpx2.Client(
        base_url=site.url, headers={"Authorization": f"Bearer {STAFF_KEY}"}, timeout=30
    ) as api:
        seen = api.get(f"/consumer/v1/appointments/{reference}")
        catalog = tenant_catalog(site.slotbook, "acme")
        public_id = queries.get_appointment(site.slotbook, catalog, ("digits", reference)).public_id
        orchestra = api.get(f"{ORCHESTRA}/appointments/{public_id}").status_code
    return seen.json(), orchestra


def test_moving_through_the_manage_link(site: Site, citizens: Callable[..., Citizen]) -> None:
    ann = citizens(site)
    reference, start = book_a_passport(ann)
    ann.click("link", "Change or cancel this appointment")
    ann.click("link", "Choose another time")
    ann.first_day()
    later = ann.first_time(index=1)
    expect(ann.page.get_by_role("heading", level=1)).to_have_text("Move your appointment")
    ann.click("button", re.compile("Move"))
    expect(ann.page.get_by_role("heading", level=1)).to_have_text("Your appointment")
    assert later != start
    assert_booked(site, reference, start=later, minutes=10, services=["Passport"])


def test_the_whole_flow_in_dutch_from_the_language_switch(
    site: Site, citizens: Callable[..., Citizen]
) -> None:
    ann = citizens(site)
    page = ann.page
    ann.open("/book/acme/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    ann.click("link", "Nederlands")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("heading", level=1)).to_have_text("Afspraak maken")
    ann.click("link", re.compile("Paspoort"))
    page.get_by_role("group", name="Heeft u een recente pasfoto?").get_by_role(
        "radio", name="Ja"
    ).check()
    ann.click("button", "Kies een datum")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kies een datum")
    month = page.locator("table.month caption").inner_text()
    assert re.fullmatch(
        r"(januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december) \d{4}",
        month,
    ), month
    ann.first_day()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kies een tijd")
    expect(page.locator("main > p").first).to_contain_text(
        re.compile("maandag|dinsdag|woensdag|donderdag|vrijdag")
    )
    start = ann.first_time()
    expect(page.get_by_role("heading", level=1)).to_have_text("Uw gegevens")
    ann.click("button", "Controleren en bevestigen")  # empty: the problems in Dutch
    expect(page.locator("#problems")).to_contain_text("Verbeter het volgende")
    ann.fill_details()
    ann.click("button", "Controleren en bevestigen")
    ann.click("button", "Afspraak bevestigen")
    expect(page.get_by_role("heading", level=1)).to_have_text("Uw afspraak is gemaakt")
    expect(page.locator("main")).to_contain_text("Uw oude paspoort en een recente pasfoto")
    reference = re.search(r"Uw afspraaknummer is ([0-9]+)", page.locator("main").inner_text())
    assert reference is not None
    ann.click("link", "Afspraak wijzigen of afzeggen")
    expect(page.get_by_role("button", name="Deze afspraak afzeggen")).to_be_visible()
    # And back to English with the switch.
    ann.click("link", "English")
    expect(page.get_by_role("button", name="Cancel this appointment")).to_be_visible()
    assert_booked(site, reference.group(1), start=start, minutes=10, services=["Passport"])


# --- keyboard only -------------------------------------------------------------------------

_FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return {name: "", outline: "none"};
  const label = e.labels && e.labels.length ? e.labels[0].innerText : "";
  const style = getComputedStyle(e);
  return {name: (e.getAttribute("aria-label") || label || e.innerText || e.value || "").trim(),
          outline: style.outlineStyle + " " + style.outlineWidth};
}"""


def tab_to(page: Page, name: str, *, backwards: bool = False, limit: int = 80) -> None:
    """Press Tab (or Shift+Tab) until the element named ``name`` has the focus, visibly."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        focused = page.evaluate(_FOCUSED)
        seen.append(focused["name"])
        if focused["name"].startswith(name):
            assert not focused["outline"].startswith("none"), f"no visible focus on {name!r}"
            return
    raise AssertionError(f"{name!r} never got the focus; focused in turn: {seen}")


def test_a_whole_flow_by_keyboard_only(site: Site, citizens: Callable[..., Citizen]) -> None:
    ann = citizens(site)
    page = ann.page
    keys = page.keyboard

    def go(key: str) -> None:
        """Press a key that leads to the next page, and check that page."""
        with page.expect_navigation():
            keys.press(key)
        ann.look()

    ann.open("/book/acme/")
    tab_to(page, "Skip to the content")
    keys.press("Enter")
    expect(page.locator("main")).to_be_focused()
    tab_to(page, "Passport")
    go("Enter")
    tab_to(page, "Yes")  # the photo question (the office is chosen already)
    keys.press("Space")
    expect(page.get_by_role("radio", name="Yes", exact=True)).to_be_checked()
    tab_to(page, "Choose a date")
    go("Enter")
    day = page.locator("td.free a").first.get_attribute("aria-label")
    assert day
    tab_to(page, day)
    go("Enter")
    button = page.locator("ul.times button.time").first
    time_label = button.inner_text()
    start = datetime.fromisoformat(
        str(button.locator("xpath=..").locator("input[name=start]").get_attribute("value"))
    )
    tab_to(page, time_label)
    go("Space")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your details")
    tab_to(page, "Check and confirm")
    go("Enter")  # nothing filled in: the list of problems gets the focus
    expect(page.locator("#problems")).to_be_focused()
    tab_to(page, "Enter your first name")
    keys.press("Enter")  # the problem's link takes the focus to its field
    expect(page.locator("#first_name")).to_be_focused()
    keys.type("Ann")
    for label, text in (
        ("Last name", "Lee"),
        ("E-mail address", "ann@example.org"),
        ("Date of birth", "01021990"),  # typed as the en-US field shows it: mm/dd/yyyy
        ("Reason of visit", "renewal"),
    ):
        tab_to(page, label)
        keys.type(text)
    expect(page.locator("#date_of_birth")).to_have_value("1990-01-02")
    tab_to(page, "Check and confirm")
    go("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your appointment")
    tab_to(page, "Back: choose another time")  # the last button; then back up to confirm
    tab_to(page, "Confirm appointment", backwards=True)
    go("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your appointment is booked")
    reference = ann.reference()
    tab_to(page, "Change or cancel this appointment")
    go("Enter")
    tab_to(page, "Cancel this appointment")
    go("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Are you sure")
    tab_to(page, "No, keep it")
    go("Enter")
    expect(page.get_by_role("button", name="Cancel this appointment")).to_be_visible()
    assert_booked(site, reference, start=start, minutes=10, services=["Passport"])


# --- two browsers, one time --------------------------------------------------------------------


def test_two_browsers_racing_for_the_last_free_time_one_gets_it(
    serve: Callable[[dict[str, Any]], Site], citizens: Callable[..., Citizen]
) -> None:
    site = serve(demo(idcard_on_one_desk=True))  # ID card: one desk, so one person a time
    ann, bob = citizens(site), citizens(site)
    for citizen in (ann, bob):
        citizen.open("/book/acme/options?service=idcard")
        citizen.click("button", "Choose a date")
        citizen.first_day()
    assert ann.page.url == bob.page.url
    wanted = ann.page.locator("ul.times button.time").first.inner_text()
    # Both press the same time at once; neither waits for the other's answer.
    for citizen in (ann, bob):
        citizen.page.locator("ul.times button.time").first.click(no_wait_after=True)
    for citizen in (ann, bob):
        citizen.page.wait_for_url(re.compile(r"/book/acme/(details/.+|hold)$"))
        citizen.look()
    winners = [c for c in (ann, bob) if "/details/" in c.page.url]
    losers = [c for c in (ann, bob) if c.page.url.endswith("/hold")]
    assert len(winners) == 1 and len(losers) == 1
    (loser,) = losers
    expect(loser.page.get_by_role("alert")).to_contain_text("Someone else just took that time")
    offered = loser.page.locator("ul.times button.time")
    expect(offered.first).to_be_visible()
    assert wanted not in offered.all_inner_texts()
    # The one who lost takes another time of that day.
    loser.first_time()
    expect(loser.page.get_by_role("heading", level=1)).to_have_text("Your details")


# --- narrow screens and zoom ---------------------------------------------------------------------

_OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.querySelectorAll("body *")]
    .filter(e => e.getBoundingClientRect().right > width + 1 && e.getClientRects().length)
    .map(e => e.tagName.toLowerCase() + (e.className ? "." + e.className : ""));
}"""


@pytest.mark.parametrize(
    ("viewport", "scale"),
    [({"width": 320, "height": 640}, 1), ({"width": 640, "height": 400}, 2)],
    ids=["320 px wide", "1280 px at 200% zoom"],
)
def test_every_step_reflows_without_scrolling_sideways(
    site: Site, chromium: Browser, screenshots: Screenshots, viewport: Any, scale: int
) -> None:
    # 200% zoom of a 1280 px window lays the page out in 640 CSS pixels at twice the density.
    context = chromium.new_context(viewport=viewport, device_scale_factor=scale)
    try:
        ann = Citizen(site, context.new_page(), screenshots)
        wide: dict[str, list[str]] = {}

        def check() -> None:
            where = ann.page.url.removeprefix(site.url)
            too_wide = ann.page.evaluate(_OVERFLOW)
            if too_wide:
                wide[where] = too_wide

        ann.open("/book/acme/")
        check()
        to_the_calendar(ann)
        check()
        ann.first_day()
        check()
        ann.first_time()
        check()
        ann.click("button", "Check and confirm")  # with the list of problems
        check()
        ann.fill_details()
        ann.click("button", "Check and confirm")
        check()
        ann.click("button", "Confirm appointment")
        check()
        ann.click("link", "Change or cancel this appointment")
        check()
        assert wide == {}, f"wider than the screen: {wide}"
    finally:
        context.close()
