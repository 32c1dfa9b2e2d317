"""The staff day view (``/staff/``): sign in with a staff key, see a branch's day, act on it.

Server-rendered like the booking page and built from its pieces (texts, CSRF double submit,
strict headers). A staff key is exchanged once for a short-lived token (the one OnSched's
``/connect/token`` hands out), kept in an HTTP-only cookie; the key itself is never stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Depends, FastAPI, Request
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.datastructures import FormData
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.staticfiles import StaticFiles

from slotbook.api.kit.access import client_address, route_template
from slotbook.api.kit.logs import note_route
from slotbook.domain.errors import DomainError, NotFound
from slotbook.domain.model import Appointment, Arrival, Branch, Catalog, Status
from slotbook.services import closures, queries
from slotbook.services.access import Access, identify, issue_token
from slotbook.services.actor import Scope
from slotbook.services.context import Slotbook
from slotbook.services.ports import AppointmentFilter, Block
from slotbook.web.i18n import LANGUAGES, NAMES, Texts, choose_language
from slotbook.web.security import CSRF_COOKIE, LANGUAGE_COOKIE, csrf_ok, csrf_token, secure
from slotbook.web.staff.actions import (
    ACTIONS,
    DONE,
    REFUSALS,
    Refused,
    form_text,
    marked,
    services_on,
)

SESSION_COOKIE: str = "slotbook_staff"  # annotated: not a message id for the catalog scan
_HERE = Path(__file__).parent
_templates = Environment(
    loader=FileSystemLoader(_HERE / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)

# Longer sentences (message ids of the catalogs).
WRONG_KEY = "This key cannot sign in here. Enter an active staff key of your organisation."
EXPIRED_FORM = "This form has expired. Please reload the page and try again."
_STATUS_TEXTS = {
    Status.CONFIRMED: marked("Confirmed"),
    Status.RESERVED: marked("Reserved"),
    Status.CANCELLED: marked("Cancelled"),
}
_ARRIVAL_TEXTS = {
    Arrival.CHECKED_IN: marked("Checked in"),
    Arrival.NO_SHOW: marked("No-show"),
    Arrival.COMPLETED: marked("Completed"),
}


def create_staff_app(slotbook: Slotbook) -> FastAPI:
    """The staff day view app (mounted at ``/staff``); a page, so it has no API document."""
    app = FastAPI(
        docs_url=None, redoc_url=None, openapi_url=None, dependencies=[Depends(note_route)]
    )
    app.state.slotbook = slotbook
    app.mount("/static", StaticFiles(directory=_HERE / "static"), name="static")
    _pages(app)
    return app


# --- helpers --------------------------------------------------------------------------------


def _slotbook(request: Request) -> Slotbook:
    found: Slotbook = request.app.state.slotbook
    return found


def _base(request: Request) -> str:
    """Where the app is mounted (``/staff``): links and cookies follow the mount point."""
    root: str = request.scope.get("root_path", "") or "/staff"
    return root.rstrip("/")


def _https(request: Request) -> bool:
    return request.url.scheme == "https"


def _texts(request: Request) -> Texts:
    cached = getattr(request.state, "texts", None)
    if isinstance(cached, Texts):
        return cached
    default = getattr(request.state, "default_language", "en_US")
    asked = request.query_params.get("lang") or request.cookies.get(LANGUAGE_COOKIE)
    texts = Texts(choose_language(asked, request.headers.get("accept-language"), default))
    request.state.texts = texts
    return texts


def _link(path: str, params: Mapping[str, str] | None = None) -> str:
    query = urlencode(params or {})
    return f"{path}?{query}" if query else path


def _protected(request: Request, response: Response) -> Response:
    """``secure``'s headers; the CSRF cookie on our own path, SameSite=Strict."""
    made = getattr(request.state, "csrf", None)
    request.state.csrf = None  # ``secure`` would scope the cookie to the booking page
    secure(request, response)
    if made:
        response.set_cookie(
            CSRF_COOKIE,
            made,
            httponly=True,
            samesite="strict",
            secure=_https(request),
            path=_base(request),
        )
    # The day lists people's names: no cache may keep it.
    response.headers["Cache-Control"] = "no-store"
    return response


def _render(
    request: Request, template: str, status: int = 200, *, here: str, **context: Any
) -> Response:
    """A page; ``here`` is its address to switch languages on (a form's answer has none)."""
    texts = _texts(request)
    joiner = "&" if "?" in here else "?"
    switch = {lang: f"{here}{joiner}{urlencode({'lang': lang})}" for lang in LANGUAGES}
    html = _templates.get_template(template).render(
        _=texts,
        lang=texts.language,
        languages=NAMES,
        switch=switch,
        csrf=csrf_token(request),
        base=_base(request),
        here=here,
        **context,
    )
    response = HTMLResponse(html, status_code=status)
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie(
            LANGUAGE_COOKIE,
            texts.language,
            samesite="strict",
            path=_base(request),
            secure=_https(request),
        )
    return _protected(request, response)


def _signed_in(request: Request) -> Access | None:
    """The staff member's access from the session cookie; None without a live staff token."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        access = identify(
            _slotbook(request),
            tenant_key=None,
            credential=token,
            tenant_from_credential=True,
            first_by_default=False,
            address=client_address(request),
            route=route_template(request),
        )
        access.require(Scope.STAFF)
    except DomainError:  # expired, revoked, or not a staff token
        return None
    request.state.default_language = access.catalog.settings.default_locale
    return access


def _to_sign_in(request: Request) -> Response:
    response = RedirectResponse(f"{_base(request)}/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path=_base(request))
    return response


def _csrf_fresh(request: Request, form: FormData) -> bool:
    return csrf_ok(request, str(form.get("csrf") or ""))


# --- the day ----------------------------------------------------------------------------------


def _branch(catalog: Catalog, key: str | None) -> Branch:
    branches = catalog.active_branches()
    if not branches:
        raise NotFound("branch", None, "This organisation has no branches")
    return next((b for b in branches if b.key == key), branches[0])


def _day_of(value: str | None, branch: Branch, now: datetime) -> date:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        return now.astimezone(branch.zone).date()


def _midnight(day: date, branch: Branch) -> datetime:
    """The start of a local day as an instant (a DST day has 23 or 25 hours)."""
    return datetime.combine(day, time(0), branch.zone).astimezone(UTC)


def _appointment_row(
    catalog: Catalog, branch: Branch, appointment: Appointment, texts: Texts, now: datetime
) -> dict[str, Any]:
    services = [catalog.service(k, include_retired=True) for k in appointment.service_keys]
    questions = {q.key: texts.of(q.text, q.key) for s in services for q in s.information_questions}
    live = appointment.status in (Status.CONFIRMED, Status.RESERVED)
    return {
        "kind": "appointment",
        "id": appointment.ids.uuid,
        "reference": appointment.ids.digits,
        "start": appointment.start,
        "time": texts.clock(appointment.start, branch.zone),
        "until": texts.clock(appointment.end, branch.zone),
        "services": [texts.of(s.name, s.key) for s in services],
        "people": appointment.people,
        "customers": [c.name for c in appointment.customers if c.name],
        "answers": [(questions.get(k, k), v) for k, v in appointment.answers.items()],
        "status": texts(_STATUS_TEXTS.get(appointment.status, str(appointment.status))),
        "cancelled": appointment.status is Status.CANCELLED,
        "arrival": texts(_ARRIVAL_TEXTS[appointment.arrival]) if appointment.arrival else None,
        "arrived_at": texts.clock(appointment.arrived_at, branch.zone)
        if appointment.arrived_at
        else None,
        "can_check_in": live and appointment.arrival is None,
        "can_no_show": live and appointment.arrival is None and now >= appointment.start,
        "can_complete": live and appointment.arrival is Arrival.CHECKED_IN,
        "can_cancel": live and appointment.arrival is None,
    }


def _block_row(branch: Branch, block: Block, texts: Texts, day: date) -> dict[str, Any]:
    zone = branch.zone
    starts_before = block.start.astimezone(zone).date() < day
    ends_after = block.end.astimezone(zone).date() > day
    return {
        "kind": "block",
        "id": block.id,
        "start": block.start,
        "time": texts("before this day") if starts_before else texts.clock(block.start, zone),
        "until": texts("after this day") if ends_after else texts.clock(block.end, zone),
        "reason": block.reason,
    }


def _agenda(request: Request, access: Access, branch: Branch, day: date) -> list[dict[str, Any]]:
    """Per resource: its appointments and blocks of the day, by start."""
    app, catalog, texts = _slotbook(request), access.catalog, _texts(request)
    start = _midnight(day, branch)
    end = _midnight(day + timedelta(days=1), branch)
    found, _ = queries.find_appointments(
        app,
        catalog,
        AppointmentFilter(
            branch_key=branch.key,
            starts_from=start,
            starts_before=end,
            statuses=("confirmed", "reserved", "cancelled"),
        ),
        offset=0,
        limit=500,
    )
    held = [b for b in closures.blocks(app, catalog, start, end) if b.branch_key == branch.key]
    now = app.now()
    agenda = []
    for resource in branch.resources:
        if not resource.active:
            continue
        rows = [
            _appointment_row(catalog, branch, a, texts, now)
            for a in found
            if a.resource_key == resource.key
        ]
        rows += [_block_row(branch, b, texts, day) for b in held if b.resource_key == resource.key]
        rows.sort(key=lambda row: row["start"])
        services = services_on(catalog, branch, resource)
        agenda.append(
            {
                "resource": resource,
                "rows": rows,
                "services": [(s.key, texts.of(s.name, s.key)) for s in services],
                "needs_birth_date": any(s.date_of_birth_required for s in services),
                "questions": list(
                    {
                        q.key: (q.key, texts.of(q.text, q.key))
                        for s in services
                        for q in s.information_questions
                    }.values()
                ),
            }
        )
    return agenda


def _show_day(
    request: Request,
    access: Access,
    branch: Branch,
    day: date,
    *,
    status: int = 200,
    refused: Refused | None = None,
    values: Mapping[str, str] | None = None,
    done: str | None = None,
) -> Response:
    texts = _texts(request)
    base = _base(request)

    def day_link(other: date) -> str:
        return _link(f"{base}/day", {"branch": branch.key, "date": other.isoformat()})

    return _render(
        request,
        "day.html",
        status,
        here=day_link(day),
        organisation=access.catalog.name,
        branch=branch,
        branches=access.catalog.active_branches(),
        day=day,
        day_text=texts.day(day),
        today=_slotbook(request).now().astimezone(branch.zone).date() == day,
        previous=day_link(day - timedelta(days=1)),
        following=day_link(day + timedelta(days=1)),
        agenda=_agenda(request, access, branch, day),
        refused=refused,
        problems=refused.problems if refused else {},
        values=values or {},
        open_forms={(values or {}).get("form", "")} - {""},
        done=done,
    )


def _pages(app: FastAPI) -> None:
    @app.get("/")
    def sign_in_form(request: Request) -> Response:
        """The sign-in form; straight to the day when already signed in."""
        if _signed_in(request) is not None:
            return RedirectResponse(f"{_base(request)}/day", status_code=303)
        return _render(request, "signin.html", here=f"{_base(request)}/", problem=None)

    @app.post("/")
    async def sign_in(request: Request) -> Response:
        """Exchange a staff key for a session token in an HTTP-only cookie."""
        form = await request.form()
        texts = _texts(request)
        if not _csrf_fresh(request, form):
            return _render(
                request, "signin.html", 403, here=f"{_base(request)}/", problem=texts(EXPIRED_FORM)
            )
        key = form_text(form, "key", 255)
        if not key:
            return _render(
                request,
                "signin.html",
                400,
                here=f"{_base(request)}/",
                problem=texts("Enter your staff key"),
            )
        slotbook = _slotbook(request)
        try:
            access = identify(
                slotbook,
                tenant_key=None,
                credential=key,
                tenant_from_credential=True,
                first_by_default=False,
                address=client_address(request),
                route=route_template(request),
            )
            access.require(Scope.STAFF)
            issued = issue_token(slotbook, tenant_key=access.catalog.key, key=key)
        except DomainError:
            return _render(
                request, "signin.html", 401, here=f"{_base(request)}/", problem=texts(WRONG_KEY)
            )
        response = RedirectResponse(f"{_base(request)}/day", status_code=303)
        response.set_cookie(
            SESSION_COOKIE,
            issued.token,
            max_age=int(issued.lifetime.total_seconds()),
            httponly=True,
            samesite="strict",
            secure=_https(request),
            path=_base(request),
        )
        return response

    @app.post("/sign-out")
    async def sign_out(request: Request) -> Response:
        """Forget the session (the token runs out by itself)."""
        form = await request.form()
        if not _csrf_fresh(request, form):
            texts = _texts(request)
            return _render(
                request, "signin.html", 403, here=f"{_base(request)}/", problem=texts(EXPIRED_FORM)
            )
        return _to_sign_in(request)

    @app.get("/day")
    def day_view(request: Request) -> Response:
        """A branch's day: per resource its appointments and blocks."""
        access = _signed_in(request)
        if access is None:
            return _to_sign_in(request)
        params = request.query_params
        branch = _branch(access.catalog, params.get("branch"))
        day = _day_of(params.get("date"), branch, _slotbook(request).now())
        done = DONE.get(params.get("done") or "")
        return _show_day(request, access, branch, day, done=_texts(request)(done) if done else None)

    @app.post("/day/{action}")
    async def act(request: Request, action: str) -> Response:
        """One action on the day; back to the day (303), or the day with why it was refused."""
        access = _signed_in(request)
        if access is None:
            return _to_sign_in(request)
        form = await request.form()
        texts = _texts(request)
        branch = _branch(access.catalog, form_text(form, "branch"))
        day = _day_of(form_text(form, "date"), branch, _slotbook(request).now())
        values = {k: str(v) for k, v in form.items() if k != "csrf" and isinstance(v, str)}
        if not _csrf_fresh(request, form):
            refused = Refused(403, texts(EXPIRED_FORM))
            return _show_day(request, access, branch, day, status=403, refused=refused)
        handler = ACTIONS.get(action)
        if handler is None:
            refused = Refused(404, texts("This action does not exist."))
            return _show_day(request, access, branch, day, status=404, refused=refused)
        try:
            done = handler(_slotbook(request), access, branch, day, form, texts)
        except Refused as exc:
            return _show_day(
                request, access, branch, day, status=exc.status, refused=exc, values=values
            )
        except DomainError as exc:
            status, message = next(
                (found for kind, found in REFUSALS.items() if isinstance(exc, kind)),
                (409, marked("This is not possible for this appointment now.")),
            )
            refused = Refused(status, texts(message), detail=exc.message)
            return _show_day(
                request, access, branch, day, status=status, refused=refused, values=values
            )
        back = {"branch": branch.key, "date": day.isoformat(), "done": done}
        return RedirectResponse(_link(f"{_base(request)}/day", back), status_code=303)
