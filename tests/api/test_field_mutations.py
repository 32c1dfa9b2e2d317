"""Every node of a known-valid write body, replaced in turn by junk: a 4xx, never a 5xx.

``test_fuzz.py`` sends random bodies, which are refused long before their fields are read, so a
blank or null field in an otherwise valid body went unnoticed. Here each surface's main write
requests start from a body the server accepts; one node at a time (every leaf, every object and
array, and the body itself) is replaced by a value of another kind, or deleted. Every answer must
be below 500 and every refusal must be in the surface's own error format.

Requests that act on a live object (a reservation, a hold, a slot, an appointment) reuse it
while they are refused and get a fresh one once an accepted request used it up. What an accepted
request books is released at once, or the next request goes to the next free start (one write
less, on Orchestra and OnSched), so that every mutation gets as far as storage. A refusal saying
that the live object is gone, or the valid body being refused after all the mutations, means a
refused request changed something: that fails as well.

Each schema's every field is mutated in one request (e.g. all Orchestra customer fields on v1
book); the other requests of that surface carry a few fields of it, to keep the run short.
The app runs in process: an exception it raises (its answer would be a 500) is reported with
where it was raised.
"""

from __future__ import annotations

import json
import traceback
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx2
import pytest
from starlette.testclient import TestClient

from tests.api.appointedd.helpers import (
    KEY_ACME,
    at,
    booking_body,
    full_search_body,
    ids_by_name,
    reachable_person,
    studio_catalog,
)
from tests.api.onsched.conftest import OnSched
from tests.api.onsched.conftest import catalog as onsched_catalog
from tests.api.orchestra.conftest import BASE as ORCHESTRA_BASE
from tests.api.orchestra.conftest import CUSTOMER, Orchestra
from tests.api.qmatic.conftest import BASE as QMATIC_BASE
from tests.api.qmatic.conftest import (
    MONDAY_9,
    PUBLIC_KEY,
    Qmatic,
    customer,
    passport_answers,
    passport_ids,
    qmatic_catalog,
)
from tests.factories import issue_catalog
from tests.json_documents import ABSENT, Path, mutated, nodes

# About 3400 requests per database (2685 of them mutated).
pytestmark = pytest.mark.slow

MakeClient = Callable[[dict[str, Any]], TestClient]

VALUES: list[Any] = [
    None,
    "",
    "   ",
    "\t\n",
    0,
    -1,
    1.5,
    True,
    10**20,
    "x" * 5000,
    [],
    {},
    "\u0000",
    "\uff19",  # a full-width digit nine
    ABSENT,
]

Ids = dict[str, str]


def _filled(document: Any, ids: Ids) -> Any:
    """``document`` with each placeholder ``"{name}"`` replaced by the live id ``ids[name]``."""
    if isinstance(document, dict):
        return {key: _filled(inner, ids) for key, inner in document.items()}
    if isinstance(document, list):
        return [_filled(inner, ids) for inner in document]
    if isinstance(document, str) and document[1:-1] in ids and document == f"{{{document[1:-1]}}}":
        return ids[document[1:-1]]
    return document


def _field(path: Path) -> str:
    if not path:
        return "<body>"
    return "".join(f"[{step}]" if isinstance(step, int) else f".{step}" for step in path)[1:]


def _shown(value: Any) -> str:
    if value is ABSENT:
        return "<deleted>"
    if isinstance(value, str) and len(value) > 20:
        return f"{value[:3]!r}*{len(value)}"
    return repr(value)


def _cause(exc: BaseException) -> str:
    """What an exception raised by the app was, and where in Slotbook it came from."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/slotbook/" in f.filename]
    where = " <- ".join(
        f"{f.filename.rsplit('/src/', 1)[-1]}:{f.lineno} {f.name}" for f in reversed(frames[-3:])
    )
    return f"raised {type(exc).__name__}: {str(exc)[:200]} at {where or '?'}"


@dataclass
class Sent:
    """One request and what came back (an exception raised by the app counts as a 500)."""

    method: str
    url: str
    status: int
    text: str
    response: httpx2.Response | None = None
    stale: bool = False  # refused because its live object was gone

    @property
    def ok(self) -> bool:
        """A 2xx answer."""
        return 200 <= self.status < 300

    def json(self) -> Any:
        """The JSON body of the answer."""
        assert self.response is not None
        return self.response.json()

    def says(self, needle: str) -> bool:
        """Whether the answer's text contains ``needle``."""
        return needle in self.text


class Wire:
    """Sends JSON requests under one base path with fixed headers."""

    def __init__(self, client: TestClient, base: str, headers: dict[str, str]) -> None:
        self.client = client
        self.base = base
        self.headers = {**headers, "Content-Type": "application/json"}

    def __call__(self, method: str, path: str, body: Any = ABSENT) -> Sent:
        url = self.base + path
        content = None if body is ABSENT else json.dumps(body).encode()
        try:
            response = self.client.request(method, url, content=content, headers=self.headers)
        except Exception as exc:  # raised by the app: its answer would have been a 500
            return Sent(method, url, 500, _cause(exc))
        return Sent(method, url, response.status_code, response.text[:200], response)

    def must(self, method: str, path: str, body: Any = ABSENT) -> Sent:
        """A set-up or clean-up request: it has to succeed."""
        sent = self(method, path, body)
        if not sent.ok:
            raise AssertionError(f"set-up or clean-up failed: {method} {sent.url}: {sent.text}")
        return sent


class Live:
    """A live object the mutated requests act on: made when needed, dropped when used up."""

    def __init__(self, make: Callable[[], Ids], release: Callable[[Ids], object]) -> None:
        self.make = make
        self.release = release
        self.ids: Ids | None = None

    def act(
        self,
        send: Callable[[Ids], Sent],
        *,
        accepted: Callable[[Sent, Ids], object] | None = None,
        stale: Callable[[Sent], bool],
    ) -> Sent:
        """Send a request about the live object and keep the object's life in step with it.

        Accepted: ``accepted`` cleans up, else the object is released; either way a fresh one
        is made next time. A server error: released and renewed. ``stale``: the refusal says
        the object is gone, which an earlier refused request must have done.
        """
        if self.ids is None:
            self.ids = self.make()
        ids = self.ids
        sent = send(ids)
        if sent.ok:
            (accepted or (lambda _sent, used: self.release(used)))(sent, ids)
            self.ids = None
        elif sent.status >= 500 or stale(sent):
            sent.stale = sent.status < 500
            self.release(ids)
            self.ids = None
        return sent


ErrorCheck = Callable[[httpx2.Response], str | None]


@dataclass
class Target:
    """A write request with a valid body, sent through ``attempt`` (which sets up and cleans up)."""

    valid: Any
    attempt: Callable[[Any], Sent]
    errors: ErrorCheck


def _body(response: httpx2.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _orchestra_error(response: httpx2.Response) -> str | None:
    if not response.headers.get("ERROR_CODE") or not response.headers.get("ERROR_MESSAGE"):
        return "no ERROR_CODE/ERROR_MESSAGE header"
    body = _body(response)
    if not (isinstance(body, dict) and set(body) == {"msg"} and body["msg"]):
        return 'body is not {"msg": ...}'
    return None


def _keyed_error(*keys: str) -> ErrorCheck:
    def check(response: httpx2.Response) -> str | None:
        body = _body(response)
        if not (isinstance(body, dict) and set(body) == set(keys)):
            return f"body is not {{{', '.join(keys)}}}"
        if not all(isinstance(body[k], str) and body[k] for k in keys):
            return "an empty error field"
        return None

    return check


def _mutate_every_node(target: Target) -> tuple[int, list[str]]:
    """Send every mutation of the valid body: (number sent, failures)."""
    failures: list[str] = []

    def attempt(body: Any) -> Sent | None:
        try:
            return target.attempt(body)
        except AssertionError as exc:  # set-up or clean-up failed: nothing more can be tried
            failures.append(str(exc))
            return None

    first = attempt(target.valid)
    assert first is not None and first.ok, ("the valid body is refused", first, failures)
    count = 0
    for path in nodes(target.valid):
        for value in VALUES:
            sent = attempt(mutated(target.valid, path, value))
            if sent is None:
                return count, failures
            count += 1
            problem = None
            if sent.status >= 500:
                problem = "server error"
            elif sent.stale:
                problem = "refused as if its live object were gone (did a refusal change it?)"
            elif sent.status >= 400 and sent.response is not None:
                problem = target.errors(sent.response)
            if problem:
                failures.append(
                    f"{problem}: {sent.method} {sent.url} {_field(path)}={_shown(value)}"
                    f" -> {sent.status} {sent.text}"
                )
    last = attempt(target.valid)
    if last is not None and not last.ok:
        failures.append(
            "the valid body is refused after the mutations (a refused request kept something):"
            f" {last.method} {last.url} -> {last.status} {last.text}"
        )
    return count, failures


# --- Orchestra ---------------------------------------------------------------------------------

ORCHESTRA_CUSTOMER = {
    **CUSTOMER,
    "addressLine2": "2 hoog",
    "externalId": "BSN-0001",
    "custom": '{"source": "web"}',
}
ORCHESTRA_EXTRAS = {"title": "Online booking", "notes": "Via internet", "custom": '{"a": 1}'}
ORCHESTRA_PAIR = [{"firstName": "Ada", "externalId": "A-1"}, {"lastName": "Bo"}]
ORCHESTRA_SERVICES = [{"publicId": "Paspoort"}, {"publicId": "idcard"}]
# The dates listings (``{b}``: the branch) whose free starts the requests are sent to.
PASSPORT = "/v1/branches/{b}/services/Paspoort/dates"
BOTH = ";servicePublicId=Paspoort;servicePublicId=idcard"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")  # the branch's time zone


class Starts:
    """The earliest free start of a listing; an accepted booking moves it on past its end.

    Taking the next start instead of deleting what was booked saves a write per accepted
    request. Since every booking takes the earliest free start, the starts listed after its end
    stay free. A booking that a refused request left behind still shows: the last request, the
    valid body, then finds the start it is sent to taken.
    """

    def __init__(self, wire: Wire, dates: str, matrix: str) -> None:
        self.wire = wire
        self.times = dates + "/{day}/times" + matrix
        listed = wire.must("GET", dates + matrix).json()["dates"]
        self.days = [str(day)[:10] for day in listed]
        self.free: list[str] = []
        self._next_day()

    def _next_day(self) -> None:
        while self.days:
            self.day = self.days.pop(0)
            self.free = self.wire.must("GET", self.times.format(day=self.day)).json()["times"]
            if self.free:
                return
        raise AssertionError("set-up failed: no free start left")

    def taken(self, appointment: dict[str, Any]) -> None:
        """``appointment`` (as answered) took the current start: go on to the next free one."""
        end = datetime.strptime(appointment["end"], "%Y-%m-%dT%H:%M:%S.%f%z").astimezone(AMSTERDAM)
        if end.date().isoformat() == self.day:
            self.free = [time for time in self.free if time >= f"{end:%H:%M}"]
        else:
            self.free = []
        if not self.free:
            self._next_day()

    def at(self, path: str) -> str:
        """``path`` with ``{day}`` and ``{time}`` set to the current start."""
        return path.format(day=self.day, time=self.free[0])


def _orchestra(make_client: MakeClient, dates: str, matrix: str) -> tuple[Wire, Starts, str]:
    """A wire to the API root, the free starts of a listing and the branch's publicId."""
    orchestra = Orchestra(make_client(issue_catalog()))
    wire = Wire(orchestra.client, ORCHESTRA_BASE, {})
    starts = Starts(wire, dates.format(b=orchestra.branch), matrix)
    return wire, starts, orchestra.branch


def _orchestra_placing(
    make_client: MakeClient, path: str, listing: tuple[str, str], valid: dict[str, Any]
) -> Target:
    """Book or reserve at the earliest free start (``path`` with ``{b}``, ``{day}``, ``{time}``)."""
    wire, starts, branch = _orchestra(make_client, *listing)

    def attempt(body: Any) -> Sent:
        sent = wire("POST", starts.at(path.replace("{b}", branch)), body)
        if sent.ok:
            starts.taken(sent.json())
        return sent

    return Target(valid, attempt, _orchestra_error)


def _orchestra_confirm(
    make_client: MakeClient, version: str, reserve: str, listing: tuple[str, str], valid: Any
) -> Target:
    """Confirm a live reservation made at ``reserve`` at the earliest free start."""
    wire, starts, branch = _orchestra(make_client, *listing)
    held = Live(
        lambda: {
            "id": wire.must("POST", starts.at(reserve.replace("{b}", branch))).json()["publicId"]
        },
        lambda ids: wire.must("DELETE", f"/v1/appointments/{ids['id']}"),
    )

    def attempt(body: Any) -> Sent:
        return held.act(
            lambda ids: wire("POST", f"/{version}/branches/appointments/{ids['id']}/confirm", body),
            accepted=lambda sent, _ids: starts.taken(sent.json()),
            stale=lambda sent: (
                sent.response is not None
                and sent.response.headers.get("ERROR_CODE") in ("142", "460")
            ),
        )

    return Target(valid, attempt, _orchestra_error)


ORCHESTRA_CASES: dict[str, Callable[[MakeClient], Target]] = {
    "v1 book": lambda mc: _orchestra_placing(
        mc,
        "/v1/branches/{b}/services/Paspoort/dates/{day}/times/{time}/book",
        (PASSPORT, ""),
        {**ORCHESTRA_EXTRAS, "customer": ORCHESTRA_CUSTOMER},
    ),
    "v2 book": lambda mc: _orchestra_placing(
        mc,
        "/v2/branches/{b}/dates/{day}/times/{time}/book",
        ("/v2/branches/{b}/dates", BOTH + ";numberOfCustomers=1"),
        {"customers": ORCHESTRA_PAIR, "services": ORCHESTRA_SERVICES},
    ),
    "v1 reserve": lambda mc: _orchestra_placing(
        mc,
        "/v1/branches/{b}/services/Paspoort/dates/{day}/times/{time}/reserve;numberOfCustomers=1",
        (PASSPORT, ";numberOfCustomers=1"),
        {"title": "Online booking", "customer": {"firstName": "Ada"}},
    ),
    "v2 reserve": lambda mc: _orchestra_placing(
        mc,
        "/v2/branches/{b}/dates/{day}/times/{time}/reserve",
        ("/v2/branches/{b}/dates", ";servicePublicId=Paspoort"),
        {"services": ORCHESTRA_SERVICES[:1], "notes": "Via internet"},
    ),
    "v1 confirm": lambda mc: _orchestra_confirm(
        mc,
        "v1",
        "/v1/branches/{b}/services/Paspoort/dates/{day}/times/{time}/reserve",
        (PASSPORT, ""),
        {
            **ORCHESTRA_EXTRAS,
            "customer": {"firstName": "Ada", "dateOfBirth": "1990-05-17", "externalId": "A-1"},
        },
    ),
    "v2 confirm": lambda mc: _orchestra_confirm(
        mc,
        "v2",
        "/v2/branches/{b}/dates/{day}/times/{time}/reserve;numberOfCustomers=1" + BOTH,
        ("/v2/branches/{b}/dates", BOTH + ";numberOfCustomers=1"),
        {"customers": ORCHESTRA_PAIR},
    ),
}


# --- Qmatic cloud ------------------------------------------------------------------------------

QMATIC_TEN = "2030-03-04T10:00:00+01:00"
_qmatic_error = _keyed_error("code", "message")


def _qmatic(make_client: MakeClient) -> tuple[Qmatic, Wire]:
    """The test catalog's client (to look ids up), and a wire with its tenant and key."""
    client = make_client(qmatic_catalog())
    qm = Qmatic(client, "acme", PUBLIC_KEY)
    return qm, Wire(client, QMATIC_BASE, qm.headers)


def _combination(qm: Qmatic, start: str = MONDAY_9) -> dict[str, Any]:
    """A valid combination reservation body (ID card and birth registration)."""
    return {
        "serviceIds": [qm.service_id("ID card"), qm.service_id("Birth registration")],
        "branchId": qm.branch_id("North Office"),
        "timeSlot": {"startTime": start},
        "numberOfReservations": 1,
        "notes": "Both at once",
    }


def _qmatic_release(wire: Wire) -> Callable[[Ids], None]:
    """Cancel what a live reservation became, or give the reservation up."""

    def release(ids: Ids) -> None:
        for path in (f"appointments/{ids['id']}", f"reservations/{ids['id']}"):
            wire("DELETE", path)

    return release


def _qmatic_reserving(make_client: MakeClient, path: str, combination: bool) -> Target:
    """``POST reservations`` or the combination endpoint; a reservation is given up again."""
    qm, wire = _qmatic(make_client)
    if combination:
        valid = _combination(qm)
    else:
        valid = {
            **passport_ids(qm),
            "timeSlot": {"startTime": MONDAY_9, "endTime": "2030-03-04T09:10:00+01:00"},
            "numberOfReservations": 1,
            "notes": "Renewal",
        }

    def attempt(body: Any) -> Sent:
        sent = wire("POST", path, body)
        if sent.ok:
            wire.must("DELETE", f"reservations/{sent.json()['reservationId']}")
        return sent

    return Target(valid, attempt, _qmatic_error)


def _qmatic_confirm(make_client: MakeClient, combination: bool) -> Target:
    """Confirm a live reservation; the appointment is cancelled again."""
    qm, wire = _qmatic(make_client)
    if combination:
        reserve, reservation = "serviceCombination/reservations", _combination(qm)
        person = customer()
        del person["phoneNumber"], person["dateOfBirth"]
        valid: dict[str, Any] = {"customer": person}
    else:
        reserve = "reservations"
        reservation = {**passport_ids(qm), "timeSlot": {"startTime": MONDAY_9}}
        valid = {"customer": customer(), "informationQuestions": passport_answers(qm)}
    held = Live(
        lambda: {"id": wire.must("POST", reserve, reservation).json()["reservationId"]},
        _qmatic_release(wire),
    )

    def attempt(body: Any) -> Sent:
        return held.act(
            lambda ids: wire("PUT", f"{reserve}/{ids['id']}", body),
            accepted=lambda _sent, ids: wire.must("DELETE", f"appointments/{ids['id']}"),
            stale=lambda sent: sent.status in (404, 410),
        )

    return Target(valid, attempt, _qmatic_error)


def _qmatic_booked(qm: Qmatic, wire: Wire, start: str, *, combination: bool) -> str:
    """A confirmed appointment (ID card, or the combination) at ``start``."""
    prefix = "serviceCombination/" if combination else ""
    person = customer()
    del person["dateOfBirth"]
    made = wire.must("POST", f"{prefix}reservations", _qmatic_reservation(qm, start, combination))
    reservation: str = made.json()["reservationId"]
    wire.must("PUT", f"{prefix}reservations/{reservation}", {"customer": person})
    return reservation


def _qmatic_reservation(qm: Qmatic, start: str, combination: bool) -> dict[str, Any]:
    if combination:
        return _combination(qm, start)
    return {
        "serviceId": qm.service_id("ID card"),
        "branchId": qm.branch_id("North Office"),
        "timeSlot": {"startTime": start},
    }


def _qmatic_customer_update(make_client: MakeClient) -> Target:
    """``PUT appointments/{id}/customer`` of one booked appointment (an update keeps it)."""
    qm, wire = _qmatic(make_client)
    booked = {"id": _qmatic_booked(qm, wire, MONDAY_9, combination=False)}

    def attempt(body: Any) -> Sent:
        sent = wire("PUT", f"appointments/{booked['id']}/customer", body)
        if sent.status == 404:
            sent.stale = True
        return sent

    return Target({"customer": customer()}, attempt, _qmatic_error)


def _qmatic_reschedule(make_client: MakeClient, combination: bool) -> Target:
    """Move a booked appointment into a live reservation at ten."""
    qm, wire = _qmatic(make_client)
    prefix = "serviceCombination/" if combination else ""

    def make() -> Ids:
        appointment = _qmatic_booked(qm, wire, MONDAY_9, combination=combination)
        body = _qmatic_reservation(qm, QMATIC_TEN, combination)
        made = wire.must("POST", f"{prefix}reservations", body)
        return {"id": appointment, "reservation": made.json()["reservationId"]}

    def release(ids: Ids) -> None:
        wire("DELETE", f"reservations/{ids['reservation']}")
        wire("DELETE", f"appointments/{ids['id']}")

    live = Live(make, release)

    def attempt(body: Any) -> Sent:
        return live.act(
            lambda ids: wire(
                "PUT", f"{prefix}appointments/{ids['id']}/reschedule", _filled(body, ids)
            ),
            stale=lambda sent: sent.status == 410 or sent.says("appointment_not_found"),
        )

    return Target({"reservationId": "{reservation}"}, attempt, _qmatic_error)


QMATIC_CASES: dict[str, Callable[[MakeClient], Target]] = {
    "reservation": lambda mc: _qmatic_reserving(mc, "reservations", combination=False),
    "confirm": lambda mc: _qmatic_confirm(mc, combination=False),
    "customer update": _qmatic_customer_update,
    "reschedule": lambda mc: _qmatic_reschedule(mc, combination=False),
    "combination reservation": lambda mc: _qmatic_reserving(
        mc, "serviceCombination/reservations", combination=True
    ),
    "combination confirm": lambda mc: _qmatic_confirm(mc, combination=True),
    "combination reschedule": lambda mc: _qmatic_reschedule(mc, combination=True),
}


# --- OnSched -----------------------------------------------------------------------------------

ONSCHED_CUSTOMER = {
    "name": "Ada Lovelace",
    "email": "ada@example.com",
    "phone": "+31 6 1234 5678",
    "customerMessage": "See you",
    "notes": "First visit",
    "groupSize": 1,
}
_onsched_error = _keyed_error("error", "message")


class HalfHours:
    """Consultation starts on Desk 1, every half hour from Monday 09:00 on; an accepted
    booking moves on to the next one (instead of a cancellation: one write less)."""

    def __init__(self) -> None:
        self.taken = 0

    def ids(self) -> Ids:
        """The current start and end, as placeholders ``{start}`` and ``{end}`` are filled."""
        day, half = divmod(self.taken, 16)  # the test catalog opens 09:00-17:00 every day
        if day >= 26:  # the clocks change on March 31, and the offset below with them
            raise AssertionError("set-up failed: no start left")
        start = datetime(2030, 3, 4 + day, 9) + timedelta(minutes=30 * half)
        return {
            "start": f"{start:%Y-%m-%dT%H:%M}:00+01:00",
            "end": f"{start + timedelta(minutes=30):%Y-%m-%dT%H:%M}:00+01:00",
        }


def _onsched(make_client: MakeClient) -> tuple[Wire, dict[str, Any]]:
    """A wire to the API, and the slot an appointment body asks for (Desk 1, a free start)."""
    api = OnSched(make_client(onsched_catalog()))
    slot = {
        "locationId": api.location("North Office"),
        "serviceId": api.service("Consultation"),
        "resourceId": api.resource("Desk 1"),
        "startDateTime": "{start}",
        "endDateTime": "{end}",
    }
    return Wire(api.client, "/consumer/v1/", api.headers()), slot


def _onsched_release(wire: Wire, appointment: dict[str, Any]) -> None:
    """Free an appointment's slot: delete a hold, cancel a reservation or booking."""
    if appointment["status"] == "IN":
        wire.must("DELETE", f"appointments/{appointment['id']}")
    elif appointment["status"] in ("RS", "BK"):
        wire.must("PUT", f"appointments/{appointment['id']}/cancel")


def _onsched_create(make_client: MakeClient, mode: str | None) -> Target:
    """``POST appointments`` at the next free start: with ``completeBooking=BK`` and a new
    customer, or a hold for an existing customer (``customerId``) asking for ``resourceIds``."""
    wire, slot = _onsched(make_client)
    path = "appointments" + (f"?completeBooking={mode}" if mode else "")
    starts = HalfHours()
    valid = {**slot, **ONSCHED_CUSTOMER}
    known: Ids = {}
    if mode is None:
        person = {"firstname": "Ada", "lastname": "Lovelace", "email": "ada@example.com"}
        known["customer"] = wire.must("POST", "customers", person).json()["id"]
        valid = {key: value for key, value in slot.items() if key != "resourceId"}
        valid |= {"resourceIds": [slot["resourceId"]], "customerId": "{customer}"}
        valid |= {"groupSize": 1, "notes": "First visit"}

    def attempt(body: Any) -> Sent:
        sent = wire("POST", path, _filled(body, {**known, **starts.ids()}))
        if sent.ok:
            starts.taken += 1
        return sent

    return Target(valid, attempt, _onsched_error)


def _onsched_customer(make_client: MakeClient) -> Target:
    wire, _ = _onsched(make_client)
    valid = {"firstname": "Ada", "lastname": "Lovelace", "email": "ada@example.com", "phone": "1"}
    return Target(valid, lambda body: wire("POST", "customers", body), _onsched_error)


def _onsched_change(make_client: MakeClient, change: str, valid: dict[str, Any]) -> Target:
    """``PUT appointments/{id}/{change}`` of a live hold (book), reservation (confirm) or
    booking (reschedule, into the next half hour)."""
    wire, slot = _onsched(make_client)
    starts = HalfHours()

    def make() -> Ids:
        times = starts.ids()
        if change == "reschedule":
            body = _filled({**slot, **ONSCHED_CUSTOMER}, times)
            made = wire.must("POST", "appointments?completeBooking=BK", body).json()
            starts.taken += 1
            times = starts.ids()
        else:
            made = wire.must("POST", "appointments", _filled(slot, times)).json()
        if change == "confirm":
            wire.must("PUT", f"appointments/{made['id']}/reserve")
        return {"id": made["id"], "desk": slot["resourceId"], **times}

    def release(ids: Ids) -> None:
        now = wire("GET", f"appointments/{ids['id']}")
        if now.ok:
            _onsched_release(wire, now.json())

    def stale(sent: Sent) -> bool:
        if sent.status == 404:
            return sent.says("No appointment with id")
        return sent.says('"invalid_status"') or sent.says('"hold_expired"')

    live = Live(make, release)

    def attempt(body: Any) -> Sent:
        def accepted(_sent: Sent, _ids: Ids) -> None:
            starts.taken += 1

        return live.act(
            lambda ids: wire("PUT", f"appointments/{ids['id']}/{change}", _filled(body, ids)),
            accepted=accepted,
            stale=stale,
        )

    return Target(valid, attempt, _onsched_error)


ONSCHED_CASES: dict[str, Callable[[MakeClient], Target]] = {
    "create IN": lambda mc: _onsched_create(mc, None),
    "create BK": lambda mc: _onsched_create(mc, "BK"),
    "customer": _onsched_customer,
    "book": lambda mc: _onsched_change(mc, "book", ONSCHED_CUSTOMER),
    "confirm": lambda mc: _onsched_change(
        mc, "confirm", {"name": "Ada Lovelace", "email": "ada@example.com"}
    ),
    "reschedule": lambda mc: _onsched_change(
        mc,
        "reschedule",
        {"startDateTime": "{start}", "endDateTime": "{end}", "resourceId": "{desk}"},
    ),
}


# --- Appointedd --------------------------------------------------------------------------------

_appointedd_error = _keyed_error("error", "message")


def _appointedd(make_client: MakeClient) -> tuple[Ids, Wire]:
    """Service and resource ids by name, and a wire to the API."""
    client = make_client(studio_catalog())
    client.headers["X-API-KEY"] = KEY_ACME
    return ids_by_name(client), Wire(client, "/v1/", {"X-API-KEY": KEY_ACME})


def _appointedd_search(make_client: MakeClient) -> Target:
    ids, wire = _appointedd(make_client)
    return Target(
        full_search_body(ids),
        lambda body: wire("POST", "availability/intervals/search", body),
        _appointedd_error,
    )


def _slot_body(ids: Ids) -> dict[str, Any]:
    return {
        "data": {
            "timezone": "Europe/Amsterdam",
            "required_spaces": 1,
            "start": at("15:00"),
            "service_id": ids["Yoga class"],
            "resource_id": ids["Room 1"],
            "duration": 60,
        }
    }


def _appointedd_slot(make_client: MakeClient) -> Target:
    """``POST availability/slots``; a slot it makes is released again."""
    ids, wire = _appointedd(make_client)

    def attempt(body: Any) -> Sent:
        sent = wire("POST", "availability/slots", body)
        if sent.ok:
            wire.must("DELETE", f"availability/slots/{sent.json()['data']['id']}")
        return sent

    return Target(_slot_body(ids), attempt, _appointedd_error)


def _appointedd_booking(make_client: MakeClient) -> Target:
    """``POST bookings`` from a live slot; the booking is cancelled again."""
    ids, wire = _appointedd(make_client)
    slot = Live(
        lambda: {
            "slot": wire.must("POST", "availability/slots", _slot_body(ids)).json()["data"]["id"]
        },
        lambda live: wire("DELETE", f"availability/slots/{live['slot']}"),
    )
    valid = booking_body("{slot}", reachable_person())

    def attempt(body: Any) -> Sent:
        names_the_slot = isinstance(body, dict) and body.get("slot_id") == "{slot}"
        return slot.act(
            lambda live: wire("POST", "bookings", _filled(body, live)),
            accepted=lambda sent, _live: wire.must(
                "POST", f"bookings/{sent.json()['data']['id']}/cancel"
            ),
            stale=lambda sent: (
                names_the_slot and (sent.status == 404 or sent.says('"slot_unavailable"'))
            ),
        )

    return Target(valid, attempt, _appointedd_error)


APPOINTEDD_CASES: dict[str, Callable[[MakeClient], Target]] = {
    "intervals search": _appointedd_search,
    "slot": _appointedd_slot,
    "booking": _appointedd_booking,
}


def _cases() -> Iterator[Any]:
    for surface, cases in (
        ("orchestra", ORCHESTRA_CASES),
        ("qmatic", QMATIC_CASES),
        ("onsched", ONSCHED_CASES),
        ("appointedd", APPOINTEDD_CASES),
    ):
        for name, build in cases.items():
            yield pytest.param(build, id=f"{surface}-{name.replace(' ', '-')}")


@pytest.fixture
def entered(make_client: MakeClient) -> Iterator[MakeClient]:
    """``make_client``, with each client entered: one event loop for all its requests."""
    with ExitStack() as stack:
        yield lambda catalog: stack.enter_context(make_client(catalog))


@pytest.mark.parametrize("build", list(_cases()))
def test_no_mutation_of_a_valid_body_gets_a_server_error(
    entered: MakeClient, build: Callable[[MakeClient], Target]
) -> None:
    count, failures = _mutate_every_node(build(entered))
    assert count > 0
    assert not failures, f"{len(failures)} of {count} mutations answered badly:\n" + "\n".join(
        failures
    )
