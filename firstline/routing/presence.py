"""Agent presence: online, away or offline, set by hand or detected from heartbeats and idleness.

Only online agents get new chats. An agent who goes offline (by hand, at the end of a shift, or because
their console stopped sending heartbeats) hands their open chats back to the front of the queue.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from firstline.agents.service import get_agent
from firstline.kit.errors import InvalidInput
from firstline.kit.notify import send_on_commit
from firstline.kit.time import utcnow
from firstline.routing import config as routing_config
from firstline.routing.config import RoutingConfig
from firstline.routing.models import AgentPresence, Presence, PresenceReason
from firstline.routing.service import dispatch, release_agent
from firstline.timeline.service import ActorKind, EventKind, record_event


def get_presence(session: Session, *, agent_id: int) -> AgentPresence:
    """The agent's presence row, created offline on first use."""
    presence = session.get(AgentPresence, agent_id)
    if presence is None:
        get_agent(session, agent_id=agent_id)
        now = utcnow()
        presence = AgentPresence(
            agent_id=agent_id,
            status=Presence.OFFLINE,
            reason=PresenceReason.MANUAL,
            changed_at=now,
            idle_since=now,
        )
        session.add(presence)
        session.flush()
    return presence


def set_presence(
    session: Session,
    *,
    agent_id: int,
    status: str,
    reason: str = PresenceReason.MANUAL,
    now: datetime | None = None,
) -> AgentPresence:
    """Change an agent's presence; going offline hands their chats back, coming online takes new ones."""
    if status not in Presence._value2member_map_:
        raise InvalidInput(f"Unknown presence {status!r}; use online, away or offline.", field="status")
    now = now or utcnow()
    presence = get_presence(session, agent_id=agent_id)
    agent = get_agent(session, agent_id=agent_id)
    if status == Presence.ONLINE and not agent.is_active:
        raise InvalidInput(f"{agent.name} is deactivated and cannot go online.", field="status")
    previous = presence.status
    presence.reason = reason
    if status == Presence.ONLINE:
        presence.last_heartbeat_at = presence.last_activity_at = now
    if previous == status:
        session.flush()
        return presence
    presence.status = status
    presence.changed_at = now
    if status == Presence.ONLINE:
        presence.idle_since = now
    session.flush()
    _record_change(session, presence, previous)
    if status == Presence.OFFLINE:
        release_agent(session, agent_id=agent_id, reason=reason, now=now)
    elif status == Presence.ONLINE:
        dispatch(session, now=now)
    return presence


def end_shift(session: Session, *, agent_id: int, now: datetime | None = None) -> AgentPresence:
    """The agent's shift is over: offline, and their chats go back to the queue."""
    return set_presence(
        session, agent_id=agent_id, status=Presence.OFFLINE, reason=PresenceReason.SHIFT_END, now=now
    )


def heartbeat(
    session: Session, *, agent_id: int, active: bool = True, now: datetime | None = None
) -> AgentPresence:
    """The agent's console is connected (``active``: and the agent did something).

    An agent marked away for idleness is back online when active again; one who lost the connection
    is back online when it returns. An agent who chose away or offline stays so.
    """
    now = now or utcnow()
    presence = get_presence(session, agent_id=agent_id)
    presence.last_heartbeat_at = now
    if active:
        presence.last_activity_at = now
    session.flush()
    comes_back = (presence.status == Presence.AWAY and presence.reason == PresenceReason.IDLE and active) or (
        presence.status == Presence.OFFLINE and presence.reason == PresenceReason.HEARTBEAT_LOST
    )
    if comes_back:
        return set_presence(
            session, agent_id=agent_id, status=Presence.ONLINE, reason=presence.reason, now=now
        )
    return presence


def sweep(session: Session, *, now: datetime | None = None, config: RoutingConfig | None = None) -> int:
    """Mark agents whose heartbeats stopped offline and idle agents away; returns how many changed.

    Each change is claimed with a conditional UPDATE, so concurrent sweeps never apply one twice.
    """
    now = now or utcnow()
    config = config or routing_config.current()
    lost_before = now - timedelta(seconds=config.heartbeat_timeout_seconds)
    idle_before = now - timedelta(seconds=config.idle_timeout_seconds)
    changed = 0
    lost = session.execute(
        select(AgentPresence.agent_id, AgentPresence.status, AgentPresence.last_heartbeat_at).where(
            AgentPresence.status != Presence.OFFLINE, AgentPresence.last_heartbeat_at < lost_before
        )
    ).all()
    for agent_id, status, seen_at in lost:
        if _claim(session, agent_id, status, AgentPresence.last_heartbeat_at == seen_at):
            set_presence(
                session,
                agent_id=agent_id,
                status=Presence.OFFLINE,
                reason=PresenceReason.HEARTBEAT_LOST,
                now=now,
            )
            changed += 1
    idle = session.execute(
        select(AgentPresence.agent_id, AgentPresence.last_activity_at).where(
            AgentPresence.status == Presence.ONLINE, AgentPresence.last_activity_at < idle_before
        )
    ).all()
    for agent_id, active_at in idle:
        if _claim(session, agent_id, Presence.ONLINE, AgentPresence.last_activity_at == active_at):
            set_presence(
                session, agent_id=agent_id, status=Presence.AWAY, reason=PresenceReason.IDLE, now=now
            )
            changed += 1
    return changed


def _claim(session: Session, agent_id: int, status: str, unchanged: object) -> bool:
    """Claim a detected change: only if the row still looks as it did when it was read."""
    result = session.execute(
        update(AgentPresence)
        .where(AgentPresence.agent_id == agent_id, AgentPresence.status == status, unchanged)  # type: ignore[arg-type]
        .values(reason=PresenceReason.MANUAL)
        .execution_options(synchronize_session=False)
    )
    presence = session.get(AgentPresence, agent_id)
    if presence is not None:
        session.refresh(presence)
    return bool(result.rowcount)


def _record_change(session: Session, presence: AgentPresence, previous: str) -> None:
    record_event(
        session,
        kind=EventKind.PRESENCE_CHANGED,
        actor_kind=ActorKind.AGENT if presence.reason == PresenceReason.MANUAL else ActorKind.SYSTEM,
        actor_agent_id=presence.agent_id if presence.reason == PresenceReason.MANUAL else None,
        data={
            "agent_id": presence.agent_id,
            "from": previous,
            "to": presence.status,
            "reason": presence.reason,
        },
    )
    send_on_commit(
        session,
        {
            "type": "presence.changed",
            "agent_id": presence.agent_id,
            "status": presence.status,
            "reason": presence.reason,
        },
    )


def shown_status(session: Session, *, agent_id: int) -> str:
    """The agent's presence as the console header shows it: offline until first set; reads only."""
    status = session.scalar(select(AgentPresence.status).where(AgentPresence.agent_id == agent_id))
    return status or Presence.OFFLINE


def list_presence(session: Session) -> list[AgentPresence]:
    return list(session.scalars(select(AgentPresence)))
