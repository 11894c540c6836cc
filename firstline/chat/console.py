"""What the agent console's live chat pages read: the chat queue an agent works from, and the chats
offered to the agent."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from firstline.chat.stream import Frame, conversation_summary
from firstline.conversations.models import Channel, Conversation, Status
from firstline.conversations.service import InboxFilter
from firstline.conversations.timeline import InboxRow, inbox_rows
from firstline.kit.time import utcnow
from firstline.routing.models import QueueEntry, QueueState

QUEUE_LIMIT = 50


def live_queue(
    session: Session, *, agent_id: int, limit: int = QUEUE_LIMIT
) -> dict[str, list[dict[str, Any]]]:
    """Chats waiting for an agent (open, unassigned) and the agent's own open or pending chats, newest first.

    Each row has the fields of the websocket's conversation summary, so the page's script treats the
    rows it was rendered with and the ones the websocket announces alike.
    """
    waiting = inbox_rows(
        session,
        filters=InboxFilter(status=Status.OPEN, channel=Channel.CHAT, unassigned=True),
        limit=limit,
        offset=0,
    )
    mine = [
        row
        for status in (Status.OPEN, Status.PENDING)
        for row in inbox_rows(
            session,
            filters=InboxFilter(status=status, channel=Channel.CHAT, assignee_id=agent_id),
            limit=limit,
            offset=0,
        )
    ]
    mine.sort(key=lambda row: row.conversation.last_message_at, reverse=True)
    return {"waiting": [_row(row) for row in waiting], "mine": [_row(row) for row in mine[:limit]]}


def _row(row: InboxRow) -> dict[str, Any]:
    conversation = row.conversation
    return {
        "id": conversation.id,
        "reference": conversation.reference,
        "status": conversation.status,
        "channel": conversation.channel,
        "language": conversation.language,
        "subject": conversation.subject,
        "category": conversation.category,
        "assignee_id": conversation.assignee_id,
        "customer": {"id": row.customer.id, "name": row.customer.name},
        "preview": conversation.preview,
        "last_seq": conversation.last_seq,
        "last_message_at": conversation.last_message_at.isoformat(),
    }


def pending_offers(session: Session, *, agent_id: int) -> list[Frame]:
    """The chats offered to the agent and not expired, as the ``offer`` frames the websocket brings, so
    a page opened (or reloaded) while an offer runs shows it too."""
    rows = session.execute(
        select(Conversation, QueueEntry.offer_expires_at)
        .join(QueueEntry, QueueEntry.conversation_id == Conversation.id)
        .where(
            QueueEntry.state == QueueState.OFFERED,
            QueueEntry.offered_agent_id == agent_id,
            QueueEntry.offer_expires_at > utcnow(),
        )
        .order_by(QueueEntry.offer_expires_at)
    ).all()
    return [
        {
            "type": "offer",
            "conversation_id": conversation.id,
            "expires_at": expires_at.isoformat() if expires_at else None,
            "conversation": conversation_summary(session, conversation),
        }
        for conversation, expires_at in rows
    ]
