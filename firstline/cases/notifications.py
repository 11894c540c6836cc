"""Notifications for agents (@mentions, follow-ups, complaint clocks) and the @mention parser."""

from __future__ import annotations

import re

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from firstline.agents.models import Agent
from firstline.agents.roles import Permission, has_permission
from firstline.cases.models import Notification, NotificationKind
from firstline.kit.notify import send_on_commit
from firstline.kit.time import utcnow

_MENTION = re.compile(r"(?<![\w@.])@([A-Za-z0-9][A-Za-z0-9._-]{0,63})")


def mention_handles(body: str) -> list[str]:
    """The handles mentioned in ``body`` ('@giulia.rossi', '@GiuliaRossi'), lower-case, in order, once each."""
    seen: dict[str, None] = {}
    for match in _MENTION.finditer(body):
        seen.setdefault(match.group(1).rstrip("._-").lower(), None)
    return [handle for handle in seen if handle]


def handles_of(agent: Agent) -> set[str]:
    """What a colleague may type after @: the email's local part, or the name without spaces."""
    return {agent.email.split("@", 1)[0].lower(), re.sub(r"\s+", "", agent.name).lower()}


def mentioned_agents(session: Session, body: str) -> list[Agent]:
    handles = set(mention_handles(body))
    if not handles:
        return []
    agents = session.scalars(select(Agent).where(Agent.is_active.is_(True)).order_by(Agent.id))
    return [agent for agent in agents if handles_of(agent) & handles]


def notify_agent(
    session: Session,
    *,
    agent_id: int,
    kind: NotificationKind,
    text: str,
    conversation_id: int | None = None,
    compliance: bool = False,
) -> Notification:
    notification = Notification(
        agent_id=agent_id, kind=kind, conversation_id=conversation_id, text=text[:300], compliance=compliance
    )
    session.add(notification)
    session.flush()
    # Only the recipient's id and a count go out: the text is read through the permission-checked list.
    send_on_commit(session, {"type": "notification.created", "agent_id": agent_id})
    return notification


def list_notifications(
    session: Session, *, agent: Agent, unread_only: bool = False, limit: int = 50
) -> list[Notification]:
    """The agent's notifications, newest first; compliance ones only while the agent may read compliance."""
    query = select(Notification).where(Notification.agent_id == agent.id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    if not has_permission(agent.roles, Permission.COMPLIANCE_ACCESS):
        query = query.where(Notification.compliance.is_(False))
    return list(session.scalars(query.order_by(Notification.id.desc()).limit(limit)))


def mark_read(session: Session, *, agent: Agent) -> int:
    """Mark all of the agent's notifications read; returns how many were unread."""
    condition = (Notification.agent_id == agent.id) & Notification.read_at.is_(None)
    if not has_permission(agent.roles, Permission.COMPLIANCE_ACCESS):
        condition &= Notification.compliance.is_(False)
    return session.execute(
        update(Notification)
        .where(condition)
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
