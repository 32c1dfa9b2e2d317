"""Browser fixtures: Debian's Chromium driven by Playwright, on the real app served by uvicorn.

The app runs in a thread of the test process (on the test database, with the test's fake
clock), so a test can make a hold run out by moving the clock. Each browser context is a
separate citizen: its own cookies, its own CSRF token.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from slotbook.api.app import create_app
from slotbook.services.context import Slotbook
from tests.conftest import DATABASES, FakeClock

CHROMIUM = "/usr/bin/chromium"
# The network is closed here: without these flags Chromium waits for services it cannot reach.
# Playwright's ``launch`` gives every browser a fresh, temporary user-data directory.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE = {"width": 390, "height": 844}
SCREENSHOTS = Path(__file__).parents[2] / "docs" / "screenshots"
MAX_SCREENSHOT_BYTES = 80_000


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """One headless Chromium per test process (each test opens its own contexts)."""
    if not Path(CHROMIUM).exists():
        missing = f"{CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)"
        if os.environ.get("SLOTBOOK_REQUIRE_BROWSER") == "1":
            pytest.fail(missing)
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS
        )
        yield browser
        browser.close()


@dataclass
class Site:
    """The whole server (booking page and APIs) at ``url``, on one Slotbook."""

    url: str
    slotbook: Slotbook
    clock: FakeClock
    database: str


@pytest.fixture
def serve(
    make_slotbook: Callable[[dict[str, Any]], Slotbook], clock: FakeClock, db_url: str
) -> Iterator[Callable[[dict[str, Any]], Site]]:
    """Serve the app for a catalog over real HTTP (uvicorn in a thread, a free port)."""
    running: list[tuple[uvicorn.Server, threading.Thread]] = []

    def start(catalog: dict[str, Any]) -> Site:
        slotbook = make_slotbook(catalog)
        config = uvicorn.Config(
            create_app(slotbook), host="127.0.0.1", port=0, log_level="warning", ws="none"
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
        thread.start()
        running.append((server, thread))
        deadline = time.monotonic() + 20
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        database = "sqlite" if db_url.startswith("sqlite") else "postgresql"
        return Site(f"http://127.0.0.1:{port}", slotbook, clock, database)

    yield start
    for server, thread in running:
        server.should_exit = True
        thread.join(timeout=20)


@dataclass
class Screenshots:
    """Saves the main steps as small phone-width PNGs, only when asked.

    ``SLOTBOOK_SCREENSHOTS=1`` writes them to ``docs/screenshots/`` (from the first configured
    database only, so parallel runs do not write the same file); otherwise nothing is written
    and the checkout stays clean.
    """

    enabled: bool
    taken: list[Path] = field(default_factory=list)

    def take(self, page: Any, name: str) -> None:
        """Save the visible part of the page as ``docs/screenshots/<name>.png``."""
        if not self.enabled:
            return
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=False, animations="disabled", caret="hide")
        size = path.stat().st_size
        assert size <= MAX_SCREENSHOT_BYTES, f"{path.name} is {size} bytes"
        self.taken.append(path)


@pytest.fixture
def screenshots(db_url: str) -> Screenshots:
    """Screenshots of the flow for the README (``SLOTBOOK_SCREENSHOTS=1``)."""
    first = DATABASES[0] if DATABASES else "sqlite"
    on_first = db_url.startswith("sqlite") == (first == "sqlite")
    return Screenshots(enabled=os.environ.get("SLOTBOOK_SCREENSHOTS") == "1" and on_first)
