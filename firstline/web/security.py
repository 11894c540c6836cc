"""Who is asking, and may they: authentication, CSRF, and the permission dependency.

Every route that needs a logged-in agent depends on ``require(permission)``; that single
function is where permissions are checked, using the table in ``firstline.agents.roles``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session

from firstline.agents.auth import resolve_api_token, resolve_session
from firstline.agents.models import Agent
from firstline.agents.roles import Permission, has_permission
from firstline.kit.errors import NotAuthenticated, PermissionDenied
from firstline.web.deps import DbSession

SESSION_COOKIE = "firstline_session"
CSRF_COOKIE = "firstline_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Viewer:
    """Who is looking at a page, as plain values that outlive the database session."""

    id: int
    name: str
    email: str
    roles: list[str]


class CsrfFailed(PermissionDenied):
    code = "csrf_failed"


def new_csrf_token(secret: str) -> str:
    nonce = secrets.token_urlsafe(24)
    return f"{nonce}.{_sign(secret, nonce)}"


def csrf_token_is_valid(secret: str, token: str | None) -> bool:
    if not token or "." not in token:
        return False
    nonce, _, signature = token.partition(".")
    return hmac.compare_digest(signature, _sign(secret, nonce))


def _sign(secret: str, nonce: str) -> str:
    return hmac.new(secret.encode(), nonce.encode(), hashlib.sha256).hexdigest()[:32]


async def verify_csrf(request: Request) -> None:
    """Refuse a state-changing request unless its form field or header matches the signed CSRF cookie."""
    if request.method in SAFE_METHODS:
        return
    cookie = request.cookies.get(CSRF_COOKIE)
    submitted = request.headers.get(CSRF_HEADER)
    if submitted is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        submitted = value if isinstance(value, str) else None
    secret = request.app.state.settings.effective_secret_key()
    if not (
        csrf_token_is_valid(secret, cookie) and submitted and hmac.compare_digest(submitted, cookie or "")
    ):
        raise CsrfFailed("The form expired or came from another site. Reload the page and try again.")


def _bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


async def authenticate_request(request: Request, db: Session) -> Agent | None:
    """The agent behind the request's bearer token or session cookie, or None for anonymous requests.

    A bearer token that does not resolve is an error, not a fallback to anonymous.
    """
    if (token := _bearer_token(request)) is not None:
        agent = resolve_api_token(db, secret=token)
        if agent is None:
            raise NotAuthenticated("The API token is invalid or revoked.")
        request.state.auth_via = "token"
        return agent
    if (cookie := request.cookies.get(SESSION_COOKIE)) is not None:
        agent = resolve_session(db, token=cookie)
        if agent is not None:
            request.state.auth_via = "session"
            await verify_csrf(request)
            return agent
    return None


def require(permission: Permission) -> Callable[..., Awaitable[Agent]]:
    """A dependency that returns the current agent if they hold ``permission``."""

    async def dependency(request: Request, db: DbSession) -> Agent:
        agent = await authenticate_request(request, db)
        if agent is None:
            raise NotAuthenticated("Log in to continue.")
        if not has_permission(agent.roles, permission):
            raise PermissionDenied(f"Your role does not allow this ({permission.value}).")
        request.state.agent = agent
        # A detached copy for error pages, which render after the request's session has rolled back.
        request.state.viewer = Viewer(
            id=agent.id, name=agent.name, email=agent.email, roles=list(agent.roles)
        )
        return agent

    dependency.permission = permission  # type: ignore[attr-defined]  # read by the role matrix test
    return dependency


def permission_of(dependency: Any) -> Permission | None:
    return getattr(dependency, "permission", None)
