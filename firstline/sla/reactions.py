"""SLA clocks follow the conversation: started, paused, resumed and stopped by its events."""

from __future__ import annotations

from sqlalchemy.orm import Session

from firstline.conversations.models import AuthorKind, Conversation
from firstline.db import load, save_changes, working_copy
from firstline.sla.models import ClockState, Metric
from firstline.sla.service import (
    clocks_of,
    get_clock,
    pause_clock,
    policy_of_clock,
    resume_clock,
    start_clock,
    start_clocks,
    stop_clock,
)
from firstline.timeline.service import EventKind, RecordedEvent, react_to

_DONE = ("resolved", "closed")


def _conversation(session: Session, event: RecordedEvent) -> Conversation | None:
    return load(session, Conversation, event.conversation_id) if event.conversation_id else None


@react_to(EventKind.CONVERSATION_OPENED)
def on_opened(session: Session, event: RecordedEvent) -> None:
    conversation = _conversation(session, event)
    if conversation is None:
        return
    start_clocks(
        session,
        conversation=conversation,
        metrics=(Metric.FIRST_RESPONSE, Metric.RESOLUTION),
        now=event.created_at,
    )


@react_to(EventKind.MESSAGE_POSTED)
def on_message(session: Session, event: RecordedEvent) -> None:
    """An agent's reply meets the response clocks; a customer's message after one starts the next."""
    conversation = _conversation(session, event)
    author = event.data.get("author_kind")
    if conversation is None or conversation.status in _DONE:
        return
    if author == AuthorKind.AGENT and event.actor_agent_id is not None:
        for clock in clocks_of(session, conversation_id=conversation.id):
            if clock.metric in (Metric.FIRST_RESPONSE, Metric.NEXT_RESPONSE):
                stop_clock(
                    session, clock, policy_of_clock(session, clock, conversation), now=event.created_at
                )
        session.flush()
    elif author == AuthorKind.CUSTOMER and conversation.first_response_at is not None:
        clock = get_clock(session, conversation_id=conversation.id, metric=Metric.NEXT_RESPONSE)
        if clock is None or clock.state in (ClockState.MET, ClockState.MISSED):
            start_clock(session, conversation=conversation, metric=Metric.NEXT_RESPONSE, now=event.created_at)


@react_to(EventKind.STATUS_CHANGED)
def on_status(session: Session, event: RecordedEvent) -> None:
    """Pending pauses the clocks (waiting on the customer); resolving stops them; reopening resumes."""
    conversation = _conversation(session, event)
    if conversation is None:
        return
    before, after, now = event.data.get("from"), event.data.get("to"), event.created_at
    changed = []
    for clock in clocks_of(session, conversation_id=conversation.id):
        policy = policy_of_clock(session, clock, conversation)
        work = working_copy(clock)
        if after in _DONE:
            stop_clock(session, work, policy, now=now)
        elif after == "pending":
            pause_clock(session, work, policy, now=now)
        elif after == "open" and (
            clock.state == ClockState.PAUSED or (before == "resolved" and clock.metric == Metric.RESOLUTION)
        ):
            resume_clock(session, work, policy, now=now)
        changed.append((clock, work))
    save_changes(session, changed)
