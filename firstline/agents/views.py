"""Console pages for logging in and out, the agent list and one's own API tokens."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from firstline.agents import auth, service
from firstline.agents.models import Agent
from firstline.agents.roles import Permission
from firstline.kit.api import IdPath
from firstline.kit.errors import FirstlineError
from firstline.web.deps import DbSession
from firstline.web.metrics import LOGINS
from firstline.web.pages import redirect, render, safe_next
from firstline.web.security import SESSION_COOKIE, authenticate_request, require, verify_csrf

router = APIRouter(include_in_schema=False)
Self = Annotated[Agent, Depends(require(Permission.OWN_ACCOUNT))]


def login_policy(request: Request) -> auth.LoginPolicy:
    settings = request.app.state.settings
    return auth.LoginPolicy(
        max_failures=settings.login_max_failures,
        lockout=timedelta(minutes=settings.login_lockout_minutes),
        session_lifetime=timedelta(hours=settings.session_hours),
    )


@router.get("/")
def home() -> Response:
    return redirect("/inbox")


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request, db: DbSession, next: str = "") -> Response:
    if await authenticate_request(request, db) is not None:
        return redirect(safe_next(next))
    return render(request, "login.html", next=safe_next(next), agent=None)


@router.post("/login", response_class=HTMLResponse)
async def login(
    request: Request,
    db: DbSession,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=200)],
    next: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    await verify_csrf(request)
    policy = login_policy(request)
    try:
        agent = auth.authenticate(db, email=email, password=password, policy=policy)
    except FirstlineError as error:
        db.commit()  # keep the failure count even though the login is refused
        LOGINS.labels("refused").inc()
        return render(
            request, "login.html", error.status_code, error=error.message, next=safe_next(next), email=email
        )
    token = auth.start_session(
        db,
        agent=agent,
        policy=policy,
        ip_address=request.client.host if request.client else "",
        user_agent=request.headers.get("user-agent", ""),
    )
    LOGINS.labels("ok").inc()
    response = redirect(safe_next(next))
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(policy.session_lifetime.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.cookie_secure,
    )
    return response


@router.post("/logout")
def logout(request: Request, db: DbSession, _: Self) -> Response:
    auth.end_session(db, token=request.cookies.get(SESSION_COOKIE, ""))
    response = redirect("/login")
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/agents", response_class=HTMLResponse)
def agents_page(
    request: Request, db: DbSession, _: Annotated[Agent, Depends(require(Permission.AGENTS_READ))]
) -> Response:
    return render(request, "agents.html", agents=service.list_agents(db), teams=service.list_teams(db))


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request, db: DbSession, agent: Self) -> Response:
    return render(request, "account.html", tokens=auth.list_api_tokens(db, agent_id=agent.id))


@router.post("/account/tokens", response_class=HTMLResponse)
def create_token(
    request: Request, db: DbSession, agent: Self, name: Annotated[str, Form(max_length=100)]
) -> Response:
    _, secret = auth.create_api_token(db, agent_id=agent.id, name=name)
    return render(
        request, "account.html", tokens=auth.list_api_tokens(db, agent_id=agent.id), new_token=secret
    )


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(token_id: IdPath, db: DbSession, agent: Self) -> Response:
    auth.revoke_api_token(db, agent_id=agent.id, token_id=token_id)
    return redirect("/account")
