"""Read models for the console: inbox rows and a conversation's merged timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from firstline.agents.models import Agent
from firstline.conversations.models import Conversation, Message
from firstline.conversations.service import InboxFilter, inbox_query
from firstline.customers.models import Customer
from firstline.timeline.models import Event
from firstline.timeline.service import EventKind, list_conversation_events

# Messages already show themselves; their events would only repeat them.
_MESSAGE_EVENTS = {EventKind.MESSAGE_POSTED.value, EventKind.NOTE_ADDED.value}


@dataclass(frozen=True)
class InboxRow:
    conversation: Conversation
    customer: Customer
    assignee: Agent | None
    sla_due_at: datetime | None = None  # the earliest breach instant of its running SLA clocks


def inbox_rows(session: Session, *, filters: InboxFilter, limit: int, offset: int) -> list[InboxRow]:
    """Inbox conversations with their customer, assignee and SLA due time, in two queries."""
    from firstline.sla.service import due_times  # SLA builds on conversations, not the reverse

    query = (
        inbox_query(filters)
        .join(Customer, Customer.id == Conversation.customer_id)
        .outerjoin(Agent, Agent.id == Conversation.assignee_id)
        .add_columns(Customer, Agent)
        .order_by(Conversation.last_message_at.desc(), Conversation.id.desc())
        .limit(limit)
        .offset(offset)
    )
    rows = list(session.execute(query))
    due = due_times(session, conversation_ids=[conversation.id for conversation, _, _ in rows])
    return [
        InboxRow(conversation, customer, agent, due.get(conversation.id))
        for conversation, customer, agent in rows
    ]


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    message: Message | None = None
    event: Event | None = None


def conversation_timeline(session: Session, *, conversation: Conversation) -> list[TimelineEntry]:
    """Messages, notes and state changes of one conversation, oldest first."""
    messages = session.scalars(
        select(Message).where(Message.conversation_id == conversation.id).order_by(Message.seq)
    )
    entries = [TimelineEntry(at=m.created_at, message=m) for m in messages]
    entries += [
        TimelineEntry(at=e.created_at, event=e)
        for e in list_conversation_events(session, conversation_id=conversation.id)
        if e.kind not in _MESSAGE_EVENTS
    ]
    return sorted(entries, key=lambda entry: (entry.at, entry.message is not None))
