"""The application factory: wires settings, database, middleware, error handlers and every router."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from firstline.chat.api import WidgetCorsMiddleware
from firstline.config import Settings, get_settings
from firstline.db import make_engine, make_session_factory
from firstline.kit.checkpoints import wal_checkpoints
from firstline.web.errors import install_error_handlers
from firstline.web.metrics import record_request
from firstline.web.security import CSRF_COOKIE, csrf_token_is_valid, new_csrf_token
from firstline.web.templating import configure_templates

WEB_DIR = Path(__file__).parent


def create_app(
    settings: Settings | None = None,
    *,
    engine: Engine | None = None,
    session_factory: sessionmaker[Session] | None = None,
) -> FastAPI:
    settings = settings or get_settings()
    engine = engine or make_engine(settings.effective_database_url)
    app = FastAPI(
        title="Firstline",
        version="0.1.0",
        description="Customer support for crypto exchanges: customers, agents, conversations and messages.",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
        lifespan=_lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = session_factory or make_session_factory(engine)
    app.state.templates = configure_templates(Jinja2Templates(directory=WEB_DIR / "templates"))
    install_error_handlers(app)
    app.middleware("http")(_csrf_cookie)
    app.middleware("http")(_security_headers)
    app.middleware("http")(record_request)
    app.add_middleware(WidgetCorsMiddleware)
    app.mount("/static", StaticFiles(directory=WEB_DIR / "static"), name="static")
    _include_routers(app)
    return app


# Background services of the domains (realtime bus, mail pollers, timers…): each is an async context
# manager factory taking the app; started in order when the app starts, stopped in reverse.
BackgroundService = Callable[[FastAPI], AbstractAsyncContextManager[None]]


def background_services() -> list[BackgroundService]:
    from firstline.cases.tasks import case_timers
    from firstline.chat.tasks import chat_service
    from firstline.email.tasks import email_background_services
    from firstline.routing.tasks import routing_timers
    from firstline.sla.tasks import sla_timers

    return [
        database_checkpoints,
        chat_service,
        routing_timers,
        sla_timers,
        *email_background_services(),
        case_timers,
    ]


@asynccontextmanager
async def database_checkpoints(app: FastAPI) -> AsyncIterator[None]:
    """SQLite's WAL checkpoints in a thread of their own for as long as the app runs (kit/checkpoints.py)."""
    with wal_checkpoints(app.state.engine):
        yield


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    async with AsyncExitStack() as stack:
        for service in background_services():
            await stack.enter_async_context(service(app))
        yield


def _include_routers(app: FastAPI) -> None:
    from firstline.agents import api as agents_api
    from firstline.agents import views as agents_views
    from firstline.cases import api as cases_api
    from firstline.cases import views as cases_views
    from firstline.cases.complaints import api as complaints_api
    from firstline.cases.complaints import views as complaints_views
    from firstline.cases.incidents import api as incidents_api
    from firstline.cases.incidents import views as incidents_views
    from firstline.chat import api as chat_api
    from firstline.chat import views as chat_views
    from firstline.chat import ws as chat_ws
    from firstline.conversations import api as conversations_api
    from firstline.conversations import views as conversations_views
    from firstline.customers import api as customers_api
    from firstline.customers import views as customers_views
    from firstline.demo import views as demo_views
    from firstline.email import views as email_views
    from firstline.ops import api as ops_api
    from firstline.routing import api as routing_api
    from firstline.routing import views as routing_views
    from firstline.sla import api as sla_api
    from firstline.sla import views as sla_views

    # Routes are added as they are (each API router carries its /api/v1 prefix), so app.routes is the
    # flat list of every endpoint: the role matrix test and the metrics labels read it.
    for module in (
        agents_api,
        customers_api,
        conversations_api,
        agents_views,
        conversations_views,
        customers_views,
        ops_api,
        chat_api,
        chat_ws,
        chat_views,
        demo_views,
        email_views,
        routing_api,
        routing_views,
        sla_api,
        sla_views,
        cases_api,
        complaints_api,
        incidents_api,
        cases_views,
        complaints_views,
        incidents_views,
    ):
        app.router.routes.extend(module.router.routes)


async def _csrf_cookie(request: Request, call_next):  # type: ignore[no-untyped-def]
    """Give every browser a signed CSRF token; forms echo it back (see ``web.security.verify_csrf``)."""
    secret = request.app.state.settings.effective_secret_key()
    token = request.cookies.get(CSRF_COOKIE)
    fresh = not csrf_token_is_valid(secret, token)
    if fresh:
        token = new_csrf_token(secret)
    request.state.csrf_token = token
    response: Response = await call_next(request)
    if fresh and not request.url.path.startswith(("/api/", "/static/", "/metrics", "/healthz", "/readyz")):
        response.set_cookie(
            CSRF_COOKIE,
            token or "",
            httponly=True,
            samesite="strict",
            secure=request.app.state.settings.cookie_secure,
        )
    return response


async def _security_headers(request: Request, call_next):  # type: ignore[no-untyped-def]
    response: Response = await call_next(request)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
    )
    return response
