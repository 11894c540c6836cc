"""Per-conversation metrics, kept up to date as the conversation moves.

- wait time: seconds spent in the queue, every stay added up;
- first response time: from opening to the first agent reply;
- handle time: agent-active time, from each assignment to its end (unassignment or resolution);
- transfers: how many times the conversation moved from one agent to another, directly or through
  the queue.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session, make_transient_to_detached

from firstline.conversations.direct import track_direct_insert
from firstline.conversations.models import Conversation
from firstline.db import load, save_changes, working_copy
from firstline.kit.statements import run
from firstline.routing.models import ConversationMetrics


def get_metrics(session: Session, *, conversation_id: int) -> ConversationMetrics:
    """The conversation's metrics row, created empty on first use."""
    return load(session, ConversationMetrics, conversation_id) or _create(session, conversation_id)


def _create(session: Session, conversation_id: int, **values: Any) -> ConversationMetrics:
    """Insert a metrics row with one INSERT and attach it to the session as if loaded.

    Every chat queued creates one; a flush of the unit of work would cost several times more.
    """
    row = {**_EMPTY, **values, "conversation_id": conversation_id}
    run(session.connection(), _INSERT_METRICS, row)
    metrics = ConversationMetrics(**row)
    make_transient_to_detached(metrics)
    session.add(metrics)
    track_direct_insert(session, metrics)
    return metrics


_table = ConversationMetrics.__table__
_INSERT_METRICS = insert(_table)
_EMPTY: dict[str, Any] = {
    "queued_at": None,
    "wait_seconds": 0.0,
    "first_response_seconds": None,
    "assigned_at": None,
    "handle_seconds": 0.0,
    "transfers": 0,
    "requeues": 0,
    "last_assignee_id": None,
    "resolved_at": None,
}


def _seconds(start: datetime, end: datetime) -> float:
    return max(0.0, (end - start).total_seconds())


def record_queued(
    session: Session, *, conversation_id: int, at: datetime, requeued: bool
) -> ConversationMetrics:
    """The conversation joined the queue; returns its metrics row (hold it while routing goes on:
    the session only keeps unchanged rows while someone refers to them, and the assignment updates it)."""
    metrics = load(session, ConversationMetrics, conversation_id)
    if metrics is None:
        return _create(session, conversation_id, queued_at=at, requeues=1 if requeued else 0)
    work = working_copy(metrics)
    if work.queued_at is None:
        work.queued_at = at
    if requeued:
        work.requeues += 1
    save_changes(session, [(metrics, work)])
    return metrics


def record_dequeued(session: Session, *, conversation_id: int, at: datetime) -> None:
    metrics = load(session, ConversationMetrics, conversation_id)
    if metrics is not None:
        work = working_copy(metrics)
        _dequeue(work, at)
        save_changes(session, [(metrics, work)])


def _dequeue(metrics: ConversationMetrics, at: datetime) -> None:
    if metrics.queued_at is not None:
        metrics.wait_seconds += _seconds(metrics.queued_at, at)
        metrics.queued_at = None


def record_assignment(
    session: Session, *, conversation: Conversation, assignee_id: int | None, at: datetime
) -> None:
    """The conversation now belongs to ``assignee_id`` (None: to nobody)."""
    metrics = get_metrics(session, conversation_id=conversation.id)
    work = working_copy(metrics)
    _end_handling(work, at)
    _dequeue(work, at)
    if assignee_id is not None:
        if work.last_assignee_id is not None and work.last_assignee_id != assignee_id:
            work.transfers += 1
        work.last_assignee_id = assignee_id
        if conversation.status in ("open", "pending"):
            work.assigned_at = at
    save_changes(session, [(metrics, work)])


def record_status(session: Session, *, conversation: Conversation, at: datetime) -> None:
    """Resolution ends handling; a reopened conversation with an agent is being handled again."""
    metrics = get_metrics(session, conversation_id=conversation.id)
    work = working_copy(metrics)
    if conversation.status in ("resolved", "closed"):
        _end_handling(work, at)
        _dequeue(work, at)
        work.resolved_at = work.resolved_at or at
    elif conversation.assignee_id is not None and work.assigned_at is None:
        work.assigned_at = at
        work.resolved_at = None
    save_changes(session, [(metrics, work)])


def record_agent_reply(session: Session, *, conversation: Conversation, at: datetime) -> None:
    metrics = get_metrics(session, conversation_id=conversation.id)
    if metrics.first_response_seconds is None:
        work = working_copy(metrics)
        work.first_response_seconds = _seconds(conversation.created_at, at)
        save_changes(session, [(metrics, work)])


def _end_handling(metrics: ConversationMetrics, at: datetime) -> None:
    if metrics.assigned_at is not None:
        metrics.handle_seconds += _seconds(metrics.assigned_at, at)
        metrics.assigned_at = None
