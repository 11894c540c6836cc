"""Per-conversation metrics, kept up to date as the conversation moves.

- wait time: seconds spent in the queue, every stay added up;
- first response time: from opening to the first agent reply;
- handle time: agent-active time, from each assignment to its end (unassignment or resolution);
- transfers: how many times the conversation moved from one agent to another, directly or through
  the queue.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from firstline.conversations.models import Conversation
from firstline.routing.models import ConversationMetrics


def get_metrics(session: Session, *, conversation_id: int) -> ConversationMetrics:
    """The conversation's metrics row, created empty on first use (written at the next flush)."""
    metrics = session.get(ConversationMetrics, conversation_id)
    if metrics is None:
        metrics = ConversationMetrics(
            conversation_id=conversation_id, wait_seconds=0.0, handle_seconds=0.0, transfers=0, requeues=0
        )
        session.add(metrics)
    return metrics


def _seconds(start: datetime, end: datetime) -> float:
    return max(0.0, (end - start).total_seconds())


def record_queued(
    session: Session, *, conversation_id: int, at: datetime, requeued: bool
) -> ConversationMetrics:
    """The conversation joined the queue; returns its metrics row (hold it while routing goes on:
    the session only keeps unchanged rows while someone refers to them, and the assignment updates it)."""
    metrics = get_metrics(session, conversation_id=conversation_id)
    if metrics.queued_at is None:
        metrics.queued_at = at
    if requeued:
        metrics.requeues += 1
    return metrics


def record_dequeued(session: Session, *, conversation_id: int, at: datetime) -> None:
    metrics = session.get(ConversationMetrics, conversation_id)
    if metrics is not None and metrics.queued_at is not None:
        metrics.wait_seconds += _seconds(metrics.queued_at, at)
        metrics.queued_at = None


def record_assignment(
    session: Session, *, conversation: Conversation, assignee_id: int | None, at: datetime
) -> None:
    """The conversation now belongs to ``assignee_id`` (None: to nobody)."""
    metrics = get_metrics(session, conversation_id=conversation.id)
    _end_handling(metrics, at)
    record_dequeued(session, conversation_id=conversation.id, at=at)
    if assignee_id is None:
        return
    if metrics.last_assignee_id is not None and metrics.last_assignee_id != assignee_id:
        metrics.transfers += 1
    metrics.last_assignee_id = assignee_id
    if conversation.status in ("open", "pending"):
        metrics.assigned_at = at


def record_status(session: Session, *, conversation: Conversation, at: datetime) -> None:
    """Resolution ends handling; a reopened conversation with an agent is being handled again."""
    metrics = get_metrics(session, conversation_id=conversation.id)
    if conversation.status in ("resolved", "closed"):
        _end_handling(metrics, at)
        record_dequeued(session, conversation_id=conversation.id, at=at)
        metrics.resolved_at = metrics.resolved_at or at
    elif conversation.assignee_id is not None and metrics.assigned_at is None:
        metrics.assigned_at = at
        metrics.resolved_at = None


def record_agent_reply(session: Session, *, conversation: Conversation, at: datetime) -> None:
    metrics = get_metrics(session, conversation_id=conversation.id)
    if metrics.first_response_seconds is None:
        metrics.first_response_seconds = _seconds(conversation.created_at, at)


def _end_handling(metrics: ConversationMetrics, at: datetime) -> None:
    if metrics.assigned_at is not None:
        metrics.handle_seconds += _seconds(metrics.assigned_at, at)
        metrics.assigned_at = None
