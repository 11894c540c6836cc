"""What the agent console's live chat pages read: the chat queue an agent works from."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from firstline.conversations.models import Channel, Status
from firstline.conversations.service import InboxFilter
from firstline.conversations.timeline import InboxRow, inbox_rows

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
