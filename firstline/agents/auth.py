"""Logging in and out, console sessions, lockout, and API tokens."""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from firstline.agents.models import Agent, AgentSession, ApiToken
from firstline.agents.passwords import hash_password, needs_rehash, verify_password
from firstline.agents.service import get_agent_by_email
from firstline.kit.errors import InvalidInput, NotAuthenticated, NotFound, TooManyAttempts
from firstline.kit.time import utcnow

log = logging.getLogger(__name__)

TOKEN_PREFIX = "fl_"  # noqa: S105 - a public marker, not a secret


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class LoginPolicy:
    max_failures: int = 5
    lockout: timedelta = timedelta(minutes=15)
    session_lifetime: timedelta = timedelta(hours=12)


def authenticate(session: Session, *, email: str, password: str, policy: LoginPolicy) -> Agent:
    """The agent these credentials belong to, or an error that does not reveal which part was wrong.

    After ``policy.max_failures`` wrong passwords in a row the account is locked for
    ``policy.lockout``; even the right password is refused until then.
    """
    agent = get_agent_by_email(session, email=email)
    now = utcnow()
    if agent is not None and agent.locked_until is not None and agent.locked_until > now:
        log.warning("login refused: account locked", extra={"agent_id": agent.id})
        minutes = max(1, int((agent.locked_until - now).total_seconds() // 60) + 1)
        raise TooManyAttempts(f"Too many failed attempts. Try again in {minutes} minutes.")
    password_ok = verify_password(agent.password_hash if agent else None, password)
    if agent is None or not password_ok or not agent.is_active:
        if agent is not None and not password_ok:
            _count_failure(agent, policy)
        log.warning("login failed", extra={"email_domain": email.rpartition("@")[2][:100]})
        raise NotAuthenticated("Wrong email or password.")
    agent.failed_logins = 0
    agent.locked_until = None
    agent.last_login_at = now
    if needs_rehash(agent.password_hash):
        agent.password_hash = hash_password(password)
    session.flush()
    return agent


def _count_failure(agent: Agent, policy: LoginPolicy) -> None:
    agent.failed_logins += 1
    if agent.failed_logins >= policy.max_failures:
        agent.locked_until = utcnow() + policy.lockout
        agent.failed_logins = 0
        log.warning("account locked after repeated failures", extra={"agent_id": agent.id})


def start_session(
    session: Session, *, agent: Agent, policy: LoginPolicy, ip_address: str = "", user_agent: str = ""
) -> str:
    """Open a console session; returns the secret cookie value (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    session.add(
        AgentSession(
            agent_id=agent.id,
            token_hash=_digest(token),
            expires_at=utcnow() + policy.session_lifetime,
            ip_address=ip_address[:64],
            user_agent=user_agent[:300],
        )
    )
    session.flush()
    return token


def resolve_session(session: Session, *, token: str) -> Agent | None:
    """The active agent behind a session cookie, or None if it is unknown, expired or disabled."""
    row = session.scalar(select(AgentSession).where(AgentSession.token_hash == _digest(token)))
    if row is None or row.expires_at <= utcnow():
        return None
    agent = session.get(Agent, row.agent_id)
    return agent if agent is not None and agent.is_active else None


def end_session(session: Session, *, token: str) -> None:
    session.execute(delete(AgentSession).where(AgentSession.token_hash == _digest(token)))


def create_api_token(session: Session, *, agent_id: int, name: str) -> tuple[ApiToken, str]:
    """Create a token for integrations acting as ``agent_id``; the secret is returned once, never stored."""
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidInput("Give the token a name of 1 to 100 characters.", field="name")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(agent_id=agent_id, name=name, token_hash=_digest(secret), prefix=secret[:10])
    session.add(token)
    session.flush()
    return token, secret


def resolve_api_token(session: Session, *, secret: str) -> Agent | None:
    """The active agent a bearer token acts for, or None."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(secret)))
    if token is None or token.revoked_at is not None:
        return None
    agent = session.get(Agent, token.agent_id)
    if agent is None or not agent.is_active:
        return None
    token.last_used_at = utcnow()
    return agent


def list_api_tokens(session: Session, *, agent_id: int) -> list[ApiToken]:
    query = select(ApiToken).where(ApiToken.agent_id == agent_id).order_by(ApiToken.id)
    return list(session.scalars(query))


def revoke_api_token(session: Session, *, agent_id: int, token_id: int) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None or token.agent_id != agent_id:
        raise NotFound(f"No token with id {token_id}.")
    token.revoked_at = token.revoked_at or utcnow()
    session.flush()
    return token
