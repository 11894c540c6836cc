"""Customers' messages stored together: a group of chat messages in four statements, not three each.

``post_message`` stores one message with two statements and its event with a third; a busy chat writer
(SQLite's one writer, see firstline/chat/runtime.py) stores many customers' messages in one transaction.
``post_customer_messages`` numbers all their conversations with one executemany UPDATE and inserts the
messages and their events with one multi-row INSERT each. What each message leaves behind is the same as
``post_message``'s: the conversation's sequence and activity columns, the message row, its event (with the
event's reactions, run in order) and the ``message.created`` announcement.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from firstline.conversations.models import AuthorKind, Conversation, Message, Status
from firstline.conversations.service import MAX_CLIENT_MSG_ID, announce_message, check_body, message_event
from firstline.db import insert_many
from firstline.kit.errors import Conflict, InvalidInput
from firstline.kit.time import utcnow
from firstline.timeline.service import event_values, record_events

_CONVERSATION = Conversation.__table__
_MESSAGE = Message.__table__
PREVIEW_CHARS = 200


@dataclass(frozen=True)
class CustomerMessage:
    """A customer's new message for an open conversation the caller loaded."""

    conversation: Conversation
    body: str
    client_msg_id: str


@dataclass(frozen=True)
class StoredMessage:
    """A message just stored, as a plain value with the fields a Message has (it has no attachments)."""

    id: int
    conversation_id: int
    seq: int
    author_kind: str
    author_agent_id: int | None
    body: str
    client_msg_id: str | None
    is_automatic: bool
    created_at: datetime
    attachments: tuple[()] = ()


def post_customer_messages(session: Session, messages: Sequence[CustomerMessage]) -> list[StoredMessage]:
    """Store each message as ``post_message`` would, in four statements for all of them.

    Each message must go to a different conversation, one that is open (a customer's message to a
    pending or resolved one reopens it: that is ``post_message``'s work), and the caller has checked that
    no message is stored under its client id. Invalid input is refused before anything is written.
    Meant for a writer that writes alone (SQLite's): on PostgreSQL the rows would be locked one by one.
    """
    if not messages:
        return []
    bodies = [_checked(message) for message in messages]
    by_id = {message.conversation.id: message.conversation for message in messages}
    if len(by_id) != len(messages):
        raise Conflict("Messages stored together must each go to a different conversation.")
    session.flush()  # pending ORM changes first: the statements below bypass the unit of work
    now = utcnow()
    previews = {
        message.conversation.id: body[:PREVIEW_CHARS] for message, body in zip(messages, bodies, strict=True)
    }
    seqs = _advance(session, previews, now)
    rows: list[dict[str, Any]] = [
        {
            "conversation_id": message.conversation.id,
            "seq": seqs[message.conversation.id],
            "author_kind": AuthorKind.CUSTOMER,
            "author_agent_id": None,
            "body": body,
            "client_msg_id": message.client_msg_id,
            "is_automatic": False,
            "created_at": now,
        }
        for message, body in zip(messages, bodies, strict=True)
    ]
    ids = insert_many(session.connection(), _MESSAGE, rows)
    stored = [StoredMessage(id=message_id, **row) for message_id, row in zip(ids, rows, strict=True)]
    for message, row in zip(messages, stored, strict=True):
        _bring_up_to_date(message.conversation, row.seq, previews[row.conversation_id], now)
    record_events(
        session,
        [event_values(**message_event(by_id[row.conversation_id], row)) for row in stored],
    )
    for row in stored:
        announce_message(session, by_id[row.conversation_id], row)
    return stored


def _checked(message: CustomerMessage) -> str:
    if not 1 <= len(message.client_msg_id) <= MAX_CLIENT_MSG_ID:
        raise InvalidInput(
            f"client_msg_id must be 1 to {MAX_CLIENT_MSG_ID} characters.", field="client_msg_id"
        )
    if message.conversation.status != Status.OPEN:
        raise Conflict(f"Conversation {message.conversation.reference} is {message.conversation.status}.")
    return check_body(message.body)


def _advance(session: Session, previews: dict[int, str], now: datetime) -> dict[int, int]:
    """Number one message in each conversation and record its activity; the new seq by conversation.

    One executemany of a statement compiled once, then one read of the numbers it gave.
    """
    connection = session.connection()
    connection.execute(
        _ADVANCE,
        [{"conversation_id": key, "preview": preview, "now": now} for key, preview in previews.items()],
    )
    seqs = dict(connection.execute(_SEQS, {"conversation_ids": list(previews)}).all())
    if len(seqs) != len(previews):
        raise Conflict("A conversation was deleted while its message was being stored.")
    return seqs


_ADVANCE = (
    update(_CONVERSATION)
    .where(_CONVERSATION.c.id == bindparam("conversation_id"))
    .values(
        last_seq=_CONVERSATION.c.last_seq + 1,
        updated_at=bindparam("now"),
        last_message_at=bindparam("now"),
        preview=bindparam("preview"),
    )
)
_SEQS = select(_CONVERSATION.c.id, _CONVERSATION.c.last_seq).where(
    _CONVERSATION.c.id.in_(bindparam("conversation_ids", expanding=True))
)


def _bring_up_to_date(conversation: Conversation, seq: int, preview: str, now: datetime) -> None:
    """The loaded conversation shows what the UPDATE wrote, without reading it back."""
    set_committed_value(conversation, "last_seq", seq)
    set_committed_value(conversation, "updated_at", now)
    set_committed_value(conversation, "last_message_at", now)
    set_committed_value(conversation, "preview", preview)
