"""The staff day view (``/staff/``): in a real browser, and its guards over plain HTTP.

Every page a browser reaches is checked with axe-core against WCAG 2.1 A and AA. The server's
clock is the fixed test Monday (2030-03-04, 08:00 in Amsterdam), so "today" is known.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, expect
from starlette.testclient import TestClient

from slotbook.demo import DEMO_CATALOG
from slotbook.domain.model import Appointment, CustomerDetails, Status
from slotbook.services import availability, booking, queries
from slotbook.services.availability import SlotQuery
from slotbook.services.booking import BookingDetails
from slotbook.services.catalog import tenant_catalog
from slotbook.services.context import Slotbook
from slotbook.services.ports import AppointmentFilter
from tests.conftest import FakeClock
from tests.web.conftest import WCAG_21_AA, Site

STAFF_KEY = "staff-view-tests-staff-key-0001"
BOOKING_KEY = "staff-view-tests-booking-key-01"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
TODAY = date(2030, 3, 4)  # the test clock's Monday
NARROW = {"width": 320, "height": 800}
_AXE = Axe()


def catalog_with_keys() -> dict[str, Any]:
    """The demo catalog; its municipality has a staff key and a booking key."""
    catalog: dict[str, Any] = copy.deepcopy(json.loads(DEMO_CATALOG.read_text()))
    catalog["tenants"][0]["api_keys"] = [
        {"key": STAFF_KEY, "scope": "staff"},
        {"key": BOOKING_KEY, "scope": "booking"},
    ]
    return catalog


def at(clock: str) -> datetime:
    """A local time of the test Monday in Amsterdam."""
    hour, minute = map(int, clock.split(":"))
    return datetime(2030, 3, 4, hour, minute, tzinfo=AMSTERDAM).astimezone(UTC)


def book(
    slotbook: Slotbook, resource: str, clock: str, first: str, last: str, service: str = "passport"
) -> Appointment:
    """An appointment booked the way an API books it (not through the day view)."""
    catalog = tenant_catalog(slotbook, "acme")
    return booking.place(
        slotbook,
        catalog,
        query=SlotQuery(
            branch=catalog.branch("north"),
            services=(catalog.service(service),),
            resource_keys=(resource,),
        ),
        start=at(clock),
        status=Status.CONFIRMED,
        details=BookingDetails(
            customers=[
                CustomerDetails(
                    first_name=first,
                    last_name=last,
                    email=f"{first.lower()}@example.org",
                    date_of_birth=date(1990, 1, 2),
                )
            ],
            answers={"reason": "renewal"} if service == "passport" else {},
        ),
    )


class Staff:
    """A staff member in their own browser context."""

    def __init__(self, site: Site, page: Page) -> None:
        self.site, self.page = site, page
        self.pages_checked: list[str] = []
        # A script or style the CSP blocks, or one that is missing, shows up here.
        self.console_errors: list[str] = []
        page.on("console", self._console)
        page.on("response", self._response)

    def _console(self, message: Any) -> None:
        if message.type == "error" and "Failed to load resource" not in message.text:
            self.console_errors.append(message.text)

    def _response(self, response: Any) -> None:
        if response.status >= 400 and response.request.resource_type in ("stylesheet", "script"):
            self.console_errors.append(f"{response.status} {response.url}")

    def open(self, path: str) -> None:
        """Go to an address of the site."""
        self.page.goto(self.site.url + path)
        self.look()

    def look(self) -> None:
        """The page as it is now passes axe's WCAG 2.1 A/AA rules."""
        self.page.wait_for_load_state()
        found = _AXE.run(
            self.page,
            options={"runOnly": {"type": "tag", "values": WCAG_21_AA}, "resultTypes": []},
        ).response["violations"]
        problems = [
            f"{v['id']} ({v['impact']}): {v['help']} at "
            + "; ".join(" ".join(map(str, n["target"])) for n in v["nodes"])
            for v in found
        ]
        where = self.page.url.removeprefix(self.site.url)
        assert problems == [], f"axe on {where}:\n" + "\n".join(problems)
        assert self.console_errors == [], where
        self.pages_checked.append(where)

    def sign_in(self, key: str) -> None:
        """Fill in the sign-in form and send it."""
        self.page.get_by_label(re.compile("Staff key|Medewerkerssleutel")).fill(key)
        self.page.get_by_role("button", name=re.compile("^(Sign in|Inloggen)$")).click()
        self.look()

    def press(self, name: str | re.Pattern[str]) -> None:
        """Press a button by its accessible name, and check the page it leads to."""
        self.page.get_by_role("button", name=name).first.click()
        self.look()

    def entry(self, text: str) -> Any:
        """The agenda entry that mentions ``text``."""
        return self.page.locator("li.entry", has_text=text)

    def open_form(self, summary: str) -> None:
        """Unfold a form (a ``details`` element) by its summary."""
        self.page.locator("summary", has_text=summary).click()


@pytest.fixture
def staff(chromium: Browser) -> Iterator[Callable[..., Staff]]:
    """A new browser context (narrow, 320 px) for a site: a staff member."""
    contexts: list[BrowserContext] = []

    def open_browser(site: Site, locale: str = "en-US") -> Staff:
        context = chromium.new_context(viewport=NARROW, locale=locale)  # type: ignore[arg-type]
        context.set_default_timeout(15_000)
        contexts.append(context)
        return Staff(site, context.new_page())

    yield open_browser
    for context in contexts:
        context.close()


@pytest.fixture
def site(serve: Callable[[dict[str, Any]], Site]) -> Site:
    """The demo catalog with keys, served over HTTP, with two appointments booked today."""
    served = serve(catalog_with_keys())
    book(served.slotbook, "desk-1", "09:00", "Ann", "Lee")
    book(served.slotbook, "desk-2", "09:30", "Bob", "Stone", service="idcard")
    return served


def no_sideways_scrolling(page: Page) -> None:
    """At 320 px the page fits its width (WCAG 1.4.10 reflow)."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


# --- in the browser -------------------------------------------------------------------------


def test_only_a_staff_key_signs_in_and_the_day_shows_what_the_apis_booked(
    site: Site, staff: Callable[..., Staff]
) -> None:
    desk = staff(site)
    desk.open("/staff/")
    expect(desk.page.get_by_role("heading", level=1)).to_have_text("Sign in to the day view")

    desk.sign_in("not-a-key-at-all-000")
    alert = desk.page.get_by_role("alert")
    expect(alert).to_contain_text("This key cannot sign in here")
    expect(desk.page.locator("#key")).to_have_attribute("aria-invalid", "true")

    desk.sign_in(BOOKING_KEY)
    expect(desk.page.get_by_role("alert")).to_contain_text("This key cannot sign in here")

    desk.sign_in(STAFF_KEY)
    assert desk.page.url.endswith("/staff/day")
    expect(desk.page.get_by_role("heading", level=1)).to_contain_text("North Office")
    expect(desk.page.get_by_role("heading", level=1)).to_contain_text("March 4, 2030")
    ann = desk.entry("Ann Lee")
    expect(ann.get_by_role("heading", level=3)).to_have_text("9:00\u202fAM–9:10\u202fAM Passport")
    expect(ann).to_contain_text("Reason of visit")
    expect(ann).to_contain_text("renewal")
    expect(ann.locator(".status")).to_have_text("Confirmed")
    expect(desk.entry("Bob Stone").get_by_role("heading", level=3)).to_contain_text("ID card")
    for name in ("Desk 1", "Desk 2", "Desk 3", "Room 1"):
        expect(desk.page.get_by_role("heading", level=2, name=name)).to_be_visible()
    no_sideways_scrolling(desk.page)

    desk.page.get_by_role("link", name="Next day").click()
    desk.look()
    expect(desk.page.get_by_role("heading", level=1)).to_contain_text("March 5, 2030")
    expect(desk.page.locator("li.entry")).to_have_count(0)

    desk.press("Sign out")
    expect(desk.page.get_by_role("heading", level=1)).to_have_text("Sign in to the day view")
    desk.open("/staff/day")
    expect(desk.page.get_by_role("heading", level=1)).to_have_text("Sign in to the day view")


def test_check_in_complete_and_cancel_with_a_reason(
    site: Site, staff: Callable[..., Staff]
) -> None:
    desk = staff(site)
    desk.open("/staff/")
    desk.sign_in(STAFF_KEY)

    desk.press(re.compile("^Check in 9:00.AM Ann Lee$"))
    expect(desk.page.get_by_role("status")).to_have_text("Checked in.")
    expect(desk.entry("Ann Lee").locator(".status")).to_contain_text("Confirmed, Checked in")
    desk.press(re.compile("^Completed 9:00.AM Ann Lee$"))
    expect(desk.entry("Ann Lee").locator(".status")).to_contain_text("Completed")

    bob = desk.entry("Bob Stone")
    bob.locator("summary").click()
    desk.press(re.compile("^Cancel appointment 9:30.AM Bob Stone$"))  # no reason yet
    alert = desk.page.get_by_role("alert")
    expect(alert).to_contain_text("Enter a reason")
    alert.get_by_role("link", name="Enter a reason").click()
    reason = desk.page.get_by_label("Reason for cancelling")
    expect(reason).to_be_focused()
    reason.fill("Customer called in sick")
    desk.press(re.compile("^Cancel appointment 9:30.AM Bob Stone$"))
    expect(desk.page.get_by_role("status")).to_have_text("The appointment is cancelled.")
    expect(desk.entry("Bob Stone").locator(".status")).to_have_text("Cancelled")
    catalog = tenant_catalog(site.slotbook, "acme")
    listed, _ = queries.find_appointments(
        site.slotbook, catalog, AppointmentFilter(customer_last_name="Stone")
    )
    assert [a.status for a in listed] == [Status.CANCELLED]


def test_a_blocked_time_shows_and_walk_ins_fit_only_into_free_time(
    site: Site, staff: Callable[..., Staff]
) -> None:
    desk = staff(site)
    desk.open("/staff/")
    desk.sign_in(STAFF_KEY)

    desk.open_form("Block time (Desk 1)")
    desk.page.fill("#block-desk-1-from", "10:00")
    desk.page.fill("#block-desk-1-until", "11:00")
    desk.page.fill("#block-desk-1-reason", "Training")
    desk.press("Block this time (Desk 1)")
    expect(desk.page.get_by_role("status")).to_have_text("The time is blocked.")
    block = desk.page.locator("li.entry.block")
    expect(block.get_by_role("heading", level=3)).to_have_text(
        "10:00\u202fAM–11:00\u202fAM Blocked"
    )
    expect(block).to_contain_text("Training")

    catalog = tenant_catalog(site.slotbook, "acme")
    query = SlotQuery(
        branch=catalog.branch("north"),
        services=(catalog.service("passport"),),
        resource_keys=("desk-1",),
    )
    openings = availability.find_openings(
        site.slotbook, catalog, query, first_day=TODAY, last_day=TODAY
    )
    starts = {availability.instant(o.start) for o in openings}
    assert at("09:45") in starts and at("11:00") in starts
    assert not {s for s in starts if at("09:50") < s < at("11:00")}

    desk.open_form("Book a walk-in (Desk 1)")
    desk.page.select_option("#walkin-desk-1-service", "idcard")
    desk.page.fill("#walkin-desk-1-time", "10:15")
    desk.page.fill("#walkin-desk-1-first", "Cas")
    desk.page.fill("#walkin-desk-1-last", "Visser")
    desk.press("Book (Desk 1)")
    expect(desk.page.get_by_role("alert")).to_contain_text("This time is not free (any more).")
    expect(desk.page.locator("#walkin-desk-1-last")).to_have_value("Visser")

    desk.page.fill("#walkin-desk-1-time", "11:00")
    desk.press("Book (Desk 1)")
    expect(desk.page.get_by_role("status")).to_have_text("The walk-in is booked.")
    walk_in = desk.entry("Cas Visser")
    expect(walk_in.get_by_role("heading", level=3)).to_have_text(
        "11:00\u202fAM–11:10\u202fAM ID card"
    )
    expect(walk_in.locator(".status")).to_have_text("Confirmed")

    desk.open_form("Book a walk-in (Desk 2)")  # a passport needs a birth date and a reason
    desk.page.select_option("#walkin-desk-2-service", "passport")
    desk.page.fill("#walkin-desk-2-time", "13:05")
    desk.page.fill("#walkin-desk-2-first", "Dirk")
    desk.page.fill("#walkin-desk-2-last", "Smit")
    desk.page.fill("#walkin-desk-2-born", "1980-05-06")
    desk.page.get_by_role("region", name="Desk 2").get_by_label("Reason of visit").fill("lost")
    desk.press("Book (Desk 2)")
    expect(desk.page.get_by_role("status")).to_have_text("The walk-in is booked.")
    expect(desk.entry("Dirk Smit")).to_contain_text("lost")
    no_sideways_scrolling(desk.page)


def test_the_day_view_in_dutch(site: Site, staff: Callable[..., Staff]) -> None:
    desk = staff(site, locale="nl-NL")
    desk.open("/staff/")
    assert desk.page.locator("html").get_attribute("lang") == "nl"
    expect(desk.page.get_by_role("heading", level=1)).to_have_text("Inloggen op de dagweergave")
    desk.sign_in(STAFF_KEY)
    expect(desk.page.get_by_role("heading", level=1)).to_contain_text("maandag 4 maart 2030")
    ann = desk.entry("Ann Lee")
    expect(ann.get_by_role("heading", level=3)).to_have_text("09:00–09:10 Paspoort")
    expect(ann).to_contain_text("Reden van bezoek")
    desk.press(re.compile("^Inchecken 09:00 Ann Lee$"))
    expect(desk.page.get_by_role("status")).to_have_text("Ingecheckt.")
    desk.page.get_by_role("link", name="English").click()
    desk.look()
    assert desk.page.locator("html").get_attribute("lang") == "en"
    expect(desk.page.get_by_role("link", name="Next day")).to_be_visible()


# --- over plain HTTP ------------------------------------------------------------------------


def signed_in(client: TestClient) -> None:
    """Sign the client in with the staff key (a CSRF cookie first, from the form)."""
    form = client.get("/staff/")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert csrf is not None
    done = client.post(
        "/staff/", data={"csrf": csrf.group(1), "key": STAFF_KEY}, follow_redirects=False
    )
    assert done.status_code == 303, done.text
    assert "slotbook_staff" in client.cookies


def test_without_a_session_the_day_sends_to_the_sign_in(
    make_client: Callable[[dict[str, Any]], TestClient],
) -> None:
    client = make_client(catalog_with_keys())
    answer = client.get("/staff/day", follow_redirects=False)
    assert (answer.status_code, answer.headers["location"]) == (303, "/staff/")
    client.cookies.set("slotbook_staff", "forged-token-value", path="/staff")
    answer = client.get("/staff/day", follow_redirects=False)
    assert (answer.status_code, answer.headers["location"]) == (303, "/staff/")
    client.cookies.clear()
    signed_in(client)
    page = client.get("/staff/day")
    assert page.status_code == 200
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store"


def test_a_form_without_its_csrf_token_is_refused(
    make_client: Callable[[dict[str, Any]], TestClient],
) -> None:
    client = make_client(catalog_with_keys())
    client.get("/staff/")
    refused = client.post("/staff/", data={"csrf": "wrong", "key": STAFF_KEY})
    assert refused.status_code == 403
    assert 'role="alert"' in refused.text
    assert "slotbook_staff" not in client.cookies

    signed_in(client)
    slotbook = client.app.state.slotbook  # type: ignore[attr-defined]
    ann = book(slotbook, "desk-1", "09:00", "Ann", "Lee")
    action = {"appointment": ann.ids.uuid, "branch": "north", "date": "2030-03-04"}
    refused = client.post("/staff/day/check-in", data={**action, "csrf": "wrong"})
    assert refused.status_code == 403
    catalog = tenant_catalog(slotbook, "acme")
    assert queries.get_appointment(slotbook, catalog, ("uuid", ann.ids.uuid)).arrival is None


def test_a_refused_action_shows_the_day_with_the_reason(
    make_client: Callable[[dict[str, Any]], TestClient], clock: FakeClock
) -> None:
    client = make_client(catalog_with_keys())
    signed_in(client)
    slotbook = client.app.state.slotbook  # type: ignore[attr-defined]
    ann = book(slotbook, "desk-1", "09:00", "Ann", "Lee")
    action = {"appointment": ann.ids.uuid, "branch": "north", "date": "2030-03-04"}
    csrf = client.cookies.get("slotbook_csrf")

    early = client.post("/staff/day/no-show", data={**action, "csrf": csrf})
    assert early.status_code == 409
    assert 'role="alert"' in early.text and "once its start has passed" in early.text
    unknown = client.post("/staff/day/check-in", data={**action, "appointment": "x", "csrf": csrf})
    assert unknown.status_code == 404 and 'role="alert"' in unknown.text

    clock.advance(hours=2)  # after the start, and after the session token's hour
    assert client.get("/staff/day", follow_redirects=False).headers["location"] == "/staff/"
    signed_in(client)
    csrf = client.cookies.get("slotbook_csrf")
    late = client.post("/staff/day/no-show", data={**action, "csrf": csrf}, follow_redirects=False)
    assert late.status_code == 303
    assert late.headers["location"] == "/staff/day?branch=north&date=2030-03-04&done=no-show"
    assert "Marked as no-show." in client.get(late.headers["location"]).text
    catalog = tenant_catalog(slotbook, "acme")
    assert queries.get_appointment(slotbook, catalog, ("uuid", ann.ids.uuid)).arrival == "no_show"
