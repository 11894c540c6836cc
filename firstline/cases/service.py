"""Cases: structured fields, escalation between tiers and back, follow-ups, the grace period, tier metrics."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from firstline.agents.models import Agent, Team, Tier
from firstline.attachments.models import Attachment
from firstline.cases.categories import category_spec, check_fields, missing_fields
from firstline.cases.models import (
    CaseFile,
    Escalation,
    EscalationStatus,
    FollowUp,
    FollowUpStatus,
    NotificationKind,
)
from firstline.cases.notifications import notify_agent
from firstline.config import get_settings
from firstline.conversations.models import Conversation, Message, Status
from firstline.conversations.service import assign, change_status, get_conversation, update_attributes
from firstline.kit.errors import Conflict, InvalidInput, NotFound
from firstline.kit.notify import send_on_commit
from firstline.kit.statements import run
from firstline.kit.time import utcnow
from firstline.timeline.service import ActorKind, EventKind, record_event

# Where a case may be escalated to from each tier. Compliance is the end of the line.
ESCALATION_TARGETS: dict[str, frozenset[str]] = {
    Tier.L1: frozenset({Tier.L2, Tier.TECHNICAL, Tier.COMPLIANCE}),
    Tier.L2: frozenset({Tier.TECHNICAL, Tier.COMPLIANCE}),
    Tier.TECHNICAL: frozenset({Tier.L2, Tier.COMPLIANCE}),
    Tier.COMPLIANCE: frozenset(),
}
MIN_TEXT = 10  # characters a handoff text needs to say anything at all
MAX_TEXT = 4000


def get_case_file(session: Session, *, conversation_id: int) -> CaseFile:
    """The conversation's case file, created on first use (conversations older than cases have none)."""
    case = session.get(CaseFile, conversation_id)
    if case is None:
        get_conversation(session, conversation_id=conversation_id)
        case = CaseFile(conversation_id=conversation_id, fields={}, reopen_count=0, escalation_count=0)
        session.add(case)
        session.flush()
    return case


_INSERT_CASE_FILE = insert(CaseFile.__table__)


def open_case_file_of(session: Session, *, conversation_id: int, now: datetime) -> None:
    """The empty case file of a conversation just opened: one INSERT, no read (it cannot have one yet)."""
    run(
        session.connection(),
        _INSERT_CASE_FILE,
        {
            "conversation_id": conversation_id,
            "fields": {},
            "reopen_count": 0,
            "escalation_count": 0,
            "updated_at": now,
        },
    )


_case_files = CaseFile.__table__
_SET_CLOSE_AT = (
    update(_case_files)
    .where(_case_files.c.conversation_id == bindparam("case_conversation"))
    .values(close_at=bindparam("close_at"), updated_at=bindparam("updated_at"))
)


def set_close_at(session: Session, *, conversation_id: int, close_at: datetime | None) -> None:
    """Set (or clear) when a resolved case closes: one UPDATE, as every resolution does it.

    A conversation older than case files gets its file first; a file the session holds is refreshed
    on its next read.
    """
    changed = run(
        session.connection(),
        _SET_CLOSE_AT,
        {"case_conversation": conversation_id, "close_at": close_at, "updated_at": utcnow()},
    )
    if not changed.rowcount:
        get_case_file(session, conversation_id=conversation_id).close_at = close_at
        session.flush()
        return
    held = session.identity_map.get(identity_key(CaseFile, conversation_id))
    if held is not None:
        session.expire(held, ["close_at", "updated_at"])


def set_case_fields(
    session: Session, *, conversation_id: int, fields: dict[str, Any], actor_agent_id: int | None
) -> CaseFile:
    """Validate and store structured fields (UID, coin, network, TxID…); empty values clear a field."""
    conversation = get_conversation(session, conversation_id=conversation_id)
    case = get_case_file(session, conversation_id=conversation_id)
    checked = check_fields(conversation.category, {**_still_allowed(conversation, case.fields), **fields})
    if checked == case.fields:
        return case
    changed = sorted(k for k in set(checked) | set(case.fields) if checked.get(k) != case.fields.get(k))
    case.fields = checked
    session.flush()
    record_event(
        session,
        kind=EventKind.CASE_FIELDS_UPDATED,
        actor_kind=ActorKind.AGENT if actor_agent_id else ActorKind.SYSTEM,
        actor_agent_id=actor_agent_id,
        conversation_id=conversation.id,
        customer_id=conversation.customer_id,
        data={"changed": changed},
    )
    return case


def _still_allowed(conversation: Conversation, fields: dict[str, str]) -> dict[str, str]:
    """Stored fields the conversation's current category still takes (the category may have changed)."""
    spec = category_spec(conversation.category)
    return {k: v for k, v in fields.items() if k in spec.required or k in spec.optional}


@dataclass(frozen=True)
class Handoff:
    """The escalation form."""

    to_tier: str
    summary: str = ""
    steps_taken: str = ""
    customer_impact: str = ""
    fields: dict[str, Any] | None = None
    evidence_attachment_ids: tuple[int, ...] = ()


class IncompleteHandoff(InvalidInput):
    code = "handoff_incomplete"

    def __init__(self, missing: list[str]) -> None:
        super().__init__(
            "The handoff is incomplete; still missing: " + ", ".join(missing) + ".", field="handoff"
        )
        self.missing = missing


def check_handoff(session: Session, conversation: Conversation, handoff: Handoff) -> dict[str, str]:
    """The case fields the handoff leaves, or IncompleteHandoff naming everything still missing."""
    missing: list[str] = []
    for name, text in (
        ("summary", handoff.summary),
        ("steps already taken", handoff.steps_taken),
        ("customer impact", handoff.customer_impact),
    ):
        if len(text.strip()) < MIN_TEXT:
            missing.append(f"{name} (at least {MIN_TEXT} characters)")
        elif len(text) > MAX_TEXT:
            raise InvalidInput(f"The {name} can hold at most {MAX_TEXT} characters.", field="handoff")
    current = get_case_file(session, conversation_id=conversation.id).fields
    given = handoff.fields or {}
    fields = check_fields(conversation.category, {**_still_allowed(conversation, current), **given})
    spec = category_spec(conversation.category)
    missing += [f"{spec.label} field '{name}'" for name in missing_fields(conversation.category, fields)]
    evidence = set(handoff.evidence_attachment_ids)
    if not evidence:
        missing.append("evidence (at least one attachment of this conversation)")
    else:
        found = set(
            session.scalars(
                select(Attachment.id)
                .join(Message, Message.id == Attachment.message_id)
                .where(Attachment.id.in_(evidence), Message.conversation_id == conversation.id)
            )
        )
        if found != evidence:
            raise InvalidInput(
                f"Evidence must be attachments of {conversation.reference}; not: "
                f"{', '.join(str(i) for i in sorted(evidence - found))}.",
                field="evidence_attachment_ids",
            )
    if missing:
        raise IncompleteHandoff(missing)
    return fields


def escalate(session: Session, *, conversation_id: int, handoff: Handoff, actor: Agent) -> Escalation:
    """Hand the case to another tier with a complete form; refused, naming what is missing, otherwise."""
    conversation = get_conversation(session, conversation_id=conversation_id)
    if conversation.status == Status.CLOSED:
        raise Conflict(f"{conversation.reference} is closed; it cannot be escalated.")
    allowed = ESCALATION_TARGETS.get(conversation.tier, frozenset())
    if handoff.to_tier not in allowed:
        choices = ", ".join(sorted(allowed)) or "nowhere"
        raise InvalidInput(f"A case at {conversation.tier} can be escalated to: {choices}.", field="to_tier")
    fields = check_handoff(session, conversation, handoff)
    case = get_case_file(session, conversation_id=conversation.id)
    case.fields = fields
    session.execute(
        update(Escalation)
        .where(Escalation.conversation_id == conversation.id, Escalation.status == EscalationStatus.OPEN)
        .values(status=EscalationStatus.SUPERSEDED)
        .execution_options(synchronize_session="fetch")
    )
    escalation = Escalation(
        conversation_id=conversation.id,
        from_tier=conversation.tier,
        to_tier=handoff.to_tier,
        status=EscalationStatus.OPEN,
        summary=handoff.summary.strip(),
        steps_taken=handoff.steps_taken.strip(),
        customer_impact=handoff.customer_impact.strip(),
        fields=fields,
        evidence_attachment_ids=sorted(set(handoff.evidence_attachment_ids)),
        created_by_id=actor.id,
    )
    session.add(escalation)
    case.escalation_count += 1
    session.flush()
    team = session.scalar(select(Team).where(Team.tier == handoff.to_tier).order_by(Team.id).limit(1))
    update_attributes(
        session,
        conversation_id=conversation.id,
        actor_agent_id=actor.id,
        tier=handoff.to_tier,
        team_id=team.id if team is not None else None,
    )
    assign(session, conversation_id=conversation.id, assignee_id=None, actor=None)
    record_event(
        session,
        kind=EventKind.ESCALATED,
        actor_kind=ActorKind.AGENT,
        actor_agent_id=actor.id,
        conversation_id=conversation.id,
        customer_id=conversation.customer_id,
        data={"escalation_id": escalation.id, "from": escalation.from_tier, "to": escalation.to_tier},
    )
    send_on_commit(session, {"type": "case.escalated", "conversation_id": conversation.id})
    return escalation


def return_escalation(session: Session, *, conversation_id: int, reason: str, actor: Agent) -> Escalation:
    """The receiving tier sends the case back to where it came from, saying why."""
    conversation = get_conversation(session, conversation_id=conversation_id)
    reason = reason.strip()
    if len(reason) < MIN_TEXT:
        raise InvalidInput(f"Say why the case goes back (at least {MIN_TEXT} characters).", field="reason")
    escalation = current_escalation(session, conversation_id=conversation.id)
    if escalation is None:
        raise Conflict(f"{conversation.reference} is not escalated; there is nothing to send back.")
    escalation.status = EscalationStatus.RETURNED
    escalation.returned_by_id = actor.id
    escalation.returned_at = utcnow()
    escalation.return_reason = reason[:MAX_TEXT]
    session.flush()
    update_attributes(
        session, conversation_id=conversation.id, actor_agent_id=actor.id, tier=escalation.from_tier
    )
    sender = session.get(Agent, escalation.created_by_id)
    assign(
        session,
        conversation_id=conversation.id,
        assignee_id=sender.id if sender is not None and sender.is_active else None,
        actor=None,
    )
    record_event(
        session,
        kind=EventKind.ESCALATION_RETURNED,
        actor_kind=ActorKind.AGENT,
        actor_agent_id=actor.id,
        conversation_id=conversation.id,
        customer_id=conversation.customer_id,
        data={"escalation_id": escalation.id, "to": escalation.from_tier, "reason": escalation.return_reason},
    )
    if sender is not None:
        notify_agent(
            session,
            agent_id=sender.id,
            kind=NotificationKind.MENTION,
            conversation_id=conversation.id,
            text=f"{actor.name} sent {conversation.reference} back: {escalation.return_reason[:200]}",
        )
    return escalation


def current_escalation(session: Session, *, conversation_id: int) -> Escalation | None:
    return session.scalar(
        select(Escalation)
        .where(Escalation.conversation_id == conversation_id, Escalation.status == EscalationStatus.OPEN)
        .order_by(Escalation.id.desc())
        .limit(1)
    )


def list_escalations(session: Session, *, conversation_id: int) -> list[Escalation]:
    return list(
        session.scalars(
            select(Escalation).where(Escalation.conversation_id == conversation_id).order_by(Escalation.id)
        )
    )


# --- follow-ups -------------------------------------------------------------------------------------

MAX_FOLLOW_UP_DAYS = 366


def schedule_follow_up(
    session: Session, *, conversation_id: int, agent: Agent, due_at: datetime, note: str = ""
) -> FollowUp:
    """Promise to look at the case again at ``due_at`` (aware, in the future, within a year)."""
    conversation = get_conversation(session, conversation_id=conversation_id)
    now = utcnow()
    if due_at.tzinfo is None:
        raise InvalidInput("Give the follow-up time with its time zone.", field="due_at")
    if not now < due_at <= now + timedelta(days=MAX_FOLLOW_UP_DAYS):
        raise InvalidInput("A follow-up is due in the future, within a year.", field="due_at")
    if conversation.status == Status.CLOSED:
        raise Conflict(f"{conversation.reference} is closed; follow up on the case that continues it.")
    follow_up = FollowUp(
        conversation_id=conversation.id,
        agent_id=agent.id,
        note=note.strip()[:500],
        scheduled_for=due_at,
        due_at=due_at,
        status=FollowUpStatus.SCHEDULED,
    )
    session.add(follow_up)
    session.flush()
    record_event(
        session,
        kind=EventKind.FOLLOW_UP_SCHEDULED,
        actor_kind=ActorKind.AGENT,
        actor_agent_id=agent.id,
        conversation_id=conversation.id,
        customer_id=conversation.customer_id,
        data={"follow_up_id": follow_up.id, "due_at": due_at.isoformat()},
    )
    return follow_up


def list_follow_ups(session: Session, *, conversation_id: int) -> list[FollowUp]:
    return list(
        session.scalars(
            select(FollowUp).where(FollowUp.conversation_id == conversation_id).order_by(FollowUp.id)
        )
    )


def _is_available(session: Session, agent: Agent) -> bool:
    from firstline.routing.models import AgentPresence, Presence  # routing owns presence

    if not agent.is_active:
        return False
    presence = session.get(AgentPresence, agent.id)
    return presence is not None and presence.status != Presence.OFFLINE


def fire_due_follow_ups(session: Session, *, now: datetime | None = None, limit: int = 200) -> int:
    """Bring every due follow-up back to its agent, or to their team when they are off or deactivated.

    Each row is claimed by ``UPDATE … WHERE id = ? AND due_at = ?``, so concurrent loops fire it once.
    """
    now = now or utcnow()
    due = session.execute(
        select(FollowUp.id, FollowUp.due_at)
        .where(FollowUp.due_at <= now)
        .order_by(FollowUp.due_at)
        .limit(limit)
    ).all()
    fired = 0
    for follow_up_id, due_at in due:
        claimed = session.execute(
            update(FollowUp)
            .where(FollowUp.id == follow_up_id, FollowUp.due_at == due_at)
            .values(due_at=None, status=FollowUpStatus.DUE, fired_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if claimed:
            follow_up = session.get(FollowUp, follow_up_id)
            if follow_up is not None:
                session.refresh(follow_up)
                _bring_back(session, follow_up)
                fired += 1
    return fired


def _bring_back(session: Session, follow_up: FollowUp) -> None:
    conversation = session.get(Conversation, follow_up.conversation_id)
    agent = session.get(Agent, follow_up.agent_id)
    if conversation is None or agent is None:
        return
    if conversation.status in (Status.PENDING, Status.RESOLVED):
        change_status(session, conversation_id=conversation.id, status=Status.OPEN, actor_agent_id=None)
    text = f"Follow-up due on {conversation.reference}: {follow_up.note or conversation.subject}"[:300]
    if _is_available(session, agent) and conversation.status != Status.CLOSED:
        assign(session, conversation_id=conversation.id, assignee_id=agent.id, actor=None)
        follow_up.routed_to_agent_id = agent.id
        notify_agent(
            session,
            agent_id=agent.id,
            kind=NotificationKind.FOLLOW_UP,
            conversation_id=conversation.id,
            text=text,
        )
    else:
        team_id = conversation.team_id or (agent.teams[0].id if agent.teams else None)
        follow_up.routed_to_team_id = team_id
        if conversation.status != Status.CLOSED:
            assign(session, conversation_id=conversation.id, assignee_id=None, actor=None)
            if team_id is not None and team_id != conversation.team_id:
                update_attributes(
                    session, conversation_id=conversation.id, actor_agent_id=None, team_id=team_id
                )
        team = session.get(Team, team_id) if team_id is not None else None
        for member in (team.agents if team is not None else [])[:50]:
            if member.is_active and member.id != agent.id:
                notify_agent(
                    session,
                    agent_id=member.id,
                    kind=NotificationKind.FOLLOW_UP,
                    conversation_id=conversation.id,
                    text=text,
                )
    session.flush()
    record_event(
        session,
        kind=EventKind.FOLLOW_UP_DUE,
        actor_kind=ActorKind.SYSTEM,
        conversation_id=conversation.id,
        customer_id=conversation.customer_id,
        data={
            "follow_up_id": follow_up.id,
            "agent_id": follow_up.routed_to_agent_id,
            "team_id": follow_up.routed_to_team_id,
        },
    )


# --- the grace period of resolved cases -----------------------------------------------------------


def grace_period() -> timedelta:
    return timedelta(days=get_settings().case_grace_days)


def close_expired_cases(session: Session, *, now: datetime | None = None, limit: int = 200) -> int:
    """Close resolved cases whose grace period ended; claimed by a conditional UPDATE like every timer."""
    now = now or utcnow()
    due = session.execute(
        select(CaseFile.conversation_id, CaseFile.close_at)
        .where(CaseFile.close_at <= now)
        .order_by(CaseFile.close_at)
        .limit(limit)
    ).all()
    closed = 0
    for conversation_id, close_at in due:
        claimed = session.execute(
            update(CaseFile)
            .where(CaseFile.conversation_id == conversation_id, CaseFile.close_at == close_at)
            .values(close_at=None)
            .execution_options(synchronize_session=False)
        ).rowcount
        conversation = session.get(Conversation, conversation_id)
        if claimed and conversation is not None and conversation.status == Status.RESOLVED:
            change_status(session, conversation_id=conversation_id, status=Status.CLOSED, actor_agent_id=None)
            closed += 1
    return closed


# --- tier metrics ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TierMetrics:
    opened: int
    escalated: int
    resolved: int
    resolved_at_l1: int
    reopened: int

    @property
    def escalation_rate(self) -> float | None:
        return self.escalated / self.opened if self.opened else None

    @property
    def l1_resolution_rate(self) -> float | None:
        return self.resolved_at_l1 / self.resolved if self.resolved else None


def tier_metrics(session: Session, *, since: datetime, until: datetime) -> TierMetrics:
    """Cases opened in [since, until): how many were escalated, resolved, resolved by L1 alone, reopened."""
    escalations = func.coalesce(CaseFile.escalation_count, 0)
    query = (
        select(
            func.count(Conversation.id),
            func.count(Conversation.id).filter(escalations > 0),
            func.count(Conversation.id).filter(
                Conversation.resolved_at.is_not(None) | (Conversation.status == Status.CLOSED)
            ),
            func.count(Conversation.id).filter(
                (Conversation.resolved_at.is_not(None) | (Conversation.status == Status.CLOSED))
                & (escalations == 0)
            ),
            func.count(Conversation.id).filter(func.coalesce(CaseFile.reopen_count, 0) > 0),
        )
        .select_from(Conversation)
        .outerjoin(CaseFile, CaseFile.conversation_id == Conversation.id)
        .where(Conversation.created_at >= since, Conversation.created_at < until)
    )
    opened, escalated, resolved, resolved_at_l1, reopened = session.execute(query).one()
    return TierMetrics(opened, escalated, resolved, resolved_at_l1, reopened)


def get_escalation(session: Session, *, escalation_id: int) -> Escalation:
    escalation = session.get(Escalation, escalation_id)
    if escalation is None:
        raise NotFound(f"No escalation with id {escalation_id}.")
    return escalation
