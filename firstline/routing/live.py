"""The team lead's live view: what waits, who is online in which language, which chats may breach."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from firstline.agents.models import Agent
from firstline.conversations.models import Conversation
from firstline.routing.floor import agent_snapshots
from firstline.routing.matcher import PRIMARY_PROFICIENCIES, AgentSnapshot
from firstline.routing.models import AgentPresence, Presence, QueueEntry
from firstline.sla.service import clocks_at_risk

BREACH_HORIZON_SECONDS = 120


@dataclass(frozen=True)
class WaitingGroup:
    language: str
    tier: str
    waiting: int
    longest_wait_seconds: float


@dataclass(frozen=True)
class AgentLoad:
    agent_id: int
    name: str
    status: str
    chats: int
    max_chats: int
    emails: int


@dataclass(frozen=True)
class LanguageCoverage:
    language: str
    online: int
    chats: int
    capacity: int
    agents: list[AgentLoad] = field(default_factory=list)


@dataclass(frozen=True)
class BreachRisk:
    conversation_id: int
    reference: str
    language: str
    metric: str
    seconds_left: float
    breached: bool
    assignee_id: int | None


@dataclass(frozen=True)
class LiveView:
    at: datetime
    waiting: list[WaitingGroup]
    total_waiting: int
    longest_wait_seconds: float
    coverage: list[LanguageCoverage]
    at_risk: list[BreachRisk]
    online: int
    away: int


def live_view(session: Session, *, now: datetime) -> LiveView:
    """Everything the live page shows, read in a handful of queries."""
    waiting = _waiting_groups(session, now)
    snapshots = agent_snapshots(session, online_only=False)
    coverage = _coverage(session, snapshots)
    risks = _risks(session, now)
    away = sum(1 for status in session.scalars(select(AgentPresence.status)) if status == Presence.AWAY)
    return LiveView(
        at=now,
        waiting=waiting,
        total_waiting=sum(group.waiting for group in waiting),
        longest_wait_seconds=max((group.longest_wait_seconds for group in waiting), default=0.0),
        coverage=coverage,
        at_risk=risks,
        online=sum(1 for snapshot in snapshots if snapshot.online),
        away=away,
    )


def _waiting_groups(session: Session, now: datetime) -> list[WaitingGroup]:
    groups: dict[tuple[str, str], list[datetime]] = defaultdict(list)
    for language, tier, enqueued_at in session.execute(
        select(QueueEntry.language, QueueEntry.tier, QueueEntry.enqueued_at)
    ):
        groups[(language, tier)].append(enqueued_at)
    return [
        WaitingGroup(language, tier, len(times), max(0.0, (now - min(times)).total_seconds()))
        for (language, tier), times in sorted(groups.items())
    ]


def _coverage(session: Session, snapshots: list[AgentSnapshot]) -> list[LanguageCoverage]:
    names = dict(
        session.execute(
            select(Agent.id, Agent.name).where(Agent.id.in_([s.agent_id for s in snapshots]))
        ).all()
    )
    statuses = dict(session.execute(select(AgentPresence.agent_id, AgentPresence.status)).all())
    by_language: dict[str, list[AgentSnapshot]] = defaultdict(list)
    for snapshot in snapshots:
        if not snapshot.online:
            continue
        for language, level in snapshot.languages.items():
            if level in PRIMARY_PROFICIENCIES:
                by_language[language].append(snapshot)
    return [
        LanguageCoverage(
            language=language,
            online=len(agents),
            chats=sum(a.chats for a in agents),
            capacity=sum(a.max_chats for a in agents),
            agents=[
                AgentLoad(
                    a.agent_id,
                    names.get(a.agent_id, "?"),
                    statuses.get(a.agent_id, "offline"),
                    a.chats,
                    a.max_chats,
                    a.emails,
                )
                for a in sorted(agents, key=lambda a: names.get(a.agent_id, ""))
            ],
        )
        for language, agents in sorted(by_language.items())
    ]


def _risks(session: Session, now: datetime) -> list[BreachRisk]:
    risks = clocks_at_risk(session, now=now, horizon_seconds=BREACH_HORIZON_SECONDS)
    conversations = {
        c.id: c
        for c in session.scalars(
            select(Conversation).where(Conversation.id.in_([r.conversation_id for r in risks]))
        )
    }
    return [
        BreachRisk(
            conversation_id=risk.conversation_id,
            reference=conversations[risk.conversation_id].reference,
            language=conversations[risk.conversation_id].language,
            metric=risk.metric,
            seconds_left=(risk.due_at - now).total_seconds(),
            breached=risk.breached,
            assignee_id=conversations[risk.conversation_id].assignee_id,
        )
        for risk in risks
        if risk.conversation_id in conversations
    ]
