"""Recording and reading the event log."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import event as orm_event
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from firstline.db import insert_many
from firstline.kit.errors import FirstlineError
from firstline.kit.time import utcnow
from firstline.timeline.models import Event


class EventKind(StrEnum):
    CUSTOMER_CREATED = "customer.created"
    CUSTOMER_UPDATED = "customer.updated"
    CONVERSATION_OPENED = "conversation.opened"
    STATUS_CHANGED = "conversation.status_changed"
    ASSIGNED = "conversation.assigned"
    UNASSIGNED = "conversation.unassigned"
    TIER_CHANGED = "conversation.tier_changed"
    PRIORITY_CHANGED = "conversation.priority_changed"
    CATEGORY_CHANGED = "conversation.category_changed"
    TEAM_CHANGED = "conversation.team_changed"
    TAGS_CHANGED = "conversation.tags_changed"
    LANGUAGE_CHANGED = "conversation.language_changed"
    MESSAGE_POSTED = "message.posted"
    NOTE_ADDED = "note.added"
    AGENT_CREATED = "agent.created"
    AGENT_UPDATED = "agent.updated"
    # routing (firstline/routing)
    QUEUED = "routing.queued"
    REQUEUED = "routing.requeued"
    OFFERED = "routing.offered"
    OFFER_DECLINED = "routing.offer_declined"
    OFFER_EXPIRED = "routing.offer_expired"
    OVERFLOWED = "routing.overflowed"
    PRESENCE_CHANGED = "agent.presence_changed"
    # SLA clocks (firstline/sla)
    SLA_WARNING = "sla.warning"
    SLA_BREACHED = "sla.breached"
    # settings changed in the console (no conversation): who changed which target, and when
    SLA_POLICY_CREATED = "sla.policy_created"
    SLA_POLICY_UPDATED = "sla.policy_updated"
    SLA_CALENDAR_CREATED = "sla.calendar_created"
    SLA_CALENDAR_UPDATED = "sla.calendar_updated"
    SLA_POLICY_DELETED = "sla.policy_deleted"
    SLA_CALENDAR_DELETED = "sla.calendar_deleted"
    ROUTING_SETTINGS_UPDATED = "routing.settings_updated"
    # email (firstline/email)
    EMAIL_SEND_FAILED = "email.send_failed"
    EMAIL_BOUNCED = "email.bounced"
    MESSAGES_MOVED = "conversation.messages_moved"
    # live chat (firstline/chat)
    TRANSCRIPT_EMAILED = "chat.transcript_emailed"
    # cases (firstline/cases)
    CASE_FIELDS_UPDATED = "case.fields_updated"
    ESCALATED = "case.escalated"
    ESCALATION_RETURNED = "case.escalation_returned"
    CASE_REOPENED = "case.reopened"
    FOLLOW_UP_SCHEDULED = "case.follow_up_scheduled"
    FOLLOW_UP_DUE = "case.follow_up_due"
    COMPLAINT_REGISTERED = "complaint.registered"
    COMPLAINT_ADMISSIBILITY = "complaint.admissibility_decided"
    COMPLAINT_ACKNOWLEDGED = "complaint.acknowledged"
    COMPLAINT_DELAYED = "complaint.delayed"
    COMPLAINT_DECIDED = "complaint.decided"
    COMPLAINT_DEADLINE_WARNING = "complaint.deadline_warning"
    COMPLAINT_DEADLINE_MISSED = "complaint.deadline_missed"
    INCIDENT_LINKED = "incident.linked"
    INCIDENT_UPDATE_SENT = "incident.update_sent"
    CUSTOMER_MERGED = "customer.merged"




@dataclass(frozen=True)
class RecordedEvent:
    """An event just appended, as its reactions and its caller see it (a plain value: the row is never
    changed, so there is nothing for the session to track)."""

    id: int
    kind: str
    actor_kind: str
    actor_agent_id: int | None
    conversation_id: int | None
    customer_id: int | None
    data: dict[str, Any]
    created_at: datetime


class ActorKind(StrEnum):
    AGENT = "agent"
    CUSTOMER = "customer"
    SYSTEM = "system"


def record_event(
    session: Session,
    *,
    kind: EventKind,
    actor_kind: ActorKind,
    actor_agent_id: int | None = None,
    conversation_id: int | None = None,
    customer_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> RecordedEvent:
    """Append one event. The caller's transaction commits it together with the change it describes.

    Pending ORM changes are flushed first, so the event follows what it describes and reactions read it.
    The event is inserted directly (it is never changed afterwards) and handed to the reactions as a
    plain value.
    """
    values = event_values(
        kind=kind,
        actor_kind=actor_kind,
        actor_agent_id=actor_agent_id,
        conversation_id=conversation_id,
        customer_id=customer_id,
        data=data,
    )
    return record_events(session, [values])[0]


def event_values(
    *,
    kind: EventKind,
    actor_kind: ActorKind,
    actor_agent_id: int | None = None,
    conversation_id: int | None = None,
    customer_id: int | None = None,
    data: dict[str, Any] | None = None,
    created_at: datetime | None = None,
) -> dict[str, Any]:
    """The row of one event, for ``record_event`` or ``record_events``."""
    return {
        "kind": kind,
        "actor_kind": actor_kind,
        "actor_agent_id": actor_agent_id,
        "conversation_id": conversation_id,
        "customer_id": customer_id,
        "data": data or {},
        "created_at": created_at or utcnow(),
    }


def record_events(session: Session, rows: list[dict[str, Any]]) -> list[RecordedEvent]:
    """Append several events (rows from ``event_values``) with one multi-row INSERT, then run each one's
    reactions in order: what ``record_event`` does for each, in one statement."""
    if not rows:
        return []
    session.flush()
    ids = insert_many(session.connection(), Event.__table__, rows)
    entries = [RecordedEvent(id=event_id, **values) for event_id, values in zip(ids, rows, strict=True)]
    for entry in entries:
        for reaction in _reactions_to(entry.kind):
            reaction(session, entry)
    return entries


# Reactions: other domains' bookkeeping that must happen in the same transaction as an event (SLA clocks
# start and stop, routing metrics). Every state change records its event, so no path can skip them.
Reaction = Callable[[Session, RecordedEvent], None]
_REACTION_MODULES = (
    "firstline.routing.reactions",
    "firstline.sla.reactions",
    "firstline.email.reactions",
    "firstline.cases.reactions",
)
_reactions: dict[str, list[Reaction]] = {}
_reactions_loaded = False


def react_to(*kinds: EventKind) -> Callable[[Reaction], Reaction]:
    """Register ``reaction`` to run inside ``record_event`` for each event of ``kinds``."""

    def register(reaction: Reaction) -> Reaction:
        for kind in kinds:
            _reactions.setdefault(kind.value, []).append(reaction)
        return reaction

    return register


def _reactions_to(kind: str) -> list[Reaction]:
    global _reactions_loaded
    if not _reactions_loaded:
        _reactions_loaded = True
        for module in _REACTION_MODULES:  # imported on first use, so every process behaves the same
            importlib.import_module(module)
    return _reactions.get(kind, [])


def list_conversation_events(session: Session, *, conversation_id: int) -> list[Event]:
    return list(
        session.scalars(select(Event).where(Event.conversation_id == conversation_id).order_by(Event.id))
    )


def list_events_of_kinds(session: Session, *, kinds: list[EventKind], limit: int = 50) -> list[Event]:
    """The latest events of ``kinds``, newest first (the audit trail of settings changes)."""
    query = select(Event).where(Event.kind.in_([kind.value for kind in kinds]))
    return list(session.scalars(query.order_by(Event.id.desc()).limit(limit)))


def list_customer_events(session: Session, *, customer_id: int, conversation_ids: list[int]) -> list[Event]:
    """Everything that happened to a customer or in any of their conversations, oldest first."""
    condition = Event.customer_id == customer_id
    if conversation_ids:
        condition = or_(condition, Event.conversation_id.in_(conversation_ids))
    return list(session.scalars(select(Event).where(condition).order_by(Event.id)))


class AppendOnlyViolation(FirstlineError):
    status_code = 409
    code = "append_only"


@orm_event.listens_for(Event, "before_update")
def _refuse_update(*_args: Any) -> None:
    raise AppendOnlyViolation("The event log is append-only: events cannot be changed.")


@orm_event.listens_for(Event, "before_delete")
def _refuse_delete(*_args: Any) -> None:
    raise AppendOnlyViolation("The event log is append-only: events cannot be deleted.")
