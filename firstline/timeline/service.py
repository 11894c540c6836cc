"""Recording and reading the event log."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import event as orm_event
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from firstline.kit.errors import FirstlineError
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
    MESSAGE_POSTED = "message.posted"
    NOTE_ADDED = "note.added"
    AGENT_CREATED = "agent.created"
    AGENT_UPDATED = "agent.updated"


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
) -> Event:
    """Append one event. The caller's transaction commits it together with the change it describes."""
    entry = Event(
        kind=kind,
        actor_kind=actor_kind,
        actor_agent_id=actor_agent_id,
        conversation_id=conversation_id,
        customer_id=customer_id,
        data=data or {},
    )
    session.add(entry)
    session.flush()
    return entry


def list_conversation_events(session: Session, *, conversation_id: int) -> list[Event]:
    return list(
        session.scalars(select(Event).where(Event.conversation_id == conversation_id).order_by(Event.id))
    )


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
