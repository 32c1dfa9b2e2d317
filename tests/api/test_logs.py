"""The server's log never carries personal data, whatever the requests contained."""

from __future__ import annotations

import httpx2
import pytest

from tests.conftest import LiveServer
from tests.factories import issue_catalog

ORCHESTRA = "/calendar-backend/public/api/v1"
PERSON = {"firstName": "Wilhelmina", "lastName": "Zonneveld", "email": "w.zonneveld@example.org"}
CITIZEN_NUMBER = "999990019"


@pytest.mark.slow
def test_the_access_log_names_routes_not_paths_or_queries(live_server: LiveServer) -> None:
    url = live_server.start(issue_catalog(horizon_days=3650))
    with httpx2.Client(base_url=url, timeout=30) as client:
        booked = client.post(
            f"{ORCHESTRA}/branches/north/services/idcard/dates/2030-03-04/times/09:00/book",
            json={"customer": {**PERSON, "externalId": CITIZEN_NUMBER, "phone": "0612345678"}},
        )
        assert booked.status_code == 200, booked.text
        assert (
            client.get(
                f"{ORCHESTRA}/customers/externalId/{CITIZEN_NUMBER}/appointments"
            ).status_code
            == 200
        )
        client.get("/consumer/v1/customers", params={"email": PERSON["email"]})  # refused: 401
        client.get(f"{ORCHESTRA}/appointments/nothing;email={PERSON['email']}")
        client.post(
            "/external/v1/reservations",
            content=b'{"notes": "Zonneveld',
            headers={"X-TENANT-ID": "acme"},
        )
    live_server.stop()
    log = live_server.log.read_text()
    assert "/customers/externalId/{external_id}/appointments 200" in log
    for secret in (*PERSON.values(), CITIZEN_NUMBER, "0612345678", "Zonneveld"):
        assert secret not in log, secret
