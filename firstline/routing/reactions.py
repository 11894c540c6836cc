"""Routing's share of every conversation change, run inside the transaction that records the event."""

from __future__ import annotations

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session

from firstline.conversations.models import AuthorKind, Conversation
from firstline.db import load
from firstline.kit.statements import run
from firstline.routing import metrics
from firstline.routing.models import AgentPresence, QueueEntry, QueueState
from firstline.routing.service import dispatch, remove_from_queue
from firstline.timeline.service import EventKind, RecordedEvent, react_to


@react_to(EventKind.ASSIGNED, EventKind.UNASSIGNED)
def on_assignment(session: Session, event: RecordedEvent) -> None:
    conversation = load(session, Conversation, event.conversation_id)
    if conversation is None:
        return
    assignee_id = event.data.get("to")
    if assignee_id is not None:
        # Picked up by hand while waiting: the queue lets it go.
        remove_from_queue(session, conversation_id=conversation.id)
    metrics.record_assignment(
        session, conversation=conversation, assignee_id=assignee_id, at=event.created_at
    )


@react_to(EventKind.STATUS_CHANGED)
def on_status(session: Session, event: RecordedEvent) -> None:
    conversation = load(session, Conversation, event.conversation_id)
    if conversation is None:
        return
    metrics.record_status(session, conversation=conversation, at=event.created_at)
    if event.data.get("to") in ("resolved", "closed"):
        remove_from_queue(session, conversation_id=conversation.id)
        if conversation.assignee_id is not None and _someone_waits(session):
            dispatch(session, now=event.created_at)  # a slot just freed up


@react_to(EventKind.MESSAGE_POSTED)
def on_message(session: Session, event: RecordedEvent) -> None:
    if event.data.get("author_kind") != AuthorKind.AGENT or event.actor_agent_id is None:
        return
    conversation = load(session, Conversation, event.conversation_id)
    if conversation is not None:
        metrics.record_agent_reply(session, conversation=conversation, at=event.created_at)
    session.execute(
        update(AgentPresence)
        .where(AgentPresence.agent_id == event.actor_agent_id)
        .values(last_activity_at=event.created_at)
        .execution_options(synchronize_session=False)
    )


def _someone_waits(session: Session) -> bool:
    session.flush()  # as the ORM's autoflush would
    return bool(run(session.connection(), _SOMEONE_WAITS).scalar())


# Every resolution asks: a plain statement, built once.
_SOMEONE_WAITS = select(exists().where(QueueEntry.__table__.c.state == QueueState.WAITING))
