"""ASGI app factory: mounts each surface with its own error format."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import Depends, FastAPI, Request
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response

from slotbook import __version__
from slotbook.api.kit.access import ClientAddress
from slotbook.api.kit.docs import ASSETS_PATH, assets
from slotbook.api.kit.errors import ErrorRenderer
from slotbook.api.kit.http import JSON
from slotbook.api.kit.idempotency import Idempotency
from slotbook.api.kit.logs import RequestLog, note_route
from slotbook.api.kit.metrics import CONTENT_TYPE, Metrics
from slotbook.api.kit.paths import PathNormalizer
from slotbook.notifications.worker import Worker, WorkerSettings
from slotbook.services.context import REQUEST_THREADS, Slotbook
from slotbook.services.health import readiness
from slotbook.services.housekeeping import Housekeeper

SURFACES = {
    "orchestra": "/calendar-backend/public/api",
    "qmatic": "/external/v1",
    "onsched": "/consumer/v1",
    "appointedd": "/v1",
    "native": "/api/v1",
}
ORCHESTRA_IDENTIFY = "/appointment"
# Every path prefix and the surface it belongs to, as logs and metrics name it.
SURFACE_NAMES = {
    **{prefix: name for name, prefix in SURFACES.items()},
    ORCHESTRA_IDENTIFY: "orchestra",
    "/connect": "onsched",
    "/book": "page",
    "/staff": "staff",
    "/metrics": "metrics",
}


def create_app(
    slotbook: Slotbook,
    *,
    cors_origins: Sequence[str] = (),
    trusted_proxies: Sequence[str] = (),
    housekeeping: bool = False,
    access_log: bool = False,
    delivery: WorkerSettings | None = None,
    metrics: Metrics | None = None,
    metrics_here: bool = True,
) -> FastAPI:
    """The whole HTTP server: every surface on one scheduling core.

    CORS is off unless ``cors_origins`` names the websites whose pages may call the API.
    ``trusted_proxies`` are the addresses whose ``X-Forwarded-For`` names the client.
    With ``housekeeping`` the server applies retention and prunes old records by itself;
    with ``delivery`` it sends the outbox's messages (a worker thread). ``access_log`` writes
    one line per request; ``metrics`` counts, and with ``metrics_here`` is served at
    ``/metrics``.
    """
    from slotbook.api.appointedd import errors as appointedd_errors
    from slotbook.api.appointedd import routes as appointedd_api
    from slotbook.api.native import errors as native_errors
    from slotbook.api.native import routes as native_api
    from slotbook.api.onsched import errors as onsched_errors
    from slotbook.api.onsched import routes as onsched_api
    from slotbook.api.onsched import token as token_errors
    from slotbook.api.orchestra import errors as orchestra_errors
    from slotbook.api.orchestra import routes as orchestra_api
    from slotbook.api.orchestra.identify_routes import create_identify_surface
    from slotbook.api.qmatic import errors as qmatic_errors
    from slotbook.api.qmatic import routes as qmatic_api
    from slotbook.web.routes import create_web_app, index_page
    from slotbook.web.staff.routes import create_staff_app

    keeper = Housekeeper(slotbook) if housekeeping else None
    # Each server process delivers the outbox too; workers share it safely (claims).
    worker = Worker(slotbook, delivery) if delivery is not None else None

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # As many request threads as pooled connections (see REQUEST_THREADS).
        anyio.to_thread.current_default_thread_limiter().total_tokens = REQUEST_THREADS
        if keeper is not None:
            keeper.start()
        if worker is not None:
            worker.start()
        yield
        if worker is not None:
            worker.stop()
        if keeper is not None:
            keeper.stop()

    app = FastAPI(
        title="Slotbook",
        version=__version__,
        default_response_class=JSON,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
        dependencies=[Depends(note_route)],
    )
    app.state.slotbook = slotbook

    @app.get("/", include_in_schema=False)
    def index(request: Request) -> Response:
        """The tenants' booking pages (straight to the only one); JSON for API clients."""
        if "text/html" not in request.headers.get("accept", ""):
            return JSON({"name": "Slotbook", "version": __version__, "surfaces": SURFACES})
        return index_page(slotbook, request)

    @app.get("/health", include_in_schema=False)
    def health() -> JSON:
        """Liveness: the process answers."""
        return JSON({"status": "ok"})

    @app.get("/ready", include_in_schema=False)
    async def ready() -> JSON:
        """Readiness: the database answers and has the schema this version needs."""
        state = await run_in_threadpool(readiness, slotbook)
        return JSON(state.as_json(), status_code=200 if state.ready else 503)

    if metrics is not None and metrics_here:

        @app.get("/metrics", include_in_schema=False)
        def prometheus() -> Response:
            """Prometheus metrics (text format); the database's numbers are read now."""
            return Response(metrics.exposition(), media_type=CONTENT_TYPE)

    app.mount(SURFACES["orchestra"], orchestra_api.create_surface(slotbook))
    # Orchestra's customer identification sits beside calendar-backend/ at the root.
    app.mount(ORCHESTRA_IDENTIFY, create_identify_surface(slotbook))
    app.mount(SURFACES["qmatic"], qmatic_api.create_surface(slotbook))
    app.mount(SURFACES["onsched"], onsched_api.create_surface(slotbook))
    app.mount("/connect", onsched_api.create_token_surface(slotbook))
    app.mount(SURFACES["appointedd"], appointedd_api.create_surface(slotbook))
    app.mount(SURFACES["native"], native_api.create_surface(slotbook))
    app.mount(ASSETS_PATH, assets())
    app.mount("/book", create_web_app(slotbook))
    app.mount("/staff", create_staff_app(slotbook))
    # Each prefix's error format (with its codes for an unknown path and for malformed input),
    # for paths no route matches and for the idempotency layer.
    renderers: list[tuple[str, ErrorRenderer, str, str]] = [
        (SURFACES["orchestra"], orchestra_errors.render_error, "404", "470"),
        (ORCHESTRA_IDENTIFY, orchestra_errors.render_error, "404", "470"),
        (SURFACES["qmatic"], qmatic_errors.render, "not_found", "bad_request"),
        (SURFACES["onsched"], onsched_errors.render_error, "not_found", "invalid_request"),
        ("/connect", token_errors.render_oauth_error, "invalid_request", "invalid_request"),
        (SURFACES["native"], native_errors.render_problem, "not_found", "invalid_request"),
        (SURFACES["appointedd"], appointedd_errors.render_error, "not_found", "bad_request"),
    ]

    def surface_of(path: str) -> tuple[str, ErrorRenderer, str] | None:
        for prefix, render, _unknown, bad_input in renderers:
            if path == prefix or path.startswith(prefix + "/"):
                return prefix, render, bad_input
        return None

    async def unrouted(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        path = request.url.path
        for prefix, render, code, _bad_input in renderers:
            if path == prefix or path.startswith(prefix + "/"):
                return render(exc.status_code, code, "No such endpoint")
        return JSON(
            {"error": "not_found", "message": "No such endpoint"}, status_code=exc.status_code
        )

    app.add_exception_handler(StarletteHTTPException, unrouted)
    # Added innermost first: the last one added sees the request first.
    if cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(cors_origins),
            allow_methods=["*"],
            allow_headers=["*"],
            expose_headers=["ERROR_CODE", "ERROR_MESSAGE", "Retry-After"],
        )
    app.add_middleware(Idempotency, slotbook=slotbook, surface_of=surface_of)
    app.add_middleware(PathNormalizer, mounts=[*SURFACES.values(), "/connect", "/staff"])
    app.add_middleware(ClientAddress, trusted=list(trusted_proxies))
    app.add_middleware(
        RequestLog,
        surfaces={**SURFACE_NAMES, ASSETS_PATH: "docs"},
        write_line=access_log,
        observers=[metrics] if metrics is not None else [],
    )
    return app
