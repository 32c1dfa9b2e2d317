"""Cancelling a class while others join it: every space ends up free, none held in it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx2
import pytest

from slotbook.bootstrap import build_slotbook
from slotbook.domain.model import Status
from slotbook.services.catalog import tenant_catalog
from slotbook.services.queries import get_session
from tests.api.appointedd.helpers import serve_gym
from tests.conftest import LiveServer, race

JOINERS = 10


@pytest.mark.slow
def test_a_cancel_racing_with_joiners_leaves_no_space_held_in_the_cancelled_class(
    live_server: LiveServer, db_url: str
) -> None:
    base, headers, service = serve_gym(live_server)
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    app = build_slotbook(db_url, run_migrations=False)
    try:
        for hour in (9, 11, 13):
            start = tomorrow.replace(hour=hour).isoformat()
            slot = {"data": {"required_spaces": 1, "start": start, "service_id": service["id"]}}
            first = httpx2.post(f"{base}/availability/slots", headers=headers, json=slot)
            booked = httpx2.post(
                f"{base}/bookings",
                headers=headers,
                json={
                    "slot_id": first.json()["data"]["id"],
                    "data": {
                        "customers": [
                            {"customer": {"profile": {"firstname": "Ann", "lastname": "First"}}}
                        ]
                    },
                },
            )
            class_id = booked.json()["data"]["id"]

            responses = race(
                base,
                [("POST", f"bookings/{class_id}/cancel", {"headers": headers})]
                + [("POST", "availability/slots", {"json": slot, "headers": headers})] * JOINERS,
            )

            assert responses[0].status_code == 200, responses[0].text
            view = get_session(app, tenant_catalog(app, "gym"), "hex24", class_id)
            live = [a for a in view.appointments if a.status is not Status.CANCELLED]
            assert (view.session.taken, live) == (0, []), hour
            # A joiner that got into the class before the cancel went with it: its slot is
            # gone. Later joiners opened a new class of their own.
            for response in responses[1:]:
                if (
                    response.status_code == 201
                    and response.json()["data"]["booking_id"] == class_id
                ):
                    held = response.json()["data"]["id"]
                    gone = httpx2.get(f"{base}/availability/slots/{held}", headers=headers)
                    assert gone.status_code == 404, gone.text
    finally:
        engine = getattr(app.uows, "engine", None)
        if engine is not None:
            engine.dispose()


@pytest.mark.slow
def test_releasing_one_slot_many_times_at_once_frees_it_once_and_the_rest_are_404(
    live_server: LiveServer,
) -> None:
    base, headers, service = serve_gym(live_server)
    start = (datetime.now(UTC) + timedelta(days=1)).replace(
        hour=15, minute=0, second=0, microsecond=0
    )
    slot = httpx2.post(
        f"{base}/availability/slots",
        headers=headers,
        json={
            "data": {"required_spaces": 1, "start": start.isoformat(), "service_id": service["id"]}
        },
    ).json()["data"]

    responses = race(
        base, [("DELETE", f"availability/slots/{slot['id']}", {"headers": headers})] * 8
    )

    assert sorted(r.status_code for r in responses) == [204] + [404] * 7
