"""The agents on the floor as the matcher sees them: profile, presence and current load."""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache, lru_cache
from typing import Any

from sqlalchemy import Select, Text, case, cast, func, select, type_coerce
from sqlalchemy.orm import Session

from firstline.agents.models import Agent
from firstline.conversations.models import Channel, Conversation, Status
from firstline.kit.time import as_utc
from firstline.routing.matcher import AgentSnapshot
from firstline.routing.models import AgentPresence, Presence, QueueEntry, QueueState

OPEN_STATUSES = (Status.OPEN.value, Status.PENDING.value)


def agent_snapshots(session: Session, *, online_only: bool = True) -> list[AgentSnapshot]:
    """Active agents with presence, and their current load of chats, offers and emails.

    One statement whatever the queue's length: profiles with presence, joined to the open
    conversations counted per assignee and to the pending offers counted per agent. Inside a
    dispatcher's lock the loads are exact.
    """
    session.flush()  # as the ORM's autoflush would: changes of this transaction count
    rows = session.connection().execute(_snapshot_query(online_only)).all()
    if len(_SNAPSHOTS) > _SNAPSHOTS_KEPT:
        _SNAPSHOTS.clear()
    snapshots = _SNAPSHOTS
    return [snapshots.get(raw) or _snapshot(raw) for raw in map(tuple, rows)]


# Between two dispatches most agents' rows come back unchanged (one agent's load moves per assignment):
# their snapshots are reused, keyed by the raw row as a plain tuple, instead of being parsed again.
_SNAPSHOTS: dict[tuple[Any, ...], AgentSnapshot] = {}
_SNAPSHOTS_KEPT = 20_000


def _snapshot(row: tuple[Any, ...]) -> AgentSnapshot:
    agent_id, tier, languages, skills, max_chats, status, idle_since, chats, emails = row
    snapshot = AgentSnapshot(
        agent_id=agent_id,
        online=status == Presence.ONLINE,
        tier=tier,
        languages=_languages(languages),
        skills=_skills(skills),
        max_chats=max_chats,
        idle_since=_instant(idle_since),
        chats=chats,
        emails=emails,
    )
    _SNAPSHOTS[row] = snapshot
    return snapshot


def _instant(raw: datetime | str) -> datetime:
    """``idle_since`` as read raw: SQLite's text (UTC, no offset) or the driver's datetime."""
    return as_utc(datetime.fromisoformat(raw) if isinstance(raw, str) else raw)


@cache
def _snapshot_query(online_only: bool) -> Select[Any]:
    """Built once: the dispatcher runs it several times a second."""
    is_chat = Conversation.channel == Channel.CHAT
    loads = (
        select(
            Conversation.assignee_id.label("agent_id"),
            func.sum(case((is_chat, 1), else_=0)).label("chats"),
            func.sum(case((is_chat, 0), else_=1)).label("emails"),
        )
        .where(Conversation.assignee_id.is_not(None), Conversation.status.in_(OPEN_STATUSES))
        .group_by(Conversation.assignee_id)
        .subquery()
    )
    offers = (
        select(QueueEntry.offered_agent_id.label("agent_id"), func.count().label("offers"))
        # Every pending offer has an expiry: the condition lets the expiry index find them.
        .where(QueueEntry.offer_expires_at.is_not(None), QueueEntry.state == QueueState.OFFERED)
        .group_by(QueueEntry.offered_agent_id)
        .subquery()
    )
    query = (
        select(
            Agent.id,
            Agent.tier,
            cast(Agent.languages, Text),
            cast(Agent.skills, Text),
            Agent.max_concurrent_chats,
            AgentPresence.status,
            type_coerce(AgentPresence.idle_since, Text),  # parsed once per distinct value, see _snapshot
            func.coalesce(loads.c.chats, 0) + func.coalesce(offers.c.offers, 0),
            func.coalesce(loads.c.emails, 0),
        )
        .join(AgentPresence, AgentPresence.agent_id == Agent.id)
        .outerjoin(loads, loads.c.agent_id == Agent.id)
        .outerjoin(offers, offers.c.agent_id == Agent.id)
        .where(Agent.is_active.is_(True))
    )
    return query.where(AgentPresence.status == Presence.ONLINE) if online_only else query


# Dispatching reads every online agent's profile each time; the JSON text rarely changes, so its
# parsed form is cached by value. Both databases hand it over as text (cast in the query), so rows can
# key the snapshot cache.
@lru_cache(maxsize=4096)
def _parse_json(raw: str) -> Any:
    return json.loads(raw)


def _languages(raw: Any) -> dict[str, str]:
    value = _parse_json(raw) if isinstance(raw, str) else raw
    return value if isinstance(value, dict) else {}


def _skills(raw: Any) -> frozenset[str]:
    value = _parse_json(raw) if isinstance(raw, str) else raw
    return frozenset(value or ())
