"""A conversation's sequenced events as protocol frames: messages, notes, agents joining and leaving.

Frames are built in the agents' view (everything); ``customer_view`` derives what a customer may see.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from firstline.agents.models import Agent
from firstline.attachments.models import Attachment
from firstline.chat.models import ChatEvent
from firstline.conversations.batch import StoredMessage
from firstline.conversations.models import AuthorKind, Conversation, Message
from firstline.customers.models import Customer

Frame = dict[str, Any]
ATTACHMENT_PATH = "/api/v1/chat/attachment"


def attachment_signature(secret: str, attachment_id: int) -> str:
    return hmac.new(secret.encode(), f"chat-attachment:{attachment_id}".encode(), hashlib.sha256).hexdigest()[
        :40
    ]


def attachment_url(secret: str, attachment_id: int) -> str:
    return f"{ATTACHMENT_PATH}?id={attachment_id}&sig={attachment_signature(secret, attachment_id)}"


def attachment_frame(secret: str, attachment: Attachment) -> Frame:
    return {
        "id": attachment.id,
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "url": attachment_url(secret, attachment.id),
    }


def message_frame(secret: str, message: Message | StoredMessage, author_name: str) -> Frame:
    kind = "note" if message.author_kind == AuthorKind.NOTE else "message"
    return {
        "type": "event",
        "conversation_id": message.conversation_id,
        "seq": message.seq,
        "kind": kind,
        "message": {
            "id": message.id,
            "author_kind": message.author_kind,
            "author_agent_id": message.author_agent_id,
            "author_name": author_name,
            "body": message.body,
            "is_automatic": message.is_automatic,
            "created_at": message.created_at.isoformat(),
            "client_msg_id": message.client_msg_id,
            "attachments": [attachment_frame(secret, item) for item in message.attachments],
        },
    }


def chat_event_frame(event: ChatEvent, agent_name: str) -> Frame:
    return {
        "type": "event",
        "conversation_id": event.conversation_id,
        "seq": event.seq,
        "kind": event.kind,
        "agent": {"id": event.agent_id, "name": agent_name},
        "created_at": event.created_at.isoformat(),
    }


def customer_view(frame: Frame) -> Frame | None:
    """What a customer may see of an event: no internal notes, no agent ids, no agents' client ids."""
    if frame["kind"] == "note":
        return None
    if frame["kind"] != "message":
        return {**frame, "agent": {"name": frame["agent"]["name"]}}
    message = dict(frame["message"])
    message.pop("author_agent_id", None)
    if message["author_kind"] != AuthorKind.CUSTOMER:
        message["client_msg_id"] = None
    return {**frame, "message": message}


def read_events(
    session: Session, *, conversation_id: int, after_seq: int, secret: str
) -> tuple[list[Frame], int]:
    """Every event after ``after_seq`` in order (agents' view), and the seq up to which the list is complete.

    The conversation's counter is read first: every event up to it was committed before, so the list
    holds all of them and the caller's cursor can move to it; later events arrive by notification.
    """
    upto = session.scalar(select(Conversation.last_seq).where(Conversation.id == conversation_id))
    if upto is None or upto <= after_seq:
        return [], max(after_seq, upto or 0)
    messages = list(
        session.scalars(
            select(Message)
            .where(Message.conversation_id == conversation_id, Message.seq > after_seq, Message.seq <= upto)
            .order_by(Message.seq)
        )
    )
    events = list(
        session.scalars(
            select(ChatEvent)
            .where(
                ChatEvent.conversation_id == conversation_id,
                ChatEvent.seq > after_seq,
                ChatEvent.seq <= upto,
            )
            .order_by(ChatEvent.seq)
        )
    )
    frames = render(session, conversation_id=conversation_id, messages=messages, events=events, secret=secret)
    return frames, upto


def render(
    session: Session,
    *,
    conversation_id: int,
    messages: list[Message],
    events: list[ChatEvent],
    secret: str,
) -> list[Frame]:
    """Frames for these rows, sorted by seq, with the names of their authors."""
    agent_ids = {m.author_agent_id for m in messages if m.author_agent_id} | {
        e.agent_id for e in events if e.agent_id
    }
    names = agent_names(session, agent_ids)
    customer_name = ""
    if any(m.author_kind == AuthorKind.CUSTOMER for m in messages):
        customer_name = (
            session.scalar(
                select(Customer.name)
                .join(Conversation, Conversation.customer_id == Customer.id)
                .where(Conversation.id == conversation_id)
            )
            or ""
        )
    frames = [
        message_frame(
            secret,
            message,
            customer_name
            if message.author_kind == AuthorKind.CUSTOMER
            else names.get(message.author_agent_id, ""),
        )
        for message in messages
    ]
    frames += [chat_event_frame(event, names.get(event.agent_id, "")) for event in events]
    frames.sort(key=lambda frame: frame["seq"])
    return frames


def agent_names(session: Session, agent_ids: set[int | None]) -> dict[int | None, str]:
    ids = {agent_id for agent_id in agent_ids if agent_id}
    if not ids:
        return {}
    return {
        agent_id: name
        for agent_id, name in session.execute(select(Agent.id, Agent.name).where(Agent.id.in_(ids)))
    }


def conversation_summary(session: Session, conversation: Conversation) -> Frame:
    customer = session.get(Customer, conversation.customer_id)
    return {
        "id": conversation.id,
        "reference": conversation.reference,
        "status": conversation.status,
        "channel": conversation.channel,
        "language": conversation.language,
        "subject": conversation.subject,
        "category": conversation.category,
        "assignee_id": conversation.assignee_id,
        "customer": {"id": conversation.customer_id, "name": customer.name if customer else ""},
        "preview": conversation.preview,
        "last_seq": session.scalar(select(Conversation.last_seq).where(Conversation.id == conversation.id)),
        "last_message_at": conversation.last_message_at.isoformat(),
    }
