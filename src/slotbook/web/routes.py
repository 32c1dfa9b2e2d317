"""The booking page (``/book/{tenant}/``): pick, hold, tell us who you are, confirm; manage.

Every page is server-rendered HTML that works without JavaScript; each answer is one round
of use-case calls. Choices travel in the links (bookmarkable, no session); a hold and an
appointment travel as signed tokens, never as bare ids.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from fastapi import Depends, FastAPI, Request
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.datastructures import FormData
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.staticfiles import StaticFiles

from slotbook.api.kit.access import client_address, route_template
from slotbook.api.kit.logs import note_route
from slotbook.api.kit.notes import note_refusal
from slotbook.domain.errors import (
    DomainError,
    InvalidRequest,
    NotAllowed,
    NotFound,
    NotHeld,
    SlotTaken,
    TooManyRequests,
    WrongState,
)
from slotbook.domain.model import Appointment, Catalog, CustomerDetails, PageSettings, Status
from slotbook.domain.waitlist import WaitlistEntry, WaitStatus
from slotbook.services import changes, queries, waitlist
from slotbook.services.access import Access, count_write
from slotbook.services.actor import Actor, Scope
from slotbook.services.booking import BookingDetails, confirm, place
from slotbook.services.catalog import tenant_catalog, tenant_keys
from slotbook.services.context import Slotbook
from slotbook.web import flow
from slotbook.web.calendar_file import ics_of
from slotbook.web.i18n import LANGUAGES, NAMES, Texts, choose_language
from slotbook.web.security import (
    HOLD,
    LANGUAGE_COOKIE,
    MANAGE,
    OFFER,
    csrf_ok,
    csrf_token,
    secure,
    sign,
    unsign,
)

# Longer sentences of the pages (message ids of the catalogs).
TOO_MANY = (
    "You are holding or changing too many times at once. "
    "Finish or give up one, or try again in a few minutes."
)
HOLD_LOST = (
    "You took longer than the time we could hold it for you, "
    "or you already confirmed it. Please choose a time again."
)
CANCELLED = "The time is free again for someone else. You can make a new appointment at any time."
_HERE = Path(__file__).parent
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_templates = Environment(
    loader=FileSystemLoader(_HERE / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


class PageProblem(Exception):
    """A page that cannot be shown as asked: an explanation page with a way back."""

    def __init__(self, status: int, title: str, message: str, back: str | None = None) -> None:
        super().__init__(message)
        self.status, self.title, self.message, self.back = status, title, message, back


def create_web_app(slotbook: Slotbook) -> FastAPI:
    """The booking page app (mounted at ``/book``)."""
    app = FastAPI(
        docs_url=None, redoc_url=None, openapi_url=None, dependencies=[Depends(note_route)]
    )
    app.state.slotbook = slotbook
    app.mount("/static", StaticFiles(directory=_HERE / "static"), name="static")

    async def on_problem(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, PageProblem)
        return _render(
            request, "message.html", exc.status, title=exc.title, message=exc.message, back=exc.back
        )

    async def on_domain(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, DomainError)
        texts = _texts(request)
        if isinstance(exc, TooManyRequests):
            response = _render(
                request,
                "message.html",
                429,
                title=texts("Please wait a moment"),
                message=texts(TOO_MANY),
            )
            response.headers["Retry-After"] = str(exc.retry_after)
            return response
        if isinstance(exc, NotFound):
            return _render(
                request,
                "message.html",
                404,
                title=texts("Not found"),
                message=texts("This page does not exist (any more)."),
            )
        return _render(
            request,
            "message.html",
            400,
            title=texts("This is not possible"),
            message=texts("This request cannot be carried out. Please start again."),
        )

    app.add_exception_handler(PageProblem, on_problem)
    app.add_exception_handler(DomainError, on_domain)
    _pages(app)
    return app


# --- helpers --------------------------------------------------------------------------------


def _slotbook(request: Request) -> Slotbook:
    found: Slotbook = request.app.state.slotbook
    return found


def _texts(request: Request) -> Texts:
    cached = getattr(request.state, "texts", None)
    if isinstance(cached, Texts):
        return cached
    default = getattr(request.state, "default_language", "en_US")
    asked = request.query_params.get("lang") or request.cookies.get(LANGUAGE_COOKIE)
    texts = Texts(choose_language(asked, request.headers.get("accept-language"), default))
    request.state.texts = texts
    return texts


def _catalog(request: Request, tenant: str) -> Catalog:
    catalog = tenant_catalog(_slotbook(request), tenant)
    request.state.default_language = catalog.settings.default_locale
    request.state.page = catalog.settings.page
    return catalog


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _protected(request: Request, response: Response) -> Response:
    """``secure`` with the tenant's own framing and logo rules."""
    page = getattr(request.state, "page", None) or PageSettings()
    return secure(
        request,
        response,
        frame_ancestors=page.frame_ancestors,
        images=[_origin(page.logo_url)] if page.logo_url else [],
    )


def _count_write(request: Request, catalog: Catalog) -> None:
    """A form that changes something counts against the visitor's writes per minute."""
    count_write(_slotbook(request), Access(catalog, _actor(request)))


def _actor(request: Request) -> Actor:
    return Actor(Scope.BOOKING, address=client_address(request), route=route_template(request))


def _link(path: str, params: Mapping[str, Any] | None = None) -> str:
    query = urlencode(params or {}, doseq=True)
    return f"{path}?{query}" if query else path


def _render(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    texts = _texts(request)
    here = request.url.path
    query = {k: v for k, v in request.query_params.multi_items() if k != "lang"}
    switch = {
        lang: _link(here, [*query.items(), ("lang", lang)])  # type: ignore[arg-type]
        for lang in LANGUAGES
    }
    html = _templates.get_template(template).render(
        _=texts,
        texts=texts,
        lang=texts.language,
        languages=NAMES,
        switch=switch,
        csrf=csrf_token(request),
        page=getattr(request.state, "page", None) or PageSettings(),
        **context,
    )
    response = HTMLResponse(html, status_code=status)
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie(
            LANGUAGE_COOKIE,
            texts.language,
            samesite="lax",
            path="/book",
            secure=request.url.scheme == "https",
        )
    return _protected(request, response)


def _choice(request: Request, catalog: Catalog, params: Mapping[str, Any]) -> flow.Choice:
    keys = params.get("service") or []
    branch = params.get("branch") or None
    people = params.get("people") or None
    return flow.read_choice(catalog, list(keys), branch, people)


def _query_params(request: Request) -> dict[str, Any]:
    params = request.query_params
    return {
        "service": params.getlist("service"),
        "branch": params.get("branch"),
        "people": params.get("people"),
    }


def _form_params(form: FormData) -> dict[str, Any]:
    return {
        "service": [str(v) for v in form.getlist("service")],
        "branch": str(form.get("branch") or "") or None,
        "people": str(form.get("people") or "") or None,
    }


def _check_csrf(request: Request, form: FormData) -> None:
    if not csrf_ok(request, str(form.get("csrf") or "")):
        texts = _texts(request)
        raise PageProblem(
            403,
            texts("This form has expired"),
            texts("Please go back, reload the page and try again."),
        )


def _held(request: Request, catalog: Catalog, token: str) -> Appointment:
    """The live hold a token names; an explanation page when it expired or was used."""
    texts = _texts(request)
    public_id = unsign(_slotbook(request), HOLD, token)
    if public_id is None:
        raise NotFound("hold", None)
    held = queries.get_appointment(_slotbook(request), catalog, ("public_id", public_id))
    if not held.is_live_hold(_slotbook(request).now()):
        raise PageProblem(
            410,
            texts("Your time is no longer held"),
            texts(HOLD_LOST),
            back=f"/book/{catalog.key}/",
        )
    return held


def _offered(request: Request, catalog: Catalog, token: str) -> tuple[WaitlistEntry, Appointment]:
    """The waitlist offer a token names, while its time is still held."""
    entry_uuid = unsign(_slotbook(request), OFFER, token)
    texts = _texts(request)
    gone = PageProblem(
        410, texts("Your time is no longer held"), texts(HOLD_LOST), back=f"/book/{catalog.key}/"
    )
    if entry_uuid is None:
        raise gone
    entry = waitlist.entry(_slotbook(request), catalog, entry_uuid)
    if entry is None or entry.status is not WaitStatus.OFFERED or entry.offer_public_id is None:
        raise gone
    held = queries.get_appointment(
        _slotbook(request), catalog, ("public_id", entry.offer_public_id)
    )
    if not held.is_live_hold(_slotbook(request).now()):
        raise gone
    return entry, held


def _appointment_view(catalog: Catalog, appointment: Appointment, texts: Texts) -> dict[str, Any]:
    branch = catalog.branch(appointment.branch_key, include_retired=True)
    services = [catalog.service(k, include_retired=True) for k in appointment.service_keys]
    local_start = appointment.start.astimezone(branch.zone)
    return {
        "reference": appointment.ids.digits,
        "services": [texts.of(s.name, s.key) for s in services],
        "bring": [t for s in services if (t := texts.of(s.what_to_bring))],
        "date": texts.day(local_start.date()),
        "time": texts.clock(appointment.start, branch.zone),
        "until": texts.clock(appointment.end, branch.zone),
        "branch": branch,
        "people": appointment.people,
    }


_FIELDS = ("first_name", "last_name", "email", "phone", "date_of_birth")


def _details_of(
    form: FormData, services: list[Any], texts: Texts, today: date
) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """The form's values, its answers and the problems found (field -> message)."""
    values = {name: str(form.get(name) or "").strip() for name in _FIELDS}
    answers = {}
    problems: dict[str, str] = {}
    if not values["first_name"]:
        problems["first_name"] = texts("Enter your first name")
    if not values["last_name"]:
        problems["last_name"] = texts("Enter your last name")
    if not _EMAIL.fullmatch(values["email"]):
        problems["email"] = texts("Enter an e-mail address like name@example.org")
    for name, limit in (("first_name", 200), ("last_name", 200), ("email", 255), ("phone", 50)):
        if len(values[name]) > limit:
            problems[name] = texts("This is too long (at most {limit} characters)", limit=limit)
    if any(s.date_of_birth_required for s in services):
        try:
            born = date.fromisoformat(values["date_of_birth"])
            if not date(1900, 1, 1) <= born <= today:
                raise ValueError
        except ValueError:
            problems["date_of_birth"] = texts("Enter your date of birth, like 1985-04-23")
    for service in services:
        for question in service.information_questions:
            field = f"q_{question.key}"
            answer = str(form.get(field) or "").strip()
            if len(answer) > 2048:
                problems[field] = texts("This is too long (at most {limit} characters)", limit=2048)
            elif question.required and not answer:
                problems[field] = texts("Please answer this question")
            if answer:
                answers[question.key] = answer
    return values, answers, problems


def _form_view(catalog: Catalog, held: Appointment, texts: Texts) -> dict[str, Any]:
    services = [catalog.service(k, include_retired=True) for k in held.service_keys]
    branch = catalog.branch(held.branch_key, include_retired=True)
    assert held.expires_at is not None
    return {
        "services": services,
        "questions": [q for s in services for q in s.information_questions],
        "needs_birth_date": any(s.date_of_birth_required for s in services),
        "expires": held.expires_at.isoformat(),
        "expires_at": texts.clock(held.expires_at, branch.zone),
        "seconds_left": max(0, int((held.expires_at - datetime.now(UTC)).total_seconds())),
    }


def _booked(request: Request, catalog: Catalog, token: str) -> Appointment:
    """The appointment a manage token names, while it can still be changed."""
    public_id = unsign(_slotbook(request), MANAGE, token)
    if public_id is None:
        raise NotFound("appointment", None)
    found = queries.get_appointment(_slotbook(request), catalog, ("public_id", public_id))
    texts = _texts(request)
    if found.status is not Status.CONFIRMED or found.end <= _slotbook(request).now():
        raise PageProblem(
            410,
            texts("This link no longer works"),
            texts("The appointment was cancelled or has taken place."),
            back=f"/book/{catalog.key}/",
        )
    return found


def _moving(request: Request, catalog: Catalog, token: str | None) -> str | None:
    """The manage token of the appointment being moved, when the flow is a move."""
    if not token:
        return None
    _booked(request, catalog, token)
    return token


# --- the pages ------------------------------------------------------------------------------


def _pages(app: FastAPI) -> None:
    @app.get("/{tenant}")
    def start(request: Request, tenant: str) -> Response:
        """Choose a service, or an office first."""
        catalog = _catalog(request, tenant)
        branch_key = request.query_params.get("branch")
        branch = catalog.branch(branch_key) if branch_key else None
        services = catalog.services_at(branch.key) if branch else catalog.active_services()
        services = [s for s in services if s.online_bookable]
        return _render(
            request,
            "start.html",
            tenant=catalog,
            branch=branch,
            services=services,
            branches=catalog.active_branches(),
        )

    @app.get("/{tenant}/brand.css")
    def brand(request: Request, tenant: str) -> Response:
        """The tenant's colour, as a style sheet (the page allows no inline styles)."""
        catalog = _catalog(request, tenant)
        colour = catalog.settings.page.primary_colour or "#1d4f91"
        body = f":root {{ --brand: {colour}; }}\n"
        return Response(body, media_type="text/css", headers={"Cache-Control": "max-age=300"})

    @app.get("/{tenant}/options")
    def options(request: Request, tenant: str) -> Response:
        """Services to add, number of people, office, and the screening questions."""
        catalog = _catalog(request, tenant)
        keys = request.query_params.getlist("service")
        if not keys:
            raise NotFound("service", None)
        service = catalog.service(keys[0])
        if not service.online_bookable:
            raise NotFound("service", None)
        extras = flow.combinable(catalog, service)
        chosen = tuple(
            catalog.service(k) for k in dict.fromkeys(keys) if catalog.find_key("service", k)
        )
        return _render(
            request,
            "options.html",
            tenant=catalog,
            service=service,
            extras=extras,
            chosen={s.key for s in chosen},
            limit=flow.people_limit((service,)),
            offices=flow.offices(catalog, (service,)),
            branch=request.query_params.get("branch"),
            screening=[q for s in chosen or (service,) for q in s.screening_questions],
        )

    @app.get("/{tenant}/calendar")
    def month(request: Request, tenant: str) -> Response:
        """A month with the days that have a free time."""
        catalog = _catalog(request, tenant)
        texts = _texts(request)
        params = _query_params(request)
        try:
            choice = _choice(request, catalog, params)
        except NotFound as exc:
            if exc.kind == "branch":
                return RedirectResponse(_link(f"/book/{tenant}/options", params), status_code=303)
            raise
        except InvalidRequest:
            return RedirectResponse(_link(f"/book/{tenant}/options", params), status_code=303)
        moving = _moving(request, catalog, request.query_params.get("move"))
        refused = flow.screening_refusal(
            choice.services,
            {k[7:]: v for k, v in request.query_params.items() if k.startswith("screen_")},
        )
        if refused is not None and moving is None:
            raise PageProblem(
                403,
                texts("You cannot book this appointment yet"),
                texts.of(refused.denied_message)
                or texts("Your answer means this appointment cannot be booked."),
                back=_link(f"/book/{tenant}/options", params),
            )
        wanted = None
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}", request.query_params.get("month", "")):
            year, number = map(int, request.query_params["month"].split("-"))
            if 1 <= number <= 12 and 1971 <= year <= 2999:
                wanted = date(year, number, 1)
        shown = flow.month_of(_slotbook(request), catalog, choice, wanted)
        carried = {
            **choice.params(),
            **{k: v for k, v in request.query_params.items() if k.startswith("screen_")},
            **({"move": moving} if moving else {}),
        }
        return _render(
            request,
            "calendar.html",
            tenant=catalog,
            choice=choice,
            month=shown,
            carried=carried,
            link=_link,
        )

    @app.get("/{tenant}/day")
    def day(request: Request, tenant: str) -> Response:
        """The free times of a day."""
        params = {**_query_params(request), "move": request.query_params.get("move")}
        return _day(request, tenant, params, request.query_params.get("date", ""))

    def _day(
        request: Request,
        tenant: str,
        params: Mapping[str, Any],
        day_text: str,
        taken: bool = False,
        status: int = 200,
    ) -> Response:
        catalog = _catalog(request, tenant)
        texts = _texts(request)
        choice = _choice(request, catalog, params)
        try:
            shown = date.fromisoformat(day_text)
        except ValueError:
            raise NotFound("date", None) from None
        times = flow.times_of(_slotbook(request), catalog, choice, shown)
        zone = choice.branch.zone
        moving = _moving(request, catalog, params.get("move"))
        return _render(
            request,
            "day.html",
            status,
            tenant=catalog,
            choice=choice,
            day=shown,
            day_label=texts.day(shown),
            times=[(t, texts.clock(t.start, zone)) for t in times],
            taken=taken,
            carried={**choice.params(), **({"move": moving} if moving else {})},
            moving=moving,
            link=_link,
        )

    @app.post("/{tenant}/hold")
    async def hold(request: Request, tenant: str) -> Response:
        """Hold the chosen time for the tenant's reservation time."""
        form = await request.form()
        _check_csrf(request, form)
        catalog = _catalog(request, tenant)
        _count_write(request, catalog)
        params = {**_form_params(form), "move": str(form.get("move") or "") or None}
        choice = _choice(request, catalog, params)
        moving = _moving(request, catalog, params["move"])
        try:
            start = datetime.fromisoformat(str(form.get("start") or "")).astimezone(UTC)
        except ValueError:
            raise NotFound("time", None) from None
        day_text = start.astimezone(choice.branch.zone).date().isoformat()
        try:
            held = place(
                _slotbook(request),
                catalog,
                query=choice.query,
                start=start,
                status=Status.HELD,
                hold_ttl=catalog.settings.hold_ttl(600),
                details=BookingDetails(source="page", language=_texts(request).language),
                actor=_actor(request),
            )
        except SlotTaken as taken:
            # Someone was quicker: say so, and offer the day's other times.
            note_refusal(request, taken)
            return _day(request, tenant, params, day_text, taken=True, status=409)
        token = sign(_slotbook(request), HOLD, held.public_id)
        if moving is not None:
            return RedirectResponse(f"/book/{tenant}/manage/{moving}/move/{token}", status_code=303)
        return RedirectResponse(f"/book/{tenant}/details/{token}", status_code=303)

    @app.get("/{tenant}/details/{token}")
    def details(request: Request, tenant: str, token: str) -> Response:
        """Who is coming, and the service's questions."""
        catalog = _catalog(request, tenant)
        held = _held(request, catalog, token)
        texts = _texts(request)
        return _render(
            request,
            "details.html",
            tenant=catalog,
            token=token,
            values={},
            answers={},
            problems={},
            view=_appointment_view(catalog, held, texts),
            **_form_view(catalog, held, texts),
        )

    @app.post("/{tenant}/details/{token}")
    async def check_details(request: Request, tenant: str, token: str) -> Response:
        """Check the details; show them once more before confirming."""
        form = await request.form()
        _check_csrf(request, form)
        catalog = _catalog(request, tenant)
        _count_write(request, catalog)
        held = _held(request, catalog, token)
        texts = _texts(request)
        services = [catalog.service(k, include_retired=True) for k in held.service_keys]
        today = _slotbook(request).now().date()
        values, answers, problems = _details_of(form, services, texts, today)
        view = _appointment_view(catalog, held, texts)
        if form.get("edit"):
            problems = {}  # back from the summary: the form again, filled in
        page = "details.html" if problems or form.get("edit") else "summary.html"
        return _render(
            request,
            page,
            400 if problems else 200,
            tenant=catalog,
            token=token,
            values=values,
            answers=answers,
            problems=problems,
            view=view,
            **_form_view(catalog, held, texts),
        )

    @app.post("/{tenant}/confirm/{token}")
    async def confirm_hold(request: Request, tenant: str, token: str) -> Response:
        """Make the appointment."""
        form = await request.form()
        _check_csrf(request, form)
        catalog = _catalog(request, tenant)
        _count_write(request, catalog)
        held = _held(request, catalog, token)
        texts = _texts(request)
        services = [catalog.service(k, include_retired=True) for k in held.service_keys]
        values, answers, problems = _details_of(
            form, services, texts, _slotbook(request).now().date()
        )
        if problems:
            return _render(
                request,
                "details.html",
                400,
                tenant=catalog,
                token=token,
                values=values,
                answers=answers,
                problems=problems,
                view=_appointment_view(catalog, held, texts),
                **_form_view(catalog, held, texts),
            )
        person = CustomerDetails(
            first_name=values["first_name"],
            last_name=values["last_name"],
            email=values["email"],
            phone=values["phone"] or None,
            date_of_birth=date.fromisoformat(values["date_of_birth"])
            if values["date_of_birth"]
            else None,
        )
        try:
            done = confirm(
                _slotbook(request),
                catalog,
                ref=("public_id", held.public_id),
                details=BookingDetails(
                    customers=[person], answers=answers, source="page", language=texts.language
                ),
                actor=_actor(request),
                count_customers=False,
            )
        except NotHeld:
            raise PageProblem(
                410,
                texts("Your time is no longer held"),
                texts(HOLD_LOST),
                back=f"/book/{tenant}/",
            ) from None
        manage = sign(_slotbook(request), MANAGE, done.public_id)
        return RedirectResponse(f"/book/{tenant}/done/{manage}", status_code=303)

    @app.post("/{tenant}/release/{token}")
    async def release(request: Request, tenant: str, token: str) -> Response:
        """Give a held time up (going back, or leaving the page)."""
        form = await request.form()
        _check_csrf(request, form)
        catalog = _catalog(request, tenant)
        _count_write(request, catalog)
        public_id = unsign(_slotbook(request), HOLD, token)
        back = f"/book/{tenant}/"
        if public_id is not None:
            held = queries.get_appointment(_slotbook(request), catalog, ("public_id", public_id))
            if held.status is Status.HELD:
                with contextlib.suppress(WrongState):  # confirmed or released meanwhile
                    changes.release_hold(
                        _slotbook(request),
                        catalog,
                        ref=("public_id", public_id),
                        actor=_actor(request),
                    )
            branch = catalog.branch(held.branch_key, include_retired=True)
            params = {
                "service": list(held.service_keys),
                "branch": held.branch_key,
                "people": str(held.people),
                "date": held.start.astimezone(branch.zone).date().isoformat(),
            }
            moving = _moving(request, catalog, str(form.get("move") or "") or None)
            if moving is not None:
                params["move"] = moving
            back = _link(f"/book/{tenant}/day", params)
        return RedirectResponse(back, status_code=303)

    @app.get("/{tenant}/done/{token}")
    def done(request: Request, tenant: str, token: str) -> Response:
        """The appointment is made: what, when, where, what to bring."""
        catalog = _catalog(request, tenant)
        booked = _booked(request, catalog, token)
        return _render(
            request,
            "done.html",
            tenant=catalog,
            token=token,
            view=_appointment_view(catalog, booked, _texts(request)),
        )

    @app.get("/{tenant}/ics/{token}")
    def calendar_file(request: Request, tenant: str, token: str) -> Response:
        """The appointment as a calendar file (RFC 5545)."""
        catalog = _catalog(request, tenant)
        booked = _booked(request, catalog, token)
        body = ics_of(
            catalog,
            booked,
            _texts(request),
            manage_url=str(request.url_for("manage", tenant=tenant, token=token)),
        )
        return _protected(
            request,
            Response(
                body,
                media_type="text/calendar",
                headers={"Content-Disposition": 'attachment; filename="appointment.ics"'},
            ),
        )

    @app.get("/{tenant}/offer/{token}")
    def offer(request: Request, tenant: str, token: str) -> Response:
        """A time freed for someone on the waitlist: see it and confirm it."""
        catalog = _catalog(request, tenant)
        entry, held = _offered(request, catalog, token)
        texts = _texts(request)
        assert entry.offered_until is not None
        zone = catalog.branch(held.branch_key, include_retired=True).zone
        return _render(
            request,
            "offer.html",
            tenant=catalog,
            token=token,
            until=texts.moment(entry.offered_until, zone),
            view=_appointment_view(catalog, held, texts),
        )

    @app.post("/{tenant}/offer/{token}")
    async def take_offer(request: Request, tenant: str, token: str) -> Response:
        """Confirm the offered time: it becomes the person's appointment."""
        form = await request.form()
        _check_csrf(request, form)
        catalog = _catalog(request, tenant)
        _count_write(request, catalog)
        entry, _held = _offered(request, catalog, token)
        texts = _texts(request)
        try:
            done = waitlist.accept(_slotbook(request), catalog, entry.uuid)
        except NotHeld:
            raise PageProblem(
                410, texts("Your time is no longer held"), texts(HOLD_LOST), back=f"/book/{tenant}/"
            ) from None
        manage = sign(_slotbook(request), MANAGE, done.public_id)
        return RedirectResponse(f"/book/{tenant}/done/{manage}", status_code=303)

    @app.get("/{tenant}/manage/{token}", name="manage")
    def manage(request: Request, tenant: str, token: str) -> Response:
        """See the appointment; cancel it."""
        catalog = _catalog(request, tenant)
        booked = _booked(request, catalog, token)
        return _render(
            request,
            "manage.html",
            tenant=catalog,
            token=token,
            asking=False,
            moved=request.query_params.get("moved") == "1",
            view=_appointment_view(catalog, booked, _texts(request)),
        )

    @app.get("/{tenant}/manage/{token}/move")
    def move_start(request: Request, tenant: str, token: str) -> Response:
        """Choose another time: the same calendar, for the same services and people."""
        catalog = _catalog(request, tenant)
        booked = _booked(request, catalog, token)
        params = {
            "service": list(booked.service_keys),
            "branch": booked.branch_key,
            "people": str(booked.people),
            "move": token,
        }
        return RedirectResponse(_link(f"/book/{tenant}/calendar", params), status_code=303)

    @app.get("/{tenant}/manage/{token}/move/{hold}")
    def move_check(request: Request, tenant: str, token: str, hold: str) -> Response:
        """The old time and the new (held) one, before the move is made."""
        catalog = _catalog(request, tenant)
        texts = _texts(request)
        booked = _booked(request, catalog, token)
        held = _held(request, catalog, hold)
        return _render(
            request,
            "move.html",
            tenant=catalog,
            token=token,
            hold=hold,
            view=_appointment_view(catalog, booked, texts),
            new=_appointment_view(catalog, held, texts),
            **_form_view(catalog, held, texts),
        )

    @app.post("/{tenant}/manage/{token}/move/{hold}")
    async def move_make(request: Request, tenant: str, token: str, hold: str) -> Response:
        """Move the appointment into the held time; the old time is free at once."""
        form = await request.form()
        _check_csrf(request, form)
        catalog = _catalog(request, tenant)
        _count_write(request, catalog)
        booked = _booked(request, catalog, token)
        held = _held(request, catalog, hold)
        try:
            changes.reschedule_to_hold(
                _slotbook(request),
                catalog,
                ref=("public_id", booked.public_id),
                hold=("public_id", held.public_id),
                actor=_actor(request),
            )
        except NotHeld:
            texts = _texts(request)
            raise PageProblem(
                410,
                texts("Your time is no longer held"),
                texts(HOLD_LOST),
                back=f"/book/{tenant}/manage/{token}",
            ) from None
        return RedirectResponse(f"/book/{tenant}/manage/{token}?moved=1", status_code=303)

    @app.post("/{tenant}/manage/{token}/cancel")
    async def cancel(request: Request, tenant: str, token: str) -> Response:
        """Cancel, after a confirmation step."""
        form = await request.form()
        _check_csrf(request, form)
        catalog = _catalog(request, tenant)
        _count_write(request, catalog)
        booked = _booked(request, catalog, token)
        texts = _texts(request)
        if form.get("sure") != "yes":
            return _render(
                request,
                "manage.html",
                tenant=catalog,
                token=token,
                asking=True,
                view=_appointment_view(catalog, booked, texts),
            )
        changes.cancel(
            _slotbook(request),
            catalog,
            ref=("public_id", booked.public_id),
            allowed_from=(Status.CONFIRMED,),
            actor=_actor(request),
        )
        raise PageProblem(
            200,
            texts("Your appointment is cancelled"),
            texts(CANCELLED),
            back=f"/book/{tenant}/",
        )

    _ = NotAllowed  # refused services show as not found: they are not offered online


def index_page(slotbook: Slotbook, request: Request) -> Response:
    """``/``: the tenants' booking pages, or straight to the only one."""
    keys = tenant_keys(slotbook)
    if len(keys) == 1:
        return RedirectResponse(f"/book/{keys[0]}/", status_code=303)
    catalogs = [tenant_catalog(slotbook, key) for key in keys]
    texts = Texts(
        choose_language(
            request.query_params.get("lang"), request.headers.get("accept-language"), "en"
        )
    )
    request.state.texts = texts
    return _render(request, "index.html", tenants=catalogs)
