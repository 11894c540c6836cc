"""The cases domain's share of conversation changes, run inside the transaction that records them."""

from __future__ import annotations

from sqlalchemy.orm import Session

from firstline.cases.models import NotificationKind
from firstline.cases.notifications import mentioned_agents, notify_agent
from firstline.cases.service import get_case_file, grace_period, open_case_file_of, set_close_at
from firstline.conversations.models import AuthorKind, Conversation, Message, Status
from firstline.kit.time import utcnow
from firstline.timeline.service import ActorKind, EventKind, RecordedEvent, react_to, record_event


@react_to(EventKind.CONVERSATION_OPENED)
def open_case_file(session: Session, event: RecordedEvent) -> None:
    if event.conversation_id is not None:
        open_case_file_of(session, conversation_id=event.conversation_id, now=event.created_at)


@react_to(EventKind.NOTE_ADDED)
def notify_mentions(session: Session, event: RecordedEvent) -> None:
    """An internal note's @mentions notify the agents it names (never its author)."""
    message = session.get(Message, event.data.get("message_id"))
    conversation = session.get(Conversation, event.conversation_id)
    if message is None or conversation is None or message.author_kind != AuthorKind.NOTE:
        return
    author = message.author_agent_id
    for agent in mentioned_agents(session, message.body):
        if agent.id == author:
            continue
        notify_agent(
            session,
            agent_id=agent.id,
            kind=NotificationKind.MENTION,
            conversation_id=conversation.id,
            text=f"Mentioned in a note on {conversation.reference}: {message.body[:200]}",
        )


@react_to(EventKind.STATUS_CHANGED)
def track_grace_period(session: Session, event: RecordedEvent) -> None:
    """Resolving starts the grace period; the customer writing within it reopens the case (counted)."""
    if event.conversation_id is None:
        return
    before, after = event.data.get("from"), event.data.get("to")
    if after == Status.RESOLVED:
        set_close_at(session, conversation_id=event.conversation_id, close_at=utcnow() + grace_period())
    elif after == Status.CLOSED:
        set_close_at(session, conversation_id=event.conversation_id, close_at=None)
    elif before == Status.RESOLVED and after == Status.OPEN:
        case = get_case_file(session, conversation_id=event.conversation_id)
        case.close_at = None
        case.reopen_count += 1
        session.flush()
        record_event(
            session,
            kind=EventKind.CASE_REOPENED,
            actor_kind=ActorKind(event.actor_kind),
            actor_agent_id=event.actor_agent_id,
            conversation_id=event.conversation_id,
            customer_id=event.customer_id,
            data={"reopen_count": case.reopen_count},
        )
        session.flush()
