"""A citizen clicking through the booking page, as plain HTTP (forms and links, no JavaScript)."""

from __future__ import annotations

import html
import re
from typing import Any

from starlette.testclient import TestClient

DETAILS = {
    "first_name": "Ann",
    "last_name": "Lee",
    "email": "ann@example.org",
    "date_of_birth": "1990-01-02",
    "q_reason": "renewal",
}


def links(page: Any, pattern: str) -> list[str]:
    """The page's links whose target matches ``pattern``, unescaped."""
    return [
        html.unescape(h) for h in re.findall(r'href="([^"]+)"', page.text) if re.search(pattern, h)
    ]


def csrf(page: Any) -> str:
    """The page's CSRF token."""
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found is not None, page.text
    return found.group(1)


def starts(page: Any) -> list[str]:
    """The start times a day page offers (the values its forms post)."""
    return re.findall(r'name="start" value="([^"]+)"', page.text)


class Citizen:
    """One browser on the booking page of a tenant."""

    def __init__(self, client: TestClient, tenant: str = "acme") -> None:
        self.client = client
        self.tenant = tenant
        self.client.follow_redirects = False

    def get(self, path: str, **kwargs: Any) -> Any:
        """GET a page (``path`` relative to the tenant's page, or absolute)."""
        url = path if path.startswith("/") else f"/book/{self.tenant}/{path}"
        return self.client.get(url, **kwargs)

    def calendar(self, query: str) -> Any:
        """The month of a choice (``service=...&branch=...``)."""
        page = self.get(f"calendar?{query}")
        assert page.status_code == 200, page.text
        return page

    def first_day(self, query: str) -> Any:
        """The first bookable day of a choice."""
        days = links(self.calendar(query), r"/day\?")
        assert days, "no bookable day"
        page = self.get(days[0])
        assert page.status_code == 200, page.text
        return page

    def hold(self, day: Any, start: str | None = None) -> Any:
        """Choose a time of a day page: the answer to the hold form."""
        fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', day.text))
        services = re.findall(r'name="service" value="([^"]+)"', day.text)
        chosen = start or starts(day)[0]
        data = {**fields, "service": sorted(set(services), key=services.index), "start": chosen}
        return self.client.post(f"/book/{self.tenant}/hold", data=data)

    def book(self, query: str, details: dict[str, str] | None = None) -> str:
        """The whole flow for a choice; the path of the done page."""
        held = self.hold(self.first_day(query))
        assert held.status_code == 303, held.text
        form = self.get(held.headers["location"])
        sent = {"csrf": csrf(form), **(details or DETAILS)}
        summary = self.client.post(held.headers["location"], data=sent)
        assert summary.status_code == 200, summary.text
        done = self.client.post(
            held.headers["location"].replace("/details/", "/confirm/"), data=sent
        )
        assert done.status_code == 303, done.text
        return str(done.headers["location"])
